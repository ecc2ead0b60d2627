"""Reading gold structuring files (shared/data/structuring/FORMAT.md), with clear errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from structuring.errors import DiktaError

REQUIRED = ("id", "spoken", "sentences", "entities", "events")


class GoldFileError(DiktaError):
    """A gold file is missing, not JSON Lines, or lacks required fields."""


def json_lines(path: Path, error: type[DiktaError]) -> Iterator[tuple[int, dict]]:
    """(line number, record) of each non-empty line; a file that cannot be read or a line
    that is not JSON raises `error` naming the file and line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise error(f"cannot read {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except ValueError as exc:
            raise error(f"{path}:{number}: not valid JSON ({exc})") from None


def read_gold(path: Path) -> list[dict]:
    rows = []
    for number, row in json_lines(path, GoldFileError):
        missing = [key for key in REQUIRED if key not in row]
        if missing:
            raise GoldFileError(f"{path}:{number}: missing {', '.join(missing)}")
        rows.append(row)
    if not rows:
        raise GoldFileError(f"{path} holds no dictations")
    return rows
