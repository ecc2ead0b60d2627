"""Time per note of structuring in bokmål vs nynorsk (Apertium) over a gold file's dictations.

    python -m evaluation.bench_written_standard ../shared/data/structuring/dev.jsonl
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from evaluation.metrics import percentile
from structuring.written_standard import write_note


def time_standards(gold: Path, standards: tuple[str, ...] = ("bokmaal", "nynorsk")) -> dict:
    spoken = [json.loads(line)["spoken"] for line in gold.read_text("utf-8").splitlines()
              if line.strip()]
    out = {}
    for standard in standards:
        seconds = []
        for text in spoken:
            started = time.perf_counter()
            note = write_note(text, standard=standard)
            seconds.append(time.perf_counter() - started)
            if note.warnings:
                raise RuntimeError(f"{standard}: {note.warnings[0]}")
        out[standard] = {"notes": len(seconds), "median_s": percentile(seconds, 0.5),
                         "p95_s": percentile(seconds, 0.95)}
    return out


if __name__ == "__main__":
    print(json.dumps(time_standards(Path(sys.argv[1])), indent=2))
