"""Issue 13: national ID numbers masked in every text the service returns or stores, scopes
that mean what they say, idempotency keys bound to their payload, text fields without NUL or
control characters — on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import httpx
import pytest

from pipelines.asr import Segment, Transcript, TranscriptionOptions, Word
from service.core.masking import masked_transcript
from service.core.store import Dictation, NoteVersion
from structuring.privacy import MASK
from tests.databases import database_url
from tests.uploads_app import auth, recording, upload_app

FNR = "01019012345"  # invented, with valid check digits? checked below
FNR_SPOKEN = "fødselsnummer 010190 12345"


def test_the_test_number_is_a_valid_national_id():
    from structuring.privacy import is_national_id

    assert not is_national_id(FNR)  # so only the cue masks it: both rules are exercised
    assert is_national_id("15076500565")


VALID_FNR = "15076500565"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    with database_url(request.param) as url, \
            upload_app(tmp_path_factory.mktemp(f"mask-{request.param}"), url) as running:
        yield running


def _transcribed(app, text: str, key: str = "a") -> str:
    """A dictation as the worker leaves it: done, with its ASR draft (an older row or an
    unmasked ASR path could hold an ID: the responses must mask it all the same)."""
    url, keys, dikta = app
    created = httpx.post(f"{url}/v1/dictations", headers=auth(keys[key]),
                         files={"file": ("a.wav", recording(hash(text) % 1000))},
                         data={"patient_ref": "pas-9"})
    assert created.status_code == 202, created.text
    dictation_id = created.json()["id"]
    from structuring.written_standard import write_note

    # The structuring stage masks on its own; put the number back, as in an older row.
    note = json.loads(json.dumps(write_note(text).to_dict()).replace(MASK, VALID_FNR))
    with dikta.state.dikta.store.session() as s, s.begin():
        row = s.get(Dictation, dictation_id)
        row.status, row.note = "done", note
        s.add(NoteVersion(dictation_id=dictation_id, version=1, kind="asr_draft", text=text,
                          note=note, author="dikta-asr"))
    return dictation_id


def _no_id(body: str) -> None:
    assert VALID_FNR not in body and "010190 12345" not in body, body[:500]


def test_every_route_masks_national_ids(app):
    url, keys, dikta = app
    dictation_id = _transcribed(app, f"Pasienten {VALID_FNR} har feber, {FNR_SPOKEN}.")
    read = httpx.get(f"{url}/v1/dictations/{dictation_id}", headers=auth(keys["a"]))
    assert MASK in read.json()["transcript"]
    _no_id(read.text)
    edit = httpx.put(f"{url}/v1/dictations/{dictation_id}/note", headers=auth(keys["a"]),
                     json={"text": f"Feber. Fnr {VALID_FNR} notert."})
    assert edit.status_code == 200, edit.text
    _no_id(edit.text)
    versions = httpx.get(f"{url}/v1/dictations/{dictation_id}/versions",
                         headers=auth(keys["a"]))
    assert [v["kind"] for v in versions.json()] == ["asr_draft", "edited"]
    _no_id(versions.text)
    with dikta.state.dikta.store.session() as s:  # the edit was masked before it was stored
        stored = [v.text for v in s.query(NoteVersion).filter_by(dictation_id=dictation_id)]
    assert VALID_FNR not in stored[1]


def test_fhir_export_and_batch_results_mask_national_ids(app):
    url, keys, dikta = app
    key = dikta.state.dikta.store.create_key("kommune-a", "dictate read_notes export")
    dictation_id = _transcribed(app, f"Fødselsnummer {VALID_FNR}. Blodtrykk 120/80.")
    fhir = httpx.get(f"{url}/v1/dictations/{dictation_id}/fhir", headers=auth(key))
    assert fhir.status_code == 200, fhir.text
    _no_id(fhir.text)
    batch = httpx.post(f"{url}/v1/batches", headers=auth(keys["a"]),
                       files=[("files", ("x.wav", recording(5)))]).json()
    with dikta.state.dikta.store.session() as s, s.begin():
        row = s.query(Dictation).filter_by(batch_id=batch["id"]).one()
        row.status = "done"
        row.note = {"text": f"Pasient {VALID_FNR}.", "sentences": [f"Pasient {VALID_FNR}."]}
        s.add(NoteVersion(dictation_id=row.id, version=1, kind="asr_draft",
                          text=f"Pasient {VALID_FNR}.", note=row.note, author="dikta-asr"))
    lines = httpx.get(f"{url}/v1/batches/{batch['id']}/results", headers=auth(keys["a"]))
    _no_id(lines.text)
    assert MASK in lines.text
    archive = httpx.get(f"{url}/v1/batches/{batch['id']}/results?format=zip",
                        headers=auth(keys["a"]))
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        for name in opened.namelist():
            _no_id(opened.read(name).decode())


def test_a_dictate_only_key_never_reads_transcript_or_note(app):
    """Issue 13 defect 3: PUT …/note answered with the full note to a dictate-only key."""
    url, keys, _ = app
    dictation_id = _transcribed(app, "Pasienten har vondt i magen.")
    edit = httpx.put(f"{url}/v1/dictations/{dictation_id}/note",
                     headers=auth(keys["a_dictate"]), json={"text": "Vondt i magen."})
    assert edit.status_code == 200
    assert edit.json()["transcript"] is None and edit.json()["note"] is None
    assert "magen" not in edit.text
    assert httpx.get(f"{url}/v1/dictations/{dictation_id}",
                     headers=auth(keys["a_dictate"])).status_code == 403
    assert httpx.get(f"{url}/v1/dictations/{dictation_id}/versions",
                     headers=auth(keys["a_dictate"])).status_code == 403


def test_a_replayed_idempotency_key_returns_no_text_and_refuses_another_payload(app):
    url, keys, dikta = app
    audio = recording(777)
    headers = auth(keys["a_dictate"], **{"Idempotency-Key": "opptak-777"})
    first = httpx.post(f"{url}/v1/dictations", headers=headers,
                       files={"file": ("a.wav", audio)}, data={"patient_ref": "pas-1"})
    assert first.status_code == 202
    with dikta.state.dikta.store.session() as s, s.begin():
        row = s.get(Dictation, first.json()["id"])
        row.status, row.note = "done", {"text": "x"}
        s.add(NoteVersion(dictation_id=row.id, version=1, kind="asr_draft",
                          text="Hemmelig tekst.", note=None, author="dikta-asr"))
    again = httpx.post(f"{url}/v1/dictations", headers=headers,
                       files={"file": ("a.wav", audio)}, data={"patient_ref": "pas-1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["transcript"] is None and "Hemmelig" not in again.text
    for files, data in (({"file": ("a.wav", b"")}, {"patient_ref": "pas-1"}),
                        ({"file": ("a.wav", recording(778))}, {"patient_ref": "pas-1"}),
                        ({"file": ("a.wav", audio)}, {"patient_ref": "pas-2"})):
        reused = httpx.post(f"{url}/v1/dictations", headers=headers, files=files, data=data)
        assert reused.status_code == 422, reused.text
        assert reused.json()["type"].endswith("idempotency-key-reused")
        assert "Hemmelig" not in reused.text and first.json()["id"] not in reused.text


@pytest.mark.parametrize("field", ["patient_ref", "note_type", "device_id", "dialect",
                                   "speaker"])
@pytest.mark.parametrize("bad", ["pas\x00-1", "pas\x1b[31m", "pas-\ufffd"])
def test_control_characters_and_bad_utf8_in_form_fields_are_refused(app, field, bad):
    url, keys, _ = app
    answer = httpx.post(f"{url}/v1/dictations", headers=auth(keys["a"]),
                        files={"file": ("a.wav", recording(3))}, data={field: bad})
    assert answer.status_code == 422 and field in answer.json()["detail"], answer.text


def test_invalid_utf8_bytes_in_a_multipart_field_are_refused(app):
    url, keys, _ = app
    boundary = "dikta-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"patient_ref\"\r\n\r\n"
            ).encode() + b"pas-\xff\xfe" + (
        f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
        f"filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n").encode() + recording(4) + (
        f"\r\n--{boundary}--\r\n").encode()
    answer = httpx.post(f"{url}/v1/dictations", content=body, headers=auth(
        keys["a"], **{"Content-Type": f"multipart/form-data; boundary={boundary}"}))
    assert answer.status_code == 422 and "patient_ref" in answer.json()["detail"], answer.text


def test_control_characters_in_json_and_headers_are_refused(app):
    url, keys, _ = app
    dictation_id = _transcribed(app, "Sov godt.")
    for body, field in (({"text": "Sov\x00 godt."}, "text"),
                        ({"text": "Sov godt.", "author": "sykepleier\x07"}, "author")):
        answer = httpx.put(f"{url}/v1/dictations/{dictation_id}/note",
                           headers=auth(keys["a"]), json=body)
        assert answer.status_code == 422 and field in answer.json()["detail"]
    multi_line = httpx.put(f"{url}/v1/dictations/{dictation_id}/note",
                           headers=auth(keys["a"]), json={"text": "Sov godt.\nSpiste."})
    assert multi_line.status_code == 200
    answer = httpx.post(f"{url}/v1/dictations", headers=auth(
        keys["a"], **{"Idempotency-Key": "key\tx"}), files={"file": ("a.wav", recording(6))})
    assert answer.status_code == 422 and "idempotency" in answer.json()["detail"].lower()


def test_unknown_language_is_422_on_every_route(app):
    url, keys, _ = app
    transcription = httpx.post(f"{url}/v1/audio/transcriptions", headers=auth(keys["a"]),
                               files={"file": ("a.wav", recording(8))},
                               data={"model": "whisper-base", "language": "de"})
    dictation = httpx.post(f"{url}/v1/dictations", headers=auth(keys["a"]),
                           files={"file": ("a.wav", recording(8))}, data={"language": "de"})
    assert transcription.status_code == dictation.status_code == 422


def test_transcripts_are_masked_as_they_leave_the_recogniser():
    spoken = Segment(0, 0.0, 2.0, f" Fødselsnummer {VALID_FNR[:6]} {VALID_FNR[6:]}.", -0.1,
                     0.0, 1.0, words=(Word(0, 0.5, " Fødselsnummer", 0.9),
                                      Word(0.5, 1.0, f" {VALID_FNR[:6]}", 0.9),
                                      Word(1.0, 1.5, f" {VALID_FNR[6:]}.", 0.9)))
    other = Segment(1, 2.0, 3.0, " Puls 88.", -0.1, 0.0, 1.0,
                    words=(Word(2.0, 2.5, " Puls", 0.9), Word(2.5, 3.0, " 88.", 0.9)))
    transcript = Transcript((spoken, other), "no", 3.0, 3.0, "m", TranscriptionOptions())
    masked = masked_transcript(transcript)
    assert VALID_FNR[:6] not in json.dumps([s.text for s in masked.segments])
    assert all(VALID_FNR[:6] not in w.text and VALID_FNR[6:] not in w.text
               for w in masked.segments[0].words)
    assert masked.segments[1] == other  # nothing else changes


def test_sqlite_database_file_is_private(tmp_path):
    from service.core.store import Store

    store = Store(f"sqlite:///{tmp_path / 'dikta.db'}")
    with store.session() as s:
        s.execute(__import__("sqlalchemy").text("SELECT 1"))
    for path in Path(tmp_path).glob("dikta.db*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    store.engine.dispose()
