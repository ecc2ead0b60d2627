"""The Python client (service/client.py) and the ES-module client
(service/http/webapp/dikta-client.js), both against a live server on loopback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service.client import DiktaApiError, DiktaClient
from service.core.store import Dictation, NoteVersion
from structuring.pipeline import structure
from tests.uploads_app import recording, upload_app

ROOT = Path(__file__).resolve().parents[1]
ES_CLIENT = ROOT / "service" / "http" / "webapp" / "dikta-client.js"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with upload_app(tmp_path_factory.mktemp("clients")) as running:
        _, keys, dikta = running
        keys["nurse"] = dikta.state.dikta.store.create_key(
            "kommune-c", "dictate read_notes approve")
        yield running


def _finish(dikta, dictation_id: str) -> None:
    """The dictation as the worker leaves it: done, with its ASR draft."""
    note = structure("hun sov godt hele natten punktum").to_dict()
    with dikta.state.dikta.store.session() as s, s.begin():
        row = s.get(Dictation, dictation_id)
        row.status, row.note = "done", note
        s.add(NoteVersion(dictation_id=dictation_id, version=1, kind="asr_draft",
                          text="Hun sov godt hele natten.", note=note))


def test_python_client_round_trip(app):
    url, keys, dikta = app
    with DiktaClient(url, token=keys["nurse"]) as client:
        first = client.create_dictation(recording(1), "a.wav", patient_ref="pas-1",
                                        training_consent=False)
        second = client.create_dictation(recording(2), "b.wav", patient_ref="pas-2",
                                         idempotency_key="k-2")
        assert (first.stage, first.status) == ("queued", "queued")
        _finish(dikta, second.id)
        page = client.list_dictations(limit=1)
        assert [d.id for d in page.items] == [second.id] and page.next_cursor
        assert [d.id for d in client.iter_dictations(limit=1)] == [second.id, first.id]
        assert [d.id for d in client.iter_dictations(status=["draft"])] == [second.id]
        got = client.get_dictation(second.id)
        assert got.stage == "draft" and got.transcript == "Hun sov godt hele natten."
        edited = client.put_note(second.id, "Hun sov godt. Blodtrykk 120/80.", "Kari")
        assert [s["text"] for s in edited.note["sentences"]] == ["Hun sov godt.",
                                                                  "Blodtrykk 120/80."]
        approved = client.approve(second.id, "Kari")
        assert approved.stage == "approved" and approved.approved_at is not None
        assert [v.kind for v in client.versions(second.id)] == ["asr_draft", "edited",
                                                                "approved"]
        text = client.get_text(second.id, template="isbar")
        assert text.startswith("I – Identifikasjon:\nPasient: pas-2\n")
        assert "Blodtrykk 120/80." in text and "Rapportert av Kari" in text
        assert {t.name for t in client.text_templates()} >= {"plain", "isbar",
                                                              "funksjonsomrader"}
        with pytest.raises(DiktaApiError) as refused:
            client.approve(second.id)
        assert refused.value.status == 409 and refused.value.kind == "approved"
        with pytest.raises(DiktaApiError) as missing:
            client.get_dictation("nope")
        assert missing.value.status == 404 and missing.value.kind == "not-found"
    with DiktaClient(url, token="dk_wrong") as stranger, pytest.raises(DiktaApiError) as no:
        stranger.list_dictations()
    assert no.value.status == 401


def test_python_client_imports_nothing_of_the_server():
    code = ("import sys, service.client; "
            "bad = sorted(m for m in sys.modules if m.startswith(('service.core', "
            "'service.http', 'structuring', 'fastapi', 'sqlalchemy'))); print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_es_client_against_the_live_server(app, tmp_path):
    node = shutil.which("node")
    assert node, "nodejs is installed by `make setup` (system packages)"
    url, keys, dikta = app
    with DiktaClient(url, token=keys["a"]) as client:
        older = client.create_dictation(recording(11), patient_ref="pas-9")
        newer = client.create_dictation(recording(12), patient_ref="pas-9")
    _finish(dikta, newer.id)
    module = tmp_path / "dikta-client.mjs"  # Node reads .js as CommonJS without package.json
    shutil.copy(ES_CLIENT, module)
    key = dikta.state.dikta.store.create_key("kommune-a", "dictate read_notes approve")
    run = subprocess.run([node, str(ROOT / "tests" / "js" / "client_check.mjs"),
                          module.as_uri(), url, key, newer.id],
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["firstPage"] == {"ids": [newer.id], "hasNext": True}
    assert out["all"][:2] == [newer.id, older.id]
    assert out["drafts"] == [newer.id]
    assert out["got"] == "draft"
    assert out["edited"] == ["Hun sov godt.", "Blodtrykk 120/80."]
    assert out["approved"] == "approved"
    assert out["text"].startswith("I – Identifikasjon:\nPasient: pas-9\n")
    assert out["missing"] == {"isError": True, "status": 404, "kind": "not-found"}
    assert out["unauthorized"] == 401
    assert out["noUpload"] == 404 and out["noSession"] == 401
    assert out["uploadUrls"] == ["http://dikta.test/v1/uploads/u1",
                                 "http://dikta.test/v1/uploads/u%202"]
    assert out["authHeaders"] == [{"Authorization": "Bearer dk_x"}, {"X-Dikta-Session": "1"}]
    assert out["alarms"] == {"status": 404} or isinstance(out["alarms"], (list, dict))
    session = out["session"]
    assert session["headers"]["X-Dikta-Session"] == "1"
    assert "Authorization" not in session["headers"]
    assert session["credentials"] == "include"
    assert session["url"] == "/v1/dictations?patient_ref=pas+1&status=draft%2Capproved"
    assert out["sections"] == {"url": "http://dikta.test/v1/dictations/d%201/note",
                               "body": {"sections": {"legemidler": "Ga Paracet 1 g."},
                                        "author": "Kari"},
                               "auth": "Bearer dk_x"}
