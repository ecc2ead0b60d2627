"""Live dictation: the audio of one dictation as it streams in, interim text while the nurse
speaks, final segments as they settle, the whole transcript on stop (the WebSocket protocol
around it: service/http/routers/stream.py, docs/api.md)."""

from __future__ import annotations

import numpy as np

from pipelines.asr import LANGUAGES
from pipelines.audio import SAMPLE_RATE_HZ, Audio, AudioOptions, decode_audio
from pipelines.errors import AudioError
from pipelines.vad import VadOptions, detect_speech
from service.alarms.links import check_alarm_ids, parse_alarm_ids
from service.core.errors import Problem
from service.core.gate import Busy
from service.core.masking import masked_transcript
from service.tenants.profile import TenantProfile, tenant_profile

FORMATS = ("pcm16", "webm", "ogg")
MAX_STREAM_S = 30 * 60  # one live dictation; longer recordings go through /v1/dictations


class LiveDictation:
    """The audio of one live dictation and how much of it has settled into final text."""

    def __init__(self, state, fmt: str, language: str | None,
                 profile: TenantProfile | None = None) -> None:
        self.state, self.fmt = state, fmt
        self.pcm = np.zeros(0, dtype=np.float32)
        self.container = bytearray()  # webm/ogg: the whole stream so far, decoded on demand
        self.committed = 0  # samples already turned into final segments
        self.last_tick = 0
        self.finals: list[dict] = []
        self.alarm_ids: list[str] = []  # from the start message: the dictation links them
        service = state.settings.service
        self.tick = int(service.stream_interim_every_s * SAMPLE_RATE_HZ)
        self.endpoint = int(service.stream_endpoint_silence_ms * SAMPLE_RATE_HZ / 1000)
        overrides: dict[str, object] = {"language": language} if language else {}
        if profile is not None:
            overrides["lexicon"] = profile.lexicon
        self.final_asr = state.engine.transcriber(profile and profile.model, **overrides)
        self.interim_asr = self.final_asr.with_options(beam_size=1, word_timestamps=False,
                                                       temperatures=(0.0,))

    def add(self, chunk: bytes) -> None:
        if self.fmt == "pcm16":
            usable = len(chunk) - len(chunk) % 2
            samples = np.frombuffer(chunk[:usable], dtype="<i2").astype(np.float32) / 32768.0
            self.pcm = np.concatenate([self.pcm, samples])
        else:
            self.container.extend(chunk)
            try:  # a partial container decodes up to its last complete frame
                self.pcm = decode_audio(bytes(self.container),
                                        AudioOptions(max_duration_s=MAX_STREAM_S)).samples
            except AudioError:
                pass
        if self.pcm.size > MAX_STREAM_S * SAMPLE_RATE_HZ:
            raise ValueError("live dictation longer than 30 minutes; use /v1/dictations")

    def due(self) -> bool:
        return self.pcm.size - self.last_tick >= self.tick

    async def step(self) -> list[dict]:
        """Messages for the client: finals for speech that has ended, else an interim."""
        self.last_tick = self.pcm.size
        tail = self.pcm[self.committed:]
        regions = detect_speech(tail, VadOptions(min_silence_ms=300, speech_pad_ms=200))
        if not regions:
            return []
        ended = [r for r in regions if tail.size - r.end_sample >= self.endpoint]
        if ended:
            return await self._finalize(ended[-1].end_sample)
        text = await self._text(self.interim_asr, tail)
        return [{"type": "interim", "text": text, "start_s": self._at(self.committed)}] \
            if text else []

    async def finish(self) -> list[dict]:
        if self.container and self.pcm.size == 0:  # not one frame of it could be decoded
            try:
                decode_audio(bytes(self.container), AudioOptions(max_duration_s=MAX_STREAM_S))
            except AudioError as exc:
                raise ValueError(f"the {self.fmt} stream could not be decoded: {exc}") from None
            raise ValueError(f"the stream holds no decodable {self.fmt} audio")
        messages = await self._finalize(self.pcm.size - self.committed) \
            if self.pcm.size > self.committed else []
        text = " ".join(f["text"] for f in self.finals).strip()
        return messages + [{"type": "done", "text": text,
                            "duration_s": round(self.pcm.size / SAMPLE_RATE_HZ, 3)}]

    async def _finalize(self, length: int) -> list[dict]:
        piece = self.pcm[self.committed:self.committed + length]
        offset = self._at(self.committed)
        transcript = await self._transcribe(self.final_asr, piece)
        self.committed += length
        messages = []
        for segment in transcript.segments if transcript else ():
            final = {"start_s": round(offset + segment.start_s, 3),
                     "end_s": round(offset + segment.end_s, 3), "text": segment.text}
            self.finals.append(final)
            messages.append({"type": "final", "segment": final})
        return messages

    async def _text(self, transcriber, samples: np.ndarray) -> str:
        transcript = await self._transcribe(transcriber, samples)
        return transcript.text if transcript else ""

    async def _transcribe(self, transcriber, samples: np.ndarray):
        audio = Audio(samples.astype(np.float32), self.fmt, self.fmt)
        try:
            return await self.state.gate.run(
                lambda: masked_transcript(transcriber.transcribe(audio)))
        except Busy:
            return None  # an interim can be skipped; finals are retried on the next tick

    @staticmethod
    def _at(sample: int) -> float:
        return round(sample / SAMPLE_RATE_HZ, 3)



def start_live(state, command: dict, tenant) -> LiveDictation:
    """A live dictation as the client's start message asks (format, rate, language), with
    the tenant's model and lexicon; a bad request is a ValueError with the reason."""
    fmt = command.get("format", "pcm16")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if command.get("sample_rate", SAMPLE_RATE_HZ) != SAMPLE_RATE_HZ and fmt == "pcm16":
        raise ValueError("pcm16 must be 16000 Hz mono")
    language = command.get("language")
    if language is not None and language not in LANGUAGES:
        raise ValueError("language must be no, nb or nn")
    live = LiveDictation(state, fmt, language,
                         tenant_profile(state.store, state.settings, tenant.id))
    live.alarm_ids = _alarm_ids(state, command, tenant.id)
    return live


def _alarm_ids(state, command: dict, tenant_id: str) -> list[str]:
    """The start message's `alarm_ids` (top level, or in its `dictation` metadata object),
    checked like the upload form's: the dictation made of this stream links them
    (DictationMetadata.alarm_ids)."""
    nested = command.get("dictation")
    value = command.get("alarm_ids")
    if value is None and isinstance(nested, dict):
        value = nested.get("alarm_ids")
    try:
        ids = parse_alarm_ids(value)
        if ids:
            with state.store.session() as s:
                check_alarm_ids(s, tenant_id, ids)
    except ValueError as exc:
        raise ValueError(f"alarm_ids: {exc}") from None
    except Problem as exc:
        raise ValueError(exc.detail) from None
    return ids
