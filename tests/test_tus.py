"""Resumable uploads on tus 1.0 (issue 13): a real tus client, two nurses at once, encrypted
partial files, checksum, termination, expiration, and no 5xx after the upload is done."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from tusclient import client as tus_client

from service.core.audio_files import read_audio
from service.core.store import Dictation, Upload
from tests.uploads_app import TUS, auth, recording, upload_app

STREAM = {"Content-Type": "application/offset+octet-stream"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with upload_app(tmp_path_factory.mktemp("tus")) as running:
        yield running


def _metadata(**fields: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())


def _create(url: str, key: str, length: int, **metadata: str) -> str:
    created = httpx.post(f"{url}/v1/uploads", headers=auth(
        key, **{"Upload-Length": str(length), "Upload-Metadata": _metadata(**metadata)}))
    assert created.status_code == 201, created.text
    return url + created.headers["Location"]


def _patch(location: str, key: str, offset: int, body: bytes, **headers: str):
    return httpx.patch(location, content=body, headers=auth(
        key, **STREAM, **{"Upload-Offset": str(offset)}, **headers))


def _stored(app, dictation_id: str) -> bytes:
    with app.state.dikta.store.session() as s:
        row = s.get(Dictation, dictation_id)
    return read_audio(row.audio_path)


def test_a_tus_client_library_uploads_with_a_cut_and_resume(app):
    url, keys, dikta = app
    data = recording(1, 2.0)
    client = tus_client.TusClient(f"{url}/v1/uploads",
                                  headers={"Authorization": f"Bearer {keys['a']}"})
    first = client.uploader(file_stream=io.BytesIO(data), chunk_size=7000,
                            metadata={"patient_ref": "pas-17", "language": "nn",
                                      "note_type": "hjemmesykepleie"})
    first.upload_chunk()
    first.upload_chunk()  # the phone loses its network here
    resumed = client.uploader(file_stream=io.BytesIO(data), chunk_size=7000, url=first.url)
    assert resumed.offset == 14000
    resumed.upload()
    upload = httpx.get(first.url, headers=auth(keys["a"])).json()
    assert upload["status"] == "complete" and upload["offset"] == len(data)
    dictation = httpx.get(f"{url}/v1/dictations/{upload['dictation_id']}",
                          headers=auth(keys["a"])).json()
    assert (dictation["patient_ref"], dictation["language"], dictation["note_type"]) == \
        ("pas-17", "nn", "hjemmesykepleie")
    assert _stored(dikta, upload["dictation_id"]) == data
    assert dikta.state.dikta.worker.submitted.count(upload["dictation_id"]) == 1


def test_two_nurses_uploading_at_once_keep_their_own_recordings(app):
    """Issue 13 defect 1: every upload shared `None.partial`; the first finalize got the
    other patient's recording and the second answered 500."""
    url, keys, dikta = app
    first, second = recording(11, 1.0), recording(12, 1.0)
    one = _create(url, keys["a"], len(first), patient_ref="pas-1")
    two = _create(url, keys["a"], len(second), patient_ref="pas-2")
    step = 4000
    for offset in range(0, max(len(first), len(second)), step):
        for location, data in ((one, first), (two, second)):
            if offset < len(data):
                assert _patch(location, keys["a"], offset,
                              data[offset:offset + step]).status_code == 204
    for location, data, patient in ((one, first, "pas-1"), (two, second, "pas-2")):
        upload = httpx.get(location, headers=auth(keys["a"])).json()
        assert upload["status"] == "complete"
        with dikta.state.dikta.store.session() as s:
            row = s.get(Dictation, upload["dictation_id"])
        assert row.patient_ref == patient
        assert row.audio_sha256 == hashlib.sha256(data).hexdigest() == \
            hashlib.sha256(_stored(dikta, row.id)).hexdigest()


def test_parallel_chunks_to_one_upload_never_interleave(app):
    url, keys, dikta = app
    data = recording(21, 1.0)
    location = _create(url, keys["a"], len(data))
    with ThreadPoolExecutor(4) as pool:  # four copies of the same first chunk race
        answers = list(pool.map(lambda _: _patch(location, keys["a"], 0, data[:10000]),
                                range(4)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(204) == 1 and set(statuses) <= {204, 409, 423}, statuses
    assert _patch(location, keys["a"], 10000, data[10000:]).status_code == 204
    upload = httpx.get(location, headers=auth(keys["a"])).json()
    assert _stored(dikta, upload["dictation_id"]) == data


def test_partial_file_is_private_and_encrypted_from_the_first_byte(app):
    url, keys, dikta = app
    data = recording(31, 1.0)
    location = _create(url, keys["a"], len(data))
    assert _patch(location, keys["a"], 0, data[:20000]).status_code == 204
    with dikta.state.dikta.store.session() as s:
        row = s.get(Upload, location.rsplit("/", 1)[1])
    partial = Path(row.path)
    assert stat.S_IMODE(partial.stat().st_mode) == 0o600
    on_disk = partial.read_bytes()
    assert len(on_disk) > 0
    assert data[100:164] not in on_disk and b"RIFF" not in on_disk


def test_creation_with_upload_and_termination(app):
    url, keys, dikta = app
    data = recording(41, 1.0)
    created = httpx.post(f"{url}/v1/uploads", content=data[:5000], headers=auth(
        keys["a"], **STREAM, **{"Upload-Length": str(len(data))}))
    assert created.status_code == 201 and created.headers["Upload-Offset"] == "5000"
    assert created.headers["Tus-Resumable"] == "1.0.0" and "Upload-Expires" in created.headers
    location = url + created.headers["Location"]
    with dikta.state.dikta.store.session() as s:
        partial = Path(s.get(Upload, location.rsplit("/", 1)[1]).path)
    assert partial.exists()
    assert httpx.delete(location, headers=auth(keys["a"])).status_code == 204
    assert not partial.exists()
    assert httpx.head(location, headers=auth(keys["a"])).status_code == 404
    assert _patch(location, keys["a"], 5000, data[5000:]).status_code == 404


def test_checksum_extension(app):
    url, keys, dikta = app
    data = recording(51, 1.0)
    location = _create(url, keys["a"], len(data))
    chunk = data[:8000]
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    refused = _patch(location, keys["a"], 0, chunk, **{"Upload-Checksum": f"sha256 {wrong}"})
    assert refused.status_code == 460
    assert httpx.head(location, headers=auth(keys["a"])).headers["Upload-Offset"] == "0"
    right = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
    assert _patch(location, keys["a"], 0, chunk,
                  **{"Upload-Checksum": f"sha256 {right}"}).status_code == 204
    sha1 = base64.b64encode(hashlib.sha1(data[8000:]).digest()).decode()
    assert _patch(location, keys["a"], 8000, data[8000:],
                  **{"Upload-Checksum": f"sha1 {sha1}"}).status_code == 204
    assert _patch(location, keys["a"], 0, b"x", **{"Upload-Checksum": "crc32 AAAA"}
                  ).status_code in (400, 409)


def test_discovery_and_version_negotiation(app):
    url, keys, _ = app
    options = httpx.options(f"{url}/v1/uploads", headers={"Authorization": f"Bearer {keys['a']}"})
    assert options.status_code == 204
    assert set(options.headers["Tus-Extension"].split(",")) >= {
        "creation", "creation-with-upload", "checksum", "termination", "expiration"}
    assert "sha256" in options.headers["Tus-Checksum-Algorithm"].split(",")
    no_version = httpx.post(f"{url}/v1/uploads", headers={
        "Authorization": f"Bearer {keys['a']}", "Upload-Length": "10"})
    assert no_version.status_code == 412 and no_version.headers["Tus-Version"] == "1.0.0"
    assert httpx.post(f"{url}/v1/uploads", headers=auth(keys["a"])).status_code == 400
    assert httpx.post(f"{url}/v1/uploads", headers=auth(
        keys["a"], **{"Upload-Length": "0"})).status_code == 400


def test_after_the_last_byte_patch_and_head_answer_without_5xx(app):
    """Issue 13 defect 4: PATCH after finalize answered 500 (the partial file was gone)."""
    url, keys, _ = app
    data = recording(61, 0.5)
    location = _create(url, keys["a"], len(data))
    assert _patch(location, keys["a"], 0, data).status_code == 204
    again = _patch(location, keys["a"], len(data), b"")
    assert again.status_code == 204 and again.headers["Upload-Offset"] == str(len(data))
    extra = _patch(location, keys["a"], len(data), b"more")
    assert extra.status_code == 413 and extra.headers["Upload-Offset"] == str(len(data))
    stale = _patch(location, keys["a"], 0, data)
    assert stale.status_code == 409 and stale.headers["Upload-Offset"] == str(len(data))
    head = httpx.head(location, headers=auth(keys["a"]))
    assert head.status_code == 200 and head.headers["Upload-Offset"] == str(len(data))


def test_over_length_chunk_is_refused_with_the_offset(app):
    url, keys, _ = app
    location = _create(url, keys["a"], 100)
    refused = _patch(location, keys["a"], 0, b"y" * 150)
    assert refused.status_code == 413 and refused.headers["Upload-Offset"] == "0"
    assert httpx.head(location, headers=auth(keys["a"])).headers["Upload-Offset"] == "0"


def test_metadata_is_validated_before_any_byte(app):
    url, keys, _ = app
    bad = {"patient_ref": "pas\x001", "device_id": "tel\x07efon"}
    for field, value in bad.items():
        answer = httpx.post(f"{url}/v1/uploads", headers=auth(
            keys["a"], **{"Upload-Length": "10", "Upload-Metadata": _metadata(**{field: value})}))
        assert answer.status_code == 422 and field in answer.json()["detail"], answer.text
    invalid_utf8 = "patient_ref " + base64.b64encode(b"pas-\xff\xfe").decode()
    answer = httpx.post(f"{url}/v1/uploads", headers=auth(
        keys["a"], **{"Upload-Length": "10", "Upload-Metadata": invalid_utf8}))
    assert answer.status_code == 400 and "patient_ref" in answer.json()["detail"]
    for metadata, field in ((_metadata(language="de"), "language"),
                            (_metadata(favourite="x"), "favourite")):
        answer = httpx.post(f"{url}/v1/uploads", headers=auth(
            keys["a"], **{"Upload-Length": "10", "Upload-Metadata": metadata}))
        assert answer.status_code == 422 and field in answer.json()["detail"]
    # what tus clients add on their own is accepted
    assert httpx.post(f"{url}/v1/uploads", headers=auth(keys["a"], **{
        "Upload-Length": "10", "Upload-Metadata": _metadata(filename="a.m4a")})
    ).status_code == 201


def test_a_recording_that_is_not_audio_fails_clearly(app):
    url, keys, _ = app
    data = b"this is a text file, not a recording" * 10
    location = _create(url, keys["a"], len(data))
    last = _patch(location, keys["a"], 0, data)
    assert last.status_code == 422
    upload = httpx.get(location, headers=auth(keys["a"])).json()
    assert upload["status"] == "failed" and upload["error"] and upload["dictation_id"] is None
    assert httpx.head(location, headers=auth(keys["a"])).status_code == 410


def test_whole_recording_sha256_in_metadata_is_checked(app):
    url, keys, _ = app
    data = recording(71, 0.5)
    good = _create(url, keys["a"], len(data), sha256=hashlib.sha256(data).hexdigest())
    assert _patch(good, keys["a"], 0, data).status_code == 204
    bad = _create(url, keys["a"], len(data), sha256=hashlib.sha256(b"x").hexdigest())
    assert _patch(bad, keys["a"], 0, data).status_code == 422


def test_another_tenant_cannot_see_or_touch_an_upload(app):
    url, keys, _ = app
    data = recording(81, 0.5)
    location = _create(url, keys["a"], len(data))
    assert httpx.head(location, headers=auth(keys["b"])).status_code == 404
    assert httpx.get(location, headers=auth(keys["b"])).status_code == 404
    assert _patch(location, keys["b"], 0, data).status_code == 404
    assert httpx.delete(location, headers=auth(keys["b"])).status_code == 404
    assert _patch(location, keys["a"], 0, data).status_code == 204


def test_torn_write_after_a_crash_is_cut_off(app):
    url, keys, dikta = app
    data = recording(91, 1.0)
    location = _create(url, keys["a"], len(data))
    assert _patch(location, keys["a"], 0, data[:9000]).status_code == 204
    with dikta.state.dikta.store.session() as s:
        partial = Path(s.get(Upload, location.rsplit("/", 1)[1]).path)
    with open(partial, "ab") as handle:  # a frame half written when the power went
        handle.write(b"\x00\x00\x10\x00garbage")
    assert _patch(location, keys["a"], 9000, data[9000:]).status_code == 204
    upload = httpx.get(location, headers=auth(keys["a"])).json()
    assert _stored(dikta, upload["dictation_id"]) == data


def test_last_byte_stored_but_dictation_not_made_is_finished_on_next_look(app):
    """A crash between storing the last byte and creating the dictation: the next HEAD or
    GET finishes it, once."""
    url, keys, dikta = app
    data = recording(101, 0.5)
    location = _create(url, keys["a"], len(data))
    upload_id = location.rsplit("/", 1)[1]
    from service.uploads.partial_files import FrameWriter

    with dikta.state.dikta.store.session() as s, s.begin():
        row = s.get(Upload, upload_id)
        fd = os.open(row.path, os.O_RDWR)
        writer = FrameWriter(fd, row.id, 0, 0)
        writer.write(data)
        writer.commit()
        os.close(fd)
        row.offset, row.stored_bytes = len(data), writer.stored_bytes
    head = httpx.head(location, headers=auth(keys["a"]))
    assert head.status_code == 200 and head.headers["Upload-Offset"] == str(len(data))
    first = httpx.get(location, headers=auth(keys["a"])).json()
    again = httpx.get(location, headers=auth(keys["a"])).json()
    assert first["dictation_id"] and first["dictation_id"] == again["dictation_id"]
    assert _stored(dikta, first["dictation_id"]) == data


def test_expired_upload_is_gone_and_its_bytes_purged(tmp_path):
    from service.core.retention import purge

    with upload_app(tmp_path, upload_expiry_hours=1 / 3600) as (url, keys, dikta):
        data = recording(111, 0.5)
        location = _create(url, keys["a"], len(data))
        assert _patch(location, keys["a"], 0, data[:1000]).status_code == 204
        with dikta.state.dikta.store.session() as s:
            partial = Path(s.get(Upload, location.rsplit("/", 1)[1]).path)
        time.sleep(1.2)
        assert _patch(location, keys["a"], 1000, data[1000:]).status_code == 410
        state = dikta.state.dikta
        assert purge(state.store, state.settings.retention).uploads_expired == 1
        assert not partial.exists()
        upload = httpx.get(location, headers=auth(keys["a"])).json()
        assert upload["status"] == "expired"


def test_every_upload_answer_names_the_tus_version(app):
    url, keys, _ = app
    for answer in (httpx.get(f"{url}/v1/uploads/nope", headers=auth(keys["a"])),
                   httpx.post(f"{url}/v1/uploads", headers=TUS)):
        assert answer.headers.get("Tus-Resumable") == "1.0.0", answer.status_code
