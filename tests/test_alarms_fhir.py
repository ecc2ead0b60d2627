"""Issue 16.1, FHIR: VKP-R4 Bundles and DetectedIssues posted to a real app on loopback,
checked against the shared profiles (read from ../shared/data/vkp, never copied here)."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from evaluation.loopback import running
from service.core.settings import AlarmSettings, Settings
from service.http.app import create_app
from tests import vkp_instances as vkp
from tests.needs import need_vkp_profiles
from tests.test_privacy import app_log_stream
from tests.uploads_app import QueuedOnly

FHIR = "application/fhir+json"


@contextmanager
def alarm_app(tmp: Path, profiles: Path | None, database_url: str | None = None):
    settings = Settings(data_dir=tmp, database_url=database_url,
                        alarms=AlarmSettings(vkp_profiles_dir=profiles))
    app = create_app(settings, load_model=False)
    app.state.dikta.worker = QueuedOnly()
    store = app.state.dikta.store
    keys = {"ingest": store.create_key("kommune-a", "ingest"),
            "read": store.create_key("kommune-a", "read_notes")}
    try:
        with running(app) as url:
            yield url, keys, app
    finally:
        store.engine.dispose()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with alarm_app(tmp_path_factory.mktemp("alarms-fhir"), need_vkp_profiles()) as served:
        yield served


def _post(app, payload: dict, content_type: str = FHIR) -> httpx.Response:
    url, keys, _ = app
    return httpx.post(f"{url}/v1/alarms", content=json.dumps(payload),
                      headers={"Authorization": f"Bearer {keys['ingest']}",
                               "Content-Type": content_type})


def test_a_bundle_posted_twice_is_stored_once(app):
    url, keys, _ = app
    payload = vkp.bundle(vkp.detected_issue(), vkp.encounter())
    with app_log_stream() as logs:
        first = _post(app, payload)
        second = _post(app, payload, content_type="application/json")
    assert first.status_code == 201, first.text
    assert second.status_code == 200
    alarm = first.json()["items"][0]
    assert second.json()["items"][0]["id"] == alarm["id"]
    assert alarm["vkp_code"] == "4.1" and alarm["severity"] == "high"
    assert alarm["occurred_at"] == "2026-03-01T01:14:00Z"
    assert alarm["has_national_id"] and alarm["patient_ref"].startswith("pid:")
    listed = httpx.get(f"{url}/v1/alarms?status=all",
                       headers={"Authorization": f"Bearer {keys['read']}"})
    for text in (first.text, second.text, listed.text, logs.getvalue()):
        assert vkp.TEST_NATIONAL_ID not in text
    assert "Test Testesen" not in listed.text


def test_a_single_detected_issue_is_an_alarm(app):
    issue = vkp.detected_issue(identifier=[{"system": "urn:ietf:rfc:3986",
                                            "value": "urn:uuid:single-1"}])
    response = _post(app, issue)
    assert response.status_code == 201, response.text
    assert response.json()["items"][0]["source_id"].endswith("single-1")


@pytest.mark.parametrize("change, element", [
    ({"code": {"coding": [{"system": f"{vkp.VKP}/CodeSystem/vkp-alert-code-v090",
                           "code": "99"}]}}, "DetectedIssue.code"),
    ({"patient": None}, "DetectedIssue.patient"),
    ({"meta": vkp.profile("vkp-Encounter-v090")}, "DetectedIssue"),
    ({"identifiedDateTime": "2026-03-01"}, "identifiedDateTime"),
])
def test_bad_bundles_are_422_naming_the_element(app, change, element):
    issue = vkp.detected_issue(**change)
    if change.get("patient", 1) is None:
        del issue["patient"]
    response = _post(app, vkp.bundle(issue))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert element in problem["detail"] and element in ".".join(problem["errors"][0]["loc"])
    assert vkp.TEST_NATIONAL_ID not in response.text


def test_not_a_bundle_or_detected_issue(app):
    response = _post(app, vkp.encounter())
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["resourceType"]


def test_plain_json_takes_the_profiles_codes_when_configured(app):
    body = {"source": "hub", "source_id": "p-1", "vkp_code": "4.13",  # not in Dikta's rules
            "occurred_at": "2026-03-01T02:14:00+01:00", "patient_ref": "epj-1"}
    response = _post(app, body, content_type="application/json")
    assert response.status_code == 201, response.text


def test_without_profiles_plain_json_uses_dikta_s_own_codes(tmp_path):
    with alarm_app(tmp_path, None) as served:
        body = {"source": "hub", "source_id": "p-1", "vkp_code": "4.1",
                "occurred_at": "2026-03-01T02:14:00+01:00", "patient_ref": "epj-1"}
        assert _post(served, body, "application/json").status_code == 201
        unknown = _post(served, {**body, "source_id": "p-2", "vkp_code": "4.13"},
                        "application/json")
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["vkp_code"]
        fhir = _post(served, vkp.bundle(vkp.detected_issue()))
        assert fhir.status_code == 503


def test_a_fhir_alarm_links_to_a_dictation_by_its_pseudonym_and_keeps_the_id_sealed(app):
    """The hub knows the patient only by national ID; the nurse's app dictates with the
    `pid:` reference the alarm list showed: the match runs on the keyed pseudonym."""
    import hashlib

    from service.alarms.links import linked_alarms
    from service.jobs.processor import DictationProcessor
    from tests.test_alarms_links import FALL, ScriptedRecogniser
    from tests.uploads_app import recording

    url, _, served = app
    state = served.state.dikta
    nurse = state.store.create_key("kommune-a", "dictate read_notes approve")
    issue = vkp.detected_issue(identifier=[{"system": "urn:ietf:rfc:3986",
                                            "value": "urn:uuid:link-by-pseudonym"}],
                               identifiedDateTime="2026-04-01T02:14:00+02:00")
    alarm = _post(app, vkp.bundle(issue)).json()["items"][0]
    recogniser = ScriptedRecogniser()
    audio = recording(424242)
    recogniser.texts[hashlib.sha256(audio).hexdigest()] = FALL
    created = httpx.post(f"{url}/v1/dictations", headers={"Authorization": f"Bearer {nurse}"},
                         files={"file": ("a.wav", audio)},
                         data={"patient_ref": alarm["patient_ref"],
                               "recorded_at": "2026-04-01T02:40:00+02:00"})
    dictation_id = created.json()["id"]
    DictationProcessor(state.store, recogniser, state.settings).process(dictation_id)
    approved = httpx.post(f"{url}/v1/dictations/{dictation_id}/approve",
                          headers={"Authorization": f"Bearer {nurse}"}, json={})
    assert approved.json()["note"]["links"][0]["alarm_id"] == alarm["id"]
    assert vkp.TEST_NATIONAL_ID not in approved.text
    with state.store.session() as s:  # for the documentation sent back: sealed, readable
        (linked,) = linked_alarms(s, dictation_id)
        assert linked.national_id == vkp.TEST_NATIONAL_ID
        assert linked.resources["DetectedIssue"][0]["code"]["coding"][0]["code"] == "4.1"
