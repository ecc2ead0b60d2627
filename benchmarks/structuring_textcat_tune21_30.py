"""Does the section classifier gain from the writers of tune21 … tune30? (issue 15,
nineteenth pass)

Leave one file out (tune21 … tune28 and tune30; tune29 is only scored, tune14 and the blind
splits are never used): the shipped classifier (which saw none of them) against one trained
on the shipped training rows plus the eight other files, `TEXTCAT_EPOCHS` runs. Each held-out
file is structured with the shipped sentence model; section accuracy as dictated and without
spoken punctuation.

    python benchmarks/structuring_textcat_tune21_30.py \\
        [--json benchmarks/results/structuring-textcat-tune21-30-lofo.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from structuring_textcat_writers import compare_held_out  # noqa: E402

FILES = tuple(f"tune{k}.jsonl" for k in (21, 22, 23, 24, 25, 26, 27, 28, 30))


def leave_one_file_out() -> dict:
    from evaluation import structuring_train as train

    paths = [train.TUNE.parent / name for name in FILES]
    return compare_held_out(paths, train.training_rows(), epochs=train.TEXTCAT_EPOCHS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    out = leave_one_file_out()
    print(json.dumps({k: v for k, v in out.items() if k != "files"}))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
