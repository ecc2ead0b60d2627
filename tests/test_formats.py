from __future__ import annotations

from pipelines.asr import Segment, Transcript, TranscriptionOptions, Word
from pipelines.formats import render


def _transcript() -> Transcript:
    segments = (
        Segment(0, 0.5, 2.25, "Pasienten sov godt.", -0.1, 0.01, 1.1,
                (Word(0.5, 1.2, " Pasienten", 0.9),)),
        Segment(1, 3661.0, 3662.5, "Ingen smerter.", -0.2, 0.02, 1.0),
    )
    return Transcript(segments, "no", 3663.0, 4.0, "whisper-base", TranscriptionOptions())


def test_text():
    assert render(_transcript(), "txt") == "Pasienten sov godt. Ingen smerter.\n"


def test_srt_uses_comma_milliseconds_and_hours():
    srt = render(_transcript(), "srt")
    assert srt.startswith("1\n00:00:00,500 --> 00:00:02,250\nPasienten sov godt.\n\n2\n")
    assert "01:01:01,000 --> 01:01:02,500" in srt


def test_vtt_uses_dot_milliseconds():
    assert render(_transcript(), "vtt").startswith(
        "WEBVTT\n\n00:00:00.500 --> 00:00:02.250\nPasienten sov godt.\n")


def test_empty_transcript_renders_empty_text():
    empty = Transcript((), "no", 3.0, 0.0, "whisper-base", TranscriptionOptions())
    assert render(empty, "txt") == ""
    assert render(empty, "srt") == ""
