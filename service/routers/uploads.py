"""Resumable uploads for long recordings on bad networks (protocol: docs/api.md).

Create an upload with its total length, send chunks with PATCH and `Upload-Offset`, ask
where it stands with HEAD after a cut, and finalize it into a dictation. Bytes are written
as they arrive, so a connection that dies mid-chunk keeps everything received.
"""

from __future__ import annotations

import hashlib
import os
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, Field
from service import audio_files
from service.deps import StateDep, TenantDep, audit, owned, require
from service.problems import Problem
from service.routers.dictations import (
    DictationMetadata,
    DictationOut,
    create_dictation,
    dictation_out,
)
from service.store import Dictation, Upload

router = APIRouter(tags=["uploads"])


class UploadCreate(BaseModel):
    length: int = Field(..., gt=0, description="Total size of the recording in bytes")


class UploadOut(BaseModel):
    id: str
    length: int
    offset: int
    complete: bool
    dictation_id: str | None = None


class UploadFinalize(DictationMetadata):
    sha256: str | None = Field(None, pattern="^[0-9a-f]{64}$",
                               description="Checked against the received bytes if given")


def _out(row: Upload) -> UploadOut:
    return UploadOut(id=row.id, length=row.length, offset=row.offset,
                     complete=row.offset == row.length, dictation_id=row.dictation_id)


def _owned(state, tenant_id: str, upload_id: str) -> Upload:
    return owned(state, Upload, tenant_id, upload_id, "upload")


@router.post("/uploads", status_code=201, response_model=UploadOut,
             dependencies=[require("dictate")])
def create_upload(state: StateDep, tenant: TenantDep, body: UploadCreate, response: Response):
    """Start a resumable upload of `length` bytes."""
    if body.length > state.settings.service.upload_max_bytes:
        raise Problem(413, "Upload too large", f"{body.length} bytes is over the limit of "
                      f"{state.settings.service.upload_max_bytes} bytes", kind="too-large")
    row = Upload(tenant_id=tenant.id, length=body.length, path="")
    row.path = str(audio_files.audio_dir(state.settings.data_dir, tenant.id) /
                   f"{row.id}.partial")
    open(row.path, "wb").close()
    with state.store.session() as s, s.begin():
        s.add(row)
    response.headers["Location"] = f"/v1/uploads/{row.id}"
    return _out(row)


@router.head("/uploads/{upload_id}", status_code=204, dependencies=[require("dictate")])
def upload_offset(state: StateDep, tenant: TenantDep, upload_id: str) -> Response:
    """Where to resume: `Upload-Offset` and `Upload-Length` headers."""
    row = _owned(state, tenant.id, upload_id)
    return Response(status_code=204, headers={"Upload-Offset": str(row.offset),
                                              "Upload-Length": str(row.length)})


@router.get("/uploads/{upload_id}", response_model=UploadOut,
            dependencies=[require("dictate")])
def get_upload(state: StateDep, tenant: TenantDep, upload_id: str):
    return _out(_owned(state, tenant.id, upload_id))


@router.patch("/uploads/{upload_id}", status_code=204, dependencies=[require("dictate")],
              responses={409: {"description": "Upload-Offset is not where the upload stands"}})
async def append_chunk(state: StateDep, tenant: TenantDep, upload_id: str, request: Request,
                       upload_offset: Annotated[int, Header(ge=0)]) -> Response:
    """Append the request body at `Upload-Offset` (which must equal the current offset)."""
    row = _owned(state, tenant.id, upload_id)
    if upload_offset != row.offset:
        raise Problem(409, "Offset mismatch", f"the upload stands at {row.offset} bytes",
                      kind="offset-mismatch", headers={"Upload-Offset": str(row.offset)})
    offset = row.offset
    try:
        with open(row.path, "r+b") as handle:
            handle.seek(offset)
            handle.truncate()
            async for chunk in request.stream():
                if offset + len(chunk) > row.length:
                    raise Problem(413, "Beyond the declared length",
                                  f"the upload was declared as {row.length} bytes",
                                  kind="too-large")
                handle.write(chunk)
                offset += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    finally:
        _save_offset(state, row.id, offset)  # what arrived before a cut is kept
    return Response(status_code=204, headers={"Upload-Offset": str(offset)})


def _save_offset(state, upload_id: str, offset: int) -> None:
    with state.store.session() as s, s.begin():
        stored = s.get(Upload, upload_id)
        if stored is not None:
            stored.offset = offset


@router.post("/uploads/{upload_id}/finalize", status_code=202, response_model=DictationOut,
             dependencies=[require("dictate")],
             responses={200: {"model": DictationOut, "description": "Already finalized"},
                        409: {"description": "Not all bytes have arrived"},
                        422: {"description": "Checksum mismatch or bad audio"}})
def finalize_upload(state: StateDep, tenant: TenantDep, request: Request, upload_id: str,
                    body: UploadFinalize, response: Response):
    """Turn a complete upload into a dictation (idempotent: finalizing twice is one)."""
    row = _owned(state, tenant.id, upload_id)
    if row.dictation_id:
        response.status_code = 200
        with state.store.session() as s:
            return dictation_out(s.get(Dictation, row.dictation_id))
    if row.offset != row.length:
        raise Problem(409, "Upload incomplete", f"{row.offset} of {row.length} bytes received",
                      kind="upload-incomplete", headers={"Upload-Offset": str(row.offset)})
    with open(row.path, "rb") as handle:
        data = handle.read()
    if body.sha256 and hashlib.sha256(data).hexdigest() != body.sha256:
        raise Problem(422, "Checksum mismatch", "the received bytes do not match sha256",
                      kind="checksum-mismatch")
    meta = DictationMetadata(**body.model_dump(exclude={"sha256"}))
    dictation, _ = create_dictation(state, tenant.id, data, meta, f"upload:{row.id}")
    audit(request, "create", "dictation", dictation.id, dictation.patient_ref)
    with state.store.session() as s, s.begin():
        stored = s.get(Upload, row.id)
        stored.dictation_id = dictation.id
    audio_files.remove(row.path)
    response.headers["Location"] = f"/v1/dictations/{dictation.id}"
    return dictation_out(dictation)

