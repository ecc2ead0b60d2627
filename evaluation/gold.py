"""Reading gold structuring files (shared/data/structuring/FORMAT.md), with clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from structuring.errors import DiktaError

REQUIRED = ("id", "spoken", "sentences", "entities", "events")


class GoldFileError(DiktaError):
    """A gold file is missing, not JSON Lines, or lacks required fields."""


def read_gold(path: Path) -> list[dict]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldFileError(f"cannot read {path}: {exc.strerror}") from None
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise GoldFileError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        missing = [key for key in REQUIRED if key not in row]
        if missing:
            raise GoldFileError(f"{path}:{number}: missing {', '.join(missing)}")
        rows.append(row)
    if not rows:
        raise GoldFileError(f"{path} holds no dictations")
    return rows
