"""The StructureDefinition checker against the real VKP profiles (read, never copied)."""

from __future__ import annotations

import copy

import pytest

from structuring.fhir_profiles import ProfileIssue, ProfileSet
from tests import vkp_instances as vi


def paths(issues: list[ProfileIssue]) -> list[str]:
    return [issue.path for issue in issues]


@pytest.mark.parametrize("build", [vi.detected_issue, vi.encounter, vi.medication_dispense,
                                   vi.composition])
def test_valid_instances_have_no_issues(vkp_profiles: ProfileSet, build) -> None:
    resource = build()
    assert vkp_profiles.validate(resource) == []
    # The same by explicit profile name, and without meta.profile (the type's profile).
    name = resource["meta"]["profile"][0].rsplit("/", 1)[-1]
    assert vkp_profiles.validate(resource, name) == []
    del resource["meta"]
    assert vkp_profiles.validate(resource) == []


def test_missing_required_element_is_named(vkp_profiles: ProfileSet) -> None:
    resource = vi.detected_issue()
    del resource["patient"]
    assert paths(vkp_profiles.validate(resource)) == ["DetectedIssue.patient"]
    no_participant = vi.encounter(participant=[])
    assert "Encounter.participant" in paths(vkp_profiles.validate(no_participant))


def test_wrong_fixed_value_is_named(vkp_profiles: ProfileSet) -> None:
    resource = vi.encounter()
    resource["identifier"][0]["system"] = "urn:oid:1.2.3"
    [issue] = vkp_profiles.validate(resource)
    assert issue.path == "Encounter.identifier[0].system"
    assert "urn:ietf:rfc:3986" in issue.message
    resource["identifier"][0]["system"] = vi.TEST_NATIONAL_ID  # quoted values are masked
    [issue] = vkp_profiles.validate(resource)
    assert vi.TEST_NATIONAL_ID not in issue.message and "***********" in issue.message


def test_code_outside_required_value_set_is_named(vkp_profiles: ProfileSet) -> None:
    resource = vi.detected_issue()
    resource["code"]["coding"][0]["code"] = "4.99"
    [issue] = vkp_profiles.validate(resource)
    assert issue.path == "DetectedIssue.code"
    assert "4.99" in issue.message and "vkp-alert-code" in issue.message
    event = vi.composition()
    event["event"][0]["code"][0]["coding"][0]["code"] = "2"  # the code system skips 2
    assert paths(vkp_profiles.validate(event)) == ["Composition.event[0].code[0]"]


def test_extensible_binding_is_not_an_error(vkp_profiles: ProfileSet) -> None:
    resource = vi.composition()
    resource["section"][0]["code"] = {"coding": [{"system": "urn:dikta:journal-section",
                                                  "code": "observasjoner"}]}
    assert vkp_profiles.validate(resource) == []


def test_too_many_repetitions_are_named(vkp_profiles: ProfileSet) -> None:
    resource = vi.encounter()
    resource["reasonCode"] = resource["reasonCode"] * 2
    [issue] = vkp_profiles.validate(resource)
    assert issue.path == "Encounter.reasonCode" and "at most 1" in issue.message


def test_prohibited_element_is_named(vkp_profiles: ProfileSet) -> None:
    resource = vi.medication_dispense()
    resource["performer"][0]["actor"]["reference"] = "Device/EVO-1234"
    assert paths(vkp_profiles.validate(resource)) == [
        "MedicationDispense.performer[0].actor.reference"]


def test_closed_identifier_slicing(vkp_profiles: ProfileSet) -> None:
    resource = vi.medication_dispense()
    resource["subject"]["identifier"][0]["system"] = "urn:oid:2.16.578.1.12.4.1.4.9"
    [issue] = vkp_profiles.validate(resource)
    assert issue.path == "MedicationDispense.subject.identifier[0]"
    assert "FNR" in issue.message and "closed" in issue.message
    d_number = vi.medication_dispense()
    d_number["subject"]["identifier"][0]["system"] = "urn:oid:2.16.578.1.12.4.1.4.2"
    assert vkp_profiles.validate(d_number) == []


def test_reference_target_type(vkp_profiles: ProfileSet) -> None:
    resource = vi.encounter()
    resource["participant"][0]["individual"] = {"reference": "Patient/1"}
    [issue] = vkp_profiles.validate(resource)
    assert issue.path == "Encounter.participant[0].individual"
    assert "Device" in issue.message and "Patient" in issue.message


def test_wrong_profile_is_named(vkp_profiles: ProfileSet) -> None:
    resource = vi.detected_issue(meta=vi.profile("vkp-Encounter-v090"))
    issues = vkp_profiles.validate(resource)
    assert paths(issues) == ["DetectedIssue.meta.profile[0]"]
    unknown = vi.detected_issue(meta=vi.profile("vkp-Unknown-v090"))
    assert paths(vkp_profiles.validate(unknown)) == ["DetectedIssue.meta.profile[0]"]
    unclaimed = vi.detected_issue(meta={"profile": ["http://example.org/Other"]})
    assert "DetectedIssue.meta.profile" in paths(
        vkp_profiles.validate(unclaimed, "vkp-DetectedIssue-v090"))


def test_extension_slice_by_url(vkp_profiles: ProfileSet) -> None:
    sone = {"url": f"{vi.VKP}/StructureDefinition/vkp-sone-v090", "valueString": "Sone 3"}
    patient = {"resourceType": "Patient", "extension": [sone],
               "identifier": [{"system": vi.FNR, "value": vi.TEST_NATIONAL_ID}]}
    assert vkp_profiles.validate(patient) == []
    patient["extension"] = [sone, copy.deepcopy(sone)]
    [issue] = vkp_profiles.validate(patient)
    assert issue.path == "Patient.extension:sone" and "at most 1" in issue.message


def test_json_snapshot_profile_with_slices(vkp_profiles: ProfileSet) -> None:
    observation = {
        "resourceType": "Observation", "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "subject": {"identifier": {"system": vi.FNR, "value": vi.TEST_NATIONAL_ID}},
        "effectiveDateTime": "2026-03-01T08:00:00+01:00",
        "component": [
            {"code": {"coding": [{"system": "http://loinc.org", "code": code}]},
             "valueQuantity": {"value": value, "unit": "mmHg",
                               "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}
            for code, value in (("8480-6", 140), ("8462-4", 85))],
    }
    name = "vkp-Observation-Bloodpressure"
    assert vkp_profiles.validate(observation, name) == []
    broken = copy.deepcopy(observation)
    broken["component"].pop()
    assert "Observation.component:DiastolicBP" in paths(vkp_profiles.validate(broken, name))
    wrong_unit = copy.deepcopy(observation)
    wrong_unit["component"][0]["valueQuantity"]["code"] = "kPa"
    assert "Observation.component[0].valueQuantity.code" in paths(
        vkp_profiles.validate(wrong_unit, name))


def test_bundle_paths_and_document_rules(vkp_profiles: ProfileSet) -> None:
    composition = vi.composition()
    composition["section"][0]["entry"] = [
        {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"}]
    good = vi.bundle(composition, vi.detected_issue(), type_="document")
    assert vkp_profiles.validate_bundle(good) == []
    broken = copy.deepcopy(good)
    del broken["entry"][1]["resource"]["code"]
    broken["entry"][0]["resource"]["section"][0]["entry"][0]["reference"] = "urn:uuid:nope"
    assert paths(vkp_profiles.validate_bundle(broken)) == [
        "Bundle.entry[1].resource.DetectedIssue.code",
        "Bundle.entry[0].resource.Composition.section[0].entry[0].reference"]
    reversed_ = vi.bundle(vi.detected_issue(), composition, type_="document")
    assert "Bundle.entry[0].resource" in paths(vkp_profiles.validate_bundle(reversed_))


def test_codes_by_url_or_name(vkp_profiles: ProfileSet) -> None:
    alert = vkp_profiles.codes("http://ehelse.no/fhir/ValueSet/vkp-alert-code-v090")
    assert {"1.1", "3", "4.1", "4.15", "7"} <= alert and "4.99" not in alert
    assert vkp_profiles.codes("vkp-composition-event-v090") == frozenset(
        {"0", "1", "3", "4", "5", "6", "7", "8", "9", "10"})
    with pytest.raises(KeyError):
        vkp_profiles.codes("no-such-valueset")


def test_resource_without_meta_profile_gets_the_plainest_profile(vkp_profiles: ProfileSet
                                                                 ) -> None:
    assert vkp_profiles.default_profile("Observation").id == "vkp-Observation"
    assert vkp_profiles.default_profile("Encounter").id == "vkp-Encounter-v090"
    assert vkp_profiles.default_profile("Bundle") is None
    assert vkp_profiles.validate({"resourceType": "Bundle", "type": "collection"}) == []


def test_missing_folder_or_broken_file_is_an_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        ProfileSet.load(tmp_path / "absent")
    (tmp_path / "broken.xml").write_text("<StructureDefinition", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.xml"):
        ProfileSet.load(tmp_path)


def test_value_set_expansion_rules_from_json_files(tmp_path) -> None:
    """Filters, excludes and nested value sets, on small conformance files of our own."""
    import json

    base = "http://example.org/fhir"
    files = {
        "cs.json": {"resourceType": "CodeSystem", "url": f"{base}/CodeSystem/c",
                    "concept": [{"code": "1", "concept": [{"code": "1.1"}, {"code": "1.2"}]},
                                {"code": "2"}]},
        "vs-family.json": {"resourceType": "ValueSet", "url": f"{base}/ValueSet/family",
                           "compose": {"include": [{"system": f"{base}/CodeSystem/c",
                                                    "filter": [{"property": "concept",
                                                                "op": "is-a", "value": "1"}]}],
                                       "exclude": [{"system": f"{base}/CodeSystem/c",
                                                    "concept": [{"code": "1.2"}]}]}},
        "vs-outer.json": {"resourceType": "ValueSet", "url": f"{base}/ValueSet/outer",
                          "name": "Outer",
                          "compose": {"include": [{"valueSet": [f"{base}/ValueSet/family",
                                                                f"{base}/ValueSet/outer"]},
                                                  {"system": "http://loinc.org"}]}},
        "sd.json": {"resourceType": "StructureDefinition", "url": f"{base}/SD/issue",
                    "id": "issue", "name": "Issue", "type": "DetectedIssue",
                    "kind": "resource",
                    "differential": {"element": [
                        {"id": "DetectedIssue.code", "path": "DetectedIssue.code", "min": 1,
                         "binding": {"strength": "required",
                                     "valueSet": f"{base}/ValueSet/outer|1.0"}}]}},
    }
    for name, resource in files.items():
        (tmp_path / name).write_text(json.dumps(resource), encoding="utf-8")
    profiles = ProfileSet.load(tmp_path)
    assert profiles.codes(f"{base}/ValueSet/family") == frozenset({"1", "1.1"})
    assert profiles.codes("Outer") == frozenset({"1", "1.1"})  # loinc: not in the folder

    def issue(system: str, code: str) -> list[ProfileIssue]:
        return profiles.validate({"resourceType": "DetectedIssue", "code": {
            "coding": [{"system": system, "code": code}]}})

    assert issue(f"{base}/CodeSystem/c", "1.1") == []
    assert paths(issue(f"{base}/CodeSystem/c", "1.2")) == ["DetectedIssue.code"]
    assert issue("http://loinc.org", "anything") == []  # an unknown system cannot be checked
    assert paths(issue("http://snomed.info/sct", "1")) == ["DetectedIssue.code"]
