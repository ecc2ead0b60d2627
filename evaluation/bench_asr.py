"""Plain faster-whisper vs Dikta's pipeline, same model, same settings, one process.

Both sides start from the file on disk (each decodes it itself), both use the same VAD
settings, beam, temperatures and word timestamps, and both consume every segment. The runs
alternate so that machine noise hits both sides alike; we report min and median.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from evaluation.machine import describe_machine
from pipelines.asr import Transcriber

RESULTS_DIR = Path("benchmarks") / "results"


@dataclass(frozen=True)
class AsrBenchResult:
    files: list[str]
    audio_s: float
    repeats: int
    model: str
    device: str
    plain_wall_s: list[float]
    dikta_wall_s: list[float]
    machine: dict = field(default_factory=dict)
    measured_at: str = ""

    @property
    def plain_rtfx(self) -> float:
        return self.audio_s / statistics.median(self.plain_wall_s)

    @property
    def dikta_rtfx(self) -> float:
        return self.audio_s / statistics.median(self.dikta_wall_s)

    @property
    def overhead(self) -> float:
        """Extra wall time of Dikta relative to plain faster-whisper (0.05 = 5 % slower)."""
        return statistics.median(self.dikta_wall_s) / statistics.median(self.plain_wall_s) - 1

    def summary(self) -> str:
        return "\n".join([
            f"files: {len(self.files)}, audio: {self.audio_s:.1f} s, repeats: {self.repeats}, "
            f"model: {self.model} on {self.device}",
            f"plain faster-whisper: RTFx {self.plain_rtfx:.2f} "
            f"(wall min {min(self.plain_wall_s):.2f} s, median "
            f"{statistics.median(self.plain_wall_s):.2f} s)",
            f"dikta pipeline:       RTFx {self.dikta_rtfx:.2f} "
            f"(wall min {min(self.dikta_wall_s):.2f} s, median "
            f"{statistics.median(self.dikta_wall_s):.2f} s)",
            f"ratio dikta/plain RTFx: {self.dikta_rtfx / self.plain_rtfx:.3f} "
            f"(overhead {100 * self.overhead:+.1f} %)",
        ])

    def to_json(self) -> dict:
        return {**asdict(self), "plain_rtfx": self.plain_rtfx, "dikta_rtfx": self.dikta_rtfx,
                "overhead": self.overhead}


def _plain_kwargs(transcriber: Transcriber) -> dict:
    from faster_whisper.vad import VadOptions as SileroOptions

    o = transcriber.options
    vad = o.vad
    kwargs = transcriber.decode_kwargs()
    if vad is not None:
        kwargs["vad_filter"] = True
        kwargs["vad_parameters"] = SileroOptions(
            threshold=vad.threshold, min_speech_duration_ms=vad.min_speech_ms,
            min_silence_duration_ms=vad.min_silence_ms, speech_pad_ms=vad.speech_pad_ms,
            max_speech_duration_s=vad.max_speech_s)
    return kwargs


def _time_plain(transcriber: Transcriber, path: Path, kwargs: dict) -> float:
    started = time.perf_counter()
    segments, _ = transcriber.model.transcribe(str(path), **kwargs)
    for _ in segments:
        pass
    return time.perf_counter() - started


def _time_dikta(engine, transcriber: Transcriber, path: Path) -> float:
    started = time.perf_counter()
    engine.transcribe(path, transcriber)
    return time.perf_counter() - started


def run_asr_benchmark(engine, files: list[Path], *, model: str | None = None,
                      repeats: int = 3) -> AsrBenchResult:
    transcriber = engine.transcriber(model, batch_size=1)
    kwargs = _plain_kwargs(transcriber)
    audio_s = sum(engine.decode(path)[0].duration_s for path in files)
    for path in files[:1]:  # warm-up: first-call allocations and caches
        _time_plain(transcriber, path, kwargs)
        _time_dikta(engine, transcriber, path)
    plain, dikta = [], []
    for _ in range(repeats):
        plain.append(sum(_time_plain(transcriber, path, kwargs) for path in files))
        dikta.append(sum(_time_dikta(engine, transcriber, path) for path in files))
    return AsrBenchResult(
        files=[str(p) for p in files], audio_s=audio_s, repeats=repeats,
        model=transcriber.model_name, device=engine.device_plan().describe(),
        plain_wall_s=plain, dikta_wall_s=dikta, machine=describe_machine(),
        measured_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def write_result(result: AsrBenchResult, target: Path | None = None) -> Path:
    if target is None:
        stamp = result.measured_at.replace(":", "").replace("-", "")
        target = RESULTS_DIR / f"asr-overhead-{stamp}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
    return target
