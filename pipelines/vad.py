"""Find the speech in a recording with the Silero VAD model bundled in faster-whisper.

Only speech is sent to Whisper: silence and noise are where Whisper invents text, so a
recording with no speech never reaches the decoder at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.audio import SAMPLE_RATE_HZ
from pipelines.offline import disable_onnx_telemetry


@dataclass(frozen=True)
class VadOptions:
    threshold: float = 0.5  # Silero speech probability above which a frame is speech
    min_speech_ms: int = 250  # shorter blips (clicks, a cough) are dropped
    # Nurses pause mid-sentence to look at a chart; 600 ms keeps a sentence in one piece.
    min_silence_ms: int = 600
    speech_pad_ms: int = 400
    # Whisper's window; longer speech runs are split so each fits one decoder pass.
    max_speech_s: float = 30.0

    def validate(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError("VAD threshold must be between 0 and 1")
        if self.min_speech_ms < 0 or self.min_silence_ms < 0 or self.speech_pad_ms < 0:
            raise ValueError("VAD durations must not be negative")


@dataclass(frozen=True)
class SpeechRegion:
    start_sample: int
    end_sample: int

    @property
    def start_s(self) -> float:
        return self.start_sample / SAMPLE_RATE_HZ

    @property
    def end_s(self) -> float:
        return self.end_sample / SAMPLE_RATE_HZ


def detect_speech(samples: np.ndarray, options: VadOptions = VadOptions()) -> list[SpeechRegion]:
    """Speech regions of `samples` (16 kHz mono float32), in order."""
    options.validate()
    # The Silero model runs on onnxruntime: its telemetry must be off before it is imported.
    disable_onnx_telemetry()
    from faster_whisper.vad import VadOptions as SileroOptions
    from faster_whisper.vad import get_speech_timestamps

    if samples.size == 0:
        return []
    silero = SileroOptions(
        threshold=options.threshold,
        min_speech_duration_ms=options.min_speech_ms,
        min_silence_duration_ms=options.min_silence_ms,
        speech_pad_ms=options.speech_pad_ms,
        max_speech_duration_s=options.max_speech_s,
    )
    return [SpeechRegion(c["start"], c["end"]) for c in get_speech_timestamps(samples, silero)]


def speech_duration_s(regions: list[SpeechRegion]) -> float:
    return sum(r.end_sample - r.start_sample for r in regions) / SAMPLE_RATE_HZ
