"""Valid VKP instances written from the profiles (the specification publishes none).

Each builder returns a fresh dict, so a test can break one element and see the checker
name it. The national ID below is a synthetic test number (valid checksum, not a person).
"""

from __future__ import annotations

VKP = "http://ehelse.no/fhir"
FNR = "urn:oid:2.16.578.1.12.4.1.4.1"
TEST_NATIONAL_ID = "13116900216"


def profile(name: str) -> dict:
    return {"profile": [f"{VKP}/StructureDefinition/{name}"]}


def detected_issue(**changes) -> dict:
    resource = {
        "resourceType": "DetectedIssue", "id": "alarm-1",
        "meta": profile("vkp-DetectedIssue-v090"),
        "identifier": [{"system": "urn:ietf:rfc:3986",
                        "value": "urn:uuid:6f1c8f5e-8a55-4a53-9d0e-3c1f4b6e2a10"}],
        "status": "final",
        "code": {"coding": [{"system": f"{VKP}/CodeSystem/vkp-alert-code-v090", "code": "4.1",
                             "display": "Fall"}]},
        "severity": "high",
        "patient": {"identifier": {"system": FNR, "value": TEST_NATIONAL_ID},
                    "display": "Test Testesen"},
        "identifiedDateTime": "2026-03-01T02:14:00+01:00",
        "author": {"reference": "Device/fallsensor-17", "type": "Device"},
        "detail": "Fallsensor stue",
    }
    resource.update(changes)
    return resource


def encounter(**changes) -> dict:
    resource = {
        "resourceType": "Encounter", "id": "visit-1", "meta": profile("vkp-Encounter-v090"),
        "identifier": [{"system": "urn:ietf:rfc:3986",
                        "value": "urn:uuid:0c6e1d43-2f0b-4e0c-a7d4-8d3a2c6b1f77"}],
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "HH"},
        "subject": {"identifier": {"system": FNR, "value": TEST_NATIONAL_ID}},
        "participant": [{"type": [{"coding": [{
            "system": f"{VKP}/CodeSystem/vkp-encounter-mode-v090", "code": "1"}]}],
            "individual": {"reference": "Practitioner/nurse-4"}}],
        "period": {"start": "2026-03-01T02:20:00+01:00", "end": "2026-03-01T02:45:00+01:00"},
        "reasonCode": [{"coding": [{"system": f"{VKP}/CodeSystem/vkp-encounter-reason-v090",
                                    "code": "2"}]}],
    }
    resource.update(changes)
    return resource


def medication_dispense(**changes) -> dict:
    resource = {
        "resourceType": "MedicationDispense", "id": "dispense-1",
        "meta": profile("vkp-MedicationDispense-v090"),
        "identifier": [{"system": "urn:ietf:rfc:3986",
                        "value": "urn:uuid:9a8e7b0c-1d2e-4f3a-8b5c-6d7e8f9a0b1c"}],
        "status": "declined",
        "category": {"coding": [{"system": f"{VKP}/CodeSystem/vkp-medicationdispense-events-v090",
                                 "code": "1.1"}]},
        "medicationCodeableConcept": {"text": "Morgendose"},
        "subject": {"identifier": [{"system": FNR, "value": TEST_NATIONAL_ID}]},
        "performer": [{"actor": {"identifier": {"system": "urn:oid:2.16.578.1.12.4.1.2",
                                                "value": "EVO-1234"}}}],
        "whenHandedOver": "2026-03-01T08:00:00+01:00",
    }
    resource.update(changes)
    return resource


def composition(**changes) -> dict:
    resource = {
        "resourceType": "Composition", "id": "note-1", "meta": profile("vkp-Composition-v090"),
        "status": "final",
        "type": {"coding": [{"system": "http://loinc.org", "code": "34133-9"}]},
        "category": [{"coding": [{"system": f"{VKP}/CodeSystem/vkp-composition-category-v090",
                                  "code": "1"}]}],
        "subject": {"identifier": {"system": FNR, "value": TEST_NATIONAL_ID}},
        "date": "2026-03-01T03:00:00+01:00",
        "author": [{"display": "Sykepleier"}],
        "title": "Hendelse",
        "event": [{"code": [{"coding": [{
            "system": f"{VKP}/CodeSystem/vkp-composition-event-v090", "code": "0"}]}],
            "period": {"start": "2026-03-01T02:14:00+01:00"}}],
        "section": [{"title": "Notat", "code": {"coding": [{
            "system": f"{VKP}/CodeSystem/vkp-composition-section-v090", "code": "9"}]},
            "text": {"status": "generated",
                     "div": '<div xmlns="http://www.w3.org/1999/xhtml">Ok.</div>'}}],
    }
    resource.update(changes)
    return resource


def bundle(*resources: dict, type_: str = "collection") -> dict:
    return {"resourceType": "Bundle", "type": type_,
            "identifier": {"system": "urn:ietf:rfc:3986",
                           "value": "urn:uuid:1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"},
            "timestamp": "2026-03-01T03:00:00+01:00",
            "entry": [{"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
                       "resource": r} for i, r in enumerate(resources)]}
