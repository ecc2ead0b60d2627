"""Routes for the note after ASR: edit, approve, its versions, its FHIR export
(use cases: service/notes/versions.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StringConstraints, model_validator
from sqlalchemy import select

from service.core.errors import Problem
from service.core.masking import masked_json
from service.core.store import NoteVersion
from service.core.text_fields import MultiLine, SingleLine
from service.dictations.create import owned_dictation
from service.http.deps import Principal, StateDep, TenantDep, audit, require
from service.http.routers.dictations import DictationOut, delivery_out, dictation_out
from service.notes import versions
from structuring.privacy import mask_national_ids

router = APIRouter(tags=["notes"])
SectionKey = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,60}$")]
SectionText = Annotated[MultiLine, Field(max_length=100_000)]


class NoteEdit(BaseModel):
    """Either the whole note as plain text (structured again, sections chosen anew), or its
    text per section (`{"sections": {"<section key>": "text"}}`: every sentence stays in the
    section it was written under)."""

    text: MultiLine | None = Field(None, min_length=1, max_length=100_000,
                                   description="The note as the nurse corrected it "
                                               "(plain text)")
    sections: dict[SectionKey, SectionText] | None = Field(
        None, max_length=50, description="Text per section key of the note's template; "
                                         "sections left out are dropped")
    author: SingleLine | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _one_body(self) -> NoteEdit:
        if (self.text is None) == (self.sections is None):
            raise ValueError("send either text or sections")
        return self


class Amendment(BaseModel):
    text: MultiLine = Field(..., min_length=1, max_length=100_000,
                            description="The approved note as amended (plain text)")
    author: SingleLine | None = Field(None, max_length=200)


class Approval(BaseModel):
    author: SingleLine | None = Field(None, max_length=200)


class NoteVersionOut(BaseModel):
    version: int
    kind: str
    text: str
    note: dict | None
    author: str | None
    created_at: datetime
    supersedes: int | None = Field(None, description="On an approved amendment: the approved "
                                   "version it replaces")


@router.put("/dictations/{dictation_id}/note", response_model=DictationOut,
            dependencies=[require("dictate")],
            responses={404: {"description": "No such dictation"},
                       409: {"description": "Not transcribed yet, or approved (amend it)"}})
def edit_note(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str,
              body: NoteEdit):
    """Store the nurse's corrected note as a new version: as plain text (structured again)
    or per section (the sections stick); during an open amendment the version is part of
    the amendment."""
    if body.sections is not None:
        row = versions.edit_sections(state, tenant.id, dictation_id, body.sections,
                                     _author(tenant, body))
    else:
        row = versions.edit_note(state, tenant.id, dictation_id, body.text,
                                 _author(tenant, body))
    audit(request, "update", "note", row.id, row.patient_ref)
    return dictation_out(row, tenant)


@router.post("/dictations/{dictation_id}/amend", response_model=DictationOut,
             dependencies=[require("dictate")],
             responses={404: {"description": "No such dictation"},
                        409: {"description": "Not approved yet, or an amendment is open"}})
def amend_note(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str,
               body: Amendment):
    """Amend the approved note: a new `amended` working version; the journal keeps the
    approved version until the amendment is approved (POST …/approve), which supersedes it.
    Scope `dictate`, as for edits: nothing reaches the journal without `approve`."""
    row = versions.amend_note(state, tenant.id, dictation_id, body.text, _author(tenant, body))
    audit(request, "amend", "note", row.id, row.patient_ref)
    out = dictation_out(row, tenant)
    out.deliveries = delivery_out(state, tenant.id, row.id)  # the approved version's, still
    return out


@router.post("/dictations/{dictation_id}/approve", response_model=DictationOut,
             dependencies=[require("approve")],
             responses={404: {"description": "No such dictation"},
                        409: {"description": "Not transcribed yet, or already approved"}})
def approve_note(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str,
                 body: Approval):
    """Approve the latest version (an open amendment supersedes the approved version before
    it); the recording is deleted now unless retention says else."""
    row = versions.approve_note(state, tenant.id, dictation_id, _author(tenant, body))
    audit(request, "approve", "note", row.id, row.patient_ref)
    out = dictation_out(row, tenant)
    out.deliveries = delivery_out(state, tenant.id, row.id)
    return out


@router.get("/dictations/{dictation_id}/versions", response_model=list[NoteVersionOut],
            dependencies=[require("read_notes")])
def note_versions(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str):
    """Every version of the note, oldest first."""
    row = owned_dictation(state, tenant.id, dictation_id)
    audit(request, "read", "note", row.id, row.patient_ref)
    with state.store.session() as s:
        versions = s.scalars(select(NoteVersion).where(NoteVersion.dictation_id == row.id)
                             .order_by(NoteVersion.version))
        return [NoteVersionOut(version=v.version, kind=v.kind,
                               text=mask_national_ids(v.text), note=masked_json(v.note),
                               author=v.author, created_at=v.created_at,
                               supersedes=v.supersedes) for v in versions]


@router.get("/dictations/{dictation_id}/fhir", dependencies=[require("export")],
            responses={200: {"description": "FHIR R4 document Bundle of the note"},
                       404: {"description": "No such dictation"},
                       409: {"description": "Not transcribed yet"}})
def export_fhir(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str
                ) -> dict:
    """The note as a FHIR R4 document Bundle for the EPJ (the approved version if any)."""
    from structuring.export import to_fhir
    from structuring.note import StructuredNote

    row = owned_dictation(state, tenant.id, dictation_id)
    if row.status != "done" or not row.note:
        raise Problem(409, "Not transcribed yet", f"the dictation is {row.status}",
                      kind="not-ready")
    audit(request, "export", "note", row.id, row.patient_ref)
    with state.store.session() as s:  # the version exported: ids and approver come from it
        # During an amendment the export is still what was approved.
        exported = versions.approved_version(s, row.id) or s.scalars(
            select(NoteVersion).where(NoteVersion.dictation_id == row.id)
            .order_by(NoteVersion.version.desc()).limit(1)).first()
    approved = exported is not None and exported.kind == "approved"
    note = StructuredNote.from_dict(masked_json(exported.note if exported else row.note))
    return to_fhir(note, patient_reference=f"Patient/{row.patient_ref or 'ukjent'}",
                   dictation_id=row.id, version=exported.version if exported else None,
                   recorded_at=row.recorded_at or row.created_at,
                   approved_at=row.approved_at if approved else None,
                   approver=exported.author if approved else None)


def _author(tenant: Principal, body: NoteEdit | Approval | Amendment) -> str | None:
    """In an EPJ launch session the author is the practitioner the EPJ named (fhirUser),
    not a name typed in the request; elsewhere, what the client says."""
    if tenant.session is not None and tenant.session.practitioner:
        return tenant.session.practitioner
    return body.author
