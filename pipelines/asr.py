"""Speech → text with faster-whisper (CTranslate2), with Norwegian dictation defaults.

The stages read top to bottom: speech regions from the VAD, Whisper over the speech only,
timestamps mapped back to the recording, known silence hallucinations dropped. Segments are
yielded as Whisper settles them, so callers can stream them.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from pipelines.audio import SAMPLE_RATE_HZ, Audio
from pipelines.lexicon import corrector_for, hotwords
from pipelines.vad import SpeechRegion, VadOptions, detect_speech, speech_duration_s

# Whisper has one code for Norwegian ("no", written as bokmål) and one for nynorsk.
LANGUAGES = {"no": "no", "nb": "no", "nn": "nn"}


@dataclass(frozen=True)
class TranscriptionOptions:
    language: str = "no"
    beam_size: int = 5
    # Fallback temperatures when a decode looks like a loop (compression) or is unsure.
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    # Conditioning on the previous window is the usual cause of repetition loops on long
    # dictations (faster-whisper issues); each window stands alone instead.
    condition_on_previous_text: bool = False
    word_timestamps: bool = True
    initial_prompt: str | None = None  # domain prompt, e.g. a tenant's drug names in context
    hotwords: str | None = None
    vad: VadOptions | None = field(default_factory=VadOptions)  # None: transcribe everything
    batch_size: int = 1  # >1 uses faster-whisper's BatchedInferencePipeline
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    drop_known_hallucinations: bool = True
    # Rewrite Danish/Swedish spellings into Norwegian where the word list proves it right
    # ("none" to keep Whisper's words as they are).
    orthography: str = "auto"
    # The tenant's own terms: near misses rewritten after decoding, and optionally hotwords.
    # Hotwords are off by default: on poorly heard audio Whisper continues the term list and
    # writes drug names nobody said (docs/benchmarks.md, "Lexicon biasing").
    lexicon: tuple[str, ...] = ()
    lexicon_hotwords: bool = False
    lexicon_correction: bool = True

    def validate(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"unsupported language '{self.language}' (use no, nb or nn)")
        if self.beam_size < 1 or self.batch_size < 1:
            raise ValueError("beam_size and batch_size must be at least 1")
        if self.vad is not None:
            self.vad.validate()
        if self.orthography not in ("auto", "none", "bokmaal", "nynorsk"):
            raise ValueError("orthography must be auto, none, bokmaal or nynorsk")
        if self.batch_size > 1 and self.vad is None:
            raise ValueError("batched inference needs the VAD to cut the audio into windows")


@dataclass(frozen=True)
class Word:
    start_s: float
    end_s: float
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    id: int
    start_s: float
    end_s: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    words: tuple[Word, ...] = ()

    @property
    def confidence(self) -> float:
        """Mean token probability of the segment (exp of the average log-probability)."""
        return float(np.exp(self.avg_logprob))


@dataclass(frozen=True)
class Timings:
    decode_s: float = 0.0
    vad_s: float = 0.0
    asr_s: float = 0.0

    @property
    def total_s(self) -> float:
        return self.decode_s + self.vad_s + self.asr_s


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]
    language: str
    audio_duration_s: float
    speech_duration_s: float
    model: str
    options: TranscriptionOptions
    timings: Timings = Timings()

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments).strip()

    @property
    def rtfx(self) -> float:
        """Audio seconds per processing second (Open ASR Leaderboard's RTFx)."""
        return self.audio_duration_s / self.timings.total_s if self.timings.total_s else 0.0


class Transcriber:
    """Transcribes decoded audio with one loaded WhisperModel; reusable and thread-safe."""

    def __init__(self, model: Any, options: TranscriptionOptions = TranscriptionOptions(),
                 model_name: str = "") -> None:
        options.validate()
        self.model = model
        self.options = options
        self.model_name = model_name
        self._batched = None

    def with_options(self, **changes: Any) -> Transcriber:
        """A transcriber sharing this one's loaded model with some options changed."""
        return Transcriber(self.model, replace(self.options, **changes), self.model_name)

    def speech_regions(self, audio: Audio) -> list[SpeechRegion]:
        if self.options.vad is None:
            return [SpeechRegion(0, audio.samples.size)] if audio.samples.size else []
        return detect_speech(audio.samples, self.options.vad)

    def stream(self, audio: Audio, regions: list[SpeechRegion] | None = None
               ) -> Iterator[Segment]:
        """Segments in order, as Whisper settles them; nothing at all when there is no speech."""
        regions = self.speech_regions(audio) if regions is None else regions
        if not regions:
            return
        raw = self._batched_segments(audio, regions) if self.options.batch_size > 1 \
            else self._sequential_segments(audio, regions)
        kept = _drop_hallucinations(raw) if self.options.drop_known_hallucinations else raw
        fixes = [fix for fix in (self._spelling(), self._term_correction()) if fix]
        for index, segment in enumerate(kept):
            converted = _to_segment(index, segment)
            for fix in fixes:  # the text only; words keep what was heard, with its timing
                converted = replace(converted, text=fix(converted.text))
            yield converted

    def _spelling(self) -> Callable[[str], str] | None:
        from pipelines import orthography

        choice = self.options.orthography
        if choice == "none":
            return None
        standard = "nynorsk" if choice == "nynorsk" or (
            choice == "auto" and self.options.language == "nn") else "bokmaal"
        if not orthography.available(standard):
            # Keep Whisper's spelling, and say so (once per process; /readyz says it too).
            _warn_once(f"the {standard} word list ({orthography.WORD_LISTS[standard]}) is not "
                       "installed: Whisper's Danish/Swedish spellings are kept as heard")
            return None
        return lambda text: orthography.correct(text, standard)

    def _term_correction(self) -> Callable[[str], str] | None:
        if not (self.options.lexicon and self.options.lexicon_correction):
            return None
        corrector = corrector_for(self.options.lexicon)
        return lambda text: corrector.correct(text)[0]

    def transcribe(self, audio: Audio, *, decode_s: float = 0.0,
                   on_segment: Callable[[Segment], None] | None = None) -> Transcript:
        started = time.perf_counter()
        regions = self.speech_regions(audio)
        vad_done = time.perf_counter()
        segments = []
        for segment in self.stream(audio, regions):
            segments.append(segment)
            if on_segment is not None:
                on_segment(segment)
        asr_done = time.perf_counter()
        return Transcript(
            segments=tuple(segments),
            language=self.options.language,
            audio_duration_s=audio.duration_s,
            speech_duration_s=speech_duration_s(regions),
            model=self.model_name,
            options=self.options,
            timings=Timings(decode_s, vad_done - started, asr_done - vad_done),
        )

    def decode_kwargs(self) -> dict[str, Any]:
        o = self.options
        return dict(
            language=LANGUAGES[o.language],
            beam_size=o.beam_size,
            temperature=list(o.temperatures),
            condition_on_previous_text=o.condition_on_previous_text,
            word_timestamps=o.word_timestamps,
            initial_prompt=o.initial_prompt,
            hotwords=hotwords(o.lexicon, o.hotwords) if o.lexicon_hotwords else o.hotwords,
            no_speech_threshold=o.no_speech_threshold,
            log_prob_threshold=o.log_prob_threshold,
            compression_ratio_threshold=o.compression_ratio_threshold,
            vad_filter=False,  # our VAD stage already ran
        )

    def _sequential_segments(self, audio: Audio, regions: list[SpeechRegion]) -> Iterator[Any]:
        # Same as faster-whisper's own vad_filter path: decode the speech back to back, then
        # map timestamps onto the original recording.
        from faster_whisper.transcribe import restore_speech_timestamps

        chunks = [{"start": r.start_sample, "end": r.end_sample} for r in regions]
        speech = np.concatenate([audio.samples[r.start_sample:r.end_sample] for r in regions])
        segments, _info = self.model.transcribe(speech, **self.decode_kwargs())
        return restore_speech_timestamps(segments, chunks, SAMPLE_RATE_HZ)

    def _batched_segments(self, audio: Audio, regions: list[SpeechRegion]) -> Iterator[Any]:
        from faster_whisper import BatchedInferencePipeline

        if self._batched is None:
            self._batched = BatchedInferencePipeline(self.model)
        kwargs = self.decode_kwargs()
        kwargs.pop("vad_filter")
        segments, _info = self._batched.transcribe(
            audio.samples,
            clip_timestamps=[{"start": r.start_s, "end": r.end_s} for r in regions],
            batch_size=self.options.batch_size,
            **kwargs,
        )
        return segments


_PUNCTUATION = re.compile(r"[^\w\s]")


def _normalised(text: str) -> str:
    return " ".join(_PUNCTUATION.sub("", text.lower()).split())


@lru_cache(maxsize=1)
def known_hallucinations() -> frozenset[str]:
    text = resources.files("pipelines").joinpath("data/hallucinations.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(_normalised(line) for line in lines if line and not line.startswith("#"))


def _drop_hallucinations(segments: Iterator[Any]) -> Iterator[Any]:
    blocked = known_hallucinations()
    for segment in segments:
        normalised = _normalised(segment.text)
        if normalised and normalised not in blocked:
            yield segment


def _seconds(value: float) -> float:
    return round(float(value), 3)  # faster-whisper mixes numpy and Python floats


def _to_segment(index: int, raw: Any) -> Segment:
    words = tuple(Word(_seconds(w.start), _seconds(w.end), w.word, round(float(w.probability), 4))
                  for w in (raw.words or ()))
    return Segment(
        id=index,
        start_s=_seconds(raw.start),
        end_s=_seconds(raw.end),
        text=raw.text.strip(),
        avg_logprob=float(raw.avg_logprob),
        no_speech_prob=float(raw.no_speech_prob),
        compression_ratio=float(raw.compression_ratio),
        words=words,
    )


@lru_cache(maxsize=None)
def _warn_once(message: str) -> None:
    logging.getLogger("dikta.asr").warning(message)
