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
    """Write `data` sealed with the active data key to `target` (temp file, fsync, rename);
    return the SHA-256 of the recording itself."""
    from service.core.crypto import active_keyring

    ring = active_keyring()
    stored = ring.seal(data) if ring is not None else data
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(stored)
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


def read_audio(path: str | Path) -> bytes:
    """The recording as it was uploaded (unsealed)."""
    from service.core.crypto import DataKeyError, active_keyring

    data = Path(path).read_bytes()
    ring = active_keyring()
    if ring is None:
        if data.startswith(b"DKENC1"):
            raise DataKeyError("the recording is encrypted, but no data key is configured")
        return data
    return ring.open(data)
