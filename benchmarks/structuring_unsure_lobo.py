"""Below which classifier probability should the neighbouring sentence decide? (issue 15,
tenth pass)

Leave one of the ten writers of tune3–tune5 out, the section classifier trained as shipped on
everything else (tune6 and tune7 included), and the held-out writer's dictations structured
with `structuring.sections.UNSURE_MODEL` set to each threshold given:

    python benchmarks/structuring_unsure_lobo.py 0.35 0.40 \\
        --json benchmarks/results/structuring-unsure-lobo.json

About eight minutes a threshold on one core.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    from structuring_textcat_extra import held_out_scores

    from evaluation import structuring_train as train
    from evaluation.gold import read_gold
    from structuring import sections

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("thresholds", type=float, nargs="+")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    also = [r for path in (train.TUNE6, train.TUNE7) for r in read_gold(path)]
    shipped, result = sections.UNSURE_MODEL, {}
    try:
        for threshold in args.thresholds:
            sections.UNSURE_MODEL = threshold
            result[f"{threshold:.2f}"] = held_out_scores([], also)
    finally:
        sections.UNSURE_MODEL = shipped
    means = {t: {g: round(sum(w[g] for w in per.values()) / len(per), 4)
                 for g in next(iter(per.values()))} for t, per in result.items()}
    for threshold, groups in means.items():
        print(threshold, dict(sorted(groups.items())))
    if args.json:
        args.json.write_text(json.dumps({"writers": result, "mean": means}, indent=2) + "\n")


if __name__ == "__main__":
    main()
