"""Live dictation: the audio of one dictation as it streams in, interim text while the nurse
speaks, final segments as they settle, the whole transcript on stop (the WebSocket protocol
around it: service/http/routers/stream.py, docs/api.md)."""

from __future__ import annotations

import io
import time
import wave

import anyio
import numpy as np
from pydantic import ValidationError

from pipelines.asr import LANGUAGES
from pipelines.audio import SAMPLE_RATE_HZ, Audio, AudioOptions, decode_audio
from pipelines.errors import AudioError
from pipelines.vad import VadOptions, detect_speech
from service.alarms.links import check_alarm_ids, parse_alarm_ids
from service.core.errors import Problem
from service.core.gate import Busy
from service.core.masking import masked_transcript
from service.dictations.create import DictationMetadata, create_dictation
from service.notes.structure import structure_for_tenant
from service.tenants.profile import TenantProfile, tenant_profile

FORMATS = ("pcm16", "webm", "ogg")
MAX_STREAM_S = 30 * 60  # one live dictation; longer recordings go through /v1/dictations


class LiveDictation:
    """The audio of one live dictation and how much of it has settled into final text."""

    def __init__(self, state, fmt: str, language: str | None,
                 profile: TenantProfile | None = None,
                 meta: DictationMetadata | None = None,
                 idempotency_key: str | None = None) -> None:
        self.state, self.fmt, self.profile = state, fmt, profile
        self.meta = meta or DictationMetadata(language="nn" if language == "nn" else "nb")
        self.idempotency_key = idempotency_key
        self.pcm = np.zeros(0, dtype=np.float32)
        self.container = bytearray()  # webm/ogg: the whole stream so far, decoded on demand
        self.committed = 0  # samples already turned into final segments
        self.last_tick = 0
        self.finals: list[dict] = []
        self.alarm_ids: list[str] = []  # from the start message: the dictation links them
        service = state.settings.service
        self.tick = int(service.stream_interim_every_s * SAMPLE_RATE_HZ)
        # A container is decoded whole each time (its frames need their header), so at most
        # this often by the clock: a client sending quicker than the service keeps up with
        # (a backlog after a slow tick) costs one decode, not one per chunk.
        self.decode_every_s = service.stream_interim_every_s
        self.decoded_at = float("-inf")
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
            if time.monotonic() - self.decoded_at >= self.decode_every_s:
                self._decode()
        if self.pcm.size > MAX_STREAM_S * SAMPLE_RATE_HZ:
            raise ValueError("live dictation longer than 30 minutes; use /v1/dictations")

    def _decode(self) -> None:
        try:  # a partial container decodes up to its last complete frame
            self.pcm = decode_audio(bytes(self.container),
                                    AudioOptions(max_duration_s=MAX_STREAM_S)).samples
        except AudioError:
            pass
        self.decoded_at = time.monotonic()

    def due(self) -> bool:
        return self.pcm.size - self.last_tick >= self.tick

    async def step(self) -> list[dict]:
        """Messages for the client: finals for speech that has ended, else an interim."""
        self.last_tick = self.pcm.size
        tail = self.pcm[self.committed:]
        regions = await anyio.to_thread.run_sync(
            detect_speech, tail, VadOptions(min_silence_ms=300, speech_pad_ms=200))
        if not regions:
            return []
        ended = [r for r in regions if tail.size - r.end_sample >= self.endpoint]
        if ended:
            return await self._finalize(ended[-1].end_sample)
        text = await self._text(self.interim_asr, tail)
        return [{"type": "interim", "text": text, "start_s": self._at(self.committed)}] \
            if text else []

    def recording(self) -> bytes:
        """The recording as it arrived: the container's bytes as sent (a client that kept
        them can upload the very same bytes again), or the PCM as a WAV file."""
        if self.fmt != "pcm16":
            return bytes(self.container)
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE_HZ)
            out.writeframes((np.clip(self.pcm, -1, 1) * 32767).astype("<i2").tobytes())
        return buffer.getvalue()

    def store(self, tenant_id: str, session=None):
        """The recording as a dictation (dictations/create.py: sealed, committed, queued for
        the full transcription); (row, created). The start message's idempotency key makes a
        later upload of the same recording (tus, after a lost connection) this dictation.
        `session`: the EPJ launch session dictating, whose patient and EPJ bind it."""
        return create_dictation(self.state, tenant_id, self.recording(), self.meta,
                                self.idempotency_key, session=session)

    def live_note(self, text: str) -> dict | None:
        """The structured note of the live text, shown at once; the stored dictation gets
        its own note from the full transcription."""
        if not text or self.profile is None:
            return None
        return structure_for_tenant(text, self.profile, language=self.meta.language,
                                    recorded_at=self.meta.recorded_at).to_dict()

    async def finish(self) -> list[dict]:
        if self.container:
            await anyio.to_thread.run_sync(self._decode)  # all of it, whenever the last was
        if self.container and self.pcm.size == 0:  # not one frame of it could be decoded
            try:
                await anyio.to_thread.run_sync(
                    decode_audio, bytes(self.container), AudioOptions(max_duration_s=MAX_STREAM_S))
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
    fields = command.get("dictation") or {}
    if not isinstance(fields, dict):
        raise ValueError("dictation must be an object of dictation metadata")  # noqa: TRY004 (a protocol error: 1007)
    unknown = set(fields) - set(DictationMetadata.model_fields)
    if unknown:
        raise ValueError(f"dictation.{min(unknown)}: is not a dictation field")
    if language in ("nb", "nn"):
        fields = {"language": language, **fields}
    try:
        meta = DictationMetadata(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"dictation.{'.'.join(map(str, first['loc']))}: {first['msg']}"
                         ) from None
    key = command.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 200
                            or not key.isprintable()):
        raise ValueError("idempotency_key must be 1-200 printable characters")
    live = LiveDictation(state, fmt, language,
                         tenant_profile(state.store, state.settings, tenant.id), meta, key)
    live.alarm_ids = _alarm_ids(state, command, tenant.id)
    if live.alarm_ids and not meta.alarm_ids:
        live.meta = meta.model_copy(update={"alarm_ids": live.alarm_ids})
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
