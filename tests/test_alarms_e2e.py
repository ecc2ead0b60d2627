"""Issue 16, end to end on a real server on loopback: an alarm Bundle comes in (twice —
stored once), the response is dictated (real recording, real recogniser) and linked,
structured, edited, approved, and delivered to a loopback JFT stand-in written here: HelseID
token endpoint that verifies the private_key_jwt assertion against the registered public JWK
and the DPoP proof and issues a DPoP-bound token; `/v1/Bundle` that checks the proof, `ath`
and token, validates the Bundle against the shared VKP profiles, answers 500 twice, then
202 with a status URL, whose entry then moves registered → read → journaled as the service
follows it (same token and proof checks). Exactly one entry arrives, and the note shows it
journaled. Bad alarm Bundles get 422 naming the element."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from evaluation.loopback import running
from service.core.crypto import keyring_for
from service.core.engine import Engine
from service.core.settings import (
    AlarmSettings,
    DeliverySettings,
    DeliveryTarget,
    Settings,
)
from service.deliveries.helseid import (
    generate_private_jwk,
    public_jwk,
    save_private_jwk,
)
from service.http.app import create_app
from structuring.fhir_profiles import ProfileSet
from tests import vkp_instances as vkp
from tests.conftest import FIXTURES
from tests.helseid_standin import helseid
from tests.live_service import wait_until
from tests.needs import need_vkp_profiles
from tests.standins import Answer, Received

pytestmark = pytest.mark.slow
CLIENT_ID = "dikta-kommune-a"
SCOPE = "nhn:jft/api"
FHIR = "application/fhir+json"
RECORDED_AT = "2026-03-01T02:40:00+01:00"
RESPONSE = ("Trygghetsalarmen gikk klokka 02.14. Ringte bruker, det var falsk alarm. "
            "Bruker hadde trykket ved et uhell.")


class JftStandIn:
    """JFT's write API behind the HelseID checks: validates, fails twice, then registers;
    its status endpoint moves the entry one stage on at each look (registered → read →
    journaled), answered in the documented shape (a JSON object of timestamps)."""

    def __init__(self, profiles: ProfileSet) -> None:
        self.profiles = profiles
        self.failures_left = 2
        self.entries: list[dict] = []
        self.refused: list[list[str]] = []
        self.lock = threading.Lock()
        self.looks = 0
        self.served: list[str] = []

    def __call__(self, request: Received) -> Answer:
        if request.method == "GET" and request.path == "/v1/Bundle/1/$status":
            with self.lock:
                self.looks += 1
                reached = ("registered", "read", "journaled")[:min(self.looks, 3)]
            self.served.append(reached[-1])
            return Answer(200, {stage: (f"2026-03-01T0{3 + i}:00:00+01:00"
                                        if stage in reached else None)
                                for i, stage in enumerate(("registered", "read", "journaled"))})
        if request.method != "POST" or request.path != "/v1/Bundle":
            return Answer(404)
        if request.headers.get("content-type") != FHIR:
            return Answer(415)
        bundle = request.json()
        issues = self.profiles.validate_bundle(bundle)
        if issues:
            self.refused.append([issue.path for issue in issues])
            return Answer(422, {"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "invalid", "expression": [issue.path]}
                for issue in issues]})
        with self.lock:
            if self.failures_left:
                self.failures_left -= 1
                return Answer(500, {"resourceType": "OperationOutcome", "issue": [
                    {"severity": "error", "code": "exception"}]})
            self.entries.append(bundle)
            number = len(self.entries)
        return Answer(202, headers={"Location": f"/v1/Bundle/{number}/$status"})


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_alarm_in_dictated_approved_and_delivered_to_jft_exactly_once(tmp_path, engine):
    profiles_dir = need_vkp_profiles()
    jft = JftStandIn(ProfileSet.load(profiles_dir))
    client_key = generate_private_jwk("ES256")
    with helseid(CLIENT_ID, public_jwk(client_key), SCOPE, jft) as (idp, jft_url, received):
        key_file = tmp_path / "keys" / "jft.jwk"
        target = DeliveryTarget(name="jft", kind="jft", base_url=jft_url, tenant="kommune-a",
                                token_endpoint=idp.token_url, client_id=CLIENT_ID,
                                scope=SCOPE, private_key_file=key_file)
        settings = Settings(model_dir=Settings().model_dir, data_dir=tmp_path,
                            alarms=AlarmSettings(vkp_profiles_dir=profiles_dir),
                            deliveries=DeliverySettings(
                                targets=[target], retry_backoff_s=0.05, max_backoff_s=0.2,
                                poll_interval_s=0.05, status_poll_initial_s=0.05,
                                status_poll_max_s=0.1))
        save_private_jwk(key_file, client_key, keyring_for(settings))  # as keygen does
        app = create_app(settings, engine=Engine(settings, manager=engine.manager))
        store = app.state.dikta.store
        hub = auth(store.create_key("kommune-a", "ingest"))
        nurse = auth(store.create_key("kommune-a", "dictate read_notes approve"))
        with running(app) as url:
            # 1. The alarm arrives twice (a hub retry): stored once.
            alarm_bundle = vkp.bundle(vkp.detected_issue(
                code={"coding": [{"system": f"{vkp.VKP}/CodeSystem/vkp-alert-code-v090",
                                  "code": "3", "display": "Trygghetsalarm"}]}))
            posted = [httpx.post(f"{url}/v1/alarms", content=json.dumps(alarm_bundle),
                                 headers={**hub, "Content-Type": FHIR}) for _ in range(2)]
            assert [p.status_code for p in posted] == [201, 200], posted[0].text
            alarm_id = posted[0].json()["items"][0]["id"]
            assert posted[1].json()["items"][0]["id"] == alarm_id
            listed = httpx.get(f"{url}/v1/alarms?status=all", headers=nurse).json()
            assert [a["id"] for a in listed] == [alarm_id]

            # 2. The response is dictated and linked to the alarm.
            audio = (FIXTURES / "nb_alarm.wav").read_bytes()
            created = httpx.post(f"{url}/v1/dictations", headers=nurse,
                                 files={"file": ("svar.wav", audio, "audio/wav")},
                                 data={"patient_ref": "epj-77", "recorded_at": RECORDED_AT,
                                       "alarm_ids": alarm_id})
            assert created.status_code == 202, created.text
            dictation_id = created.json()["id"]
            dictation_url = f"{url}/v1/dictations/{dictation_id}"
            def finished() -> dict | None:
                body = httpx.get(dictation_url, headers=nurse).json()
                return body if body["status"] in ("done", "failed", "dead") else None

            def sent() -> list | None:
                deliveries = httpx.get(dictation_url, headers=nurse).json()["deliveries"]
                return deliveries if deliveries and deliveries[0]["state"] in (
                    "delivered", "dead") else None

            done = wait_until("the transcription", finished, timeout_s=120)
            assert done["status"] == "done", done["error"]
            assert "utløst" in done["transcript"]  # heard (not perfectly: the nurse edits)

            # 3. The nurse edits the note; it is structured again, the link follows the event.
            edited = httpx.put(f"{dictation_url}/note", headers=nurse, json={"text": RESPONSE})
            assert edited.status_code == 200, edited.text
            note = edited.json()["note"]
            assert note["events"][0]["alarm_id"] == alarm_id
            assert note["links"][0]["alarm_id"] == alarm_id
            assert edited.json()["deliveries"] == []  # nothing leaves before approval

            # 4. Approval: the outbox row is written with it, the workers deliver.
            approved = httpx.post(f"{dictation_url}/approve", headers=nurse,
                                  json={"author": "Sykepleier Kari"})
            assert approved.status_code == 200, approved.text
            assert approved.json()["note"]["links"][0]["state"] == "settled"
            assert [d["target"] for d in approved.json()["deliveries"]] == ["jft"]
            (delivery,) = wait_until("the delivery", sent, timeout_s=120)
            assert delivery["state"] == "delivered", delivery
            assert delivery["attempts"] == 3
            assert delivery["remote_status_url"] == f"{jft_url}/v1/Bundle/1/$status"

            # 5. The service follows the entry until the EPJ has journaled it.
            def journaled() -> dict | None:
                (shown,) = httpx.get(dictation_url, headers=nurse).json()["deliveries"]
                return shown if shown["remote_status"] == "journaled" else None

            shown = wait_until("the journaled status", journaled, timeout_s=120)
            assert shown["remote_status_at"] and shown["last_error"] is None
            assert jft.served == ["registered", "read", "journaled"]
            assert httpx.get(f"{url}/v1/alarms/{alarm_id}",
                             headers=nurse).json()["status"] == "documented"

        # Exactly one entry arrived, valid against the shared profiles, after two 500s.
        assert jft.refused == [] and len(jft.entries) == 1
        assert jft.failures_left == 0
        bundles = [r for r in received if r.path == "/v1/Bundle"]
        bodies = {r.body for r in bundles}
        assert len(bodies) == 1  # every attempt sent the same document
        assert all(r.headers["authorization"].startswith("DPoP ") for r in bundles)
        assert idp.tokens_issued == 1  # one token, cached across the attempts
        (entry,) = jft.entries
        composition = entry["entry"][0]["resource"]
        assert entry["type"] == "document" and composition["status"] == "final"
        assert composition["subject"]["identifier"]["value"] == vkp.TEST_NATIONAL_ID
        codes = [c["code"] for e in composition["event"] for c in e["code"][0]["coding"]]
        assert codes[0] == "0"  # meldt, at the alarm's time
        issue = entry["entry"][1]["resource"]
        assert issue["resourceType"] == "DetectedIssue"
        assert issue["code"]["coding"][0]["code"] == "3"
        assert composition["attester"][0]["mode"] == "legal"


@pytest.mark.parametrize(("change", "element"), [
    ({"code": {"coding": [{"system": f"{vkp.VKP}/CodeSystem/vkp-alert-code-v090",
                           "code": "99"}]}}, "DetectedIssue.code"),
    ({"patient": None}, "DetectedIssue.patient"),
    ({"meta": vkp.profile("vkp-Encounter-v090")}, "DetectedIssue"),
])
def test_bad_alarm_bundles_are_422_naming_the_element(tmp_path, change, element):
    settings = Settings(data_dir=tmp_path,
                        alarms=AlarmSettings(vkp_profiles_dir=need_vkp_profiles()))
    app = create_app(settings, load_model=False)
    hub = auth(app.state.dikta.store.create_key("kommune-a", "ingest"))
    issue = vkp.detected_issue(**change)
    if change.get("patient", 1) is None:
        del issue["patient"]
    with running(app) as url:
        response = httpx.post(f"{url}/v1/alarms", content=json.dumps(vkp.bundle(issue)),
                              headers={**hub, "Content-Type": FHIR})
    assert response.status_code == 422, response.text
    assert element in response.json()["detail"]
    assert vkp.TEST_NATIONAL_ID not in response.text
