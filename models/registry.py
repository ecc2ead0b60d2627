"""The ASR model registry: names → CTranslate2 Whisper directories on this machine.

Built-in models are assembled from installed packages (see `models.default`); operators add
their own (e.g. NB-Whisper large converted on site) with `dikta models add NAME PATH`, stored in
`registry.json` inside the model directory. Nothing is ever fetched from a hub.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from models import default
from models.errors import InvalidModelDirError, ModelNotFoundError

_REGISTRY_FILE = "registry.json"
# faster-whisper falls back to downloading a tokenizer from the hub when tokenizer.json is
# missing, so a directory without one must be refused rather than loaded.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")


@dataclass(frozen=True)
class ModelEntry:
    name: str
    path: Path
    builtin: bool


def check_model_dir(path: Path) -> Path:
    """Raise InvalidModelDirError unless `path` is a loadable CTranslate2 Whisper directory."""
    if not path.is_dir():
        raise InvalidModelDirError(f"{path} is not a directory")
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        raise InvalidModelDirError(
            f"{path} is not a CTranslate2 Whisper model: missing {', '.join(missing)}"
        )
    try:
        json.loads((path / "config.json").read_text())
    except (OSError, ValueError) as exc:
        raise InvalidModelDirError(f"{path}/config.json is not valid JSON: {exc}") from None
    return path


class ModelRegistry:
    """Resolves model names and paths; owns the on-disk model cache directory."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = Path(model_dir).expanduser()

    @property
    def _registry_path(self) -> Path:
        return self.model_dir / _REGISTRY_FILE

    def _added(self) -> dict[str, str]:
        try:
            data = json.loads(self._registry_path.read_text())
        except FileNotFoundError:
            return {}
        except ValueError as exc:
            raise InvalidModelDirError(f"{self._registry_path} is corrupt: {exc}") from None
        return dict(data.get("models", {}))

    def entries(self) -> list[ModelEntry]:
        builtin = [ModelEntry(default.DEFAULT_MODEL_NAME, self._builtin_path(), True)]
        added = [ModelEntry(n, Path(p), False) for n, p in sorted(self._added().items())]
        return builtin + added

    def _builtin_path(self) -> Path:
        return self.model_dir / default.DEFAULT_MODEL_NAME

    def resolve(self, name_or_path: str | os.PathLike[str]) -> Path:
        """Return a loadable model directory; assembles the built-in model on first use."""
        text = str(name_or_path)
        if text == default.DEFAULT_MODEL_NAME:
            return default.assemble(default.WHISPER_BASE, self._builtin_path())
        added = self._added()
        if text in added:
            return check_model_dir(Path(added[text]))
        candidate = Path(text).expanduser()
        if candidate.exists():
            return check_model_dir(candidate.resolve())
        known = ", ".join(e.name for e in self.entries())
        raise ModelNotFoundError(
            f"no model named '{text}' (known: {known}); give a registered name or a directory"
        )

    def add(self, name: str, path: Path) -> ModelEntry:
        if not name or set(name) - _NAME_CHARS or name == default.DEFAULT_MODEL_NAME:
            raise InvalidModelDirError(
                f"invalid model name '{name}': use lower-case letters, digits, '-', '_' or '.', "
                f"and not the built-in '{default.DEFAULT_MODEL_NAME}'"
            )
        resolved = check_model_dir(Path(path).expanduser().resolve())
        added = self._added()
        added[name] = str(resolved)
        self._write(added)
        return ModelEntry(name, resolved, False)

    def verify(self, name: str) -> Path:
        """Full check of one model: hash for the built-in, required files for the others."""
        path = self.resolve(name)
        if name == default.DEFAULT_MODEL_NAME:
            default.verify(default.WHISPER_BASE, path)
        return path

    def _write(self, added: dict[str, str]) -> None:
        self.model_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.model_dir, prefix=".registry-")
        with os.fdopen(fd, "w") as handle:
            json.dump({"models": added}, handle, indent=2, sort_keys=True)
        os.replace(tmp, self._registry_path)
