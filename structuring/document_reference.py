"""An approved (or draft) note as a FHIR R4 DocumentReference for the EPJ.

This is what an EPJ that takes SMART write-back receives (PUT, in a batch Bundle) and what an
EPJ that pulls finds at `/fhir/DocumentReference`. Pure: the note dict and a context in, one
resource dict out — the same input always gives the same resource, byte for byte, so a PUT
repeated after a lost answer changes nothing at the EPJ.

- id: uuid5 of the dictation id and the note version (`document_reference_id`), so a retry
  is an idempotent PUT and an amendment gets its own id;
- status `current` (`superseded` once an amendment replaces it); docStatus `final` for an approved note, `preliminary` otherwise;
- type: the EPJ's document type code, from configuration (passed in the context);
- content: the paste-ready text (`text/plain; charset=utf-8`) and the note's FHIR document
  Bundle (`application/fhir+json`), both base64, each with its SHA-1 hash and size;
- relatesTo `replaces` the previous version's DocumentReference when this is an amendment.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from structuring.errors import DiktaError
from structuring.export import to_fhir, to_text
from structuring.note import StructuredNote

# Dikta's namespace for stable resource ids (uuid5 of a fixed URN, never changes).
DIKTA_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:dikta:fhir")
DOCUMENT_REFERENCE_ROLE = "document-reference"


class DocumentReferenceError(DiktaError):
    """The context cannot make a valid DocumentReference (the message names the field)."""


@dataclass(frozen=True)
class DocumentType:
    """The EPJ's document type for a nursing note (system, code, display), from settings."""

    system: str
    code: str
    display: str


@dataclass(frozen=True)
class DocumentReferenceContext:
    """What the note itself does not know: whose it is, who approved it, what it replaces."""

    dictation_id: str
    version: int
    date: datetime  # when the note became this version (approved_at for an approved note)
    document_type: DocumentType
    approved: bool = True  # docStatus final; False: a draft (preliminary)
    patient_ref: str | None = None  # the EPJ's opaque patient id, never a national ID
    author_display: str | None = None
    author_reference: str | None = None  # e.g. "Practitioner/123" (fhirUser of the launch)
    custodian_display: str | None = None  # the municipality / organisation
    replaces_version: int | None = None  # the previous approved version (an amendment)
    superseded: bool = False  # a later approved version replaces this one (status superseded)
    text: str | None = None  # the paste-ready text; None: the note's plain rendering
    description: str = "Sykepleienotat (diktert i Dikta)"


def stable_id(dictation_id: str, version: int, role: str) -> str:
    """uuid5 of dictation id, version and role: the same note version, the same id."""
    return str(uuid.uuid5(DIKTA_NAMESPACE, f"{dictation_id}/{version}/{role}"))


def document_reference_id(dictation_id: str, version: int) -> str:
    return stable_id(dictation_id, version, DOCUMENT_REFERENCE_ROLE)


def document_reference(note: dict, ctx: DocumentReferenceContext) -> dict:
    """The note as a FHIR R4 DocumentReference (a dict), validated against the R4 model."""
    if ctx.date.tzinfo is None:
        raise DocumentReferenceError("date must carry a time zone")
    if ctx.version < 1:
        raise DocumentReferenceError("version must be 1 or more")
    if ctx.replaces_version is not None and not 1 <= ctx.replaces_version < ctx.version:
        raise DocumentReferenceError("replaces_version must be an earlier version")
    structured = StructuredNote.from_dict(note)
    stamp = ctx.date.isoformat(timespec="seconds")
    subject = {"reference": f"Patient/{ctx.patient_ref}"} if ctx.patient_ref else None
    author = _author(ctx)
    text = ctx.text if ctx.text is not None else to_text(structured)
    composition = composition_document(note, ctx)
    resource: dict = {
        "resourceType": "DocumentReference",
        "id": document_reference_id(ctx.dictation_id, ctx.version),
        "identifier": [{"system": "urn:dikta:dictation",
                        "value": f"{ctx.dictation_id}/{ctx.version}"}],
        "status": "superseded" if ctx.superseded else "current",
        "docStatus": "final" if ctx.approved else "preliminary",
        "type": {"coding": [{"system": ctx.document_type.system,
                             "code": ctx.document_type.code,
                             "display": ctx.document_type.display}],
                 "text": ctx.document_type.display},
        "date": stamp,
        "description": ctx.description,
        "content": [
            {"attachment": _attachment(text.encode("utf-8"), "text/plain; charset=utf-8",
                                       "Journalnotat", stamp, structured.language)},
            {"attachment": _attachment(
                json.dumps(composition, ensure_ascii=False, sort_keys=True).encode("utf-8"),
                "application/fhir+json", "Journalnotat (FHIR Composition)", stamp,
                structured.language)},
        ],
        "context": {"period": {"end": stamp}},
    }
    if subject:
        resource["subject"] = subject
    if author:
        resource["author"] = [author]
        if ctx.approved:
            resource["authenticator"] = author
    if ctx.custodian_display:
        resource["custodian"] = {"display": ctx.custodian_display}
    if ctx.replaces_version is not None:
        resource["relatesTo"] = [{"code": "replaces", "target": {
            "reference": "DocumentReference/"
                         + document_reference_id(ctx.dictation_id, ctx.replaces_version)}}]
    _validate(resource)
    return resource


def composition_document(note: dict, ctx: DocumentReferenceContext) -> dict:
    """The note's FHIR document Bundle (structuring/export.py) made stable and final: ids
    from dictation + version, the date of the version, status and author of the approval."""
    subject = f"Patient/{ctx.patient_ref}" if ctx.patient_ref else "Patient/ukjent"
    bundle = to_fhir(StructuredNote.from_dict(note), patient_reference=subject, now=ctx.date)
    # export.py draws random ids; the same version must always give the same document.
    renames = {}
    for index, entry in enumerate(bundle["entry"]):
        renames[entry["resource"]["id"]] = stable_id(ctx.dictation_id, ctx.version,
                                                     f"entry-{index}")
    renames[bundle["id"]] = stable_id(ctx.dictation_id, ctx.version, "bundle")
    encoded = json.dumps(bundle, ensure_ascii=False)
    for old, new in renames.items():
        encoded = encoded.replace(old, new)
    bundle = json.loads(encoded)
    composition = bundle["entry"][0]["resource"]
    if ctx.approved:
        composition["status"] = "final"
        composition["author"] = [_author(ctx) or {"display": "Dikta"}]
        for entry in bundle["entry"][1:]:
            if entry["resource"].get("status") == "preliminary":
                entry["resource"]["status"] = "final"
    return bundle


def _author(ctx: DocumentReferenceContext) -> dict | None:
    author: dict = {}
    if ctx.author_reference:
        author["reference"] = ctx.author_reference
    if ctx.author_display:
        author["display"] = ctx.author_display
    return author or None


def _attachment(data: bytes, content_type: str, title: str, stamp: str,
                language: str) -> dict:
    return {
        "contentType": content_type,
        "language": "nn" if language == "nn" else "nb",
        "data": base64.b64encode(data).decode("ascii"),
        "size": len(data),
        # FHIR R4 Attachment.hash is SHA-1 (base64).
        "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),
        "title": title,
        "creation": stamp,
    }


def _validate(resource: dict) -> None:
    from fhir.resources.R4B.documentreference import DocumentReference

    try:
        DocumentReference.model_validate(resource)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise DocumentReferenceError(f"DocumentReference invalid: {exc}") from None
