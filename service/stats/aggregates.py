"""Counting an event into its tenant's daily row, inside the caller's transaction: the figure
and the event commit or roll back together."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from service.core.store import new_id
from service.stats.tables import DailyStats

COUNTERS = ("dictations", "audio_seconds", "notes_approved", "notes_edited", "approved_words",
            "approved_audio_seconds", "alarms_received", "alarms_documented")


def _insert_missing(session: Session, tenant_id: str, day) -> None:
    """The day's row, made if missing with INSERT … ON CONFLICT DO NOTHING: parallel first
    events of a day never fail (and on SQLite this takes the write lock first)."""
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(DailyStats).values(
        id=new_id(), tenant_id=tenant_id, day=day, dictations=0, audio_seconds=0.0,
        notes_approved=0, notes_edited=0, approved_words=0, approved_audio_seconds=0.0,
        alarms_received=0, alarms_documented=0, alarm_minutes={}, technologies={},
    ).on_conflict_do_nothing(index_elements=["tenant_id", "day"]))


def bump(session: Session, tenant_id: str, at: datetime, *, alarm_minutes: float | None = None,
         technology: str | None = None, false_alarm: bool = False, **counts: float) -> None:
    """Add `counts` (names of COUNTERS) to the tenant's row for the UTC day of `at`; an
    alarm documented after `alarm_minutes` adds to the histogram and, with `technology`,
    to that technology's documented (and false-alarm) count."""
    unknown = set(counts) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    day = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).date()
    _insert_missing(session, tenant_id, day)
    row = session.scalar(select(DailyStats).where(DailyStats.tenant_id == tenant_id,
                                                  DailyStats.day == day)
                          .with_for_update().execution_options(populate_existing=True))
    for name, value in counts.items():
        setattr(row, name, (getattr(row, name) or 0) + value)
    if alarm_minutes is not None:
        key = str(max(0, int(alarm_minutes)))
        row.alarm_minutes = {**(row.alarm_minutes or {}),
                             key: (row.alarm_minutes or {}).get(key, 0) + 1}
        flag_modified(row, "alarm_minutes")
    if technology is not None:
        current = dict((row.technologies or {}).get(technology, {}))
        current["documented"] = current.get("documented", 0) + 1
        current["false"] = current.get("false", 0) + (1 if false_alarm else 0)
        row.technologies = {**(row.technologies or {}), technology: current}
        flag_modified(row, "technologies")
