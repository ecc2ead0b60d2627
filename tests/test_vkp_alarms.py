"""Alarms in: VKP FHIR (Bundle or DetectedIssue) and plain JSON as AlarmInput."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from structuring.errors import DiktaError
from structuring.fhir_profiles import ProfileSet
from structuring.vkp import AlarmDocumentError, alarms_from_fhir
from tests import vkp_instances as vi


def test_single_detected_issue(vkp_profiles: ProfileSet) -> None:
    [alarm] = alarms_from_fhir(vi.detected_issue(), vkp_profiles, source="vkp")
    assert alarm.source == "vkp"
    assert alarm.source_id == "urn:uuid:6f1c8f5e-8a55-4a53-9d0e-3c1f4b6e2a10"
    assert alarm.vkp_code == "4.1" and alarm.severity == "high"
    assert alarm.national_id == vi.TEST_NATIONAL_ID and alarm.patient_ref is None
    assert alarm.device_id == "fallsensor-17" and alarm.detail == "Fallsensor stue"
    assert alarm.occurred_at.utcoffset() == timedelta(hours=1)
    assert alarm.occurred_at == datetime.fromisoformat("2026-03-01T01:14:00+00:00")
    assert alarm.resources == {"DetectedIssue": [vi.detected_issue()]}


@pytest.mark.parametrize("type_", ["collection", "transaction", "batch", "document"])
def test_bundle_keeps_linked_resources(vkp_profiles: ProfileSet, type_: str) -> None:
    resources = [vi.detected_issue(), vi.encounter(), vi.medication_dispense()]
    if type_ == "document":
        resources.insert(0, vi.composition())
    [alarm] = alarms_from_fhir(vi.bundle(*resources, type_=type_), vkp_profiles, source="jft")
    assert set(alarm.resources) == {"DetectedIssue", "Encounter", "MedicationDispense"}
    assert alarm.resources["Encounter"] == [vi.encounter()]


def test_two_alarms_link_only_their_own_resources(vkp_profiles: ProfileSet) -> None:
    first = vi.detected_issue(implicated=[{"reference": "MedicationDispense/dispense-1"}])
    second = vi.detected_issue(id="alarm-2", identifier=[{"value": "b-2"}])
    second["code"]["coding"][0]["code"] = "1.1"
    patient = {"resourceType": "Patient", "id": "p1",
               "identifier": [{"system": vi.FNR, "value": "01019012057"}]}
    second["patient"] = {"reference": "Patient/p1"}
    bundle = vi.bundle(first, second, vi.medication_dispense(), patient)
    alarms = alarms_from_fhir(bundle, vkp_profiles, source="vkp")
    assert [a.vkp_code for a in alarms] == ["4.1", "1.1"]
    assert "MedicationDispense" in alarms[0].resources
    assert "MedicationDispense" not in alarms[1].resources
    # The referenced Patient in the Bundle gives the national ID; its reference is kept.
    assert alarms[1].national_id == "01019012057" and alarms[1].patient_ref == "Patient/p1"
    assert alarms[1].source_id == "b-2"


def test_contained_patient_and_id_fallback(vkp_profiles: ProfileSet) -> None:
    resource = vi.detected_issue(
        identifier=[], patient={"reference": "#pas"},
        contained=[{"resourceType": "Patient", "id": "pas",
                    "identifier": [{"system": vi.FNR, "value": vi.TEST_NATIONAL_ID}]}])
    [alarm] = alarms_from_fhir(resource, vkp_profiles, source="vkp")
    assert alarm.national_id == vi.TEST_NATIONAL_ID and alarm.source_id == "alarm-1"


@pytest.mark.parametrize(("change", "element"), [
    ({"patient": None}, "DetectedIssue.patient"),
    ({"code": {"coding": [{"system": f"{vi.VKP}/CodeSystem/vkp-alert-code-v090",
                           "code": "9.9"}]}}, "DetectedIssue.code"),
    ({"meta": vi.profile("vkp-Composition-v090")}, "DetectedIssue.meta.profile[0]"),
    ({"identifiedDateTime": "2026-03-01T02:14:00"}, "DetectedIssue.identifiedDateTime"),
    ({"identifiedDateTime": "2026-03-01"}, "DetectedIssue.identifiedDateTime"),
    ({"identifiedDateTime": None}, "DetectedIssue.identifiedDateTime"),
    ({"patient": {"display": "Uten ID"}}, "DetectedIssue.patient"),
    ({"patient": {"identifier": {"system": vi.FNR, "value": "01010112345"}}},
     "DetectedIssue.patient.identifier"),
])
def test_bad_detected_issue_names_the_element(vkp_profiles: ProfileSet, change: dict,
                                              element: str) -> None:
    resource = {k: v for k, v in vi.detected_issue(**change).items() if v is not None}
    with pytest.raises(AlarmDocumentError) as caught:
        alarms_from_fhir(resource, vkp_profiles, source="vkp")
    assert caught.value.element == element
    assert isinstance(caught.value, DiktaError) and element in str(caught.value)


def test_bad_bundle_names_the_entry(vkp_profiles: ProfileSet) -> None:
    broken = vi.detected_issue()
    del broken["patient"]
    with pytest.raises(AlarmDocumentError) as caught:
        alarms_from_fhir(vi.bundle(vi.encounter(), broken), vkp_profiles, source="vkp")
    assert caught.value.element == "Bundle.entry[1].resource.DetectedIssue.patient"
    with pytest.raises(AlarmDocumentError) as caught:
        alarms_from_fhir(vi.bundle(vi.encounter()), vkp_profiles, source="vkp")
    assert caught.value.element == "Bundle.entry"
    with pytest.raises(AlarmDocumentError) as caught:
        alarms_from_fhir({"resourceType": "Patient"}, vkp_profiles, source="vkp")
    assert caught.value.element == "resourceType"
    with pytest.raises(AlarmDocumentError) as caught:
        alarms_from_fhir({**vi.bundle(vi.detected_issue()), "type": "searchset"},
                         vkp_profiles, source="vkp")
    assert caught.value.element == "Bundle.type"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.sampled_from(["4.1", "urn:uuid:x", "Patient/1", "#p", "2026-03-01T02:14:00+01:00",
                       vi.FNR, vi.TEST_NATIONAL_ID]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["code", "coding", "system", "reference", "identifier",
                                       "value", "profile", "resource", "fullUrl", "url"]),
                      inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["patient", "code", "identifier", "meta", "author", "contained",
                            "identifiedDateTime", "severity", "detail", "implicated"]),
       value=JSON_VALUES, wrap=st.booleans())
def test_any_json_gives_an_alarm_or_a_named_error(vkp_profiles: ProfileSet, key: str,
                                                  value: object, wrap: bool) -> None:
    resource = vi.detected_issue(**{key: value})
    payload = vi.bundle(resource, {"resourceType": "Encounter", key: value}) if wrap \
        else resource
    try:
        alarms = alarms_from_fhir(payload, vkp_profiles, source="vkp")
    except AlarmDocumentError as exc:
        assert exc.element and vi.TEST_NATIONAL_ID not in str(exc)
    else:
        assert all(a.occurred_at.tzinfo is not None and a.vkp_code for a in alarms)
