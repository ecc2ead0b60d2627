"""`dikta keys create` and `dikta serve` as an operator runs them, end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import httpx
import pytest

from tests.conftest import DIKTA, FIXTURES
from evaluation.loopback import free_port

pytestmark = pytest.mark.slow


def test_keys_create_then_serve_then_transcribe(cli_env, tmp_path):
    env = {**cli_env, "DIKTA_DATA_DIR": str(tmp_path)}
    created = subprocess.run([DIKTA, "keys", "create", "--tenant", "Nordre Follo"], env=env,
                             capture_output=True, text=True, check=True)
    key = created.stdout.strip()
    assert key.startswith("dk_") and "not shown again" in created.stderr
    assert key not in (tmp_path / "dikta.db").read_bytes().decode("latin-1")  # only a hash
    port = free_port()
    server = subprocess.Popen([DIKTA, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
            time.sleep(0.3)
        response = httpx.post(f"{url}/v1/audio/transcriptions",
                              headers={"Authorization": f"Bearer {key}"},
                              files={"file": ("x.wav", (FIXTURES / "nb_feber.wav").read_bytes(),
                                              "audio/wav")},
                              data={"response_format": "text"}, timeout=120)
        assert response.status_code == 200 and "feber" in response.text.lower()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    logs = stderr.decode()
    assert '"route"' in logs and "feber" not in logs.lower()  # metadata only, never text
