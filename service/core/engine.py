"""Glue from Settings to a ready Transcriber: registry → device plan → loaded model.

The CLI, the service and the benchmarks all build their transcribers here, so a model named in
configuration means the same thing everywhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from gpu.device import DevicePlan, plan_device
from models.manager import ModelManager
from models.registry import ModelRegistry
from pipelines.asr import Transcriber, Transcript, TranscriptionOptions
from pipelines.audio import Audio, AudioOptions, AudioSource, decode_audio
from pipelines.lexicon import clean_terms, read_lexicon
from pipelines.vad import VadOptions
from service.core.masking import masked_transcript
from service.core.settings import Settings


def lexicon_terms(settings: Settings, extra: object = None) -> tuple[str, ...]:
    """The tenant's (or a given file's) terms first, then the service-wide lexicon file."""
    if isinstance(extra, (str, Path)):
        extra = read_lexicon(Path(extra))
    base = read_lexicon(settings.asr.lexicon_file) if settings.asr.lexicon_file else ()
    return clean_terms([*(extra or ()), *base])


def transcription_options(settings: Settings, **overrides: object) -> TranscriptionOptions:
    asr = settings.asr
    overrides["lexicon"] = lexicon_terms(settings, overrides.get("lexicon"))
    vad = VadOptions(min_silence_ms=asr.vad_min_silence_ms) if asr.vad else None
    options = TranscriptionOptions(
        language=asr.language,
        beam_size=asr.beam_size,
        batch_size=asr.batch_size,
        word_timestamps=asr.word_timestamps,
        initial_prompt=asr.initial_prompt,
        hotwords=asr.hotwords,
        orthography=asr.orthography,
        lexicon_hotwords=asr.lexicon_hotwords,
        vad=vad,
    )
    changes = {k: v for k, v in overrides.items() if v is not None}
    return TranscriptionOptions(**{**options.__dict__, **changes})


@dataclass
class Engine:
    settings: Settings
    manager: ModelManager = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.manager is None:
            self.manager = ModelManager(ttl_s=self.settings.model.idle_unload_s)
        self.registry = ModelRegistry(self.settings.model_dir)

    def device_plan(self) -> DevicePlan:
        m = self.settings.model
        return plan_device(m.device, m.compute_type, device_index=m.device_index,
                           cpu_threads=m.cpu_threads, num_workers=m.num_workers)

    def audio_options(self) -> AudioOptions:
        a = self.settings.audio
        return AudioOptions(max_duration_s=a.max_duration_s, max_bytes=a.max_bytes)

    def transcriber(self, model: str | None = None, **overrides: object) -> Transcriber:
        name = model or self.settings.model.name
        path = self.registry.resolve(name)
        loaded = self.manager.get(path, self.device_plan())
        return Transcriber(loaded, transcription_options(self.settings, **overrides),
                           model_name=Path(name).name if Path(name).is_dir() else name)

    def decode(self, source: AudioSource) -> tuple[Audio, float]:
        """Decoded audio and the seconds decoding took."""
        started = time.perf_counter()
        audio = decode_audio(source, self.audio_options())
        return audio, time.perf_counter() - started

    def transcribe(self, source: AudioSource, transcriber: Transcriber | None = None
                   ) -> Transcript:
        transcriber = transcriber or self.transcriber()
        audio, decode_s = self.decode(source)
        return masked_transcript(transcriber.transcribe(audio, decode_s=decode_s))
