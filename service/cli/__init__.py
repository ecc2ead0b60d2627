"""`dikta`: the one command line in front of everything — one module per command group.

Errors the user can act on (bad audio, unknown model, bad option) print one line and exit
non-zero, never a traceback. Progress goes to stderr; results go to stdout or --out.
"""

from __future__ import annotations

from importlib.metadata import version

import click

from pipelines.offline import enforce_offline
from service.cli import (
    adapt,
    audit,
    batch,
    bench,
    deliveries,
    evaluate,
    keys,
    models,
    notes,
    retention,
    serve,
    stats,
    tenants,
    transcribe,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version("dikta"), prog_name="dikta")
def main() -> None:
    """Dikta: on-premise Norwegian speech-to-text for municipal health care."""
    enforce_offline()  # before any command imports onnxruntime, huggingface_hub, transformers


for command in (transcribe.transcribe, notes.structure, notes.note, models.models,
                evaluate.evaluate, bench.bench, serve.serve, serve.worker, batch.batch,
                keys.keys, retention.purge, audit.audit, tenants.tenants, adapt.adapt,
                deliveries.deliveries, stats.stats):
    main.add_command(command)
