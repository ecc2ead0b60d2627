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
from service.http.deps import StateDep, TenantDep, audit, require
from service.http.routers.dictations import DictationOut, dictation_out
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


class Approval(BaseModel):
    author: SingleLine | None = Field(None, max_length=200)


class NoteVersionOut(BaseModel):
    version: int
    kind: str
    text: str
    note: dict | None
    author: str | None
    created_at: datetime


@router.put("/dictations/{dictation_id}/note", response_model=DictationOut,
            dependencies=[require("dictate")],
            responses={404: {"description": "No such dictation"},
                       409: {"description": "Not transcribed yet, or already approved"}})
def edit_note(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str,
              body: NoteEdit):
    """Store the nurse's corrected note as a new version: as plain text (structured again)
    or per section (the sections stick)."""
    if body.sections is not None:
        row = versions.edit_sections(state, tenant.id, dictation_id, body.sections,
                                     body.author)
    else:
        row = versions.edit_note(state, tenant.id, dictation_id, body.text, body.author)
    audit(request, "update", "note", row.id, row.patient_ref)
    return dictation_out(row, tenant)


@router.post("/dictations/{dictation_id}/approve", response_model=DictationOut,
             dependencies=[require("approve")],
             responses={404: {"description": "No such dictation"},
                        409: {"description": "Not transcribed yet, or already approved"}})
def approve_note(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str,
                 body: Approval):
    """Approve the latest version; the recording is deleted now unless retention says else."""
    row = versions.approve_note(state, tenant.id, dictation_id, body.author)
    audit(request, "approve", "note", row.id, row.patient_ref)
    return dictation_out(row, tenant)


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
                               author=v.author, created_at=v.created_at) for v in versions]


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
    note = StructuredNote.from_dict(masked_json(row.note))
    return to_fhir(note, patient_reference=f"Patient/{row.patient_ref or 'ukjent'}")
