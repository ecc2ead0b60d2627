"""Retention: recordings live only as long as they are needed, notes only as configured.

Audio is part of the journal only until its content is written down
(pasientjournalforskriften § 8), so by default it goes when the note is approved (see
routers/notes.py); `hours_after_approval` keeps it a while for the nurse's review, and
`training_audio_days` keeps it for model adaptation only where the speaker consented. Notes are
purged a configurable time after approval, but never before their deliveries (the outbox,
service/deliveries/) have arrived. Deletion is real: the file and the row (note
versions and jobs go with it).

Alarms go `alarms_days_after_documented` after they were documented, or, never documented,
`alarms_days_open` after they arrived — but never while a dictation linked to them still has
a delivery under way (the JFT document is rendered from the alarm). The gains figures are
daily aggregates (service/stats/) and are not touched. With an audit log, each deleted
dictation and alarm is audited (`delete` by `dikta-retention`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select

from service.core.audio_files import remove
from service.core.store import (
    UNDELIVERED,
    Alarm,
    AlarmLink,
    Delivery,
    Dictation,
    Store,
    as_utc,
)

log = logging.getLogger("dikta.retention")


@dataclass(frozen=True)
class PurgeResult:
    audio_deleted: int
    dictations_deleted: int
    uploads_expired: int = 0
    alarms_deleted: int = 0


ACTOR = "dikta-retention"


def purge(store: Store, retention, now: datetime | None = None, audit=None) -> PurgeResult:
    """Run every purge once; `audit` (service.core.audit.AuditLog) records each deletion."""
    from service.uploads.partial_files import purge_expired

    now = now or datetime.now(UTC)
    audio = _expired_audio(store, retention, now)
    dictations = _expired_notes(store, retention, now)
    alarms = _expired_alarms(store, retention, now)
    uploads = purge_expired(store, now)
    if audit is not None:
        for tenant_id, resource_type, resource_id, patient_ref in dictations + alarms:
            audit.record(tenant_id=tenant_id, actor=ACTOR, action="delete",
                         resource_type=resource_type, resource_id=resource_id,
                         patient_ref=patient_ref, request_id=None)
    if audio or dictations or uploads or alarms:
        log.info("purge", extra={"event": f"audio={audio} dictations={len(dictations)} "
                                          f"alarms={len(alarms)} uploads_expired={uploads}"})
    return PurgeResult(audio, len(dictations), uploads, len(alarms))


def kept_for_training(row: Dictation, retention, now: datetime) -> bool:
    """The speaker consented and the operator keeps consented audio for training."""
    if not (row.training_consent and retention.training_audio_days > 0):
        return False
    approved = as_utc(row.approved_at or now)
    return now < approved + timedelta(days=retention.training_audio_days)


def _expired_audio(store: Store, retention, now: datetime) -> int:
    if retention.audio == "hours_after_approval":
        cutoff = now - timedelta(hours=retention.audio_hours_after_approval)
    elif retention.audio == "on_approval":
        cutoff = now  # approval normally deletes at once; this catches any left behind
    else:
        return 0
    count = 0
    with store.session() as s, s.begin():
        rows = s.scalars(select(Dictation).where(Dictation.approved_at.is_not(None),
                                                 Dictation.approved_at <= cutoff,
                                                 Dictation.audio_path.is_not(None)))
        for row in rows:
            if kept_for_training(row, retention, now):
                continue
            remove(row.audio_path)
            row.audio_path = None
            count += 1
    return count


def _expired_notes(store: Store, retention, now: datetime) -> list[tuple]:
    if retention.notes_days_after_approval is None:
        return []
    cutoff = now - timedelta(days=retention.notes_days_after_approval)
    # A note still on its way to the journal (or dead-lettered, waiting for the operator's
    # retry) is the only copy the receiver can get: it stays until delivered.
    undelivered = select(Delivery.dictation_id).where(Delivery.state.in_(UNDELIVERED))
    with store.session() as s, s.begin():
        rows = list(s.scalars(select(Dictation).where(Dictation.approved_at.is_not(None),
                                                      Dictation.approved_at <= cutoff,
                                                      Dictation.id.not_in(undelivered))))
        deleted = [(row.tenant_id, "dictation", row.id, row.patient_ref) for row in rows]
        for row in rows:
            remove(row.audio_path)
            s.delete(row)
    return deleted


def _expired_alarms(store: Store, retention, now: datetime) -> list[tuple]:
    expired = []
    if retention.alarms_days_after_documented is not None:
        cutoff = now - timedelta(days=retention.alarms_days_after_documented)
        expired.append((Alarm.status == "documented") & (Alarm.documented_at <= cutoff))
    if retention.alarms_days_open is not None:
        cutoff = now - timedelta(days=retention.alarms_days_open)
        expired.append((Alarm.status != "documented") & (Alarm.created_at <= cutoff))
    if not expired:
        return []
    # The JFT document of a note is rendered from its alarms; one whose note is still on its
    # way (or dead-lettered, waiting for a retry that renders it again) must stay.
    undelivered = select(Delivery.dictation_id).where(Delivery.state.in_(UNDELIVERED))
    waiting = select(AlarmLink.alarm_id).where(AlarmLink.dictation_id.in_(undelivered))
    with store.session() as s, s.begin():
        rows = s.execute(select(Alarm.id, Alarm.tenant_id, Alarm.patient_ref).where(
            or_(*expired), Alarm.id.not_in(waiting),
            or_(Alarm.dictation_id.is_(None), Alarm.dictation_id.not_in(undelivered)))).all()
        ids = [row.id for row in rows]
        for start in range(0, len(ids), 500):  # bounded IN lists
            chunk = ids[start:start + 500]
            s.execute(delete(AlarmLink).where(AlarmLink.alarm_id.in_(chunk)))
            s.execute(delete(Alarm).where(Alarm.id.in_(chunk)))
    return [(row.tenant_id, "alarm", row.id, row.patient_ref) for row in rows]


class PurgeSchedule:
    """Runs the purge every `interval_s` in a daemon thread of the API process."""

    def __init__(self, store: Store, retention, audit=None) -> None:
        self.store, self.retention, self.audit = store, retention, audit
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.retention.purge_interval_s <= 0:
            return
        self._thread = threading.Thread(target=self._run, name="dikta-purge", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.wait(self.retention.purge_interval_s):
            try:
                purge(self.store, self.retention, audit=self.audit)
            except Exception:  # try again next round; never take the service down
                log.exception("purge failed")
