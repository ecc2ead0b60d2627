"""`dikta batch`: resumable batch transcription of files, folders and globs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from service.cli.common import EXIT_FAILED, EXIT_USAGE, fail
from service.core.settings import get_settings


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the outputs (txt, json, note.json) and the batch state.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes, each with its own model copy.")
@click.option("--tenant", default=None,
              help="Structure notes as this tenant does (its template, written standard, "
                   "lexicon and model) [default: the service's settings].")
def batch(inputs: tuple[str, ...], out: Path, workers: int, tenant: str | None) -> None:
    """Transcribe and structure files, folders and globs; a rerun skips finished files."""
    from service.core.store import open_store
    from service.dictations.batch import run_batch
    from service.tenants.profile import tenant_profile

    settings = get_settings()
    profile = None
    if tenant:
        store = open_store(settings)
        found = store.tenant_by_name(tenant)
        if found is None:
            fail(f"no tenant named '{tenant}'", EXIT_USAGE)
        profile = tenant_profile(store, settings, found.id)
    summary = run_batch(settings, inputs, out, workers=workers, profile=profile)
    for line in summary.lines():
        click.echo(line)
    if summary.failed:
        sys.exit(EXIT_FAILED)
