"""Throughput of batch transcription with 1, 2, … worker processes on the same files."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from evaluation.machine import describe_machine


@dataclass
class WorkersBenchResult:
    files: int
    audio_s: float
    wall_s: dict[int, float]  # workers → wall seconds for the whole batch
    machine: dict = field(default_factory=dict)
    measured_at: str = ""

    def summary(self) -> str:
        base = min(self.wall_s)
        lines = [f"{self.files} files, {self.audio_s:.1f} s audio"]
        for workers, wall in sorted(self.wall_s.items()):
            lines.append(f"workers {workers}: {wall:.1f} s wall, RTFx {self.audio_s / wall:.1f}, "
                         f"throughput ×{self.wall_s[base] / wall:.2f} vs {base}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return asdict(self)


def run_workers_benchmark(run_batch: Callable[..., object], inputs: list[str],
                          worker_counts: list[int]) -> WorkersBenchResult:
    """`run_batch` is the service's batch runner (passed in: evaluation imports no service)."""
    wall: dict[int, float] = {}
    audio_s, files = 0.0, 0
    for workers in worker_counts:
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            summary = run_batch(inputs, Path(out), workers=workers, progress=lambda _: None)
            wall[workers] = time.perf_counter() - started  # model loads included
            audio_s, files = summary.audio_s, summary.done
    return WorkersBenchResult(files=files, audio_s=audio_s, wall_s=wall,
                              machine=describe_machine(),
                              measured_at=datetime.now(timezone.utc).isoformat(
                                  timespec="seconds"))
