"""Batches over the API: many uploads (or a server folder inside the allowed roots) become
dictations; progress and results (JSON Lines or zip) come back per batch."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Literal

from fastapi import APIRouter, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from service.core.errors import Problem
from service.core.masking import masked_json
from service.core.store import Batch, Dictation
from service.core.text_fields import SingleLine
from service.dictations.batch import AUDIO_SUFFIXES
from service.dictations.create import DictationMetadata, create_dictation
from service.http.deps import StateDep, TenantDep, audit, require
from service.tenants.scoped import owned
from structuring.privacy import mask_national_ids

router = APIRouter(tags=["batches"])
FINISHED = ("done", "failed", "dead")
MAX_FOLDER_FILES = 10_000


class BatchItem(BaseModel):
    dictation_id: str
    source_name: str | None
    status: str
    error: str | None = None


class BatchOut(BaseModel):
    id: str
    total: int
    counts: dict[str, int] = Field(description="Dictations per status")
    complete: bool
    items: list[BatchItem]


class FolderBatch(DictationMetadata):
    folder: SingleLine = Field(..., description="A folder inside DIKTA_SERVICE__BATCH_ROOTS")


def _new_batch(state, tenant_id: str, total: int) -> str:
    batch = Batch(tenant_id=tenant_id, total=total)
    with state.store.session() as s, s.begin():
        s.add(batch)
    return batch.id


def _owned(state, tenant_id: str, batch_id: str) -> Batch:
    return owned(state, Batch, tenant_id, batch_id, "batch")


def _rows(state, batch: Batch) -> list[Dictation]:
    with state.store.session() as s:
        return list(s.scalars(select(Dictation).where(Dictation.batch_id == batch.id,
                                                      Dictation.tenant_id == batch.tenant_id)
                              .order_by(Dictation.created_at, Dictation.id)))


def batch_out(state, batch: Batch) -> BatchOut:
    rows = _rows(state, batch)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return BatchOut(id=batch.id, total=batch.total, counts=counts,
                    complete=len(rows) == batch.total and all(r.status in FINISHED
                                                              for r in rows),
                    items=[BatchItem(dictation_id=r.id, source_name=r.source_name,
                                     status=r.status, error=r.error) for r in rows])


@router.post("/batches", status_code=202, response_model=BatchOut,
             dependencies=[require("dictate")])
async def create_batch(state: StateDep, tenant: TenantDep, request: Request,
                       files: list[UploadFile]):
    """Upload many recordings at once; each becomes a dictation of the batch."""
    batch_id = _new_batch(state, tenant.id, len(files))
    audit(request, "create", "batch", batch_id)
    for upload in files:
        create_dictation(state, tenant.id, await upload.read(), DictationMetadata(), None,
                         batch_id=batch_id, source_name=upload.filename)
    return batch_out(state, _owned(state, tenant.id, batch_id))


@router.post("/batches/folder", status_code=202, response_model=BatchOut,
             dependencies=[require("dictate")],
             responses={403: {"description": "Folder outside the allowed roots"}})
def create_folder_batch(state: StateDep, tenant: TenantDep, request: Request,
                        body: FolderBatch):
    """Transcribe the recordings in a server folder (inside the configured allowed roots)."""
    folder = _allowed_folder(state, body.folder)
    files = sorted(p for p in folder.rglob("*")
                   if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)[:MAX_FOLDER_FILES]
    batch_id = _new_batch(state, tenant.id, len(files))
    audit(request, "create", "batch", batch_id, body.patient_ref)
    meta = DictationMetadata(**body.model_dump(exclude={"folder"}))
    for path in files:
        create_dictation(state, tenant.id, path.read_bytes(), meta, None, batch_id=batch_id,
                         source_name=str(path.relative_to(folder)))
    return batch_out(state, _owned(state, tenant.id, batch_id))


def _allowed_folder(state, requested: str) -> Path:
    roots = [Path(r).resolve() for r in state.settings.service.batch_roots]
    try:
        folder = Path(requested).resolve()  # resolves "..", symlinks: no way out of a root
    except (ValueError, OSError):  # e.g. a NUL byte in the path (found by schemathesis)
        raise Problem(422, "Invalid folder", "the folder is not a valid path",
                      kind="invalid-folder") from None
    if not any(folder == root or folder.is_relative_to(root) for root in roots):
        raise Problem(403, "Folder not allowed", "the folder is not inside an allowed batch "
                      "root (DIKTA_SERVICE__BATCH_ROOTS)", kind="forbidden-folder")
    if not folder.is_dir():
        raise Problem(404, "Not found", "no such folder", kind="not-found")
    return folder


@router.get("/batches/{batch_id}", response_model=BatchOut,
            dependencies=[require("read_notes")])
def get_batch(state: StateDep, tenant: TenantDep, request: Request, batch_id: str):
    """Progress of a batch: counts per status, and each item."""
    batch = _owned(state, tenant.id, batch_id)
    audit(request, "read", "batch", batch.id)
    return batch_out(state, batch)


@router.get("/batches/{batch_id}/results", response_class=Response,
            dependencies=[require("read_notes")], responses={
    200: {"content": {"application/x-ndjson": {}, "application/zip": {}},
          "description": "One JSON line per dictation, or a zip with text and notes"}})
def batch_results(state: StateDep, tenant: TenantDep, request: Request, batch_id: str,
                  format: Literal["jsonl", "zip"] = "jsonl"):
    """Results so far: transcript and structured note of each dictation."""
    rows = [_masked(r) for r in _rows(state, _owned(state, tenant.id, batch_id))]
    for row in rows:
        audit(request, "read", "dictation", row.id, row.patient_ref)
    lines = [json.dumps({"dictation_id": r.id, "source_name": r.source_name,
                         "status": r.status, "error": r.error, "transcript": r.transcript,
                         "note": r.note}, ensure_ascii=False) for r in rows]
    jsonl = "".join(line + "\n" for line in lines)
    if format == "jsonl":
        return Response(jsonl, media_type="application/x-ndjson")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("results.jsonl", jsonl)
        for row in rows:
            if row.status == "done":
                archive.writestr(f"{row.id}.txt", (row.transcript or "") + "\n")
                archive.writestr(f"{row.id}.note.json",
                                 json.dumps(row.note, ensure_ascii=False, indent=2))
    return StreamingResponse(iter([buffer.getvalue()]), media_type="application/zip",
                             headers={"Content-Disposition":
                                      f'attachment; filename="batch-{batch_id}.zip"'})


def _masked(row):
    """A detached copy of the row whose texts carry no national ID number."""
    return SimpleNamespace(id=row.id, source_name=row.source_name, status=row.status,
                           error=row.error, patient_ref=row.patient_ref,
                           transcript=mask_national_ids(row.transcript or "") or None,
                           note=masked_json(row.note))
