"""Evaluation manifests: JSON Lines or CSV rows of audio + reference text (+ speaker,
dialect, language, tags). Audio paths are relative to the manifest file."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from structuring.errors import DiktaError


class ManifestError(DiktaError):
    """A manifest that cannot be read, or a row without audio."""


@dataclass(frozen=True)
class ManifestRow:
    audio: Path
    text: str
    speaker: str = "ukjent"
    dialect: str = "ukjent"
    language: str = "nb"
    tags: tuple[str, ...] = field(default=())

    @property
    def is_quiet(self) -> bool:
        """A clip of silence or noise: any word on it is invented."""
        return bool({"silence", "noise"} & set(self.tags))


def read_manifest(path: Path) -> list[ManifestRow]:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError(f"cannot read {path}: {exc.strerror}") from None
    records = _csv(raw) if path.suffix.lower() == ".csv" else _jsonl(raw, path)
    rows = []
    for number, record in enumerate(records, start=1):
        if not record.get("audio"):
            raise ManifestError(f"{path}:{number}: no audio")
        tags = record.get("tags") or ()
        if isinstance(tags, str):
            tags = [t for t in tags.replace(";", ",").split(",") if t.strip()]
        rows.append(ManifestRow(
            audio=(path.parent / record["audio"]).resolve(), text=record.get("text") or "",
            speaker=record.get("speaker") or "ukjent", dialect=record.get("dialect") or "ukjent",
            language=record.get("language") or "nb", tags=tuple(t.strip() for t in tags)))
    if not rows:
        raise ManifestError(f"{path} holds no rows")
    return rows


def _jsonl(raw: str, path: Path) -> list[dict]:
    records = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError as exc:
                raise ManifestError(f"{path}:{number}: not valid JSON ({exc})") from None
    return records


def _csv(raw: str) -> list[dict]:
    return list(csv.DictReader(raw.splitlines()))
