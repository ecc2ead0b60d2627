"""Convert a local transformers Whisper checkpoint into a CTranslate2 model directory.

This is how a municipality brings in NB-Whisper or its own fine-tuned model: download or train
the checkpoint on a machine that may, copy it over, convert here. The output always carries a
tokenizer.json, since faster-whisper would otherwise try to fetch one from the hub.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from models import default
from models.errors import InvalidModelDirError, ModelError
from models.registry import check_model_dir

QUANTIZATIONS = ("int8", "int8_float16", "int8_float32", "int8_bfloat16", "int16", "float16",
                 "bfloat16", "float32")
# Vocabulary size of the multilingual Whisper tokenizer up to large-v2 (the default model's).
_MULTILINGUAL_VOCAB = 51865
_COPIED_FILES = ("tokenizer.json", "preprocessor_config.json")
_TOKENIZER_FILES = ("tokenizer.json", "vocab.json")


def convert_checkpoint(hf_dir: Path, out_dir: Path, quantization: str = "int8",
                       *, force: bool = False) -> Path:
    """Convert `hf_dir` into `out_dir`; return the checked output directory."""
    if quantization not in QUANTIZATIONS:
        raise ModelError(f"unknown quantization '{quantization}' "
                         f"(choose from {', '.join(QUANTIZATIONS)})")
    hf_dir, out_dir = Path(hf_dir), Path(out_dir)
    config = _read_config(hf_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not force:
        raise ModelError(f"{out_dir} exists and is not empty (use --force to overwrite)")
    with tempfile.TemporaryDirectory(prefix="dikta-convert-") as staging:
        source = _with_tokenizer(hf_dir, config, Path(staging))
        _converter(source).convert(str(out_dir), quantization=quantization, force=True)
        for name in _COPIED_FILES:
            if (source / name).is_file():
                shutil.copyfile(source / name, out_dir / name)
    _fill_language_ids(out_dir)
    return check_model_dir(out_dir)


def _read_config(hf_dir: Path) -> dict:
    try:
        config = json.loads((hf_dir / "config.json").read_text())
    except FileNotFoundError:
        raise InvalidModelDirError(f"{hf_dir} has no config.json: not a transformers checkpoint")\
            from None
    if config.get("model_type") != "whisper":
        raise InvalidModelDirError(f"{hf_dir} is a '{config.get('model_type')}' checkpoint, "
                                   "not Whisper")
    return config


def _with_tokenizer(hf_dir: Path, config: dict, staging: Path) -> Path:
    """`hf_dir` itself when it has a tokenizer; else a linked copy given the default one.

    The converter takes the vocabulary from the checkpoint's tokenizer; without one it writes
    a vocabulary of placeholders and the model transcribes gibberish.
    """
    if any((hf_dir / name).is_file() for name in _TOKENIZER_FILES):
        return hf_dir
    if config.get("vocab_size") != _MULTILINGUAL_VOCAB:
        raise InvalidModelDirError(
            "the checkpoint has no tokenizer and its vocabulary "
            f"({config.get('vocab_size')}) is not the standard multilingual one; "
            "save the tokenizer next to the checkpoint and convert again"
        )
    for item in hf_dir.iterdir():
        (staging / item.name).symlink_to(item.resolve())
    shutil.copyfile(default.package_file(*default.WHISPER_BASE_TOKENIZER),
                    staging / "tokenizer.json")
    return staging


def _fill_language_ids(out_dir: Path) -> None:
    # Checkpoints saved without `lang_to_id` convert as English-only; a multilingual
    # vocabulary has the default model's language token ids, so take them from there.
    config_path = out_dir / "config.json"
    config = json.loads(config_path.read_text())
    vocabulary = json.loads((out_dir / "vocabulary.json").read_text())
    if config.get("lang_ids") or len(vocabulary) != _MULTILINGUAL_VOCAB:
        return
    builtin = default.package_file(*default.WHISPER_BASE_CONFIG)
    config["lang_ids"] = json.loads(builtin.read_text())["lang_ids"]
    config_path.write_text(json.dumps(config, indent=2))


def _converter(hf_dir: Path):
    try:
        import torch  # noqa: F401  (the converter needs it; fail here with a clear message)
        import transformers  # noqa: F401
        from ctranslate2.converters import TransformersConverter
    except ImportError as exc:
        raise ModelError(f"conversion needs the 'convert' extra ({exc.name} is missing): "
                         "pip install 'dikta[convert]'") from None
    return TransformersConverter(str(hf_dir), low_cpu_mem_usage=True)
