"""Mobile dictation API: upload a recording, get 202, poll for transcript and note."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Header, Request, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pipelines.audio import probe_audio
from pipelines.errors import AudioError
from service import audio_files
from service.deps import Principal, StateDep, TenantDep, audit, can_read_notes, owned, require
from service.masking import masked_json
from service.problems import Problem
from service.store import Dictation, new_id
from service.text_fields import SingleLine
from structuring.privacy import mask_national_ids

router = APIRouter(tags=["dictations"])


class DictationMetadata(BaseModel):
    """What a client says about a recording; the same fields for the upload form, tus
    `Upload-Metadata` and JSON bodies."""

    patient_ref: SingleLine | None = Field(None, max_length=200,
                                           description="Opaque patient reference "
                                                       "(no national ID)")
    note_type: SingleLine | None = Field(None, max_length=100)
    language: Literal["nb", "nn"] = "nb"
    recorded_at: datetime | None = None
    device_id: SingleLine | None = Field(None, max_length=200)
    dialect: SingleLine | None = Field(None, max_length=50,
                                       description="Speaker's dialect region, e.g. trøndersk")
    speaker: SingleLine | None = Field(None, max_length=200,
                                       description="Who dictated (staff reference, not a "
                                                   "name); keeps speakers apart in training data")
    training_consent: bool = Field(False, description="The speaker agrees that this "
                                   "recording may adapt the municipality's own model")

    def fingerprint(self, audio_sha256: str) -> str:
        """What an idempotency key stands for: this recording with this metadata."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(f"{audio_sha256}\n{canonical}".encode()).hexdigest()


class DictationOut(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed", "dead"]
    source_name: str | None = None
    batch_id: str | None = None
    approved_at: datetime | None = None
    audio_stored: bool = Field(False, description="Whether the recording is still kept")
    patient_ref: str | None
    note_type: str | None
    language: str
    recorded_at: datetime | None
    device_id: str | None
    dialect: str | None = None
    training_consent: bool = False
    created_at: datetime
    updated_at: datetime
    attempts: int
    audio_duration_s: float | None = None
    error: str | None = None
    transcript: str | None = None
    note: dict | None = Field(None, description="StructuredNote (structured_note.schema.json)")


def dictation_out(row: Dictation, principal: Principal) -> DictationOut:
    """The dictation as `principal` may see it: transcript and note only with read_notes,
    and national ID numbers masked in both."""
    out = DictationOut.model_validate(row, from_attributes=True)
    out.audio_stored = bool(row.audio_path)
    if can_read_notes(principal):
        out.transcript = mask_national_ids(row.transcript) if row.transcript else None
        out.note = masked_json(row.note) if row.note else None
    else:
        out.transcript = out.note = None
    return out


def create_dictation(state, tenant_id: str, data: bytes, meta: DictationMetadata,
                     idempotency_key: str | None, *, batch_id: str | None = None,
                     source_name: str | None = None) -> tuple[Dictation, bool]:
    """Store the recording and the row, then queue it; returns (row, created).

    Bad audio raises AudioError (a 4xx), except in a batch, where it becomes a failed
    dictation with its reason so that the rest of the batch goes on.
    """
    fingerprint = meta.fingerprint(hashlib.sha256(data).hexdigest())
    if idempotency_key:
        existing = _by_idempotency_key(state, tenant_id, idempotency_key)
        if existing is not None:
            return _same_payload(existing, fingerprint), False
    dictation_id = new_id()
    fields = dict(id=dictation_id, tenant_id=tenant_id, idempotency_key=idempotency_key,
                  idempotency_fingerprint=fingerprint if idempotency_key else None,
                  batch_id=batch_id, source_name=source_name, **meta.model_dump())
    try:
        probe_audio(data, state.engine.audio_options())  # 4xx now, not a failed job later
    except AudioError as exc:
        if batch_id is None:
            raise
        row = Dictation(status="failed", error=str(exc), **fields)
        with state.store.session() as s, s.begin():
            s.add(row)
        return row, True
    path = audio_files.audio_dir(state.settings.data_dir, tenant_id) / f"{dictation_id}.audio"
    digest = audio_files.write_durably(path, data)
    row = Dictation(audio_path=str(path), audio_sha256=digest, **fields)
    try:
        with state.store.session() as s, s.begin():
            s.add(row)
    except IntegrityError:  # the same key raced in from a parallel retry
        audio_files.remove(str(path))
        return _same_payload(_by_idempotency_key(state, tenant_id, idempotency_key),
                             fingerprint), False
    state.worker.submit(dictation_id)
    return row, True


def _same_payload(existing: Dictation, fingerprint: str) -> Dictation:
    """A retry of the request that created `existing`, or a 422: a key reused for another
    recording or other metadata must never be answered with this dictation."""
    if existing.idempotency_fingerprint not in (None, fingerprint):
        raise Problem(422, "Idempotency key reused",
                      "this Idempotency-Key was used for another recording or other metadata; "
                      "use a new key for a new dictation", kind="idempotency-key-reused")
    return existing


def _by_idempotency_key(state, tenant_id: str, key: str) -> Dictation | None:
    with state.store.session() as s:
        return s.scalar(select(Dictation).where(Dictation.tenant_id == tenant_id,
                                                Dictation.idempotency_key == key))


def _owned(state, tenant_id: str, dictation_id: str) -> Dictation:
    return owned(state, Dictation, tenant_id, dictation_id, "dictation")


@router.post("/dictations", status_code=202, dependencies=[require("dictate")], response_model=DictationOut,
             responses={200: {"model": DictationOut,
                              "description": "A retry with a known Idempotency-Key"},
                        413: {"description": "Too large"}, 415: {"description": "Not audio"},
                        422: {"description": "Corrupt or empty audio / invalid metadata"}})
async def post_dictation(
    state: StateDep, tenant: TenantDep, request: Request, response: Response,
    file: UploadFile,
    patient_ref: Annotated[SingleLine | None, Form(max_length=200)] = None,
    note_type: Annotated[SingleLine | None, Form(max_length=100)] = None,
    language: Annotated[Literal["nb", "nn"], Form()] = "nb",
    recorded_at: Annotated[datetime | None, Form()] = None,
    device_id: Annotated[SingleLine | None, Form(max_length=200)] = None,
    dialect: Annotated[SingleLine | None, Form(max_length=50)] = None,
    speaker: Annotated[SingleLine | None, Form(max_length=200)] = None,
    training_consent: Annotated[bool, Form()] = False,
    idempotency_key: Annotated[SingleLine | None, Header(max_length=200)] = None,
):
    """Accept a recorded dictation; it is transcribed and structured in the background."""
    meta = DictationMetadata(patient_ref=patient_ref, note_type=note_type, language=language,
                             recorded_at=recorded_at, device_id=device_id, dialect=dialect,
                             speaker=speaker, training_consent=training_consent)
    data = await file.read()
    row, created = create_dictation(state, tenant.id, data, meta, idempotency_key)
    audit(request, "create" if created else "read", "dictation", row.id, row.patient_ref)
    response.status_code = 202 if created else 200
    response.headers["Location"] = f"/v1/dictations/{row.id}"
    return dictation_out(row, tenant)


@router.get("/dictations/{dictation_id}", response_model=DictationOut,
            dependencies=[require("read_notes")],
            responses={404: {"description": "No such dictation for this tenant"}})
def get_dictation(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str):
    """Status, transcript and structured note of one dictation."""
    row = _owned(state, tenant.id, dictation_id)
    audit(request, "read", "dictation", row.id, row.patient_ref)
    return dictation_out(row, tenant)


@router.delete("/dictations/{dictation_id}", status_code=204,
               dependencies=[require("dictate")],
               responses={404: {"description": "No such dictation for this tenant"}})
def delete_dictation(state: StateDep, tenant: TenantDep, request: Request,
                     dictation_id: str) -> Response:
    """Delete a dictation: its row and its stored recording."""
    row = _owned(state, tenant.id, dictation_id)
    audit(request, "delete", "dictation", row.id, row.patient_ref)
    with state.store.session() as s, s.begin():
        stored = s.get(Dictation, row.id)
        if stored is not None:
            s.delete(stored)
    audio_files.remove(row.audio_path)
    return Response(status_code=204)
