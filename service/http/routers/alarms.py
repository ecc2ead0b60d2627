"""Welfare-technology alarms in from VKP/JFT (use cases: service/alarms/)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from service.alarms.ingest import PlainAlarm, ingest
from service.alarms.queries import list_alarms, owned_alarm, shown_patient_ref
from service.alarms.tables import Alarm
from service.core.store import as_utc
from service.core.text_fields import SingleLine
from service.http.deps import (
    Principal,
    StateDep,
    TenantDep,
    audit,
    can_read_notes,
    require,
)
from structuring.privacy import mask_national_ids

router = APIRouter(tags=["alarms"])


class AlarmOut(BaseModel):
    """An alarm as the API shows it: never the national ID, only whether one is stored."""

    id: str
    source: str
    source_id: str
    vkp_code: str
    occurred_at: datetime
    severity: str | None = None
    device_id: str | None = None
    patient_ref: str | None = Field(None, description="The opaque reference sent, else the "
                                    "tenant's pseudonym of the national ID (pid:…)")
    has_national_id: bool = False
    detail: str | None = Field(None, description="Free text (read_notes only; IDs masked)")
    status: Literal["open", "documented"]
    dictation_id: str | None = None
    documented_at: datetime | None = None
    created_at: datetime


class IngestOut(BaseModel):
    items: list[AlarmOut]
    created: int = Field(..., description="How many of the items this request stored")


def _utc(value: datetime) -> datetime:
    return as_utc(value).astimezone(UTC)


def alarm_out(row: Alarm, principal: Principal) -> AlarmOut:
    return AlarmOut(id=row.id, source=row.source, source_id=row.source_id,
                    vkp_code=row.vkp_code, occurred_at=_utc(row.occurred_at),
                    severity=row.severity,
                    device_id=row.device_id, patient_ref=shown_patient_ref(row),
                    has_national_id=row.national_id is not None,
                    detail=mask_national_ids(row.detail)
                    if row.detail and can_read_notes(principal) else None,
                    status=row.status, dictation_id=row.dictation_id,
                    documented_at=row.documented_at and _utc(row.documented_at),
                    created_at=_utc(row.created_at))


FHIR_BODY = {"content": {
    "application/fhir+json": {"schema": {"type": "object", "description":
                              "VKP/JFT Bundle or a DetectedIssue (VKP-R4 profiles)"}},
    "application/json": {"schema": PlainAlarm.model_json_schema()}},
    "required": True}


@router.post("/alarms", status_code=201, response_model=IngestOut,
             dependencies=[require("ingest")], openapi_extra={"requestBody": FHIR_BODY},
             responses={200: {"model": IngestOut, "description": "All already stored (replay)"},
                        409: {"description": "source_id already used for another alarm"},
                        415: {"description": "Not JSON"},
                        422: {"description": "Invalid alarm; `errors` names the element"},
                        503: {"description": "FHIR payload, but no VKP profiles configured"}})
async def post_alarms(state: StateDep, tenant: TenantDep, request: Request, response: Response):
    """Receive alarms: a VKP/JFT Bundle or DetectedIssue, or the plain JSON format."""
    body = await request.body()
    stored = ingest(state, tenant.id, body, request.headers.get("content-type"))
    for item in stored:
        audit(request, "create" if item.created else "read", "alarm", item.alarm.id,
              shown_patient_ref(item.alarm))
    created = sum(item.created for item in stored)
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/v1/alarms/{stored[0].alarm.id}"
    return IngestOut(items=[alarm_out(item.alarm, tenant) for item in stored], created=created)


@router.get("/alarms", response_model=list[AlarmOut], dependencies=[require("read_notes")])
def get_alarms(state: StateDep, tenant: TenantDep, request: Request,
               status: Literal["open", "documented", "all"] = "open",
               patient_ref: Annotated[SingleLine | None, Query(max_length=200)] = None,
               since: datetime | None = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100):
    """The tenant's alarms, newest first."""
    rows = list_alarms(state, tenant.id, status=status, patient_ref=patient_ref, since=since,
                       limit=limit)
    for row in rows:
        audit(request, "read", "alarm", row.id, shown_patient_ref(row))
    return [alarm_out(row, tenant) for row in rows]


@router.get("/alarms/{alarm_id}", response_model=AlarmOut, dependencies=[require("read_notes")],
            responses={404: {"description": "No such alarm for this tenant"}})
def get_alarm(state: StateDep, tenant: TenantDep, request: Request, alarm_id: str):
    """One alarm."""
    row = owned_alarm(state, tenant.id, alarm_id)
    audit(request, "read", "alarm", row.id, shown_patient_ref(row))
    return alarm_out(row, tenant)
