"""`dikta transcribe`: audio files to transcripts."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipelines.formats import FORMATS, render
from service.cli import common
from service.cli.common import EXIT_FAILED, EXIT_USAGE, fail
from service.core.masking import masked_transcript
from structuring.errors import DiktaError


@click.command()
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
    """Transcribe AUDIO files (wav, mp3, m4a, ogg/opus, webm, flac)."""
    engine = common.engine_from_settings()
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
