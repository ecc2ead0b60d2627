"""Issue 16.2: a dictation documents alarms — explicitly (alarm_ids in the upload form, tus
Upload-Metadata, the stream's start message) or by a match on patient, time window and
technology, proposed on the draft, re-matched after edits, settled at approval. Real app on
loopback, real processor, structuring and store (SQLite and PostgreSQL); only the recogniser
is a stand-in that "hears" the text each test scripts for its recording."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest

from pipelines.asr import Segment, Transcript, TranscriptionOptions
from service.alarms.links import linked_alarm_events, linked_alarms
from service.jobs.processor import DictationProcessor
from tests.databases import database_url
from tests.uploads_app import TUS, recording, upload_app

FALL_AT = "2026-03-01T02:14:00+01:00"
RECORDED_AT = "2026-03-01T02:40:00+01:00"


class ScriptedRecogniser:
    """Stands in for Whisper: the text scripted for a recording's bytes."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    def transcriber(self, *args, **kwargs):
        return None

    def transcribe(self, audio: bytes, transcriber=None) -> Transcript:
        text = self.texts[hashlib.sha256(audio).hexdigest()]
        return Transcript(segments=(Segment(0, 0.0, 30.0, text, -0.1, 0.0, 1.0),),
                          language="no", audio_duration_s=30.0, speech_duration_s=30.0,
                          model="scripted", options=TranscriptionOptions())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    if request.param == "postgresql":
        from tests.needs import need_postgres

        need_postgres()
    with database_url(request.param) as url, \
            upload_app(tmp_path_factory.mktemp(f"links-{request.param}"), url) as running:
        base, keys, dikta = running
        state = dikta.state.dikta
        keys = {**keys, "nurse": state.store.create_key("kommune-a", "dictate read_notes approve"),
                "hub": state.store.create_key("kommune-a", "ingest"),
                "hub_b": state.store.create_key("kommune-b", "ingest")}
        recogniser = ScriptedRecogniser()
        processor = DictationProcessor(state.store, recogniser, state.settings)
        yield base, keys, dikta, recogniser, processor


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


_seeds = iter(range(10_000, 20_000))


def alarm(app, source_id: str, *, code: str = "4.1", at: str = FALL_AT,
          patient: str = "epj-77", key: str = "hub") -> str:
    url, keys = app[0], app[1]
    response = httpx.post(f"{url}/v1/alarms", headers=auth(keys[key]), json={
        "source": "responssenter", "source_id": source_id, "vkp_code": code,
        "occurred_at": at, "patient_ref": patient})
    assert response.status_code == 201, response.text
    return response.json()["items"][0]["id"]


def dictate(app, text: str, *, patient: str = "epj-77", **form) -> httpx.Response:
    url, keys, _, recogniser, processor = app[:5]
    audio = recording(next(_seeds))
    recogniser.texts[hashlib.sha256(audio).hexdigest()] = text
    created = httpx.post(f"{url}/v1/dictations", headers=auth(keys["nurse"]),
                         files={"file": ("a.wav", audio)},
                         data={"patient_ref": patient, "recorded_at": RECORDED_AT, **form})
    if created.status_code == 202:
        assert processor.process(created.json()["id"]).state == "done"
    return created


def note_of(app, dictation_id: str) -> dict:
    url, keys = app[0], app[1]
    return httpx.get(f"{url}/v1/dictations/{dictation_id}",
                     headers=auth(keys["nurse"])).json()["note"]


def alarm_of(app, alarm_id: str) -> dict:
    return httpx.get(f"{app[0]}/v1/alarms/{alarm_id}", headers=auth(app[1]["nurse"])).json()


FALL = "Fallsensoren varslet klokka 02.14. Bruker hadde falt på badet. Hjemmebesøk, hjalp henne opp."


def test_a_match_is_proposed_renumbered_by_an_edit_and_settled_at_approval(app):
    url, keys, dikta = app[0], app[1], app[2]
    fall = alarm(app, "match-1", patient="epj-match")
    elsewhere = alarm(app, "match-2", patient="epj-other")
    too_early = alarm(app, "match-3", patient="epj-match", at="2026-02-28T20:00:00+01:00")
    dictation_id = dictate(app, FALL, patient="epj-match").json()["id"]
    note = note_of(app, dictation_id)
    assert note["schema_version"] == "1.2"
    assert note["events"][0]["alarm_id"] == fall
    assert note["links"] == [{"alarm_id": fall, "event": 0, "origin": "match",
                              "state": "proposed", "vkp_code": "4.1",
                              "occurred_at": "2026-03-01T01:14:00Z"}]
    assert not {elsewhere, too_early} & {link["alarm_id"] for link in note["links"]}
    # The nurse adds a dispenser event before the fall: the fall is now event 1.
    edited = httpx.put(f"{url}/v1/dictations/{dictation_id}/note", headers=auth(keys["nurse"]),
                       json={"text": "Medisindispenseren varslet klokka 08.00, dosen var ikke "
                                     "tatt. Ringte bruker. " + FALL})
    assert edited.status_code == 200, edited.text
    events = edited.json()["note"]["events"]
    assert [e.get("alarm_id") for e in events] == [None, fall]
    assert edited.json()["note"]["links"][0]["event"] == 1
    assert alarm_of(app, fall)["status"] == "open"
    approved = httpx.post(f"{url}/v1/dictations/{dictation_id}/approve",
                          headers=auth(keys["nurse"]), json={})
    assert approved.status_code == 200, approved.text
    assert approved.json()["note"]["links"][0]["state"] == "settled"
    shown = alarm_of(app, fall)
    assert shown["status"] == "documented" and shown["dictation_id"] == dictation_id
    with dikta.state.dikta.store.session() as s:
        assert [a.id for a in linked_alarms(s, dictation_id)] == [fall]
        assert [(i, a.id) for i, a in linked_alarm_events(s, dictation_id)] == [(1, fall)]
    documented = httpx.get(f"{url}/v1/alarms?status=documented", headers=auth(keys["nurse"]))
    assert fall in {a["id"] for a in documented.json()}
    # Documented: a later dictation about the same patient is not offered it again.
    later = dictate(app, FALL, patient="epj-match").json()["id"]
    assert "links" not in note_of(app, later)


def test_an_edit_that_removes_the_event_drops_the_proposal(app):
    url, keys = app[0], app[1]
    fall = alarm(app, "drop-1", patient="epj-drop")
    dictation_id = dictate(app, FALL, patient="epj-drop").json()["id"]
    assert note_of(app, dictation_id)["links"][0]["alarm_id"] == fall
    edited = httpx.put(f"{url}/v1/dictations/{dictation_id}/note", headers=auth(keys["nurse"]),
                       json={"text": "Rolig natt. Sov godt."})
    assert "links" not in edited.json()["note"]
    httpx.post(f"{url}/v1/dictations/{dictation_id}/approve", headers=auth(keys["nurse"]),
               json={})
    assert alarm_of(app, fall)["status"] == "open"


def test_explicit_alarm_ids_link_several_alarms_and_the_alarm_wins_with_a_warning(app):
    url, keys = app[0], app[1]
    fall = alarm(app, "explicit-1", patient="epj-x", at="2026-03-01T02:20:00+01:00")
    door = alarm(app, "explicit-2", code="4.15", patient="epj-x",
                 at="2026-03-01T03:10:00+01:00")
    unrelated = alarm(app, "explicit-3", patient="epj-x")  # would match, but ids were given
    text = ("Fallsensoren varslet klokka 02.14. Bruker hadde falt. Hjemmebesøk. "
            "Dørsensoren varslet klokka 03.10, døra var åpnet. Ringte bruker.")
    created = dictate(app, text, patient="epj-x", alarm_ids=f"{fall},{door}")
    assert created.status_code == 202, created.text
    assert "alarm_ids" not in created.json()
    note = note_of(app, created.json()["id"])
    assert [e["alarm_id"] for e in note["events"]] == [fall, door]
    assert {(link["alarm_id"], link["origin"]) for link in note["links"]} == {
        (fall, "explicit"), (door, "explicit")}
    assert unrelated not in {link["alarm_id"] for link in note["links"]}
    assert note["events"][0]["time"] == "02:20"  # the alarm's time, not the dictated 02:14
    assert any("02:20" in w and "02:14" in w for w in note["warnings"])
    httpx.post(f"{url}/v1/dictations/{created.json()['id']}/approve",
               headers=auth(keys["nurse"]), json={})
    assert alarm_of(app, fall)["status"] == alarm_of(app, door)["status"] == "documented"
    assert alarm_of(app, unrelated)["status"] == "open"


def test_repeated_form_fields_also_carry_alarm_ids(app):
    fall = alarm(app, "repeat-1", patient="epj-r")
    door = alarm(app, "repeat-2", code="4.15", patient="epj-r")
    url, keys, _, recogniser, _ = app
    audio = recording(next(_seeds))
    recogniser.texts[hashlib.sha256(audio).hexdigest()] = FALL
    created = httpx.post(f"{url}/v1/dictations", headers=auth(keys["nurse"]),
                         files=[("file", ("a.wav", audio, "audio/wav"))],
                         data={"patient_ref": "epj-r", "alarm_ids": [fall, door]})
    assert created.status_code == 202, created.text


@pytest.mark.parametrize("value, position", [
    ("0" * 32, 0),
    ("{theirs}", 0),
    ("{mine},{theirs}", 1),
    ("not-an-id", None),
])
def test_unknown_or_foreign_alarm_ids_are_422_naming_the_field(app, value, position):
    url, keys = app[0], app[1]
    mine = alarm(app, f"foreign-mine-{value}-{position}")
    theirs = alarm(app, f"foreign-theirs-{value}-{position}", key="hub_b")
    value = value.format(mine=mine, theirs=theirs)
    response = dictate(app, FALL, alarm_ids=value)
    assert response.status_code == 422, response.text
    loc = response.json()["errors"][0]["loc"]
    assert "alarm_ids" in loc
    if position is not None:
        assert loc[-1] == position  # a foreign id reads exactly like a missing one
    # tus: refused when the upload is created, before any byte
    tus = httpx.post(f"{url}/v1/uploads", headers={
        **auth(keys["nurse"]), **TUS, "Upload-Length": "100",
        "Upload-Metadata": "alarm_ids " + base64.b64encode(value.encode()).decode()})
    assert tus.status_code == 422, tus.text
    assert "alarm_ids" in tus.json()["detail"]


def test_tus_metadata_links_the_alarm_when_the_upload_completes(app):
    url, keys, _, recogniser, processor = app[:5]
    fall = alarm(app, "tus-1", patient="epj-tus")
    audio = recording(next(_seeds))
    recogniser.texts[hashlib.sha256(audio).hexdigest()] = FALL
    metadata = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in
                        {"patient_ref": "epj-tus", "alarm_ids": fall}.items())
    created = httpx.post(f"{url}/v1/uploads", content=audio, headers={
        **auth(keys["nurse"]), **TUS, "Upload-Length": str(len(audio)),
        "Upload-Metadata": metadata, "Content-Type": "application/offset+octet-stream"})
    assert created.status_code == 201, created.text
    head = httpx.head(url + created.headers["Location"], headers={**auth(keys["nurse"]), **TUS})
    assert base64.b64encode(fall.encode()).decode() in head.headers["Upload-Metadata"]
    upload = httpx.get(url + created.headers["Location"], headers=auth(keys["nurse"])).json()
    assert processor.process(upload["dictation_id"]).state == "done"
    note = note_of(app, upload["dictation_id"])
    assert note["links"][0]["alarm_id"] == fall and note["links"][0]["origin"] == "explicit"


def test_the_stream_start_message_checks_alarm_ids(app):
    from service.dictations.live import _alarm_ids

    state, tenant_a = app[2].state.dikta, app[2].state.dikta.store.tenant_by_name("kommune-a")
    mine = alarm(app, "stream-1")
    assert _alarm_ids(state, {"alarm_ids": [mine]}, tenant_a.id) == [mine]
    assert _alarm_ids(state, {"dictation": {"alarm_ids": mine}}, tenant_a.id) == [mine]
    theirs = alarm(app, "stream-2", key="hub_b")
    with pytest.raises(ValueError, match="alarm_ids"):
        _alarm_ids(state, {"alarm_ids": theirs}, tenant_a.id)
