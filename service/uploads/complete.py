"""The last byte of a resumable upload has arrived: the recording becomes a dictation,
exactly once (the dictation's idempotency key is `upload:<upload id>`, or the client's own
`idempotency_key` from the metadata: a recording the live stream already stored under that
key is then the same dictation, not a second one), and the partial file
goes. Used by the tus routes, which also call it again for an upload whose last byte was
stored before a crash but whose dictation was not yet made."""

from __future__ import annotations

import hashlib

from pipelines.errors import AudioError
from service.core import audio_files
from service.core.errors import Problem
from service.core.store import Dictation, Upload
from service.dictations.create import (
    DictationMetadata,
    EpjBinding,
    bound_to_session,
    create_dictation,
)
from service.uploads import partial_files

EPJ_ISSUER = "epj_issuer"  # kept in the upload's sealed metadata, never sent by a client


def session_metadata(metadata: dict, session) -> dict:
    """An upload begun in an EPJ launch session: its metadata with the session's patient
    (another patient_ref is 422) and the launching EPJ, for the dictation it becomes."""
    if session is None:
        return metadata
    fields = {k: v for k, v in metadata.items() if k in DictationMetadata.model_fields}
    bound = bound_to_session(DictationMetadata(**fields), session)
    return {**metadata, "patient_ref": bound.patient_ref, EPJ_ISSUER: session.issuer}


def client_metadata(metadata: dict) -> dict:
    """The metadata as the client sent it (for tus HEAD)."""
    return {k: v for k, v in metadata.items() if k != EPJ_ISSUER}


def complete_upload(state, row: Upload) -> tuple[Upload, Dictation, bool]:
    """(the upload row, its dictation, whether the dictation was made now). A recording
    that is not audio, or differs from its `sha256` metadata, fails the upload (422)."""
    data = partial_files.read_partial(row.path, row.id, row.stored_bytes)
    metadata = dict(row.upload_metadata or {})
    expected = metadata.pop("sha256", None)
    issuer = metadata.pop(EPJ_ISSUER, None)
    session = EpjBinding(metadata["patient_ref"], issuer) if issuer else None
    key = metadata.pop("idempotency_key", None) or f"upload:{row.id}"
    try:
        if expected and hashlib.sha256(data).hexdigest() != expected:
            raise AudioError("the received bytes do not match the sha256 in Upload-Metadata")
        dictation, created = create_dictation(state, row.tenant_id, data,
                                              DictationMetadata(**metadata),
                                              key, session=session)
    except AudioError as exc:
        audio_files.remove(row.path)
        update_upload(state, row.id, status="failed", error=str(exc))
        raise Problem(422, "Recording cannot be used", str(exc), kind="bad-audio",
                      headers={"Upload-Offset": str(row.offset)}) from None
    row = update_upload(state, row.id, status="complete", dictation_id=dictation.id,
                        expires_at=None)
    audio_files.remove(row.path)  # the dictation holds its own sealed copy now
    return row, dictation, created


def reload_upload(state, upload_id: str) -> Upload:
    with state.store.session() as s:
        return s.get(Upload, upload_id)


def update_upload(state, upload_id: str, **values) -> Upload:
    with state.store.session() as s, s.begin():
        row = s.get(Upload, upload_id)
        for name, value in values.items():
            setattr(row, name, value)
    return row
