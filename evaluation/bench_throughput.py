"""ASR throughput on this machine: sequential vs batched inference, and CPU thread scaling.

One model load per configuration; each configuration transcribes the same files once after a
warm-up; RTFx = audio seconds / wall seconds of the whole set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from evaluation.machine import describe_machine


@dataclass
class ThroughputResult:
    audio_s: float
    rows: list[dict] = field(default_factory=list)  # config → wall, rtfx
    machine: dict = field(default_factory=dict)
    measured_at: str = ""

    def summary(self) -> str:
        lines = [f"{self.audio_s:.1f} s audio"]
        lines += [f"{r['config']}: {r['wall_s']:.1f} s, RTFx {r['rtfx']:.1f}" for r in self.rows]
        return "\n".join(lines)

    def to_json(self) -> dict:
        return asdict(self)


def run_throughput(make_engine: Callable[[int], object], files: list[Path], threads: list[int],
                   batch_sizes: list[int]) -> ThroughputResult:
    """`make_engine(threads)` gives a fresh engine (its own model load) with that many CPU
    threads; the caller (the CLI) owns the service's Engine, so evaluation imports none."""
    audio_s = None
    rows = []
    for thread_count in threads:
        for batch in batch_sizes:
            engine = make_engine(thread_count)
            transcriber = engine.transcriber(batch_size=batch)
            engine.transcribe(files[0], transcriber)  # warm-up
            started = time.perf_counter()
            total = sum(engine.transcribe(f, transcriber).audio_duration_s for f in files)
            wall = time.perf_counter() - started
            audio_s = total
            rows.append({"config": f"threads={thread_count} batch={batch}",
                         "threads": thread_count, "batch_size": batch, "wall_s": wall,
                         "rtfx": total / wall})
    return ThroughputResult(audio_s or 0.0, rows, describe_machine(),
                            datetime.now(timezone.utc).isoformat(timespec="seconds"))
