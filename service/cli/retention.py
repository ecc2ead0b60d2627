"""`dikta purge`: delete what retention says has served its purpose."""

from __future__ import annotations

import click

from service.core.settings import get_settings


@click.command()
def purge() -> None:
    """Delete recordings, notes and alarms past their retention (also runs inside the
    service); every deleted note and alarm is audited."""
    from service.core.audit import AuditLog
    from service.core.retention import purge as run_purge
    from service.core.store import open_store

    settings = get_settings()
    store = open_store(settings)
    result = run_purge(store, settings.retention, audit=AuditLog.for_settings(store, settings))
    click.echo(f"deleted {result.audio_deleted} recordings, "
               f"{result.dictations_deleted} dictations and {result.alarms_deleted} alarms")
