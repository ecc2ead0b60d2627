"""Does the section classifier gain from more writers' dictations? (issue 15, eighth pass)

Leave one writer out over the ten writers of tune3–tune5, the section classifier only: for
each held-out writer it is trained as shipped on everything else, once without and once with
an extra gold file (tune6), and the writer's dictations are structured with the shipped
sentence model: as dictated, and with the gold sentences given. Faster than
`python -m evaluation.structuring_lobo` (no sentence model to train: about a minute a fold).

    python benchmarks/structuring_textcat_extra.py evaluation/data/structuring/tune6.jsonl \\
        [--json benchmarks/results/structuring-textcat-tune6-lobo.json]

Ninth pass: files already shipped go in both runs with `--also` (tune7 measured on top of tune6):

    python benchmarks/structuring_textcat_extra.py evaluation/data/structuring/tune7.jsonl \\
        --also evaluation/data/structuring/tune6.jsonl \\
        --json benchmarks/results/structuring-textcat-tune7-lobo.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path


def _writer(row: dict) -> str:
    return row["id"].split("-")[0]


def held_out_scores(extra: list[dict], also: list[dict] = ()) -> dict[str, dict[str, float]]:
    from evaluation import structuring_train as train
    from evaluation.gold import read_gold
    from evaluation.structuring import score_by_punctuation
    from structuring import classifier
    from structuring.pipeline import structure

    base = [r for p in (train.DEV, train.TUNE) if p.exists() for r in read_gold(p)] + list(also)
    writers = [r for p in (train.TUNE3, train.TUNE4, train.TUNE5) for r in read_gold(p)]
    labelled = train.labelled_sentences()
    shipped = classifier.TEXTCAT_DIR
    out = {}
    for held in sorted({_writer(r) for r in writers}):
        rows = base + [r for r in writers if _writer(r) != held] + extra
        gold = [r for r in writers if _writer(r) == held]
        model = train.train_textcat(train.section_examples(rows, labelled),
                                    train.section_labels())
        with tempfile.TemporaryDirectory() as tmp:
            model.to_disk(Path(tmp) / "textcat")
            classifier.TEXTCAT_DIR = Path(tmp) / "textcat"
            classifier._model.cache_clear()
            try:
                groups = score_by_punctuation(gold, [structure(r["spoken"]) for r in gold])
                given = [{**r, "spoken": " ".join(s["text"] for s in r["sentences"])}
                         for r in gold]
                groups["gold_sentences"] = score_by_punctuation(
                    given, [structure(r["spoken"]) for r in given])["all"]
            finally:
                classifier.TEXTCAT_DIR = shipped
                classifier._model.cache_clear()
        out[held] = {g: round(v.section_accuracy, 4) for g, v in groups.items()}
        print(held, out[held], flush=True)
    return out


def main() -> None:
    from evaluation.gold import read_gold

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extra", type=Path)
    parser.add_argument("--also", type=Path, action="append", default=[],
                        help="gold files trained on in both runs (already shipped)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    also = [r for path in args.also for r in read_gold(path)]
    result = {"without": held_out_scores([], also),
              "with": held_out_scores(read_gold(args.extra), also)}
    means = {mode: {g: round(sum(w[g] for w in per.values() if g in w) /
                             sum(1 for w in per.values() if g in w), 4)
                    for g in {g for w in per.values() for g in w}}
             for mode, per in result.items()}
    for mode, groups in means.items():
        print(mode, dict(sorted(groups.items())))
    if args.json:
        args.json.write_text(json.dumps({"writers": result, "mean": means}, indent=2) + "\n")


if __name__ == "__main__":
    main()
