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
from structuring_textcat_writers import _classifier, _sections  # noqa: E402

FILES = tuple(f"tune{k}.jsonl" for k in (21, 22, 23, 24, 25, 26, 27, 28, 30))


def leave_one_file_out() -> dict:
    from evaluation import structuring_train as train
    from evaluation.gold import read_gold

    labels = train.section_labels()
    labelled = train.labelled_sentences()
    base = train.training_rows()
    paths = [train.TUNE.parent / name for name in FILES]
    out: dict = {"files": {}}
    for held in paths:
        gold = read_gold(held)
        rows = base + [r for p in paths if p != held for r in read_gold(p)]
        model = train.train_textcat(train.section_examples(rows, labelled), labels,
                                    epochs=train.TEXTCAT_EPOCHS)
        was = _sections(gold)
        with _classifier(model):
            now = _sections(gold)
        out["files"][held.name] = {"dictations": len(gold), "before": was, "after": now}
        print(held.name, was, "->", now, flush=True)
    for key in ("before", "after"):
        out[f"mean_{key}"] = {group: round(sum(f[key][group] for f in out["files"].values())
                                           / len(out["files"]), 4)
                              for group in ("all", "without_spoken_punctuation")}
    return out


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
