"""Creating a dictation — the one way a recording enters Dikta, whether it comes as a form
upload, the last byte of a tus upload, a batch file or a live stream: the audio is checked,
sealed and fsynced, the row committed, then the job is queued. An idempotency key makes a
retry return the same dictation, and only for the same payload."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pipelines.audio import probe_audio
from pipelines.errors import AudioError
from service.alarms.links import check_alarm_ids, link_explicitly, parse_alarm_ids
from service.core import audio_files
from service.core.errors import Problem
from service.core.store import Dictation, new_id
from service.core.text_fields import SingleLine
from service.stats.aggregates import bump
from service.tenants.scoped import owned


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
    alarm_ids: Annotated[list[str], BeforeValidator(parse_alarm_ids)] = Field(
        default_factory=list, description="Alarms (GET /v1/alarms) this recording documents: "
        "repeated fields, or ids separated by commas; each must be this tenant's")

    def fingerprint(self, audio_sha256: str) -> str:
        """What an idempotency key stands for: this recording with this metadata."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(f"{audio_sha256}\n{canonical}".encode()).hexdigest()


def create_dictation(state, tenant_id: str, data: bytes, meta: DictationMetadata,
                     idempotency_key: str | None, *, batch_id: str | None = None,
                     source_name: str | None = None,
                     session=None) -> tuple[Dictation, bool]:
    """Store the recording and the row, then queue it; returns (row, created).

    Bad audio raises AudioError (a 4xx), except in a batch, where it becomes a failed
    dictation with its reason so that the rest of the batch goes on. `session`: the EPJ
    launch session it is dictated in (service/epj/sessions.SessionContext, or anything with
    `patient_ref` and `issuer`): its patient and EPJ bind the dictation.
    """
    meta = bound_to_session(meta, session)
    fingerprint = meta.fingerprint(hashlib.sha256(data).hexdigest())
    if idempotency_key:
        existing = _by_idempotency_key(state, tenant_id, idempotency_key)
        if existing is not None:
            return _same_payload(existing, fingerprint), False
    if meta.alarm_ids:  # a 422 before anything is stored
        with state.store.session() as s:
            check_alarm_ids(s, tenant_id, meta.alarm_ids)
    dictation_id = new_id()
    fields = dict(id=dictation_id, tenant_id=tenant_id, idempotency_key=idempotency_key,
                  idempotency_fingerprint=fingerprint if idempotency_key else None,
                  batch_id=batch_id, source_name=source_name,
                  epj_issuer=session.issuer if session is not None else None,
                  **meta.model_dump(exclude={"alarm_ids"}))
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
            s.flush()
            link_explicitly(s, tenant_id, dictation_id, meta.alarm_ids)
            bump(s, tenant_id, row.created_at, dictations=1)
    except IntegrityError:  # the same key raced in from a parallel retry
        audio_files.remove(str(path))
        return _same_payload(_by_idempotency_key(state, tenant_id, idempotency_key),
                             fingerprint), False
    state.worker.submit(dictation_id)
    return row, True


@dataclass(frozen=True)
class EpjBinding:
    """What binds a dictation to an EPJ launch: its patient and the launching EPJ (a
    SessionContext is one; a resumable upload keeps one in its sealed metadata)."""

    patient_ref: str
    issuer: str


def bound_to_session(meta: DictationMetadata, session) -> DictationMetadata:
    """The metadata with the session's patient: in a session launched from a chart, the
    dictation is about that chart's patient, and another patient_ref is a mistake (422)."""
    if session is None:
        return meta
    if meta.patient_ref is not None and meta.patient_ref != session.patient_ref:
        raise Problem(422, "Patient differs from the session",
                      "patient_ref: this session was launched for another patient; leave "
                      "patient_ref out (the session's patient is used)",
                      kind="patient-mismatch")
    return meta.model_copy(update={"patient_ref": session.patient_ref})


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


def owned_dictation(state, tenant_id: str, dictation_id: str) -> Dictation:
    return owned(state, Dictation, tenant_id, dictation_id, "dictation")
