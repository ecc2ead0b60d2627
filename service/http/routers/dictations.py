"""Mobile dictation API: upload a recording, get 202, poll for transcript and note."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Header, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from service.core import audio_files
from service.core.errors import Problem
from service.core.masking import masked_json
from service.core.store import Dictation
from service.core.text_fields import SingleLine
from service.deliveries.outbox import deliveries_of
from service.dictations.create import (
    DictationMetadata,
    create_dictation,
    owned_dictation,
)
from service.dictations.worklist import (
    STAGES,
    WorklistQuery,
    delivered_ids,
    list_dictations,
    parse_stages,
    stage,
)
from service.http.deps import (
    Principal,
    StateDep,
    TenantDep,
    audit,
    can_read_notes,
    require,
)
from structuring.privacy import mask_national_ids

router = APIRouter(tags=["dictations"])


class DeliveryOut(BaseModel):
    """Where the approved note is on its way to one target (the outbox)."""

    target: str = Field(description="The configured delivery target's name")
    version: int = Field(description="The approved note version delivered (an amendment's "
                         "approval is a new version, delivered anew)")
    state: Literal["pending", "sending", "delivered", "dead"] = Field(
        description="pending (waiting for an attempt) → sending → delivered, or dead after "
                    "the last attempt (an operator can retry it)")
    attempts: int
    delivered_at: datetime | None = None
    remote_status: str | None = Field(None, description="The receiver's answer, e.g. "
                                      "`202 Accepted`; for JFT then the entry's life-cycle "
                                      "stage as its status URL reports it: `registered`, "
                                      "`read`, `journaled` (or `failed`)")
    remote_status_at: datetime | None = Field(None, description="When the entry reached "
                                              "`remote_status` (the receiver's time where it "
                                              "gives one)")
    remote_status_url: str | None = Field(None, description="Where the receiver reports "
                                                            "what became of the document")
    next_attempt_at: datetime | None = None
    last_error: str | None = Field(None, description="Status and error codes of the last "
                                                     "failed attempt")


class DictationOut(DictationMetadata):
    """A dictation as the API shows it: its metadata (as sent) and its state."""

    id: str
    status: Literal["queued", "running", "done", "failed", "dead"]
    source_name: str | None = None
    batch_id: str | None = None
    epj_issuer: str | None = Field(None, description="The EPJ whose launch session created "
                                   "this dictation (its write-back target)")
    approved_at: datetime | None = Field(None, description="When the note was last approved")
    approved_version: int | None = Field(None, description="The note version the journal "
                                         "holds now")
    amending: bool = Field(False, description="An amendment of the approved note is open")
    audio_stored: bool = Field(False, description="Whether the recording is still kept")
    created_at: datetime
    updated_at: datetime
    attempts: int
    audio_duration_s: float | None = None
    error: str | None = None
    transcript: str | None = None
    note: dict | None = Field(None, description="StructuredNote (structured_note.schema.json)")
    stage: Literal["queued", "transcribing", "draft", "approved", "delivered", "failed"] = Field(
        "queued", description="Where the dictation stands, as the worklist shows it")
    deliveries: list[DeliveryOut] = Field(
        default_factory=list, description="The approved note's deliveries, one per target")
    alarm_ids: list[str] = Field(default_factory=list, exclude=True)
    """Shown as the note's `links` (proposed or settled), not echoed here."""


class DictationPage(BaseModel):
    """One page of the worklist, newest first; `next_cursor` fetches the next (null: last)."""

    items: list[DictationOut]
    next_cursor: str | None = None


def dictation_out(row: Dictation, principal: Principal,
                  delivered: bool = False) -> DictationOut:
    """The dictation as `principal` may see it: transcript and note only with read_notes,
    and national ID numbers masked in both. `delivered`: see worklist.delivered_ids."""
    out = DictationOut.model_validate(row, from_attributes=True)
    out.audio_stored = bool(row.audio_path)
    out.stage = stage(row, delivered)
    if can_read_notes(principal):
        out.transcript = mask_national_ids(row.transcript) if row.transcript else None
        out.note = masked_json(row.note) if row.note else None
    else:
        out.transcript = out.note = None
    return out


@router.post("/dictations", status_code=202, dependencies=[require("dictate")], response_model=DictationOut,
             responses={200: {"model": DictationOut,
                              "description": "A retry with a known Idempotency-Key"},
                        413: {"description": "Too large"}, 415: {"description": "Not audio"},
                        422: {"description": "Corrupt or empty audio / invalid metadata"}})
async def post_dictation(
    state: StateDep, tenant: TenantDep, request: Request, response: Response,
    file: UploadFile,
    meta: Annotated[DictationMetadata, Form()],
    idempotency_key: Annotated[SingleLine | None, Header(max_length=200)] = None,
):
    """Accept a recorded dictation; it is transcribed and structured in the background."""
    data = await file.read()
    row, created = create_dictation(state, tenant.id, data, meta, idempotency_key,
                                    session=tenant.session)
    audit(request, "create" if created else "read", "dictation", row.id, row.patient_ref)
    response.status_code = 202 if created else 200
    response.headers["Location"] = f"/v1/dictations/{row.id}"
    return dictation_out(row, tenant)


@router.get("/dictations", response_model=DictationPage,
            responses={400: {"description": "Bad cursor, status or limit"}})
def list_worklist(
    state: StateDep, tenant: TenantDep, request: Request,
    patient_ref: Annotated[SingleLine | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(
        max_length=100, description=f"Comma-separated stages: {', '.join(STAGES)}")] = None,
    since: Annotated[datetime | None, Query(
        description="Only dictations created or changed at or after this time")] = None,
    cursor: Annotated[str | None, Query(max_length=512,
                                        description="`next_cursor` of the page before")] = None,
    limit: Annotated[int | None, Query(description="Items per page, 1 to the configured "
                                                   "maximum (feed.max_page_size)")] = None,
) -> DictationPage:
    """The tenant's dictations, newest first: the nurse's worklist. Transcript and note
    come only with the read_notes scope."""
    if not {"dictate", "read_notes", "admin"} & tenant.scopes:
        raise Problem(403, "Forbidden", "listing dictations needs the 'dictate' or "
                      "'read_notes' scope", kind="forbidden")
    feed = state.settings.feed
    size = feed.page_size if limit is None else limit
    if not 1 <= size <= feed.max_page_size:
        raise Problem(400, "Invalid limit", f"'limit' must be between 1 and "
                      f"{feed.max_page_size}", kind="invalid-query")
    query = WorklistQuery(patient_ref=patient_ref, stages=parse_stages(status), since=since,
                          cursor=cursor, limit=size)
    page = list_dictations(state, tenant.id, query, state.cursors)
    audit(request, "list", "dictation", None, patient_ref)
    items = [dictation_out(row, tenant, row.id in page.delivered) for row in page.items]
    if can_read_notes(tenant):  # the notes themselves went out: one line per note read
        for row in page.items:
            audit(request, "read", "dictation", row.id, row.patient_ref)
    return DictationPage(items=items, next_cursor=page.next_cursor)


@router.get("/dictations/{dictation_id}", response_model=DictationOut,
            dependencies=[require("read_notes")],
            responses={404: {"description": "No such dictation for this tenant"}})
def get_dictation(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str):
    """Status, transcript and structured note of one dictation."""
    row = owned_dictation(state, tenant.id, dictation_id)
    audit(request, "read", "dictation", row.id, row.patient_ref)
    with state.store.session() as s:
        delivered = bool(delivered_ids(s, [row.id]))
    out = dictation_out(row, tenant, delivered)
    out.deliveries = delivery_out(state, tenant.id, row.id)
    return out


def delivery_out(state, tenant_id: str, dictation_id: str) -> list[DeliveryOut]:
    return [DeliveryOut.model_validate(status, from_attributes=True)
            for status in deliveries_of(state.store, tenant_id, dictation_id)]


@router.delete("/dictations/{dictation_id}", status_code=204,
               dependencies=[require("dictate")],
               responses={404: {"description": "No such dictation for this tenant"}})
def delete_dictation(state: StateDep, tenant: TenantDep, request: Request,
                     dictation_id: str) -> Response:
    """Delete a dictation: its row and its stored recording."""
    row = owned_dictation(state, tenant.id, dictation_id)
    audit(request, "delete", "dictation", row.id, row.patient_ref)
    with state.store.session() as s, s.begin():
        stored = s.get(Dictation, row.id)
        if stored is not None:
            s.delete(stored)
    audio_files.remove(row.audio_path)
    return Response(status_code=204)
