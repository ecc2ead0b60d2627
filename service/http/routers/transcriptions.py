"""POST /v1/audio/transcriptions — the OpenAI audio API shape, served on site."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from pipelines.asr import LANGUAGES, Transcript
from pipelines.formats import to_srt, to_vtt
from service.core.errors import Problem
from service.core.gate import Busy
from service.http.deps import StateDep, TenantDep, audit, require
from service.tenants.profile import tenant_profile

router = APIRouter(tags=["transcriptions"])
OPENAI_DEFAULT_MODELS = {"whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", ""}


class TranscriptionJson(BaseModel):
    text: str


class VerboseWord(BaseModel):
    word: str
    start: float
    end: float


class VerboseSegment(BaseModel):
    id: int
    seek: int
    start: float
    end: float
    text: str
    tokens: list[int]
    temperature: float
    avg_logprob: float
    compression_ratio: float
    no_speech_prob: float


class TranscriptionVerboseJson(BaseModel):
    task: Literal["transcribe"] = "transcribe"
    language: str
    duration: float
    text: str
    segments: list[VerboseSegment]
    words: list[VerboseWord] | None = None


def busy_problem(state) -> Problem:
    state.metrics.rejected.labels("queue_full").inc()
    return Problem(429, "Too many requests", "all transcription slots are busy; retry later",
                   kind="busy", headers={"Retry-After": str(state.settings.service.retry_after_s)})


async def transcribe_upload(state, data: bytes, *, model: str | None = None,
                            **options: object) -> Transcript:
    """Decode and transcribe in a worker thread, within the inference gate."""
    def work() -> Transcript:
        return state.engine.transcribe(data, state.engine.transcriber(model, **options))

    try:
        transcript = await state.gate.run(work)
    except Busy:
        raise busy_problem(state) from None
    state.metrics.audio_seconds.labels("api").inc(transcript.audio_duration_s)
    if transcript.timings.total_s:
        state.metrics.rtfx.observe(transcript.rtfx)
    return transcript


def _registered(state, model: str) -> str:
    # Over the API a model is a registered name, never a server path: a path would let a
    # client probe the file system (found by schemathesis with model=".").
    names = {entry.name for entry in state.engine.registry.entries()}
    if model not in names:
        raise Problem(404, "Model not found", f"no model named '{model}' "
                      f"(known: {', '.join(sorted(names))})", kind="model-not-found")
    return model


def _language(value: str | None) -> str | None:
    if not value:
        return None
    if value not in LANGUAGES:
        # 422 like every other invalid field (dictations, uploads), not 400.
        raise Problem(422, "Unsupported language", f"language '{value}' is not supported "
                      "here; use 'no' or 'nb' (bokmål) or 'nn' (nynorsk)", kind="bad-language")
    return value


@router.post("/audio/transcriptions", dependencies=[require("dictate")],
             response_model=TranscriptionJson | TranscriptionVerboseJson, responses={
    200: {"content": {"text/plain": {"schema": {"type": "string"}},
                      "text/vtt": {"schema": {"type": "string"}}},
          "description": "The transcript in the requested format"},
    404: {"description": "Unknown model"},
    413: {"description": "Audio too large or too long"},
    415: {"description": "Not an accepted audio format"},
    422: {"description": "Corrupt or empty audio, an unsupported language, or invalid "
                         "fields"},
    429: {"description": "All transcription slots busy (Retry-After)"}})
async def create_transcription(
    state: StateDep,
    tenant: TenantDep,
    request: Request,
    file: UploadFile,
    model: Annotated[str, Form()] = "whisper-1",
    language: Annotated[str | None, Form()] = None,
    prompt: Annotated[str | None, Form()] = None,
    response_format: Annotated[Literal["json", "text", "srt", "vtt", "verbose_json"],
                               Form()] = "json",
    temperature: Annotated[float, Form(ge=0.0, le=1.0)] = 0.0,
    timestamp_granularities: Annotated[list[Literal["segment", "word"]] | None,
                                       Form(alias="timestamp_granularities[]")] = None,
):
    """Transcribe an uploaded recording (multipart), as OpenAI's endpoint does."""
    model_name = None if model in OPENAI_DEFAULT_MODELS else _registered(state, model)
    data = await file.read()
    audit(request, "create", "transcription", None)
    profile = tenant_profile(state.store, state.settings, tenant.id)
    options: dict[str, object] = {"language": _language(language), "initial_prompt": prompt,
                                  "lexicon": profile.lexicon}
    if temperature > 0:
        options["temperatures"] = (temperature,)
    transcript = await transcribe_upload(state, data, model=model_name or profile.model,
                                         **options)
    if response_format == "text":
        return PlainTextResponse(transcript.text + "\n")
    if response_format == "srt":
        return PlainTextResponse(to_srt(transcript))
    if response_format == "vtt":
        return PlainTextResponse(to_vtt(transcript), media_type="text/vtt")
    if response_format == "verbose_json":
        words = "word" in (timestamp_granularities or [])
        return JSONResponse(verbose_json(transcript, words).model_dump(exclude_none=True))
    return JSONResponse(TranscriptionJson(text=transcript.text).model_dump())


def verbose_json(transcript: Transcript, words: bool) -> TranscriptionVerboseJson:
    segments = [VerboseSegment(
        id=s.id, seek=0, start=s.start_s, end=s.end_s, text=s.text, tokens=[],
        temperature=0.0, avg_logprob=s.avg_logprob, compression_ratio=s.compression_ratio,
        no_speech_prob=s.no_speech_prob) for s in transcript.segments]
    word_list = [VerboseWord(word=w.text.strip(), start=w.start_s, end=w.end_s)
                 for s in transcript.segments for w in s.words] if words else None
    return TranscriptionVerboseJson(language=transcript.language,
                                    duration=round(transcript.audio_duration_s, 3),
                                    text=transcript.text, segments=segments, words=word_list)
