"""Gold dictations as a nurse who never says `punktum` would give them: every voice command
and mark stripped (`evaluation.structuring_cv.strip_punctuation`), gold notes unchanged.

    python -m evaluation.strip_gold GOLD.jsonl OUT.jsonl

Then `dikta eval structuring OUT.jsonl` scores the unpunctuated reading of the same notes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evaluation.gold import read_gold
from evaluation.structuring_cv import strip_punctuation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    rows = read_gold(args.gold)
    args.out.write_text("".join(
        json.dumps({**row, "spoken": strip_punctuation(row["spoken"])}, ensure_ascii=False) + "\n"
        for row in rows), "utf-8")


if __name__ == "__main__":
    main()
