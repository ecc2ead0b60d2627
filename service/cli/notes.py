"""`dikta structure` and `dikta note`: text or audio to a structured journal note."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from service.cli import common
from service.cli.common import EXIT_USAGE, fail
from service.core.settings import get_settings
from structuring.errors import DiktaError


def _structure_text(spoken: str, template: str | None, language: str,
                    standard: str | None = None):
    from service.notes.structure import structure_for_tenant
    from service.tenants.profile import service_profile

    try:
        return structure_for_tenant(spoken, service_profile(get_settings()),
                                    language=language, template=template, standard=standard)
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


@click.command()
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


@click.command()
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
    engine = common.engine_from_settings()
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
