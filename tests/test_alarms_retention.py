"""Alarm retention: documented alarms go `alarms_days_after_documented` after documentation,
never-documented ones `alarms_days_open` after they arrived; an alarm whose documenting note
still has a delivery under way (pending, sending or dead) stays; the gains aggregates stay;
each deletion is audited. On SQLite and PostgreSQL. (That the figures of a real flow survive
is checked in tests/test_alarms_stats.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from service.core.audit import AuditLog
from service.core.retention import purge
from service.core.settings import RetentionSettings, Settings
from service.core.store import Alarm, AlarmLink, Delivery, Dictation, Tenant, open_store
from service.stats.aggregates import bump
from service.stats.tables import DailyStats
from tests.databases import database_url
from tests.needs import need_postgres

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, tmp_path):
    if request.param == "postgresql":
        need_postgres()
    with database_url(request.param) as url:
        settings = Settings(data_dir=tmp_path, database_url=url)
        store = open_store(settings)
        store.create_key("kommune-a", "ingest")
        try:
            yield store, AuditLog.for_settings(store, settings)
        finally:
            store.engine.dispose()


def _seed(store) -> dict[str, str]:
    """Alarms of every kind, with their notes and deliveries; returns name → alarm id."""
    ids = {}
    with store.session() as s, s.begin():
        tenant = s.scalar(select(Tenant).where(Tenant.name == "kommune-a"))

        def note(delivery_state: str | None) -> str:
            row = Dictation(tenant_id=tenant.id, status="done", patient_ref="pas-1",
                            approved_at=NOW - timedelta(days=300))
            s.add(row)
            s.flush()
            if delivery_state:
                s.add(Delivery(tenant_id=tenant.id, dictation_id=row.id, version=2,
                               target="jft", kind="jft", document={}, state=delivery_state))
            return row.id

        def alarm(name: str, *, documented_days: float | None = None,
                  arrived_days: float = 400, dictation: str | None = None,
                  link_only: bool = False) -> None:
            row = Alarm(tenant_id=tenant.id, source="responssenter", source_id=name,
                        fingerprint=name, vkp_code="4.1", patient_ref="pas-1",
                        occurred_at=NOW - timedelta(days=arrived_days),
                        created_at=NOW - timedelta(days=arrived_days),
                        status="documented" if documented_days is not None else "open",
                        documented_at=None if documented_days is None
                        else NOW - timedelta(days=documented_days),
                        dictation_id=None if link_only else dictation)
            s.add(row)
            s.flush()
            if dictation:
                s.add(AlarmLink(tenant_id=tenant.id, alarm_id=row.id, dictation_id=dictation,
                                event_index=0, origin="explicit", state="settled"))
            ids[name] = row.id

        alarm("old-documented", documented_days=200, dictation=note("delivered"))
        alarm("new-documented", documented_days=10, dictation=note("delivered"))
        ids["pending-note"] = note("pending")
        alarm("old-but-pending", documented_days=200, dictation=ids["pending-note"])
        alarm("old-but-dead", documented_days=200, dictation=note("dead"), link_only=True)
        alarm("old-open", arrived_days=400)
        alarm("new-open", arrived_days=100)
        alarm("open-draft-link", arrived_days=400, dictation=note(None))
        bump(s, tenant.id, NOW - timedelta(days=400), alarms_received=6)
        bump(s, tenant.id, NOW - timedelta(days=200), alarms_documented=4,
             alarm_minutes=12.0, technology="fallsensor")
        ids["tenant"] = tenant.id
    return ids


def _left(store) -> set[str]:
    with store.session() as s:
        return set(s.scalars(select(Alarm.source_id)))


def _aggregates(store) -> list[tuple]:
    with store.session() as s:
        return [(r.day, r.alarms_received, r.alarms_documented, r.alarm_minutes, r.technologies)
                for r in s.scalars(select(DailyStats).order_by(DailyStats.day))]


def test_alarms_are_purged_after_their_retention_but_not_before_delivery(world):
    store, audit = world
    ids = _seed(store)
    figures = _aggregates(store)
    retention = RetentionSettings(alarms_days_after_documented=180, alarms_days_open=365)
    result = purge(store, retention, NOW, audit=audit)
    assert result.alarms_deleted == 3 and result.dictations_deleted == 0
    assert _left(store) == {"new-documented", "old-but-pending", "old-but-dead", "new-open"}
    with store.session() as s:  # the links went with their alarms; the notes stayed
        linked = set(s.scalars(select(AlarmLink.alarm_id)))
        assert ids["old-documented"] not in linked and ids["open-draft-link"] not in linked
        assert ids["old-but-pending"] in linked
        assert s.scalar(select(Dictation).where(Dictation.id == ids["pending-note"]))
    assert _aggregates(store) == figures  # the gains figures are untouched

    deleted = [e for e in audit.events(tenant_id=ids["tenant"]) if e.resource_type == "alarm"]
    assert sorted(e.resource_id for e in deleted) == sorted(
        ids[name] for name in ("old-documented", "old-open", "open-draft-link"))
    assert {(e.action, e.actor, e.patient_ref) for e in deleted} == {
        ("delete", "dikta-retention", "pas-1")}
    assert audit.verify().ok

    # Once the note is delivered, its alarm goes too.
    with store.session() as s, s.begin():
        s.execute(update(Delivery).where(Delivery.dictation_id == ids["pending-note"])
                  .values(state="delivered"))
    assert purge(store, retention, NOW, audit=audit).alarms_deleted == 1
    assert "old-but-pending" not in _left(store)
    assert _aggregates(store) == figures


def test_unset_retention_keeps_every_alarm(world):
    store, _ = world
    _seed(store)
    before = _left(store)
    retention = RetentionSettings(alarms_days_after_documented=None, alarms_days_open=None)
    assert purge(store, retention, NOW + timedelta(days=3650)).alarms_deleted == 0
    assert _left(store) == before


def test_the_defaults_are_documented_half_a_year_open_a_year():
    retention = RetentionSettings()
    assert retention.alarms_days_after_documented == 180.0
    assert retention.alarms_days_open == 365.0
