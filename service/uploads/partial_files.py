"""Resumable uploads, the core of it (no HTTP here; the tus 1.0 routes are routers/uploads.py).

Each upload has its own partial file, created 0600 and holding the recording only as sealed
frames: `[4-byte length][AES-GCM blob]`, each frame authenticated together with the upload id
and the recording offset it starts at, so frames cannot be swapped between uploads or moved.
The row's `offset` and `stored_bytes` are written only after the frames are fsynced, so after a
crash anything beyond `stored_bytes` is a torn write and is cut off before the next append.

One request at a time writes an upload (an exclusive lock on its file, which also holds across
service processes on one host); after the lock is taken the row is read again, so a request
that waited sees what the one before it did. When the last byte is stored the upload becomes a
dictation, exactly once: the dictation is created under the idempotency key `upload:<id>`.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import hashlib
import os
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from service.core import audio_files
from service.core.crypto import active_keyring
from service.core.store import Store, Upload, as_utc, utcnow

FRAME_BYTES = 1024 * 1024
"""Plaintext per sealed frame: what a cut connection can lose at most is what had not yet
reached the server; everything received is flushed as a (shorter) frame."""
_LENGTH = struct.Struct(">I")
LOCK_WAIT_S = 10.0


class UploadBusy(Exception):
    """Another request is writing this upload right now."""


class UploadGone(Exception):
    """The upload was terminated or has expired."""


@dataclass(frozen=True)
class Appended:
    offset: int
    stored_bytes: int
    complete_chunk: bool
    """The request body arrived whole (not cut off by the client or the network)."""


def partial_path(data_dir: Path, tenant_id: str, upload_id: str) -> Path:
    return audio_files.audio_dir(data_dir, tenant_id) / f"{upload_id}.partial"


def create_partial(path: Path) -> None:
    """An empty partial file, private from the first byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def expiry(hours: float, now: datetime | None = None) -> datetime:
    return (now or utcnow()) + timedelta(hours=hours)


def expired(row: Upload, now: datetime | None = None) -> bool:
    return row.expires_at is not None and as_utc(row.expires_at) <= (now or utcnow())


@asynccontextmanager
async def writing(path: Path, wait_s: float = LOCK_WAIT_S) -> AsyncIterator[int | None]:
    """Hold the upload's write lock; yields the open file descriptor, or None when the
    partial file is already gone (finalized, terminated) — the caller then answers from
    the row alone."""
    fd = _open_existing(path)
    if fd is None:
        yield None
        return
    try:
        deadline = asyncio.get_running_loop().time() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise
                if asyncio.get_running_loop().time() >= deadline:
                    raise UploadBusy() from None
                await asyncio.sleep(0.05)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def _open_existing(path: Path) -> int | None:
    try:
        return os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None


class FrameWriter:
    """Appends received bytes to a partial file as sealed frames."""

    def __init__(self, fd: int, upload_id: str, offset: int, stored_bytes: int) -> None:
        self.fd, self.upload_id = fd, upload_id
        self.offset, self.stored_bytes = offset, stored_bytes
        self.start = (offset, stored_bytes)
        self.buffer = bytearray()
        self.digest: dict[str, object] = {}
        os.ftruncate(fd, stored_bytes)  # drop a torn write left by a crash
        os.lseek(fd, stored_bytes, os.SEEK_SET)

    def hash_with(self, algorithm: str) -> None:
        self.digest[algorithm] = hashlib.new(algorithm)

    def write(self, data: bytes) -> None:
        for digest in self.digest.values():
            digest.update(data)
        self.buffer.extend(data)
        while len(self.buffer) >= FRAME_BYTES:
            self._frame(bytes(self.buffer[:FRAME_BYTES]))
            del self.buffer[:FRAME_BYTES]

    def received(self) -> int:
        return self.offset + len(self.buffer)

    def commit(self) -> None:
        """Everything received is sealed and on disk."""
        if self.buffer:
            self._frame(bytes(self.buffer))
            self.buffer.clear()
        os.fsync(self.fd)

    def roll_back(self) -> None:
        """Forget this request's bytes (checksum mismatch, over-length, unverifiable)."""
        self.buffer.clear()
        self.offset, self.stored_bytes = self.start
        os.ftruncate(self.fd, self.stored_bytes)
        os.fsync(self.fd)

    def _frame(self, plain: bytes) -> None:
        ring = active_keyring()
        context = _context(self.upload_id, self.offset)
        blob = ring.seal(plain, context=context) if ring is not None else plain
        record = _LENGTH.pack(len(blob)) + blob
        os.write(self.fd, record)
        self.offset += len(plain)
        self.stored_bytes += len(record)


def read_partial(path: Path, upload_id: str, stored_bytes: int) -> bytes:
    """The recording as received (unsealed), from the frames up to `stored_bytes`."""
    ring = active_keyring()
    raw = Path(path).read_bytes()[:stored_bytes]
    out, position = bytearray(), 0
    while position < len(raw):
        (size,) = _LENGTH.unpack_from(raw, position)
        blob = raw[position + 4:position + 4 + size]
        context = _context(upload_id, len(out))
        out.extend(ring.open(blob, context=context) if ring is not None else blob)
        position += 4 + size
    return bytes(out)


def _context(upload_id: str, offset: int) -> bytes:
    return f"dikta-upload:{upload_id}:{offset}".encode()


def purge_expired(store: Store, now: datetime | None = None) -> int:
    """Delete the partial files of uploads that expired unfinished; rows stay (as
    `expired`) so a client asking later is told, not sent a 404."""
    from sqlalchemy import select

    now = now or datetime.now(timezone.utc)
    count = 0
    with store.session() as s, s.begin():
        rows = s.scalars(select(Upload).where(Upload.status == "receiving",
                                              Upload.expires_at <= now))
        for row in rows:
            audio_files.remove(row.path)
            row.status, row.error = "expired", "the upload expired before it was complete"
            count += 1
    return count
