"""`dikta purge`: delete what retention says has served its purpose."""

from __future__ import annotations

import click

from service.core.settings import get_settings


@click.command()
def purge() -> None:
    """Delete recordings and notes past their retention (also runs inside the service)."""
    from service.core.retention import purge as run_purge
    from service.core.store import open_store

    settings = get_settings()
    result = run_purge(open_store(settings), settings.retention)
    click.echo(f"deleted {result.audio_deleted} recordings and "
               f"{result.dictations_deleted} dictations")
