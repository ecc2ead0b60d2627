"""`dikta models convert`: a local transformers Whisper checkpoint → CTranslate2 → pipeline."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from models.convert import convert_checkpoint
from models.errors import InvalidModelDirError, ModelError
from pipelines.audio import decode_audio
from tests.conftest import DIKTA, FIXTURES
from tests.tiny_whisper import build_tiny_whisper

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory) -> Path:
    return build_tiny_whisper(tmp_path_factory.mktemp("tiny-hf"))


def _transcribe_with(engine, model_dir: Path) -> str:
    audio = decode_audio(FIXTURES / "nb_feber.wav")
    return engine.transcriber(str(model_dir)).transcribe(audio).text


def test_cli_converts_registers_and_the_model_transcribes(tmp_path, tiny_checkpoint, cli_env,
                                                          settings):
    env = {**cli_env, "DIKTA_MODEL_DIR": str(tmp_path / "cache")}
    out = tmp_path / "tiny-ct2"
    done = subprocess.run([DIKTA, "models", "convert", str(tiny_checkpoint), str(out),
                           "--quantization", "int8", "--name", "tiny"],
                          env=env, capture_output=True, text=True, check=True)
    assert "tiny: registered" in done.stdout
    config = json.loads((out / "config.json").read_text())
    assert len(config["lang_ids"]) == 99  # multilingual: Norwegian can be asked for
    listed = subprocess.run([DIKTA, "models", "list"], env=env, capture_output=True,
                            text=True, check=True).stdout
    assert f"tiny\t{out}" in listed
    # Random weights say nothing sensible, but the full pipeline runs on the converted model.
    run = subprocess.run([DIKTA, "transcribe", "--model", "tiny", "--format", "json",
                          str(FIXTURES / "nb_feber.wav")], env=env, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["model"] == "tiny"


def test_checkpoint_without_tokenizer_gets_the_multilingual_one(tmp_path, tiny_checkpoint,
                                                                 engine):
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("config.json", "model.safetensors"):
        (bare / name).symlink_to(tiny_checkpoint / name)
    out = convert_checkpoint(bare, tmp_path / "ct2", "float32")
    vocabulary = json.loads((out / "vocabulary.json").read_text())
    assert vocabulary[50259] == "<|en|>" and "<|no|>" in vocabulary
    assert len(json.loads((out / "config.json").read_text())["lang_ids"]) == 99
    _transcribe_with(engine, out)


def test_non_whisper_checkpoint_is_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(InvalidModelDirError, match="not Whisper"):
        convert_checkpoint(tmp_path, tmp_path / "out")


def test_existing_output_is_not_overwritten_without_force(tmp_path, tiny_checkpoint):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    with pytest.raises(ModelError, match="--force"):
        convert_checkpoint(tiny_checkpoint, out)
    with pytest.raises(ModelError, match="unknown quantization"):
        convert_checkpoint(tiny_checkpoint, tmp_path / "o2", "int3")
