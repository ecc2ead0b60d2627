"""Decode whatever a phone or recorder produced into 16 kHz mono float32 samples.

The container is recognised by content (FFmpeg's probe), never by file extension. Size and
declared duration are checked before decoding, and the decoded length is capped while
decoding, so a huge or lying file costs little. Every failure is a typed `AudioError`.
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from pipelines.errors import (
    AudioTooLargeError,
    AudioTooLongError,
    CorruptAudioError,
    EmptyAudioError,
    UnsupportedFormatError,
)

SAMPLE_RATE_HZ = 16_000
# FFmpeg demuxer names of what phones, dictaphones and browsers record.
ACCEPTED_CONTAINERS = frozenset({
    "wav", "mp3", "mov,mp4,m4a,3gp,3g2,mj2", "ogg", "matroska,webm", "flac", "aac", "amr",
    "caf", "aiff", "w64",
})
# A WAV whose data is this much shorter than its header declares was cut off in transfer.
_TRUNCATION_TOLERANCE_BYTES = 1024
# WAV writers that stream (live recorders) leave these sizes in the header.
_UNKNOWN_WAV_SIZES = (0, 0xFFFFFFFF)

AudioSource = str | os.PathLike[str] | bytes | BinaryIO


@dataclass(frozen=True)
class AudioOptions:
    max_duration_s: float = 3 * 3600.0
    max_bytes: int = 1 << 30

    def validate(self) -> None:
        if self.max_duration_s <= 0 or self.max_bytes <= 0:
            raise ValueError("max_duration_s and max_bytes must be positive")


@dataclass(frozen=True)
class Audio:
    """Decoded audio, ready for VAD and ASR."""

    samples: np.ndarray  # float32 in [-1, 1], mono, SAMPLE_RATE_HZ
    container: str  # FFmpeg's name of the recognised container, e.g. "ogg"
    codec: str

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE_HZ


def decode_audio(source: AudioSource, options: AudioOptions = AudioOptions()) -> Audio:
    """Decode `source` (path, bytes or binary file) or raise a typed AudioError."""
    options.validate()
    data = _read_bytes(source, options.max_bytes)
    _check_wav_not_truncated(data)
    container = _open(data)
    with container:
        stream = _audio_stream(container)
        _check_declared_duration(container, options.max_duration_s)
        samples = _collect(_as_float(_resampled(_frames(container, stream))),
                           options.max_duration_s)
        audio = Audio(samples, container.format.name, stream.codec_context.name)
    if audio.samples.size == 0:
        raise EmptyAudioError("the file contains no audio samples")
    return audio


def probe_audio(source: AudioSource, options: AudioOptions = AudioOptions()) -> tuple[str, float | None]:
    """Cheap checks before accepting a recording: readable, audio, not too long or large.

    Returns (container name, declared duration in seconds or None); decodes no samples.
    """
    options.validate()
    data = _read_bytes(source, options.max_bytes)
    _check_wav_not_truncated(data)
    container = _open(data)
    with container:
        _audio_stream(container)
        _check_declared_duration(container, options.max_duration_s)
        declared = container.duration / 1e6 if container.duration is not None else None
        return container.format.name, declared


def _read_bytes(source: AudioSource, max_bytes: int) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise EmptyAudioError(f"no such file: {path.name}")
        size = path.stat().st_size
        if size > max_bytes:
            raise AudioTooLargeError(_too_large(size, max_bytes))
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise AudioTooLargeError(_too_large(len(data), max_bytes))
    if not data:
        raise EmptyAudioError("the file is empty (0 bytes)")
    return data


def _too_large(size: int, max_bytes: int) -> str:
    return f"the file is {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB"


def _check_wav_not_truncated(data: bytes) -> None:
    # FFmpeg derives a WAV's duration from the bytes present, so a cut-off upload decodes
    # "fine" but short; the RIFF header still says how much data there should be.
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return
    offset = 12
    while offset + 8 <= len(data):
        chunk_id, chunk_size = struct.unpack_from("<4sI", data, offset)
        if chunk_id == b"data":
            present = len(data) - (offset + 8)
            if chunk_size not in _UNKNOWN_WAV_SIZES and \
                    present + _TRUNCATION_TOLERANCE_BYTES < chunk_size:
                raise CorruptAudioError(
                    f"the WAV file is truncated: {present:,} of {chunk_size:,} audio bytes "
                    "present (interrupted upload?)"
                )
            return
        offset += 8 + chunk_size + (chunk_size & 1)


def _open(data: bytes):
    import av

    try:
        container = av.open(io.BytesIO(data), metadata_errors="ignore")
    except av.error.InvalidDataError:
        raise CorruptAudioError("not a recognisable audio file (corrupt, truncated or not audio)")\
            from None
    except av.error.FFmpegError as exc:
        raise CorruptAudioError(f"cannot read the file: {exc.strerror or exc}") from None
    if container.format.name not in ACCEPTED_CONTAINERS:
        name = container.format.long_name or container.format.name
        container.close()
        raise UnsupportedFormatError(
            f"unsupported format '{name}'; send wav, mp3, m4a/aac, ogg/opus, webm, flac or amr"
        )
    return container


def _audio_stream(container):
    if not container.streams.audio:
        container.close()
        raise UnsupportedFormatError("the file contains no audio stream")
    return container.streams.audio[0]


def _check_declared_duration(container, max_duration_s: float) -> None:
    if container.duration is not None and container.duration / 1e6 > max_duration_s:
        seconds = container.duration / 1e6
        container.close()
        raise AudioTooLongError(_too_long(seconds, max_duration_s))


def _too_long(seconds: float, max_duration_s: float) -> str:
    return f"the recording is {_span(seconds)} long, over the limit of {_span(max_duration_s)}"


def _span(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _frames(container, stream) -> Iterator:
    import av

    try:
        yield from container.decode(stream)
    except av.error.EOFError:
        return
    except av.error.FFmpegError as exc:
        raise CorruptAudioError(f"the audio cannot be decoded: {exc.strerror or exc}") from None


def _resampled(frames: Iterator) -> Iterator:
    import av

    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE_HZ)
    for frame in frames:
        yield from resampler.resample(frame)
    yield from resampler.resample(None)  # flush the resampler's buffered tail


def _as_float(frames: Iterator) -> Iterator[np.ndarray]:
    for frame in frames:
        yield frame.to_ndarray().reshape(-1).astype(np.float32) / 32768.0


def _collect(chunks: Iterator[np.ndarray], max_duration_s: float) -> np.ndarray:
    limit = int(max_duration_s * SAMPLE_RATE_HZ)
    parts, total = [], 0
    for chunk in chunks:
        total += chunk.size
        if total > limit:  # the header lied or had no duration: stop paying for decoding
            raise AudioTooLongError(_too_long(total / SAMPLE_RATE_HZ, max_duration_s))
        parts.append(chunk)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
