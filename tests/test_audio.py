"""Decoding: every phone format in, 16 kHz mono out; every bad input a typed, clear error."""

from __future__ import annotations

import io
import struct
import subprocess
import wave

import numpy as np
import pytest

from pipelines.audio import SAMPLE_RATE_HZ, AudioOptions, decode_audio
from pipelines.errors import (
    AudioTooLargeError,
    AudioTooLongError,
    CorruptAudioError,
    EmptyAudioError,
    UnsupportedFormatError,
)
from tests.conftest import FIXTURES


def _wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE_HZ, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def test_wav_decodes_to_16k_mono_float():
    audio = decode_audio(FIXTURES / "nb_alarm.wav")
    assert audio.samples.dtype == np.float32
    assert audio.samples.ndim == 1
    assert 0.1 < np.abs(audio.samples).max() <= 1.0
    assert audio.container == "wav"


@pytest.mark.parametrize("ext", ["mp3", "m4a", "ogg", "webm", "flac"])
def test_phone_formats_decode_to_the_same_length(ext):
    reference = decode_audio(FIXTURES / "nb_alarm.wav").duration_s
    audio = decode_audio(FIXTURES / f"nb_alarm.{ext}")
    # Lossy codecs add encoder delay/padding of a few tens of milliseconds.
    assert abs(audio.duration_s - reference) < 0.1


def test_stereo_44k_is_downmixed_and_resampled():
    t = np.arange(44_100) / 44_100
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    stereo = np.repeat(tone, 2)  # interleaved L, R
    audio = decode_audio(_wav_bytes(stereo, rate=44_100, channels=2))
    assert abs(audio.duration_s - 1.0) < 0.01
    assert abs(np.abs(audio.samples).max() - 0.5) < 0.05


def test_format_is_sniffed_not_taken_from_the_extension(tmp_path):
    misnamed = tmp_path / "opptak.wav"
    misnamed.write_bytes((FIXTURES / "nb_alarm.ogg").read_bytes())
    assert decode_audio(misnamed).container == "ogg"


def test_bytes_and_file_objects_are_accepted():
    data = (FIXTURES / "nb_feber.wav").read_bytes()
    assert decode_audio(data).duration_s == decode_audio(io.BytesIO(data)).duration_s


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(EmptyAudioError, match="empty"):
        decode_audio(empty)


def test_wav_with_no_samples():
    with pytest.raises(EmptyAudioError, match="no audio samples"):
        decode_audio(_wav_bytes(np.zeros(0)))


def test_text_file_is_not_audio():
    with pytest.raises(CorruptAudioError, match="not a recognisable audio file"):
        decode_audio("Pasienten har hatt en rolig natt.\n".encode())


def test_truncated_wav_is_reported_not_silently_shortened():
    data = (FIXTURES / "nb_alarm.wav").read_bytes()
    with pytest.raises(CorruptAudioError, match="truncated"):
        decode_audio(data[: len(data) // 2])


def test_streamed_wav_with_unknown_length_decodes():
    data = bytearray(_wav_bytes(np.zeros(SAMPLE_RATE_HZ) + 0.1))
    data[40:44] = struct.pack("<I", 0xFFFFFFFF)  # live recorders leave the size unknown
    assert abs(decode_audio(bytes(data)).duration_s - 1.0) < 0.01


def test_truncated_m4a_is_corrupt():
    data = (FIXTURES / "nb_alarm.m4a").read_bytes()
    with pytest.raises(CorruptAudioError):
        decode_audio(data[: len(data) // 2])


def test_image_is_an_unsupported_format(tmp_path):
    png = tmp_path / "bilde.png"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=8x8",
                    "-frames:v", "1", str(png)], check=True)
    with pytest.raises(UnsupportedFormatError, match="unsupported format"):
        decode_audio(png)


def test_video_without_sound_has_no_audio_stream(tmp_path):
    video = tmp_path / "video.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc=duration=1:size=32x32", "-pix_fmt", "yuv420p", str(video)],
                   check=True)
    with pytest.raises(UnsupportedFormatError, match="no audio stream"):
        decode_audio(video)


def test_too_large_is_refused_before_reading(tmp_path):
    path = FIXTURES / "nb_alarm.wav"
    with pytest.raises(AudioTooLargeError, match="over the limit"):
        decode_audio(path, AudioOptions(max_bytes=1000))


def test_too_long_is_refused_from_the_declared_duration():
    with pytest.raises(AudioTooLongError, match="is 7.3 s long, over the limit of 1.0 s"):
        decode_audio(FIXTURES / "nb_alarm.wav", AudioOptions(max_duration_s=1.0))


def test_too_long_is_caught_while_decoding_when_nothing_is_declared():
    data = bytearray(_wav_bytes(np.zeros(3 * SAMPLE_RATE_HZ) + 0.1))
    data[40:44] = struct.pack("<I", 0xFFFFFFFF)
    with pytest.raises(AudioTooLongError):
        decode_audio(bytes(data), AudioOptions(max_duration_s=1.0))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(EmptyAudioError, match="no such file"):
        decode_audio(tmp_path / "finnes-ikke.wav")
