"""`dikta`: the one command line in front of everything.

Errors the user can act on (bad audio, unknown model, bad option) print one line and exit
non-zero, never a traceback. Progress goes to stderr; results go to stdout or --out.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import click

from pipelines.errors import DiktaError
from pipelines.formats import FORMATS, render
from pipelines.offline import enforce_offline
from service.settings import get_settings
from service.masking import masked_transcript

EXIT_FAILED = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_FAILED) -> None:
    click.echo(f"dikta: error: {message}", err=True)
    sys.exit(code)


def _engine():
    from service.engine import Engine

    return Engine(get_settings())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version("dikta"), prog_name="dikta")
def main() -> None:
    """Dikta: on-premise Norwegian speech-to-text for municipal health care."""
    enforce_offline()  # before any command imports onnxruntime, huggingface_hub, transformers


@main.command()
@click.argument("files", metavar="AUDIO...", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="txt", show_default=True)
@click.option("--language", type=click.Choice(["no", "nb", "nn"]), default=None,
              help="Written standard of the transcript [default: from settings, 'no']")
@click.option("--model", default=None, help="Registered model name or model directory.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write AUDIO's transcript to OUT/<name>.<format> instead of stdout.")
@click.option("--beam-size", type=click.IntRange(1, 20), default=None)
@click.option("--batch-size", type=click.IntRange(1, 64), default=None)
@click.option("--lexicon", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Terms file (one per line): near-miss correction (and hotwords if "
                   "DIKTA_ASR__LEXICON_HOTWORDS=true).")
def transcribe(files: tuple[Path, ...], fmt: str, language: str | None, model: str | None,
               out: Path | None, beam_size: int | None, batch_size: int | None,
               lexicon: Path | None) -> None:
    """Transcribe AUDIO files (wav, mp3, m4a, ogg/opus, webm, flac, amr)."""
    engine = _engine()
    try:
        transcriber = engine.transcriber(model, language=language, beam_size=beam_size,
                                         batch_size=batch_size, lexicon=lexicon)
    except (DiktaError, ValueError) as exc:
        fail(str(exc), EXIT_USAGE if isinstance(exc, ValueError) else EXIT_FAILED)
    failures = 0
    for path in files:
        try:
            audio, decode_s = engine.decode(path)
            progress = _Progress(path.name, audio.duration_s)
            transcript = masked_transcript(transcriber.transcribe(
                audio, decode_s=decode_s, on_segment=progress.update))
            progress.done()
        except DiktaError as exc:
            failures += 1
            click.echo(f"dikta: error: {path}: {exc}", err=True)
            continue
        _emit(render(transcript, fmt), path, fmt, out, many=len(files) > 1)
    if failures:
        sys.exit(EXIT_FAILED)


def _emit(text: str, source: Path, fmt: str, out: Path | None, many: bool) -> None:
    if out is None:
        if many:
            click.echo(f"==> {source} <==")
        click.echo(text, nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{source.stem}.{fmt}"
    target.write_text(text, encoding="utf-8")
    click.echo(f"{source} -> {target}", err=True)


class _Progress:
    """Shows how far into a long recording Whisper has come (stderr, no transcript text)."""

    MIN_DURATION_S = 60.0

    def __init__(self, label: str, duration_s: float) -> None:
        self.label = label
        self.duration_s = duration_s
        self.shown = -1
        self.tty = sys.stderr.isatty()

    def update(self, segment) -> None:
        percent = min(100, int(100 * segment.end_s / self.duration_s))
        # On a terminal every segment redraws one line; in a log, a line per tenth.
        if self.tty or percent // 10 > self.shown // 10:
            self._show(percent)

    def done(self) -> None:
        self._show(100)
        if self.tty and self.duration_s >= self.MIN_DURATION_S:
            click.echo("", err=True)

    def _show(self, percent: int) -> None:
        if self.duration_s < self.MIN_DURATION_S or percent == self.shown:
            return
        self.shown = percent
        line = f"{self.label}: {percent:3d}% of {self.duration_s / 60:.1f} min"
        click.echo(f"\r{line}" if self.tty else line, err=True, nl=not self.tty)


@main.group()
def models() -> None:
    """The ASR model registry (nothing is fetched from the internet)."""


@models.command("list")
def models_list() -> None:
    """List registered models and where they live."""
    from models.registry import ModelRegistry

    settings = get_settings()
    for entry in ModelRegistry(settings.model_dir).entries():
        marks = ["built-in" if entry.builtin else "added"]
        if entry.name == settings.model.name:
            marks.append("default")
        state = "ready" if (entry.path / "model.bin").is_file() else "not assembled"
        click.echo(f"{entry.name}\t{entry.path}\t{state}\t{', '.join(marks)}")


@models.command("verify")
@click.argument("names", nargs=-1)
def models_verify(names: tuple[str, ...]) -> None:
    """Assemble (if needed) and verify models; all registered ones by default."""
    from models.registry import ModelRegistry

    registry = ModelRegistry(get_settings().model_dir)
    names = names or tuple(e.name for e in registry.entries())
    failed = False
    for name in names:
        try:
            path = registry.verify(name)
            click.echo(f"{name}: ok ({path})")
        except DiktaError as exc:
            failed = True
            click.echo(f"dikta: error: {name}: {exc}", err=True)
    if failed:
        sys.exit(EXIT_FAILED)


@models.command("add")
@click.argument("name")
@click.argument("path", type=click.Path(path_type=Path))
def models_add(name: str, path: Path) -> None:
    """Register a CTranslate2 Whisper directory (e.g. NB-Whisper converted on site) as NAME."""
    from models.registry import ModelRegistry

    try:
        entry = ModelRegistry(get_settings().model_dir).add(name, path)
    except DiktaError as exc:
        fail(str(exc))
    click.echo(f"{entry.name}: registered ({entry.path})")


@models.command("convert")
@click.argument("hf_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--quantization", default="int8", show_default=True)
@click.option("--name", default=None, help="Also register the result under this name.")
@click.option("--force", is_flag=True, help="Overwrite a non-empty OUT.")
def models_convert(hf_dir: Path, out: Path, quantization: str, name: str | None,
                   force: bool) -> None:
    """Convert a local transformers Whisper checkpoint HF_DIR to CTranslate2 in OUT."""
    from models.convert import convert_checkpoint
    from models.registry import ModelRegistry

    try:
        result = convert_checkpoint(hf_dir, out, quantization, force=force)
        click.echo(f"converted {hf_dir} -> {result} ({quantization})")
        if name:
            ModelRegistry(get_settings().model_dir).add(name, result)
            click.echo(f"{name}: registered ({result})")
    except DiktaError as exc:
        fail(str(exc))


def _structure_text(spoken: str, template: str | None, language: str,
                    standard: str | None = None):
    from structuring.written_standard import write_note

    settings = get_settings().structuring
    try:
        return write_note(spoken, template=template or settings.template, language=language,
                          standard=standard or settings.written_standard)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)


def _render_note(note, fmt: str, transcript_text: str | None = None) -> str:
    import json

    from structuring.export import to_fhir, to_json, to_text

    if fmt == "json":
        if transcript_text is None:
            return to_json(note)
        return json.dumps({"transcript": transcript_text, "note": note.to_dict()},
                          ensure_ascii=False, indent=2) + "\n"
    if fmt == "fhir":
        return json.dumps(to_fhir(note), ensure_ascii=False, indent=2) + "\n"
    if transcript_text is None:
        return to_text(note)
    return f"Transkripsjon:\n{transcript_text}\n\nStrukturert notat:\n\n{to_text(note)}"


NOTE_FORMATS = click.Choice(["text", "json", "fhir"])
STANDARDS = click.Choice(["bokmaal", "nynorsk", "nynorsk-a"])


@main.command()
@click.argument("text", required=False, default="-")
@click.option("--format", "fmt", type=NOTE_FORMATS, default="text", show_default=True)
@click.option("--template", default=None, help="Section template: funksjonsomrader or isbar.")
@click.option("--language", type=click.Choice(["nb", "nn"]), default="nb", show_default=True)
@click.option("--standard", type=STANDARDS, default=None,
              help="Written standard of the note; default: as dictated.")
def structure(text: str, fmt: str, template: str | None, language: str,
              standard: str | None) -> None:
    """Structure a dictation TEXT (or '-' for stdin) into a journal note."""
    spoken = sys.stdin.read() if text == "-" else text
    if not spoken.strip():
        fail("no dictation text given (pass TEXT or pipe it to 'dikta structure -')", EXIT_USAGE)
    click.echo(_render_note(_structure_text(spoken, template, language, standard), fmt),
               nl=False)


@main.command()
@click.argument("audio", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=NOTE_FORMATS, default="text", show_default=True)
@click.option("--template", default=None, help="Section template: funksjonsomrader or isbar.")
@click.option("--language", type=click.Choice(["nb", "nn"]), default=None)
@click.option("--model", default=None, help="Registered model name or model directory.")
@click.option("--standard", type=STANDARDS, default=None,
              help="Written standard of the note; default: as dictated.")
def note(audio: Path, fmt: str, template: str | None, language: str | None,
         model: str | None, standard: str | None) -> None:
    """Transcribe AUDIO, then structure it into a journal note."""
    engine = _engine()
    try:
        transcriber = engine.transcriber(model, language=language)
        transcript = engine.transcribe(audio, transcriber)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    except DiktaError as exc:
        fail(f"{audio}: {exc}")
    written_language = "nn" if transcriber.options.language == "nn" else "nb"
    structured = _structure_text(transcript.text, template, written_language, standard) \
        if transcript.text else None
    if structured is None:
        click.echo("dikta: no speech found in the recording; nothing to structure", err=True)
        return
    click.echo(_render_note(structured, fmt, transcript_text=transcript.text), nl=False)


@main.group("eval")
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
        System,
        compare,
        failed_gates,
        peak_memory_mb,
        run_system,
        save_hypotheses,
        score,
    )
    from evaluation.machine import describe_machine
    from evaluation.manifest import read_manifest
    from evaluation.normalize import NorwegianNormalizer
    from evaluation.report import write_reports

    try:
        rows = read_manifest(manifest)
        systems = _eval_systems(_engine(), models, variants)
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


def _eval_systems(engine, models: tuple[str, ...], variants: tuple[str, ...]):
    from evaluation.asr_eval import System

    def system(label: str, model: str | None, **overrides) -> System:
        transcriber = engine.transcriber(model, **overrides)

        def run(path: Path):
            transcript = engine.transcribe(path, transcriber)
            return transcript.text, transcript.audio_duration_s
        return System(label, run)

    systems = [system(Path(m).name if Path(m).is_dir() else m, m) for m in models] or \
        [system(get_settings().model.name, None)]
    for variant in variants:
        label, _, spec = variant.partition(":")
        overrides: dict[str, object] = {}
        for item in filter(None, spec.split(",")):
            key, _, value = item.partition("=")
            overrides[key.strip()] = _setting_value(value.strip())
        systems.append(system(label, models[0] if models else None, **overrides))
    return systems


def _setting_value(value: str) -> object:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return {"true": True, "false": False, "none": None}.get(value.lower(), value)


@evaluate.command("corrections")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None)
def eval_corrections(json_out: Path | None) -> None:
    """WER of ASR drafts against the notes nurses approved, per tenant, dialect and month
    (figures only; no text leaves the database)."""
    import json

    from evaluation.corrections import correction_report
    from service.store import open_store

    report = correction_report(open_store(get_settings()))
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
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the scores here as JSON.")
@click.option("--audio", "audio_manifest", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also score on ASR output: JSONL of {id, audio} per gold row.")
@click.option("--synthesize", "synth_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Also score on ASR output of espeak-ng audio made here.")
@click.option("--model", default=None, help="ASR model for --audio / --synthesize.")
def eval_structuring(gold: Path, json_out: Path | None, audio_manifest: Path | None,
                     synth_dir: Path | None, model: str | None) -> None:
    """Score the structuring stage on a GOLD file (FORMAT.md), from its `spoken` field.

    Figures for all dictations, then per punctuation group (spoken `punktum`, ASR-written
    periods, none) and for all without spoken punctuation; `review_share` is the share of
    sentences the note flags for the nurse to check. With --audio or --synthesize the same
    figures follow for notes structured from the ASR transcript of each dictation.
    """
    import json

    from evaluation.gold import read_gold
    from evaluation.structuring import score_by_punctuation
    from structuring.pipeline import structure

    try:
        rows = read_gold(gold)
    except DiktaError as exc:
        fail(str(exc))
    notes = [structure(r["spoken"], language=r.get("language", "nb")) for r in rows]
    runs = {"text": score_by_punctuation(rows, notes)}
    if audio_manifest or synth_dir:
        from evaluation.structuring_e2e import (read_audio_manifest, structure_audio,
                                                synthesize_gold)

        try:
            manifest = audio_manifest or synthesize_gold(rows, synth_dir)
            pairs = read_audio_manifest(manifest, rows)
            engine = _engine()
            transcriber = engine.transcriber(model)
            asr_rows, asr_notes, _ = structure_audio(
                pairs, lambda path: engine.transcribe(path, transcriber).text)
        except DiktaError as exc:
            fail(str(exc))
        runs["asr"] = score_by_punctuation(asr_rows, asr_notes)
    keys = ("dictations", "section_accuracy", "formatting_cer", "entity_f1", "event_f1",
            "event_response_accuracy", "event_false_alarm_accuracy", "review_share",
            "times_shifted_12h")
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
                       f"{group['times_shifted_12h']}")
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        out = report["text"] if len(report) == 1 else {**report["text"], "asr": report["asr"]}
        json_out.write_text(json.dumps(out, indent=2) + "\n")


@main.group()
def bench() -> None:
    """Benchmarks; results are printed and written to benchmarks/results/."""


@bench.command("asr")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", default=None)
@click.option("--repeats", type=click.IntRange(1, 50), default=3, show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the result here.")
def bench_asr(files: tuple[Path, ...], model: str | None, repeats: int,
              json_out: Path | None) -> None:
    """Plain faster-whisper vs Dikta's pipeline on FILES, same model and settings."""
    from evaluation.bench_asr import run_asr_benchmark, write_result

    try:
        result = run_asr_benchmark(_engine(), list(files), model=model, repeats=repeats)
    except DiktaError as exc:
        fail(str(exc))
    click.echo(result.summary())
    click.echo(f"written to {write_result(result, json_out)}", err=True)


@bench.command("structuring")
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--repeats", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the result here.")
def bench_structuring(gold: Path, repeats: int, json_out: Path | None) -> None:
    """Time structuring the `spoken` dictations of a GOLD file (JSON Lines)."""
    import json

    from evaluation.bench_structuring import run_structuring_benchmark
    from evaluation.gold import read_gold

    try:
        rows = read_gold(gold)
    except DiktaError as exc:
        fail(str(exc))
    result = run_structuring_benchmark([r["spoken"] for r in rows], repeats=repeats)
    click.echo(result.summary())
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_json(), indent=2) + "\n")



@bench.command("service")
@click.option("--concurrency", type=click.IntRange(1, 200), default=4, show_default=True)
@click.option("--requests", "count", type=click.IntRange(1, 2000), default=20,
              show_default=True)
@click.option("--stream-runs", type=click.IntRange(0, 100), default=3, show_default=True)
@click.option("--url", default=None, help="A running service; default: start one on loopback.")
@click.option("--key", default=None, help="API key for --url.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the result here.")
def bench_service(concurrency: int, count: int, stream_runs: int, url: str | None,
                  key: str | None, json_out: Path | None) -> None:
    """Throughput and p50/p95 latency on loopback, and live-dictation latencies."""
    import json
    import tempfile

    from evaluation.bench_service import run_service_benchmark
    from evaluation.loopback import running
    from service.app import create_app

    fixtures = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "audio"
    request_file = fixtures / "nb_feber.wav"
    stream_files = [fixtures / f"{n}.wav" for n in ("nb_feber", "nb_lege")]

    def bench(target: str, api_key: str):
        return run_service_benchmark(target, api_key, request_file, stream_files,
                                     concurrency=concurrency, requests=count,
                                     stream_runs=stream_runs)

    if url:
        if not key:
            fail("--url needs --key", EXIT_USAGE)
        result = bench(url, key)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            settings = get_settings().model_copy(update={"data_dir": Path(tmp)})
            settings.service.max_queue = max(settings.service.max_queue, count)
            app = create_app(settings)
            api_key = app.state.dikta.store.create_key("bench")
            with running(app) as target:
                result = bench(target, api_key)
    click.echo(result.summary())
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_json(), indent=2) + "\n")


@bench.command("workers")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--workers", "counts", type=click.IntRange(1, 64), multiple=True,
              default=(1, 2), show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the result here.")
def bench_workers(inputs: tuple[str, ...], counts: tuple[int, ...],
                  json_out: Path | None) -> None:
    """Batch throughput of INPUTS with 1, 2, … worker processes."""
    import json

    from evaluation.bench_workers import run_workers_benchmark
    from service.batch import run_batch

    result = run_workers_benchmark(run_batch, list(inputs), list(counts))
    click.echo(result.summary())
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_json(), indent=2) + "\n")


@bench.command("throughput")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--threads", "threads", type=click.IntRange(1, 256), multiple=True,
              default=(1, 2), show_default=True)
@click.option("--batch-size", "batches", type=click.IntRange(1, 64), multiple=True,
              default=(1, 4), show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None)
def bench_throughput(files: tuple[Path, ...], threads: tuple[int, ...],
                     batches: tuple[int, ...], json_out: Path | None) -> None:
    """Sequential vs batched inference and CPU thread scaling on FILES."""
    import json

    from evaluation.bench_throughput import run_throughput
    from models.manager import ModelManager
    from service.engine import Engine

    settings = get_settings()

    def make_engine(cpu_threads: int) -> Engine:
        local = settings.model_copy(deep=True)
        local.model.cpu_threads = cpu_threads
        return Engine(local, manager=ModelManager())

    result = run_throughput(make_engine, list(files), list(threads), list(batches))
    click.echo(result.summary())
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_json(), indent=2) + "\n")


@bench.command("gpu")
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False,
                                                      path_type=Path), default=None,
              help="A CTranslate2 Whisper directory; default: random weights of --shape.")
@click.option("--shape", type=click.Choice(["tiny", "base", "large-v2", "large-v3"]),
              default="base",
              show_default=True)
@click.option("--device", type=click.Choice(["cuda", "cpu"]), default="cuda",
              show_default=True)
@click.option("--compute-type", "compute_types", multiple=True,
              default=("float16", "int8_float16"), show_default=True)
@click.option("--batch-size", "batches", type=click.IntRange(1, 256), multiple=True,
              default=(1, 4, 8, 16), show_default=True)
@click.option("--seconds", type=float, default=300.0, show_default=True)
def bench_gpu(model_dir: Path | None, shape: str, device: str, compute_types: tuple[str, ...],
              batches: tuple[int, ...], seconds: float) -> None:
    """RTFx and GPU memory per compute type and batch size (results in benchmarks/results/)."""
    from gpu.bench import run_gpu_benchmark, write_result

    try:
        result = run_gpu_benchmark(model_dir=model_dir, shape=shape, device=device,
                                   compute_types=list(compute_types),
                                   batch_sizes=list(batches), seconds=seconds)
    except (ValueError, RuntimeError) as exc:
        fail(str(exc), EXIT_FAILED)
    click.echo(result.summary())
    click.echo(f"written to {write_result(result)}", err=True)


@main.command()
@click.option("--host", default=None, help="Address to listen on [default: settings, 127.0.0.1]")
@click.option("--port", type=int, default=None, help="Port [default: settings, 8000]")
def serve(host: str | None, port: int | None) -> None:
    """Run the HTTP service (SQLite, in-process worker and default model unless configured)."""
    import uvicorn

    from service.app import create_app
    from service.logs import uvicorn_log_config

    settings = get_settings()
    # uvicorn's own loggers (errors, tracebacks, access) as the same JSON lines as Dikta's.
    uvicorn.run(create_app(settings), host=host or settings.service.host,
                port=port or settings.service.port, log_level="warning",
                log_config=uvicorn_log_config())


@main.group()
def keys() -> None:
    """API keys of tenants (stored only as hashes)."""


@keys.command("create")
@click.option("--tenant", required=True, help="Tenant (municipality) name.")
@click.option("--scope", "scopes", multiple=True, default=("dictate", "read_notes"),
              type=click.Choice(["dictate", "read_notes", "approve", "export", "admin"]),
              show_default=True)
def keys_create(tenant: str, scopes: tuple[str, ...]) -> None:
    """Create an API key for TENANT; it is printed once and cannot be shown again."""
    from service.store import open_store

    key = open_store(get_settings()).create_key(tenant, " ".join(scopes))
    click.echo(key)
    click.echo(f"API key for tenant '{tenant}' created; store it now, it is not shown again.",
               err=True)



@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the outputs (txt, json, note.json) and the batch state.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes, each with its own model copy.")
def batch(inputs: tuple[str, ...], out: Path, workers: int) -> None:
    """Transcribe and structure files, folders and globs; a rerun skips finished files."""
    from service.batch import run_batch

    summary = run_batch(inputs, out, workers=workers)
    for line in summary.lines():
        click.echo(line)
    if summary.failed:
        sys.exit(EXIT_FAILED)


@main.command()
@click.option("--queue", default=None, help="Queue to consume, e.g. gpu or cpu "
              "[default: settings, 'cpu'].")
@click.option("--concurrency", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes; each loads the model once.")
def worker(queue: str | None, concurrency: int) -> None:
    """Run a Celery worker that processes dictations (shares only DB and broker with the API)."""
    from service.tasks import run_worker

    run_worker(get_settings(), queue, concurrency)


@keys.command("list")
@click.option("--tenant", default=None)
def keys_list(tenant: str | None) -> None:
    """List API keys (ids, tenants, scopes, state) — never the keys themselves."""
    from service.store import open_store

    for name, key in open_store(get_settings()).list_keys(tenant):
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        click.echo(f"{key.id}\t{name}\t{key.scopes}\t{state}")


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke the API key KEY_ID (from `dikta keys list`); it stops working at once."""
    from service.store import open_store

    if not open_store(get_settings()).revoke_key(key_id):
        fail(f"no active key with id {key_id}")
    click.echo(f"{key_id}: revoked")


@keys.command("rotate-data-key")
def keys_rotate_data_key() -> None:
    """Create a new data key and re-seal stored notes and recordings with it."""
    from service.crypto import keyring_for, use_keyring
    from service.rotation import rotate_data_key
    from service.store import Store

    settings = get_settings()
    keyring = keyring_for(settings)
    use_keyring(keyring)
    try:
        result = rotate_data_key(Store(settings.sql_url), keyring)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    click.echo(f"new data key {result.key_id}: {result.rows} rows and {result.files} "
               "recordings re-sealed")


@main.command()
def purge() -> None:
    """Delete recordings and notes past their retention (also runs inside the service)."""
    from service.retention import purge as run_purge
    from service.store import open_store

    settings = get_settings()
    result = run_purge(open_store(settings), settings.retention)
    click.echo(f"deleted {result.audio_deleted} recordings and "
               f"{result.dictations_deleted} dictations")


@main.group()
def audit() -> None:
    """The access audit (tilgangslogg): verify it, export it for a patient."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain: detects any altered, removed or reordered row."""
    from service.audit import AuditKeyMissing, AuditLog
    from service.store import open_store

    settings = get_settings()
    try:
        audit_log = AuditLog.for_settings(open_store(settings), settings, create_key=False)
    except AuditKeyMissing as exc:
        fail(str(exc))
    result = audit_log.verify()
    for problem in result.problems:
        click.echo(f"dikta: audit: {problem}", err=True)
    if not result.ok:
        fail(f"audit log verification failed ({len(result.problems)} problems)")
    click.echo(f"audit log intact: {result.rows} rows")


@audit.command("export")
@click.option("--patient", required=True, help="Patient reference as stored.")
@click.option("--from", "since", type=click.DateTime(), default=None)
@click.option("--to", "until", type=click.DateTime(), default=None)
@click.option("--format", "fmt", type=click.Choice(["json", "fhir"]), default="json",
              show_default=True)
def audit_export(patient: str, since, until, fmt: str) -> None:
    """Every access to one patient's dictations and notes (a patient's access request)."""
    import json
    from datetime import timezone

    from service.audit import AuditLog, fhir_audit_event
    from service.store import open_store

    def utc(value):
        return value.replace(tzinfo=timezone.utc) if value is not None else None

    settings = get_settings()
    events = AuditLog.for_settings(open_store(settings), settings).events(
        patient_ref=patient, since=utc(since), until=utc(until))
    if fmt == "fhir":
        bundle = {"resourceType": "Bundle", "type": "collection",
                  "entry": [{"resource": fhir_audit_event(e)} for e in events]}
        click.echo(json.dumps(bundle, ensure_ascii=False, indent=2))
        return
    for e in events:
        click.echo(json.dumps({"seq": e.seq, "at": e.at.isoformat(), "tenant": e.tenant_id,
                               "actor": e.actor, "action": e.action,
                               "resource": f"{e.resource_type}/{e.resource_id}",
                               "patient_ref": e.patient_ref, "request_id": e.request_id},
                              ensure_ascii=False))


@main.group()
def tenants() -> None:
    """Tenants (municipalities) of the service."""


@tenants.command("set-template")
@click.argument("tenant")
@click.argument("template")
def tenants_set_template(tenant: str, template: str) -> None:
    """Use section TEMPLATE (funksjonsomrader, isbar) for TENANT's notes."""
    from service.store import open_store
    from structuring.sections import template as load_template

    try:
        load_template(template)
        open_store(get_settings()).set_template(tenant, template)
    except (ValueError, LookupError) as exc:
        fail(str(exc.args[0] if exc.args else exc), EXIT_USAGE)
    click.echo(f"{tenant}: notes use the '{template}' template")


@tenants.command("set-standard")
@click.argument("tenant")
@click.argument("standard", type=click.Choice(["bokmaal", "nynorsk", "nynorsk-a",
                                               "as-dictated"]))
def tenants_set_standard(tenant: str, standard: str) -> None:
    """Write TENANT's notes in STANDARD (språkloven); as-dictated follows each dictation."""
    from service.store import open_store

    value = None if standard == "as-dictated" else standard
    try:
        open_store(get_settings()).update_tenant(tenant, written_standard=value)
    except LookupError as exc:
        fail(str(exc.args[0] if exc.args else exc), EXIT_USAGE)
    click.echo(f"{tenant}: notes written in {standard}")


@tenants.command("set-lexicon")
@click.argument("tenant")
@click.argument("terms", type=click.Path(dir_okay=False, path_type=Path))
def tenants_set_lexicon(tenant: str, terms: Path) -> None:
    """Use TERMS (a file, one term per line, '#' comments; empty to clear) as TENANT's
    lexicon: drug names, local places, staff words. Near misses of them are corrected; with
    DIKTA_ASR__LEXICON_HOTWORDS=true the first ~600 characters also bias decoding."""
    from pipelines.lexicon import read_lexicon
    from service.store import open_store

    try:
        words = read_lexicon(terms)
        open_store(get_settings()).update_tenant(tenant, lexicon=list(words) or None)
    except (ValueError, LookupError) as exc:
        fail(str(exc.args[0] if exc.args else exc), EXIT_USAGE)
    click.echo(f"{tenant}: lexicon of {len(words)} terms")


@tenants.command("show")
@click.argument("tenant")
def tenants_show(tenant: str) -> None:
    """TENANT's settings: template, written standard, lexicon size, model."""
    import json

    from service.profile import tenant_profile
    from service.store import open_store

    settings = get_settings()
    store = open_store(settings)
    row = store.tenant_by_name(tenant)
    if row is None:
        fail(f"no tenant named '{tenant}'", EXIT_USAGE)
    profile = tenant_profile(store, settings, row.id)
    click.echo(json.dumps({"tenant": tenant, "template": profile.template,
                           "written_standard": profile.written_standard or "as-dictated",
                           "lexicon_terms": len(profile.lexicon),
                           "model": profile.model or settings.model.name},
                          ensure_ascii=False, indent=2))


@main.group()
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

    from models.training_data import export_training_data
    from service.audit import AuditLog
    from service.store import open_store

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

    from evaluation.asr_eval import compare, run_system, score
    from evaluation.manifest import read_manifest
    from evaluation.normalize import NorwegianNormalizer
    from models.promotion import decide

    if old == new:
        fail("OLD and NEW are the same model", EXIT_USAGE)
    settings = get_settings()
    store = None
    if tenant:
        from service.store import open_store

        store = open_store(settings)
        if store.tenant_by_name(tenant) is None:
            fail(f"no tenant named '{tenant}'", EXIT_USAGE)
    try:
        rows = read_manifest(manifest)
        systems = _eval_systems(_engine(), (old, new), ())
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

    from service.store import open_store

    try:
        decisions = open_store(get_settings()).promotions(tenant)
    except LookupError as exc:
        fail(str(exc.args[0]), EXIT_USAGE)
    for d in decisions:
        click.echo(json.dumps({"at": d.created_at.isoformat(), "old": d.old_model,
                               "new": d.new_model, "promoted": d.promoted,
                               "reasons": d.reasons, "figures": d.figures},
                              ensure_ascii=False))


if __name__ == "__main__":
    main()
