"""Resumable uploads on the open tus 1.0 protocol (https://tus.io/protocols/resumable-upload),
so the tus clients app vendors already use (iOS, Android, tus-js-client, tuspy) work as they
are. Extensions: creation, creation-with-upload, checksum (sha1, sha256), termination,
expiration. `Upload-Metadata` carries the dictation metadata (patient_ref, note_type,
language, recorded_at, device_id, dialect, speaker, training_consent; optional `sha256` of the
whole recording); when the last byte is stored the dictation is created, and
`GET /v1/uploads/{id}` names it. Storage and locking: service/uploads.py. Protocol: docs/api.md.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.alarms.links import check_alarm_ids
from service.core import audio_files
from service.core.errors import Problem
from service.core.store import Upload, as_utc, new_id
from service.core.text_fields import single_line
from service.dictations.create import DictationMetadata
from service.http.deps import StateDep, TenantDep, audit, require
from service.tenants.scoped import owned
from service.uploads import partial_files as core
from service.uploads.complete import (
    client_metadata,
    complete_upload,
    reload_upload,
    session_metadata,
    update_upload,
)

router = APIRouter(tags=["uploads"])
TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,checksum,termination,expiration"
CHECKSUMS = ("sha1", "sha256")
OFFSET_STREAM = "application/offset+octet-stream"
_IGNORED_METADATA = {"filename", "filetype", "name", "type", "relativePath"}
"""Keys tus clients add on their own; accepted and not stored."""


class TusResumableHeader:
    """ASGI middleware: every answer under /v1/uploads says which tus version it speaks —
    also the problem documents raised before a route runs (401, 404, 422)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/uploads"):
            await self.app(scope, receive, send)
            return

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"tus-resumable", TUS_VERSION.encode())]
            await send(message)

        await self.app(scope, receive, tagged)


def tus_request(tus_resumable: Annotated[str | None, Header()] = None) -> None:
    if tus_resumable != TUS_VERSION:
        raise Problem(412, "Unsupported tus version",
                      f"send Tus-Resumable: {TUS_VERSION} (got {tus_resumable or 'none'})",
                      kind="tus-version", headers={"Tus-Version": TUS_VERSION})


TUS = [require("dictate"), Depends(tus_request)]
TUS_ANSWERS = {412: {"description": "Tus-Resumable missing or unsupported"},
               410: {"description": "Expired, or its recording was not audio"},
               423: {"description": "Another request is writing this upload"}}


class UploadOut(BaseModel):
    id: str
    length: int
    offset: int
    complete: bool
    status: str
    error: str | None = None
    expires_at: datetime | None = None
    dictation_id: str | None = None


def _out(row: Upload) -> UploadOut:
    return UploadOut(id=row.id, length=row.length, offset=row.offset,
                     complete=row.offset == row.length, status=row.status, error=row.error,
                     expires_at=row.expires_at, dictation_id=row.dictation_id)


@router.options("/uploads", status_code=204, dependencies=[require("dictate")])
def tus_options(state: StateDep) -> Response:
    """tus discovery: version, extensions, the largest upload and checksum algorithms."""
    return Response(status_code=204, headers={
        "Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
        "Tus-Max-Size": str(state.settings.service.upload_max_bytes),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUMS)})


@router.post("/uploads", status_code=201, dependencies=TUS,
             responses={201: {"description": "Created; Location names the upload"},
                        400: {"description": "Missing or bad Upload-Length / Upload-Metadata"},
                        **TUS_ANSWERS,
                        413: {"description": "Upload-Length over Tus-Max-Size"},
                        460: {"description": "Upload-Checksum mismatch (body discarded)"}})
async def create_upload(state: StateDep, tenant: TenantDep, request: Request,
                        upload_length: Annotated[str | None, Header()] = None,
                        upload_metadata: Annotated[str | None, Header()] = None,
                        content_type: Annotated[str | None, Header()] = None) -> Response:
    """Create an upload (tus creation); a body sent along is its first chunk
    (creation-with-upload)."""
    length = _declared_length(state, upload_length)
    metadata = session_metadata(parse_metadata(upload_metadata), tenant.session)
    if metadata.get("alarm_ids"):  # refused now, not when the last byte arrives
        with state.store.session() as s:
            check_alarm_ids(s, tenant.id, metadata["alarm_ids"])
    upload_id = new_id()
    path = core.partial_path(state.settings.data_dir, tenant.id, upload_id)
    core.create_partial(path)
    row = Upload(id=upload_id, tenant_id=tenant.id, length=length, path=str(path),
                 upload_metadata=metadata, status="receiving",
                 expires_at=core.expiry(state.settings.service.upload_expiry_hours))
    with state.store.session() as s, s.begin():
        s.add(row)
    headers = {"Location": f"/v1/uploads/{upload_id}", **_expires(row)}
    if content_type == OFFSET_STREAM:
        row = await _append(state, request, row, 0)
        headers.update({"Upload-Offset": str(row.offset), **_expires(row)})
    return Response(status_code=201, headers=headers)


@router.head("/uploads/{upload_id}", status_code=200, dependencies=TUS, responses=TUS_ANSWERS)
async def upload_offset(state: StateDep, tenant: TenantDep, request: Request,
                        upload_id: str) -> Response:
    """Where to resume: `Upload-Offset` and `Upload-Length`."""
    row = await _settled(state, request, _owned(state, tenant.id, upload_id))
    _usable(row)
    headers = {"Upload-Offset": str(row.offset), "Upload-Length": str(row.length),
               "Cache-Control": "no-store", **_expires(row)}
    if row.upload_metadata:
        headers["Upload-Metadata"] = format_metadata(client_metadata(row.upload_metadata))
    return Response(status_code=200, headers=headers)


@router.get("/uploads/{upload_id}", response_model=UploadOut, dependencies=[require("dictate")],
            responses={423: TUS_ANSWERS[423]})
async def get_upload(state: StateDep, tenant: TenantDep, request: Request, upload_id: str):
    """The upload's state, and the dictation it became once complete."""
    return _out(await _settled(state, request, _owned(state, tenant.id, upload_id)))


@router.patch("/uploads/{upload_id}", status_code=204, dependencies=TUS,
              responses={**TUS_ANSWERS,
                         400: {"description": "Bad or unsupported Upload-Checksum"},
                         409: {"description": "Upload-Offset is not where the upload stands"},
                         413: {"description": "Beyond Upload-Length"},
                         415: {"description": "Content-Type is not "
                                              "application/offset+octet-stream"},
                         460: {"description": "Upload-Checksum mismatch (chunk discarded)"}})
async def append_chunk(state: StateDep, tenant: TenantDep, request: Request, upload_id: str,
                       upload_offset: Annotated[int, Header(ge=0)],
                       content_type: Annotated[str | None, Header()] = None) -> Response:
    """Append the body at `Upload-Offset`; the last byte turns the upload into a dictation."""
    if content_type != OFFSET_STREAM:
        raise Problem(415, "Wrong content type", f"PATCH bodies are {OFFSET_STREAM}",
                      kind="tus-content-type")
    row = await _append(state, request, _owned(state, tenant.id, upload_id),
                        upload_offset)
    return Response(status_code=204,
                    headers={"Upload-Offset": str(row.offset), **_expires(row)})


@router.delete("/uploads/{upload_id}", status_code=204, dependencies=TUS,
               responses=TUS_ANSWERS)
async def terminate_upload(state: StateDep, tenant: TenantDep, request: Request,
                           upload_id: str) -> Response:
    """tus termination: the received bytes are deleted; a dictation already made stays."""
    row = _owned(state, tenant.id, upload_id)
    async with _locked(row):
        row = reload_upload(state, row.id)
        if row.status == "receiving":
            audio_files.remove(row.path)
            update_upload(state, row.id, status="terminated", error="terminated by the client")
    return Response(status_code=204)


# --- the protocol's steps ------------------------------------------------------------


async def _append(state, request: Request, row: Upload, offset: int) -> Upload:
    checksum = _checksum(request.headers.get("upload-checksum"))
    async with _locked(row) as fd:
        row = reload_upload(state, row.id)
        _usable(row)
        if offset != row.offset:
            raise Problem(409, "Offset mismatch", f"the upload stands at {row.offset} bytes",
                          kind="offset-mismatch", headers={"Upload-Offset": str(row.offset)})
        if row.status != "receiving":  # complete: nothing may be added
            return await _nothing_more(request, row)
        if fd is None:
            update_upload(state, row.id, status="failed", error="the received bytes were lost")
            raise Problem(410, "Upload lost", "the received bytes are no longer on the "
                          "server; start a new upload", kind="upload-failed")
        writer = core.FrameWriter(fd, row.id, row.offset, row.stored_bytes)
        if checksum:
            writer.hash_with(checksum[0])
        whole = await _receive(request, writer, row)
        if checksum and (not whole or writer.digest[checksum[0]].digest() != checksum[1]):
            writer.roll_back()
            raise Problem(460, "Checksum mismatch", "the chunk does not match "
                          "Upload-Checksum and was discarded", kind="checksum-mismatch",
                          headers={"Upload-Offset": str(row.offset)})
        writer.commit()
        row = update_upload(state, row.id, offset=writer.offset, stored_bytes=writer.stored_bytes,
                      expires_at=core.expiry(state.settings.service.upload_expiry_hours))
        if row.offset == row.length:
            row = _complete(state, request, row)
    return row


async def _receive(request: Request, writer: core.FrameWriter, row: Upload) -> bool:
    """Stream the body into the writer; False when the client went away mid-chunk (what
    arrived is kept)."""
    try:
        async for piece in request.stream():
            if writer.received() + len(piece) > row.length:
                writer.roll_back()
                raise Problem(413, "Beyond the declared length",
                              f"the upload was declared as {row.length} bytes",
                              kind="too-large", headers={"Upload-Offset": str(row.offset)})
            writer.write(piece)
    except ClientDisconnect:
        return False
    return True


async def _nothing_more(request: Request, row: Upload) -> Upload:
    async for piece in request.stream():
        if piece:
            raise Problem(413, "Beyond the declared length",
                          f"all {row.length} bytes have arrived already", kind="too-large",
                          headers={"Upload-Offset": str(row.offset)})
    return row


async def _settled(state, request: Request, row: Upload) -> Upload:
    """The row, finalized first if its last byte was stored but the dictation was not yet
    made (a crash in between)."""
    if row.status != "receiving" or row.offset != row.length:
        return row
    async with _locked(row) as fd:
        row = reload_upload(state, row.id)
        if row.status == "receiving" and row.offset == row.length and fd is not None:
            row = _complete(state, request, row)
    return row


def _complete(state, request: Request, row: Upload) -> Upload:
    row, dictation, created = complete_upload(state, row)
    if created:
        audit(request, "create", "dictation", dictation.id, dictation.patient_ref)
    return row


# --- helpers -------------------------------------------------------------------------


def _owned(state, tenant_id: str, upload_id: str) -> Upload:
    row = owned(state, Upload, tenant_id, upload_id, "upload")
    if row.status == "terminated":  # tus: a terminated upload is gone
        raise Problem(404, "Not found", "no upload with that id", kind="not-found")
    return row


def _usable(row: Upload) -> None:
    if row.status == "receiving" and core.expired(row):
        raise Problem(410, "Upload expired", "the upload expired before it was complete; "
                      "start a new one", kind="upload-expired")
    if row.status in ("failed", "expired"):
        raise Problem(410, "Upload closed", row.error or f"the upload is {row.status}",
                      kind=f"upload-{row.status}")
    if row.status == "terminated":
        raise Problem(404, "Not found", "no upload with that id", kind="not-found")


def _locked(row: Upload):
    return _BusyAs423(core.writing(Path(row.path)))


class _BusyAs423:
    def __init__(self, context) -> None:
        self.context = context

    async def __aenter__(self):
        try:
            return await self.context.__aenter__()
        except core.UploadBusy:
            raise Problem(423, "Upload busy", "another request is writing this upload; "
                          "retry shortly", kind="upload-locked",
                          headers={"Retry-After": "1"}) from None

    async def __aexit__(self, *exc_info):
        return await self.context.__aexit__(*exc_info)


def _declared_length(state, value: str | None) -> int:
    if value is None or not value.isdigit():
        raise Problem(400, "Upload-Length required",
                      "send Upload-Length: the size of the recording in bytes",
                      kind="tus-upload-length")
    length = int(value)
    if length == 0:
        raise Problem(400, "Empty recording", "Upload-Length is 0: there is nothing to "
                      "transcribe", kind="tus-upload-length")
    limit = state.settings.service.upload_max_bytes
    if length > limit:
        raise Problem(413, "Upload too large", f"{length} bytes is over the limit of "
                      f"{limit} bytes (Tus-Max-Size)", kind="too-large")
    return length


def _checksum(value: str | None) -> tuple[str, bytes] | None:
    if value is None:
        return None
    algorithm, _, encoded = value.strip().partition(" ")
    if algorithm not in CHECKSUMS:
        raise Problem(400, "Unsupported checksum algorithm",
                      f"Upload-Checksum supports {', '.join(CHECKSUMS)}", kind="tus-checksum")
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise Problem(400, "Bad Upload-Checksum", "the checksum is not base64",
                      kind="tus-checksum") from None
    return algorithm, digest


def parse_metadata(header: str | None) -> dict:
    """tus `Upload-Metadata` ("key base64,key base64") → validated dictation metadata.
    Bad encoding is a 400 naming the key; invalid values a 422 naming the field."""
    raw: dict[str, str] = {}
    for pair in (header or "").split(","):
        if not pair.strip():
            continue
        key, _, encoded = pair.strip().partition(" ")
        try:
            raw[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise _metadata_problem(key, "is not base64-encoded UTF-8") from None
    sha256 = raw.pop("sha256", None)
    key = raw.pop("idempotency_key", None)
    if key is not None and not 0 < len(key) <= 200:
        raise _metadata_problem("idempotency_key", "must be 1-200 characters")
    fields = {k: v for k, v in raw.items() if k not in _IGNORED_METADATA}
    unknown = set(fields) - set(DictationMetadata.model_fields)
    if unknown:
        raise _metadata_problem(min(unknown), "is not a dictation field")
    try:
        for name, value in {**fields, **({"idempotency_key": key} if key else {})}.items():
            single_line(value)
    except ValueError as exc:
        raise _metadata_problem(name, str(exc)) from None
    if sha256 is not None and not _is_sha256(sha256):
        raise _metadata_problem("sha256", "must be 64 lowercase hex digits")
    try:
        metadata = DictationMetadata(**fields).model_dump(mode="json", exclude_unset=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise _metadata_problem(".".join(map(str, first["loc"])), first["msg"]) from None
    return {**metadata, **({"sha256": sha256} if sha256 else {}),
            **({"idempotency_key": key} if key else {})}


def format_metadata(metadata: dict) -> str:
    def plain(value) -> str:  # alarm_ids: as sent, ids separated by commas
        return ",".join(value) if isinstance(value, list) else str(value)
    return ",".join(f"{k} {base64.b64encode(plain(v).encode()).decode()}"
                    for k, v in metadata.items() if v is not None and v != [])


def _is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _metadata_problem(key: str, message: str) -> Problem:
    status = 400 if message.startswith("is not base64") else 422
    return Problem(status, "Invalid Upload-Metadata", f"Upload-Metadata.{key}: {message}",
                   kind="invalid-request")


def _expires(row: Upload) -> dict[str, str]:
    if row.status != "receiving" or row.expires_at is None:
        return {}
    utc = as_utc(row.expires_at).astimezone(UTC)  # PostgreSQL gives +00:00 zones
    return {"Upload-Expires": email.utils.format_datetime(utc, usegmt=True)}

