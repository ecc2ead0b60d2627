"""VKP documents out: rendered Bundles validate against the real profiles; broken ones don't."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest

from structuring.export import validate_fhir
from structuring.fhir_profiles import ProfileSet
from structuring.pipeline import structure
from structuring.vkp import (
    Approver,
    DocumentContext,
    LinkedAlarm,
    Organisation,
    VkpDocumentError,
    alarms_from_fhir,
    vkp_document,
)
from tests import vkp_instances as vi

OSLO = timezone(timedelta(hours=1))
RECORDED = datetime(2026, 3, 1, 2, 50, tzinfo=OSLO)
APPROVED = datetime(2026, 3, 1, 3, 5, tzinfo=OSLO)
NURSE = Approver(display="Kari Nordmann", id="9144900")
KOMMUNE = Organisation(orgnr="974760673", name="Testkommune hjemmetjeneste")


def final(dictation_id: str = "d-1", version: int = 3, **changes) -> DocumentContext:
    values = {"dictation_id": dictation_id, "version": version, "status": "final",
                  "recorded_at": RECORDED, "approved_at": APPROVED, "approver": NURSE,
                  "organisation": KOMMUNE}
    values.update(changes)
    return DocumentContext(**values)


def event(**changes) -> dict:
    values = {"technology": "fallsensor", "event": "fall_registrert", "time": "02:10",
              "response": ["hjemmebesok", "kontaktet_parorende"], "false_alarm": False,
              "vkp_code": "4.1", "sentences": [0, 1]}
    values.update(changes)
    return values


def note(*events: dict, language: str = "nb") -> dict:
    return {"sentences": [
        {"text": "Fallalarm kl. 02.10, dro hjem til bruker.", "section": "velferdsteknologi"},
        {"text": "Bruker lå på gulvet, hjulpet opp, ringte datteren.",
         "section": "velferdsteknologi"},
        {"text": "Bruker sov godt etterpå.", "section": "søvn"}],
        "entities": [], "events": list(events), "template": "funksjonsomrader",
        "language": language, "warnings": []}


def plain_alarm(index: int = 0, **changes) -> LinkedAlarm:
    values = {"event_index": index, "source": "trygghet-as", "source_id": f"evt-{index}",
                  "vkp_code": "4.1", "occurred_at": datetime(2026, 3, 1, 2, 14, tzinfo=OSLO),
                  "severity": "high", "device_id": "FS-17", "national_id": vi.TEST_NATIONAL_ID}
    values.update(changes)
    return LinkedAlarm(**values)


def assert_valid(profiles: ProfileSet, bundle: dict) -> None:
    assert profiles.validate_bundle(bundle) == []
    validate_fhir(bundle)  # base R4 structure (fhir.resources R4B models)


def composition_of(bundle: dict) -> dict:
    return bundle["entry"][0]["resource"]


def event_codes(bundle: dict) -> list[str]:
    return [e["code"][0]["coding"][0]["code"] for e in composition_of(bundle)["event"]]


def test_final_document_from_plain_alarm(vkp_profiles: ProfileSet) -> None:
    bundle = vkp_document(note(event()), [plain_alarm()], final())
    assert_valid(vkp_profiles, bundle)
    assert bundle["type"] == "document" and bundle["timestamp"] == APPROVED.isoformat()
    composition = composition_of(bundle)
    assert composition["meta"]["profile"] == [
        "http://ehelse.no/fhir/StructureDefinition/vkp-Composition-v090"]
    assert composition["type"]["coding"][0]["code"] == "34133-9"
    assert composition["category"][0]["coding"][0]["code"] == "1"
    assert composition["status"] == "final" and composition["date"] == RECORDED.isoformat()
    assert composition["subject"]["identifier"] == {"system": vi.FNR,
                                                    "value": vi.TEST_NATIONAL_ID}
    [attester] = composition["attester"]
    assert attester["mode"] == "legal" and attester["time"] == APPROVED.isoformat()
    assert attester["party"]["identifier"]["value"] == "9144900"
    assert composition["custodian"]["identifier"]["value"] == "974760673"
    # 0 meldt at the alarm's time (02:14, not the dictated 02:10), then the response steps.
    assert event_codes(bundle) == ["0", "1", "4", "5", "8", "3"]
    assert composition["event"][0]["period"]["start"] == "2026-03-01T02:14:00+01:00"
    issue_url = bundle["entry"][1]["fullUrl"]
    assert composition["event"][0]["detail"] == [{"reference": issue_url}]
    sections = {s["code"]["coding"][0]["code"]: s for s in composition["section"]}
    assert set(sections) == {"1", "3", "4", "9", "7"}
    assert sections["1"]["entry"] == [{"reference": issue_url}]
    assert "datteren" in sections["4"]["text"]["div"] and "sov godt" in sections["9"]["text"]["div"]
    issue = bundle["entry"][1]["resource"]
    assert issue["resourceType"] == "DetectedIssue" and issue["code"]["coding"][0]["code"] == "4.1"


def test_alarm_from_fhir_keeps_the_original_detected_issue(vkp_profiles: ProfileSet) -> None:
    incoming = vi.bundle(vi.detected_issue(
        implicated=[{"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"}]),
        vi.encounter())
    [alarm] = alarms_from_fhir(incoming, vkp_profiles, source="vkp")
    bundle = vkp_document(note(event()), [LinkedAlarm.of(0, alarm)], final())
    assert_valid(vkp_profiles, bundle)
    issue = bundle["entry"][1]["resource"]
    assert issue["id"] == "alarm-1" and issue["identifier"] == vi.detected_issue()["identifier"]
    assert issue["implicated"] == [{"display": "utenfor dokumentet"}]  # dangling ref dropped


def test_false_alarm_and_several_alarms(vkp_profiles: ProfileSet) -> None:
    dispenser = event(technology="medisindispenser", event="dose_ikke_tatt", time="08:05",
                      response=["ringte_bruker"], false_alarm=True, vkp_code="1.1",
                      sentences=[2])
    alarms = [plain_alarm(0), plain_alarm(1, vkp_code="1.1", source_id="disp-9",
                                          occurred_at=datetime(2026, 3, 1, 8, 0, tzinfo=OSLO))]
    bundle = vkp_document(note(event(), dispenser), alarms, final())
    assert_valid(vkp_profiles, bundle)
    assert event_codes(bundle) == ["0", "1", "4", "5", "8", "3", "0", "1", "8", "6", "3"]
    sections = [s["code"]["coding"][0]["code"] for s in composition_of(bundle)["section"]]
    assert "2" in sections  # reason: falsk alarm
    assert len(bundle["entry"]) == 3
    assert len(composition_of(bundle)["section"][0]["entry"]) == 2


def test_preliminary_without_national_id_uses_the_patient_ref(vkp_profiles: ProfileSet
                                                              ) -> None:
    ctx = DocumentContext(dictation_id="d-2", version=1, status="preliminary",
                          recorded_at=RECORDED, patient_ref="EPJ-4411",
                          patient_system="urn:oid:2.16.578.1.12.4.1.7.9999")
    bundle = vkp_document(note(event(), language="nn"), [plain_alarm(national_id=None)], ctx)
    assert_valid(vkp_profiles, bundle)
    composition = composition_of(bundle)
    assert composition["status"] == "preliminary" and "attester" not in composition
    assert composition["subject"]["identifier"]["value"] == "EPJ-4411"
    assert composition["title"].endswith("hending")
    assert bundle["timestamp"] == RECORDED.isoformat()


def test_digital_home_follow_up_category_and_no_alarm(vkp_profiles: ProfileSet) -> None:
    ctx = final(patient_ref="EPJ-1")
    bundle = vkp_document(note(event(vkp_code="5", response=[])), [], ctx)
    assert_valid(vkp_profiles, bundle)
    assert composition_of(bundle)["category"][0]["coding"][0]["code"] == "2"
    assert event_codes(bundle) == ["0", "1", "3"]  # meldt at the dictated time


def test_note_from_the_structuring_pipeline(vkp_profiles: ProfileSet) -> None:
    text = ("trygghetsalarmen gikk klokka to punktum dro hjem til bruker og hun hadde kommet "
            "borti knappen ved et uhell punktum ingen tiltak punktum")
    structured = structure(text).to_dict()
    assert structured["events"], "the pipeline should find the safety-alarm event"
    alarm = plain_alarm(vkp_code="3")
    bundle = vkp_document(structured, [alarm], final())
    assert_valid(vkp_profiles, bundle)


def test_lenient_inputs_give_the_same_document() -> None:
    from structuring.note import StructuredNote

    expected = vkp_document(note(event()), [plain_alarm()], final())
    pair = (0, plain_alarm())  # any object with AlarmInput's fields
    same = vkp_document(StructuredNote.from_dict(note(event())), [pair],
                        final(approver={"display": "Kari Nordmann", "id": "9144900"},
                              organisation={"orgnr": "974760673",
                                            "name": "Testkommune hjemmetjeneste"}))
    assert same == expected


def test_ids_are_stable_per_dictation_version() -> None:
    first = vkp_document(note(event()), [plain_alarm()], final())
    assert first == vkp_document(note(event()), [plain_alarm()], final())
    other = vkp_document(note(event()), [plain_alarm()], final(version=4))
    assert other["id"] != first["id"]
    assert composition_of(other)["id"] != composition_of(first)["id"]
    assert other["entry"][1]["fullUrl"] != first["entry"][1]["fullUrl"]


@pytest.mark.parametrize(("breakage", "path"), [
    (lambda c: c.pop("category"), "Bundle.entry[0].resource.Composition.category"),
    (lambda c: c.pop("subject"), "Bundle.entry[0].resource.Composition.subject"),
    (lambda c: c["event"][0]["code"][0]["coding"][0].update(code="2"),
     "Bundle.entry[0].resource.Composition.event[0].code[0]"),
    (lambda c: c["category"][0]["coding"][0].update(code="9"),
     "Bundle.entry[0].resource.Composition.category[0]"),
    (lambda c: c["section"][0]["entry"][0].update(reference="urn:uuid:missing"),
     "Bundle.entry[0].resource.Composition.section[0].entry[0].reference"),
])
def test_broken_documents_are_caught(vkp_profiles: ProfileSet, breakage, path: str) -> None:
    bundle = copy.deepcopy(vkp_document(note(event()), [plain_alarm()], final()))
    breakage(composition_of(bundle))
    assert path in [issue.path for issue in vkp_profiles.validate_bundle(bundle)]


def test_refusals() -> None:
    with pytest.raises(VkpDocumentError):
        vkp_document(note(event()), [plain_alarm()], final(approver=None))
    with pytest.raises(VkpDocumentError):
        vkp_document(note(event()), [plain_alarm(national_id=None)], final())
    with pytest.raises(VkpDocumentError):
        vkp_document(note(event()), [plain_alarm()],
                     final(recorded_at=RECORDED.replace(tzinfo=None)))
