"""The note's life after ASR: the nurse edits it, then approves it.

Every change is a new NoteVersion (asr_draft → edited … → approved); nothing is overwritten.
Approval is when the recording has served its purpose: by default it is deleted then
(pasientjournalforskriften § 8: audio is part of the journal only until written down).
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from service import audio_files
from service.deps import StateDep, TenantDep, audit, require
from service.masking import masked_json
from service.problems import Problem
from service.profile import tenant_profile
from service.retention import kept_for_training
from service.routers.dictations import DictationOut, _owned, dictation_out
from service.store import Dictation, NoteVersion, utcnow
from service.text_fields import MultiLine, SingleLine
from structuring.privacy import mask_national_ids

router = APIRouter(tags=["notes"])


class NoteEdit(BaseModel):
    text: MultiLine = Field(..., min_length=1, max_length=100_000,
                            description="The note as the nurse corrected it (plain text)")
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


def _latest(session, dictation_id: str) -> NoteVersion | None:
    return session.scalar(select(NoteVersion).where(NoteVersion.dictation_id == dictation_id)
                          .order_by(NoteVersion.version.desc()).limit(1))


def _add_version(state, tenant_id: str, dictation_id: str, kind: str, author: str | None,
                 text: str | None = None) -> Dictation:
    from structuring.written_standard import write_note

    owned = _owned(state, tenant_id, dictation_id)
    with state.store.session() as s, s.begin():
        row = s.get(Dictation, owned.id, with_for_update=True)
        if row.status != "done":
            raise Problem(409, "Not transcribed yet", f"the dictation is {row.status}",
                          kind="not-ready")
        if row.approved_at is not None:
            raise Problem(409, "Already approved", "an approved note cannot be changed",
                          kind="approved")
        latest = _latest(s, row.id)
        number = s.scalar(select(func.max(NoteVersion.version))
                          .where(NoteVersion.dictation_id == row.id)) or 0
        if text is None:  # approval takes the latest text as it stands
            text = latest.text if latest else (row.transcript or "")
            note = latest.note if latest else row.note
        else:
            text = mask_national_ids(text)  # an ID typed into a note is never stored
            profile = tenant_profile(state.store, state.settings, tenant_id)
            # The nurse edits the note in its own written standard.
            written_in = ((latest.note if latest else row.note) or {}).get(
                "language", row.language)
            note = write_note(text, template=profile.template, language=written_in,
                              standard=profile.written_standard).to_dict()
        s.add(NoteVersion(dictation_id=row.id, version=number + 1, kind=kind, text=text,
                          note=note, author=author))
        row.note, row.updated_at = note, utcnow()
        if kind == "approved":
            row.approved_at = row.updated_at
            if state.settings.retention.audio == "on_approval" and not kept_for_training(
                    row, state.settings.retention, row.approved_at):
                audio_files.remove(row.audio_path)
                row.audio_path = None
        return row


@router.put("/dictations/{dictation_id}/note", response_model=DictationOut,
            dependencies=[require("dictate")],
            responses={404: {"description": "No such dictation"},
                       409: {"description": "Not transcribed yet, or already approved"}})
def edit_note(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str,
              body: NoteEdit):
    """Store the nurse's corrected note as a new version (it is structured again)."""
    row = _add_version(state, tenant.id, dictation_id, "edited", body.author, body.text)
    audit(request, "update", "note", row.id, row.patient_ref)
    return dictation_out(row, tenant)


@router.post("/dictations/{dictation_id}/approve", response_model=DictationOut,
             dependencies=[require("approve")],
             responses={404: {"description": "No such dictation"},
                        409: {"description": "Not transcribed yet, or already approved"}})
def approve_note(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str,
                 body: Approval):
    """Approve the latest version; the recording is deleted now unless retention says else."""
    row = _add_version(state, tenant.id, dictation_id, "approved", body.author)
    audit(request, "approve", "note", row.id, row.patient_ref)
    return dictation_out(row, tenant)


@router.get("/dictations/{dictation_id}/versions", response_model=list[NoteVersionOut],
            dependencies=[require("read_notes")])
def note_versions(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str):
    """Every version of the note, oldest first."""
    row = _owned(state, tenant.id, dictation_id)
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

    row = _owned(state, tenant.id, dictation_id)
    if row.status != "done" or not row.note:
        raise Problem(409, "Not transcribed yet", f"the dictation is {row.status}",
                      kind="not-ready")
    audit(request, "export", "note", row.id, row.patient_ref)
    note = StructuredNote.from_dict(masked_json(row.note))
    return to_fhir(note, patient_reference=f"Patient/{row.patient_ref or 'ukjent'}")
