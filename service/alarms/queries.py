"""Reading a tenant's alarms: lists by status, patient and time, and one by id (another
tenant's id is a 404, exactly like one that does not exist)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from service.alarms.pseudonym import PREFIX, as_patient_ref
from service.alarms.tables import Alarm
from service.core.errors import Problem
from service.core.store import as_utc
from service.tenants.scoped import owned

MAX_LIMIT = 500


def shown_patient_ref(alarm: Alarm) -> str | None:
    """The patient reference the API shows: the opaque reference sent, else the pseudonym."""
    if alarm.patient_ref:
        return alarm.patient_ref
    return as_patient_ref(alarm.patient_pseudonym) if alarm.patient_pseudonym else None


def patient_filter(patient_ref: str):
    """Alarms of a patient reference: the opaque reference, or a `pid:` pseudonym."""
    digits = patient_ref[len(PREFIX):]
    if patient_ref.startswith(PREFIX) and len(digits) == 32 and \
            all(c in "0123456789abcdef" for c in digits):
        return Alarm.patient_pseudonym.startswith(digits)
    return Alarm.patient_ref == patient_ref


def list_alarms(state, tenant_id: str, *, status: str = "open", patient_ref: str | None = None,
                since: datetime | None = None, limit: int = 100) -> list[Alarm]:
    """Newest first."""
    query = select(Alarm).where(Alarm.tenant_id == tenant_id)
    if status != "all":
        query = query.where(Alarm.status == status)
    if patient_ref:
        query = query.where(patient_filter(patient_ref))
    if since is not None:  # SQLite compares stored UTC wall-clocks: the bound in UTC too
        query = query.where(Alarm.occurred_at >= as_utc(since).astimezone(UTC))
    query = query.order_by(Alarm.occurred_at.desc(), Alarm.id).limit(min(limit, MAX_LIMIT))
    with state.store.session() as s:
        return list(s.scalars(query))


def owned_alarm(state, tenant_id: str, alarm_id: str) -> Alarm:
    if len(alarm_id) > 64:
        raise Problem(404, "Not found", "no alarm with that id", kind="not-found")
    return owned(state, Alarm, tenant_id, alarm_id, "alarm")
