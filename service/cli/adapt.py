"""`dikta adapt`: training data, fine-tuning and the promotion gate."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from service.cli import common
from service.cli.common import EXIT_FAILED, EXIT_USAGE, fail
from service.core.settings import get_settings
from structuring.errors import DiktaError


@click.group()
def adapt() -> None:
    """Adapt the model to a municipality: training data, fine-tuning, promotion gate."""


@adapt.command("export")
@click.option("--tenant", required=True, help="Tenant (municipality) name.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--test-fraction", type=click.FloatRange(0.0, 0.9), default=0.2,
              show_default=True, help="Share of examples (whole speakers) held out for test.")
@click.option("--max-edit-rate", type=click.FloatRange(0.0, 1.0), default=0.5,
              show_default=True,
              help="Skip notes whose approved text differs from the ASR draft more than this "
                   "(rewritten, not corrected: the text would not match the audio).")
def adapt_export(tenant: str, out: Path, test_fraction: float, max_edit_rate: float) -> None:
    """Training manifest (train.jsonl / test.jsonl, 16 kHz WAV) from TENANT's approved
    dictations whose speaker consented and whose audio retention still keeps."""
    import json
    from dataclasses import asdict

    from service.adaptation.training_export import export_training_data
    from service.core.audit import AuditLog
    from service.core.store import open_store

    settings = get_settings()
    store = open_store(settings)
    try:
        summary = export_training_data(store, tenant, out, test_fraction=test_fraction,
                                       max_edit_rate=max_edit_rate,
                                       audit=AuditLog.for_settings(store, settings))
    except LookupError as exc:
        fail(str(exc.args[0]), EXIT_USAGE)
    click.echo(json.dumps(asdict(summary), ensure_ascii=False, indent=2))
    for warning in summary.warnings:
        click.echo(f"dikta: warning: {warning}", err=True)


@adapt.command("train")
@click.option("--base", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="transformers Whisper checkpoint to start from (e.g. NB-Whisper).")
@click.option("--data", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder from 'dikta adapt export'.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--method", type=click.Choice(["lora", "full"]), default="lora",
              show_default=True)
@click.option("--epochs", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--learning-rate", type=float, default=1e-4, show_default=True)
@click.option("--batch-size", type=click.IntRange(1, 256), default=8, show_default=True)
@click.option("--patience", type=click.IntRange(1, 100), default=3, show_default=True)
@click.option("--language", type=click.Choice(["no", "nn"]), default="no", show_default=True)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto",
              show_default=True)
@click.option("--no-spec-augment", is_flag=True, help="Train without SpecAugment masks.")
@click.option("--name", default=None,
              help="Register the result as NAME (int8) and NAME-float16.")
def adapt_train(base: Path, data: Path, out: Path, method: str, epochs: int,
                learning_rate: float, batch_size: int, patience: int, language: str,
                device: str, no_spec_augment: bool, name: str | None) -> None:
    """Fine-tune BASE on DATA, convert to CTranslate2 int8 and float16, register."""
    from models.finetune import FineTuneOptions, fine_tune
    from models.registry import ModelRegistry

    options = FineTuneOptions(method=method, epochs=epochs, learning_rate=learning_rate,
                              batch_size=batch_size, patience=patience, language=language,
                              device=device, spec_augment=not no_spec_augment)

    def progress(epoch) -> None:
        test = "-" if epoch.test_loss is None else f"{epoch.test_loss:.4f}"
        click.echo(f"epoch {epoch.epoch}: train loss {epoch.train_loss:.4f}, test loss {test}"
                   f" ({epoch.seconds:.1f} s)", err=True)

    try:
        result = fine_tune(base, data, out, options, on_epoch=progress)
        if name:
            registry = ModelRegistry(get_settings().model_dir)
            registry.add(name, result.ct2_dirs["int8"])
            registry.add(f"{name}-float16", result.ct2_dirs["float16"])
    except (DiktaError, ValueError) as exc:
        fail(str(exc), EXIT_USAGE if isinstance(exc, ValueError) else EXIT_FAILED)
    for warning in result.warnings:
        click.echo(f"dikta: warning: {warning}", err=True)
    click.echo(f"best epoch {result.best_epoch} of {len(result.history)}"
               f"{' (stopped early)' if result.stopped_early else ''}; "
               f"{result.trainable_parameters:,} trainable parameters")
    for quantization, path in result.ct2_dirs.items():
        click.echo(f"{quantization}: {path}")
    if name:
        click.echo(f"registered: {name}, {name}-float16")


@adapt.command("compare")
@click.argument("old")
@click.argument("new")
@click.option("--manifest", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Evaluation manifest, e.g. test.jsonl from 'dikta adapt export'.")
@click.option("--tenant", default=None,
              help="Store the decision for TENANT and, if promoted, make NEW its model.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None)
def adapt_compare(old: str, new: str, manifest: Path, tenant: str | None,
                  json_out: Path | None) -> None:
    """Promotion gate: evaluate OLD and NEW on MANIFEST; NEW wins only if better overall and
    not worse on any dialect beyond its 95 % interval (exit 1 when not promoted)."""
    import json

    from evaluation.asr_eval import compare, run_system, score, systems_for
    from evaluation.normalize import NorwegianNormalizer
    from evaluation.promotion import decide
    from models.manifest import read_manifest

    if old == new:
        fail("OLD and NEW are the same model", EXIT_USAGE)
    settings = get_settings()
    store = None
    if tenant:
        from service.core.store import open_store

        store = open_store(settings)
        if store.tenant_by_name(tenant) is None:
            fail(f"no tenant named '{tenant}'", EXIT_USAGE)
    try:
        rows = read_manifest(manifest)
        systems = systems_for(common.engine_from_settings(), (old, new), (),
                              default_model=settings.model.name)
    except (DiktaError, ValueError) as exc:
        fail(str(exc), EXIT_USAGE if isinstance(exc, ValueError) else EXIT_FAILED)
    normalizer = NorwegianNormalizer()
    results = {s.label: score(rows, run_system(s, rows), normalizer) for s in systems}
    old_result, new_result = results[systems[0].label], results[systems[1].label]
    comparison = compare({"old": old_result, "new": new_result})
    decision = decide([r.dialect for r in rows if not r.is_quiet], old_result, new_result,
                      p_value=comparison[0]["p_value"] if comparison else None)
    click.echo(f"{'PROMOTED' if decision.promote else 'NOT PROMOTED'}: {new} over {old}")
    for reason in decision.reasons:
        click.echo(f"  {reason}")
    for check in decision.dialects:
        low, high = check.difference_ci95
        click.echo(f"  {check.dialect}: {check.old_wer:.3f} -> {check.new_wer:.3f} "
                   f"(difference {low:+.3f} to {high:+.3f}, {check.utterances} utterances)")
    figures = {"command": "dikta adapt " + " ".join(sys.argv[2:]), **decision.figures()}
    if store is not None:
        store.record_promotion(tenant, old, new, decision.promote, list(decision.reasons),
                               figures)
        if decision.promote:
            click.echo(f"{tenant}: now transcribes with {new}")
    if json_out:
        json_out.write_text(json.dumps({"promote": decision.promote,
                                        "reasons": list(decision.reasons), **figures},
                                       ensure_ascii=False, indent=2) + "\n")
    if not decision.promote:
        sys.exit(EXIT_FAILED)


@adapt.command("decisions")
@click.option("--tenant", required=True)
def adapt_decisions(tenant: str) -> None:
    """The promotion gate's stored decisions for TENANT, newest first (JSON lines)."""
    import json

    from service.core.store import open_store

    try:
        decisions = open_store(get_settings()).promotions(tenant)
    except LookupError as exc:
        fail(str(exc.args[0]), EXIT_USAGE)
    for d in decisions:
        click.echo(json.dumps({"at": d.created_at.isoformat(), "old": d.old_model,
                               "new": d.new_model, "promoted": d.promoted,
                               "reasons": d.reasons, "figures": d.figures},
                              ensure_ascii=False))

