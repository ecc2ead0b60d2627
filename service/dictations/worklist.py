"""The nurse's worklist: a tenant's dictations, newest first, by patient, stage and time.

Stages are the words the nurse sees, mapped onto the row's processing status and approval:

    queued        status queued (waiting for the recogniser)
    transcribing  status running
    draft         status done, not approved (the nurse edits and approves)
    approved      approved, its note not (yet) delivered anywhere
    delivered     approved, and every delivery of the approved version arrived (the outbox,
                  service/deliveries; at least one: a tenant with no targets stays approved)
    failed        status failed or dead (bad audio, or given up after retries)

Paging is by keyset on (created_at, id) with a signed cursor (service/core/cursors.py):
stable under inserts, no offsets to count, and no way to page into another tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, not_, or_, select
from sqlalchemy.orm import selectinload

from service.core.cursors import CursorCodec
from service.core.errors import Problem
from service.core.store import Delivery, Dictation, as_utc

STAGES = ("queued", "transcribing", "draft", "approved", "delivered", "failed")


def _delivered():
    """Approved, with deliveries of the approved version, none of them still undelivered."""
    of_version = and_(Delivery.dictation_id == Dictation.id,
                      Delivery.version == Dictation.approved_version)
    return and_(Dictation.approved_at.is_not(None), exists().where(of_version),
                not_(exists().where(of_version, Delivery.state != "delivered")))


STAGE_FILTERS = {
    "queued": lambda: Dictation.status == "queued",
    "transcribing": lambda: Dictation.status == "running",
    "draft": lambda: and_(Dictation.status == "done", Dictation.approved_at.is_(None)),
    "approved": lambda: and_(Dictation.approved_at.is_not(None), not_(_delivered())),
    "delivered": _delivered,
    "failed": lambda: Dictation.status.in_(("failed", "dead")),
}


def delivered_ids(session, ids: list[str]) -> set[str]:
    """Which of these dictations are in the `delivered` stage (one query for a page)."""
    if not ids:
        return set()
    return set(session.scalars(select(Dictation.id).where(Dictation.id.in_(ids),
                                                          _delivered())))


def stage(row: Dictation, delivered: bool = False) -> str:
    """The worklist stage of a dictation (see the module docstring); `delivered` from
    delivered_ids()."""
    if row.approved_at is not None:
        return "delivered" if delivered else "approved"
    return {"queued": "queued", "running": "transcribing", "done": "draft"}.get(
        row.status, "failed")


@dataclass(frozen=True)
class WorklistQuery:
    patient_ref: str | None = None
    stages: tuple[str, ...] = ()
    since: datetime | None = None  # created or changed at or after this time
    cursor: str | None = None
    limit: int = 25

    def scope(self, tenant_id: str) -> str:
        """What a cursor is bound to: the tenant and every filter (never the limit)."""
        since = as_utc(self.since).isoformat() if self.since else ""
        return "\n".join(["worklist", tenant_id, self.patient_ref or "",
                          ",".join(sorted(self.stages)), since])


@dataclass(frozen=True)
class WorklistPage:
    items: list[Dictation]
    next_cursor: str | None
    delivered: frozenset[str] = frozenset()  # ids of the items in the `delivered` stage


def parse_stages(value: str | None) -> tuple[str, ...]:
    """`status=draft,approved` → ("draft", "approved"); an unknown stage is a 400."""
    if not value:
        return ()
    stages = tuple(dict.fromkeys(s.strip() for s in value.split(",") if s.strip()))
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise Problem(400, "Invalid status", f"'status' must be one of {', '.join(STAGES)} "
                      f"(comma-separated); got {unknown[0]!r}"[:300], kind="invalid-query")
    return stages


def list_dictations(state, tenant_id: str, query: WorklistQuery,
                    codec: CursorCodec) -> WorklistPage:
    """One page of the tenant's dictations, newest first, and the cursor of the next."""
    scope = query.scope(tenant_id)
    statement = (select(Dictation).where(Dictation.tenant_id == tenant_id)
                 .options(selectinload(Dictation.asr_draft))
                 .order_by(Dictation.created_at.desc(), Dictation.id.desc())
                 .limit(query.limit + 1))
    if query.patient_ref is not None:
        statement = statement.where(Dictation.patient_ref == query.patient_ref)
    if query.stages:
        statement = statement.where(or_(*(STAGE_FILTERS[s]() for s in query.stages)))
    if query.since is not None:
        since = as_utc(query.since)
        statement = statement.where(or_(Dictation.created_at >= since,
                                        Dictation.updated_at >= since))
    if query.cursor:
        at, row_id = codec.decode(scope, query.cursor)
        statement = statement.where(or_(Dictation.created_at < at,
                                        and_(Dictation.created_at == at,
                                             Dictation.id < row_id)))
    with state.store.session() as s:
        rows = list(s.scalars(statement))
        delivered = delivered_ids(s, [r.id for r in rows[:query.limit]])
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    cursor = codec.encode(scope, (as_utc(rows[-1].created_at), rows[-1].id)) \
        if more else None
    return WorklistPage(rows, cursor, frozenset(delivered))
