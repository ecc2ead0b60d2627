"""How long structuring one dictation takes (the pipeline after ASR), per dictation."""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from evaluation.machine import describe_machine


@dataclass(frozen=True)
class StructuringBenchResult:
    dictations: int
    repeats: int
    mean_chars: float
    per_dictation_ms: list[float]  # the best of the repeats, per dictation
    machine: dict = field(default_factory=dict)
    measured_at: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.per_dictation_ms)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.per_dictation_ms)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]

    def summary(self) -> str:
        return (f"{self.dictations} dictations (mean {self.mean_chars:.0f} characters), "
                f"best of {self.repeats}: median {self.median_ms:.2f} ms, "
                f"p95 {self.p95_ms:.2f} ms, max {max(self.per_dictation_ms):.2f} ms")

    def to_json(self) -> dict:
        return {**asdict(self), "median_ms": self.median_ms, "p95_ms": self.p95_ms}


def run_structuring_benchmark(texts: list[str], repeats: int = 5) -> StructuringBenchResult:
    from structuring.pipeline import structure

    structure(texts[0])  # warm-up: builds the spaCy pipeline and compiles the rule patterns
    best = []
    for text in texts:
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            structure(text)
            timings.append((time.perf_counter() - started) * 1000)
        best.append(min(timings))
    return StructuringBenchResult(
        dictations=len(texts), repeats=repeats,
        mean_chars=statistics.mean(len(t) for t in texts), per_dictation_ms=best,
        machine=describe_machine(),
        measured_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
