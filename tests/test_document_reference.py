"""structuring/document_reference.py: the note as a stable FHIR DocumentReference."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from structuring.document_reference import (
    DocumentReferenceContext,
    DocumentReferenceError,
    DocumentType,
    document_reference,
    document_reference_id,
)
from structuring.export import to_text
from structuring.note import StructuredNote
from structuring.pipeline import structure

APPROVED_AT = datetime(2026, 3, 4, 13, 45, 10, tzinfo=UTC)
TYPE = DocumentType("urn:oid:2.16.578.1.12.4.1.1.9602", "J-SYKEPL", "Sykepleienotat")


@pytest.fixture(scope="module")
def note() -> dict:
    return structure("blodtrykk hundre og tjue over åtti og puls seksti punktum "
                     "ga Paracet ett gram klokka åtte punktum "
                     "fallsensoren varslet klokka to i natt punktum").to_dict()


def ctx(**changes) -> DocumentReferenceContext:
    base = DocumentReferenceContext(
        dictation_id="d1c7a7e0", version=3, date=APPROVED_AT, document_type=TYPE,
        patient_ref="pas-778", author_display="Kari Nordmann",
        author_reference="Practitioner/p-12", custodian_display="Testvik kommune")
    return replace(base, **changes)


def decoded(resource: dict, content_type: str) -> bytes:
    [attachment] = [c["attachment"] for c in resource["content"]
                    if c["attachment"]["contentType"].startswith(content_type)]
    data = base64.b64decode(attachment["data"])
    assert attachment["size"] == len(data)
    assert base64.b64decode(attachment["hash"]) == hashlib.sha1(data).digest()
    return data


def test_approved_note_is_a_current_final_document_with_the_configured_type(note):
    resource = document_reference(note, ctx())
    assert resource["resourceType"] == "DocumentReference"
    assert resource["status"] == "current" and resource["docStatus"] == "final"
    assert resource["type"]["coding"] == [{"system": TYPE.system, "code": TYPE.code,
                                           "display": TYPE.display}]
    assert resource["subject"] == {"reference": "Patient/pas-778"}
    assert resource["author"] == [{"reference": "Practitioner/p-12",
                                   "display": "Kari Nordmann"}]
    assert resource["date"] == "2026-03-04T13:45:10+00:00"
    assert resource["custodian"] == {"display": "Testvik kommune"}
    assert "relatesTo" not in resource


def test_text_attachment_is_the_paste_ready_note(note):
    text = decoded(document_reference(note, ctx()), "text/plain").decode("utf-8")
    assert text == to_text(StructuredNote.from_dict(note))
    assert "Paracet" in text
    rendered = decoded(document_reference(note, ctx(text="ISBAR\nS: x\n")), "text/plain")
    assert rendered == b"ISBAR\nS: x\n"


def test_fhir_attachment_is_the_final_composition_document(note):
    bundle = json.loads(decoded(document_reference(note, ctx()), "application/fhir+json"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "document"
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    assert composition["status"] == "final"
    assert composition["subject"] == {"reference": "Patient/pas-778"}
    assert composition["author"] == [{"reference": "Practitioner/p-12",
                                      "display": "Kari Nordmann"}]
    assert {e["resource"]["resourceType"] for e in bundle["entry"][1:]} >= {
        "Observation", "MedicationAdministration", "Communication"}
    assert all(e["resource"].get("status") != "preliminary" for e in bundle["entry"])


def test_same_version_gives_the_same_resource_byte_for_byte(note):
    first = json.dumps(document_reference(note, ctx()), sort_keys=True)
    again = json.dumps(document_reference(note, ctx()), sort_keys=True)
    assert first == again
    other = document_reference(note, ctx(version=4))
    assert other["id"] != json.loads(first)["id"]


def test_id_is_uuid5_of_dictation_and_version(note):
    resource = document_reference(note, ctx())
    assert resource["id"] == document_reference_id("d1c7a7e0", 3)
    assert document_reference_id("d1c7a7e0", 3) != document_reference_id("d1c7a7e1", 3)
    assert resource["identifier"] == [{"system": "urn:dikta:dictation",
                                       "value": "d1c7a7e0/3"}]


def test_amendment_replaces_the_previous_version(note):
    resource = document_reference(note, ctx(version=5, replaces_version=3))
    assert resource["relatesTo"] == [{"code": "replaces", "target": {
        "reference": "DocumentReference/" + document_reference_id("d1c7a7e0", 3)}}]


def test_draft_is_preliminary_without_authenticator(note):
    resource = document_reference(note, ctx(approved=False))
    assert resource["docStatus"] == "preliminary"
    assert "authenticator" not in resource
    bundle = json.loads(decoded(resource, "application/fhir+json"))
    assert bundle["entry"][0]["resource"]["status"] == "preliminary"


def test_without_patient_there_is_no_subject(note):
    assert "subject" not in document_reference(note, ctx(patient_ref=None))


@pytest.mark.parametrize("changes, field", [
    ({"date": datetime(2026, 3, 4, 13, 45)}, "date"),
    ({"version": 0}, "version"),
    ({"replaces_version": 3}, "replaces_version"),
])
def test_bad_context_is_refused_naming_the_field(note, changes, field):
    with pytest.raises(DocumentReferenceError, match=field):
        document_reference(note, ctx(**changes))


def test_replaced_version_is_superseded(note):
    assert document_reference(note, ctx(superseded=True))["status"] == "superseded"
