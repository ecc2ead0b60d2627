"""Typed errors for everything a caller can get wrong or a file can be wrong about.

Each message is one line a nurse's IT operator can act on; the CLI prints it as is and
the service maps it to a 4xx problem document. Messages never contain transcript text.
"""

from __future__ import annotations


class DiktaError(Exception):
    """Base of every error Dikta raises on purpose."""


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
