"""Stored recordings: written atomically and durably before a dictation is accepted."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def audio_dir(data_dir: Path, tenant_id: str) -> Path:
    path = data_dir / "audio" / tenant_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_durably(target: Path, data: bytes) -> str:
    """Write `data` to `target` (temp file, fsync, rename); return its SHA-256."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove(path: str | None) -> None:
    if path:
        Path(path).unlink(missing_ok=True)
