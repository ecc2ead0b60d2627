"""Typed errors for everything a caller can get wrong about audio (the base error:
structuring/errors.py)."""

from __future__ import annotations

from structuring.errors import DiktaError


class AudioError(DiktaError):
    """The audio given cannot be transcribed as it is (the caller's input is at fault)."""


class EmptyAudioError(AudioError):
    """The file has no bytes, or decodes to no samples."""


class CorruptAudioError(AudioError):
    """The file claims to be audio but cannot be decoded, or is cut short."""


class UnsupportedFormatError(AudioError):
    """The file is not audio, or is a container/codec Dikta does not accept."""


class AudioTooLongError(AudioError):
    """The recording is longer than the configured maximum duration."""


class AudioTooLargeError(AudioError):
    """The file is larger than the configured maximum size."""
