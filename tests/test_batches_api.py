"""Batches over the API, and a service killed mid-batch that finishes it after a restart."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import time
import zipfile

import httpx
import pytest

from evaluation.loopback import free_port, running
from service.http.app import create_app
from service.core.engine import Engine
from service.core.settings import ServiceSettings, Settings
from tests.conftest import DIKTA, FIXTURES

pytestmark = pytest.mark.slow
GOOD = ["nb_feber.wav", "nb_lege.wav", "nb_alarm.ogg"]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def wait_complete(url: str, key: str, batch_id: str, timeout_s: float = 180) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = httpx.get(f"{url}/v1/batches/{batch_id}", headers=auth(key)).json()
        if body["complete"]:
            return body
        time.sleep(0.3)
    raise AssertionError(f"batch did not complete: {body}")


@pytest.fixture(scope="module")
def service(tmp_path_factory, engine):
    tmp = tmp_path_factory.mktemp("batches")
    root = tmp / "innboks"
    (root / "avdeling-2").mkdir(parents=True)
    for name in GOOD:
        (root / "avdeling-2" / name).write_bytes((FIXTURES / name).read_bytes())
    (tmp / "hemmelig").mkdir()
    base = Settings()
    settings = Settings(model_dir=base.model_dir, data_dir=tmp,
                        service=ServiceSettings(batch_roots=[root]))
    app = create_app(settings, engine=Engine(settings, manager=engine.manager))
    keys = {"a": app.state.dikta.store.create_key("a"),
            "b": app.state.dikta.store.create_key("b")}
    with running(app) as url:
        yield url, keys, root, tmp


def test_upload_batch_with_a_corrupt_file_reports_it_and_does_the_rest(service):
    url, keys, _, _ = service
    files = [("files", (name, (FIXTURES / name).read_bytes(), "application/octet-stream"))
             for name in GOOD] + [("files", ("ødelagt.wav", b"not audio", "audio/wav"))]
    created = httpx.post(f"{url}/v1/batches", headers=auth(keys["a"]), files=files, timeout=60)
    assert created.status_code == 202 and created.json()["total"] == 4
    batch = wait_complete(url, keys["a"], created.json()["id"])
    assert batch["counts"] == {"done": 3, "failed": 1}
    failed = next(i for i in batch["items"] if i["status"] == "failed")
    assert failed["source_name"] == "ødelagt.wav" and "not a recognisable" in failed["error"]
    lines = httpx.get(f"{url}/v1/batches/{batch['id']}/results",
                      headers=auth(keys["a"])).text.splitlines()
    results = [json.loads(line) for line in lines]
    assert len(results) == 4
    assert all(r["note"]["sentences"] for r in results if r["status"] == "done")
    archive = httpx.get(f"{url}/v1/batches/{batch['id']}/results?format=zip",
                        headers=auth(keys["a"]))
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "results.jsonl" in names and len([n for n in names if n.endswith(".note.json")]) == 3
    assert httpx.get(f"{url}/v1/batches/{batch['id']}",
                     headers=auth(keys["b"])).status_code == 404


def test_folder_batch_inside_allowed_root(service):
    url, keys, root, _ = service
    created = httpx.post(f"{url}/v1/batches/folder", headers=auth(keys["a"]),
                         json={"folder": str(root / "avdeling-2"), "language": "nb"})
    assert created.status_code == 202
    batch = wait_complete(url, keys["a"], created.json()["id"])
    assert batch["counts"] == {"done": 3}
    assert sorted(i["source_name"] for i in batch["items"]) == sorted(GOOD)


@pytest.mark.parametrize("folder", ["{tmp}/hemmelig", "{root}/../hemmelig", "/etc"])
def test_folder_outside_the_roots_is_refused(service, folder):
    url, keys, root, tmp = service
    response = httpx.post(f"{url}/v1/batches/folder", headers=auth(keys["a"]),
                          json={"folder": folder.format(tmp=tmp, root=root)})
    assert response.status_code == 403 and "allowed batch root" in response.json()["detail"]


def test_service_killed_mid_batch_finishes_it_after_restart(tmp_path, cli_env):
    env = {**cli_env, "DIKTA_DATA_DIR": str(tmp_path)}
    key = subprocess.run([DIKTA, "keys", "create", "--tenant", "t"], env=env,
                         capture_output=True, text=True, check=True).stdout.strip()
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def serve() -> subprocess.Popen:
        process = subprocess.Popen([DIKTA, "serve", "--port", str(port)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.2)

    names = GOOD + ["nb_rolig_natt.wav", "nb_frokost.wav", "nb_alarm.wav"]
    files = [("files", (n, (FIXTURES / n).read_bytes(), "application/octet-stream"))
             for n in names]
    first = serve()
    try:
        batch_id = httpx.post(f"{url}/v1/batches", headers=auth(key), files=files,
                              timeout=60).json()["id"]
        deadline = time.monotonic() + 120
        while httpx.get(f"{url}/v1/batches/{batch_id}",
                        headers=auth(key)).json()["counts"].get("done", 0) < 1:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    second = serve()
    try:
        batch = wait_complete(url, key, batch_id)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
    assert batch["counts"] == {"done": len(names)}


def test_folder_with_a_nul_byte_is_a_clear_4xx(service):
    url, keys, _, _ = service
    response = httpx.post(f"{url}/v1/batches/folder", headers=auth(keys["a"]),
                          json={"folder": "/tmp/x\u0000y"})
    assert response.status_code == 422 and "folder" in response.json()["detail"]
