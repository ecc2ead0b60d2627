"""Render a Transcript as plain text, JSON, SubRip (srt) or WebVTT."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict

from pipelines.asr import Transcript

FORMATS = ("txt", "json", "srt", "vtt")


def _timestamp(seconds: float, decimal: str) -> str:
    millis = int(round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{millis:03d}"


def to_text(transcript: Transcript) -> str:
    return transcript.text + "\n" if transcript.text else ""


def to_json_dict(transcript: Transcript) -> dict:
    return {
        "text": transcript.text,
        "language": transcript.language,
        "model": transcript.model,
        "audio_duration_s": round(transcript.audio_duration_s, 3),
        "speech_duration_s": round(transcript.speech_duration_s, 3),
        "timings": {**asdict(transcript.timings), "total_s": transcript.timings.total_s},
        "rtfx": round(transcript.rtfx, 2),
        "segments": [
            {**asdict(s), "confidence": round(s.confidence, 4)} for s in transcript.segments
        ],
    }


def to_json(transcript: Transcript) -> str:
    return json.dumps(to_json_dict(transcript), ensure_ascii=False, indent=2) + "\n"


def to_srt(transcript: Transcript) -> str:
    blocks = [
        f"{i}\n{_timestamp(s.start_s, ',')} --> {_timestamp(s.end_s, ',')}\n{s.text}\n"
        for i, s in enumerate(transcript.segments, start=1)
    ]
    return "\n".join(blocks)


def to_vtt(transcript: Transcript) -> str:
    blocks = [
        f"{_timestamp(s.start_s, '.')} --> {_timestamp(s.end_s, '.')}\n{s.text}\n"
        for s in transcript.segments
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


RENDERERS: dict[str, Callable[[Transcript], str]] = {
    "txt": to_text, "json": to_json, "srt": to_srt, "vtt": to_vtt,
}


def render(transcript: Transcript, fmt: str) -> str:
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    return RENDERERS[fmt](transcript)
