"""`dikta eval`: ASR and structuring accuracy, live corrections, synthetic sets."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from service.cli import common
from service.cli.common import EXIT_FAILED, EXIT_USAGE, fail
from service.core.settings import get_settings
from structuring.errors import DiktaError


@click.group("eval")
def evaluate() -> None:
    """Evaluation harnesses; numbers come with the command that made them."""


@evaluate.command("asr")
@click.argument("manifest", type=click.Path(path_type=Path))
@click.option("--model", "models", multiple=True,
              help="Model name or directory; repeat to compare models.")
@click.option("--variant", "variants", multiple=True,
              help="LABEL:key=value,… decoding settings to compare, e.g. beam1:beam_size=1")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write hypotheses, report.md, report.html and plots here.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None)
@click.option("--fold-nynorsk", is_flag=True, help="Score bokmål and nynorsk forms alike.")
@click.option("--fail-if", "gates", multiple=True,
              help="Exit 1 if this holds for the first system, e.g. 'wer>0.25'.")
def eval_asr(manifest: Path, models: tuple[str, ...], variants: tuple[str, ...],
             out: Path | None, json_out: Path | None, fold_nynorsk: bool,
             gates: tuple[str, ...]) -> None:
    """WER/CER by dialect and speaker (95 % intervals), medical-term recall, hallucination
    on silence/noise, latency and RTFx for MANIFEST (JSONL or CSV)."""
    import json

    from evaluation.asr_eval import (
        compare,
        failed_gates,
        peak_memory_mb,
        run_system,
        save_hypotheses,
        score,
        systems_for,
    )
    from evaluation.machine import describe_machine
    from evaluation.normalize import NorwegianNormalizer
    from evaluation.report import write_reports
    from models.manifest import read_manifest

    try:
        rows = read_manifest(manifest)
        systems = systems_for(common.engine_from_settings(), models, variants,
                              default_model=get_settings().model.name)
    except (DiktaError, ValueError) as exc:
        fail(str(exc), EXIT_USAGE if isinstance(exc, ValueError) else EXIT_FAILED)
    normalizer = NorwegianNormalizer(fold_nynorsk=fold_nynorsk)
    results, latencies = {}, {}
    for system in systems:
        hyps = run_system(system, rows)
        results[system.label] = score(rows, hyps, normalizer)
        results[system.label]["peak_memory_mb"] = peak_memory_mb()
        latencies[system.label] = [h.latency_s for h in hyps]
        if out:
            out.mkdir(parents=True, exist_ok=True)
            save_hypotheses(out, system.label, hyps)
    comparisons = compare(results)
    command = "dikta eval asr " + " ".join(sys.argv[3:])
    machine = describe_machine()
    for label, r in results.items():
        low, high = r["wer_ci95"]
        click.echo(f"{label}: WER {r['wer']:.3f} ({low:.3f}–{high:.3f}), CER {r['cer']:.3f}, "
                   f"medical terms {r['medical_term_recall']:.2f} "
                   f"({r['medical_terms_inserted']} inserted), hallucination "
                   f"{r['hallucination_rate']:.2f}, RTFx {r['rtfx']:.1f}, p95 "
                   f"{r['latency_p95_s']:.2f} s")
        for name, g in r["by_dialect"].items():
            click.echo(f"  {name}: WER {g['wer']:.3f} ({g['ci95'][0]:.3f}–{g['ci95'][1]:.3f}),"
                       f" {g['utterances']} utterances")
    for c in comparisons:
        click.echo(f"{c['system']} vs {c['baseline']}: {c['wer_difference']:+.3f} WER, "
                   f"p = {c['p_value']:.3f}")
    document = {"command": command, "machine": machine, "systems": results,
                "comparisons": comparisons, **next(iter(results.values()))}
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    if out:
        write_reports(out, results, comparisons, latencies, command, machine)
        (out / "results.json").write_text(json.dumps(document, ensure_ascii=False, indent=2))
    try:
        failed = failed_gates(next(iter(results.values())), gates)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    if failed:
        fail("gate failed: " + "; ".join(failed))


@evaluate.command("corrections")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None)
def eval_corrections(json_out: Path | None) -> None:
    """WER of ASR drafts against the notes nurses approved, per tenant, dialect and month
    (figures only; no text leaves the database)."""
    import json

    from evaluation.corrections import CorrectionPair, correction_report
    from service.core.store import open_store
    from service.notes.corrections import draft_and_approved

    pairs = draft_and_approved(open_store(get_settings()))
    report = correction_report(CorrectionPair(*pair) for pair in pairs)
    click.echo("tenant\tdialect\tmonth\tnotes\tWER")
    for r in report:
        click.echo(f"{r['tenant']}\t{r['dialect']}\t{r['month']}\t{r['notes']}\t{r['wer']:.3f}")
    if json_out:
        json_out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")


@evaluate.command("synthetic")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--sentences", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="JSONL of {\"text\", \"dialect\"} to speak, e.g. "
                   "evaluation/data/medication_sentences.jsonl")
def eval_synthetic(out: Path, sentences: Path | None) -> None:
    """Build a synthetic dev manifest (espeak-ng voices and rates, noise, telephone band)."""
    from evaluation.synthetic import build_manifest, read_sentences

    click.echo(build_manifest(out, sentences=read_sentences(sentences) if sentences else None))


@evaluate.command("structuring")
@click.argument("gold", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the scores here as JSON.")
@click.option("--audio", "audio_manifest", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also score on ASR output: JSONL of {id, audio} per gold row.")
@click.option("--synthesize", "synth_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Also score on ASR output of espeak-ng audio made here.")
@click.option("--model", default=None, help="ASR model for --audio / --synthesize.")
def eval_structuring(gold: tuple[Path, ...], json_out: Path | None,
                     audio_manifest: Path | None, synth_dir: Path | None,
                     model: str | None) -> None:
    """Score the structuring stage on GOLD files (FORMAT.md), from their `spoken` field.

    Figures for all dictations, then per punctuation group (spoken `punktum`, ASR-written
    periods, none) and for all without spoken punctuation; `review_share` is the share of
    sentences the note flags for the nurse to check. Several files are pooled, and each
    file (one writer) also gets a line of its own with the issue-15 targets it misses. With
    --audio or --synthesize (one file) the same figures follow for notes structured from the
    ASR transcript of each dictation.
    """
    import json

    from evaluation.gold import read_gold
    from evaluation.structuring import file_summary, score_by_punctuation
    from structuring.pipeline import structure

    if len(gold) > 1 and (audio_manifest or synth_dir):
        fail("--audio and --synthesize score one gold file at a time", EXIT_USAGE)
    try:
        files = {path: read_gold(path) for path in gold}
    except DiktaError as exc:
        fail(str(exc))
    notes = {path: [structure(r["spoken"], language=r.get("language", "nb")) for r in rows]
             for path, rows in files.items()}
    rows = [row for path in gold for row in files[path]]
    runs = {"text": score_by_punctuation(rows, [n for path in gold for n in notes[path]])}
    if audio_manifest or synth_dir:
        from evaluation.structuring_e2e import (
            read_audio_manifest,
            structure_audio,
            synthesize_gold,
        )

        try:
            manifest = audio_manifest or synthesize_gold(rows, synth_dir)
            pairs = read_audio_manifest(manifest, rows)
            engine = common.engine_from_settings()
            transcriber = engine.transcriber(model)
            asr_rows, asr_notes, _ = structure_audio(
                pairs, lambda path: engine.transcribe(path, transcriber).text)
        except DiktaError as exc:
            fail(str(exc))
        runs["asr"] = score_by_punctuation(asr_rows, asr_notes)
    keys = ("dictations", "section_accuracy", "formatting_cer", "entity_f1", "event_f1",
            "event_response_accuracy", "event_false_alarm_accuracy", "review_share",
            "times_shifted_12h", "times_shifted_12h_unflagged")
    report = {}
    for run, scored in runs.items():
        groups = {name: s.as_dict() for name, s in scored.items()}
        scores = {**groups["all"], "groups": {k: v for k, v in groups.items() if k != "all"}}
        report[run] = scores
        prefix = "" if run == "text" else "asr "
        if run != "text":
            click.echo("ASR output (transcribed, then structured):")
        for key in keys:
            click.echo(f"{prefix}{key}: {scores[key]}")
        for kind, prf in scores["entity_by_type"].items():
            click.echo(f"  {prefix}entity {kind}: P {prf['precision']:.3f} "
                       f"R {prf['recall']:.3f} F1 {prf['f1']:.3f}")
        for name, group in scores["groups"].items():
            click.echo(f"{prefix}{name}: dictations {group['dictations']} section_accuracy "
                       f"{group['section_accuracy']} entity_f1 {group['entity_f1']} event_f1 "
                       f"{group['event_f1']} formatting_cer {group['formatting_cer']} "
                       f"review_share {group['review_share']} times_shifted_12h "
                       f"{group['times_shifted_12h']} (unflagged "
                       f"{group['times_shifted_12h_unflagged']})")
    if len(gold) > 1:
        per_file = {str(path): file_summary(score_by_punctuation(files[path], notes[path]))
                    for path in gold}
        report["text"]["files"] = per_file
        for name, one in per_file.items():
            missed = ", ".join(one["targets_missed"]) or "none"
            click.echo(f"{name}: dictations {one['dictations']} section_accuracy "
                       f"{one['section_accuracy']} without_spoken "
                       f"{one['without_spoken_section_accuracy']} entity_f1 "
                       f"{one['entity_f1']} event_f1 {one['event_f1']} formatting_cer "
                       f"{one['formatting_cer']} times_shifted_12h "
                       f"{one['times_shifted_12h']}; targets missed: {missed}")
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        out = report["text"] if len(report) == 1 else {**report["text"], "asr": report["asr"]}
        json_out.write_text(json.dumps(out, indent=2) + "\n")
