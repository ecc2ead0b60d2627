"""`dikta models`: the ASR model registry (list, verify, add, convert)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from service.cli.common import EXIT_FAILED, fail
from service.core.settings import get_settings
from structuring.errors import DiktaError


@click.group()
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
