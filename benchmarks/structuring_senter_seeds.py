"""How much the sentence model moves between training seeds, and whether averaging seeds helps
(issue 15, eighth pass). Three folds by writer (every third of the ten writers of tune3–tune5
held out); per fold a sentence model per seed, trained as shipped on everything else; the
held-out writers scored with each single model and with the seeds' start probabilities
averaged. The section classifier is the shipped one (trained on all writers), so absolute
figures are optimistic; only the differences between sentence models count.

    python benchmarks/structuring_senter_seeds.py train FOLD SEED WORKDIR   # ~5 min each
    python benchmarks/structuring_senter_seeds.py score WORKDIR [--json OUT]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SEEDS = (15, 16, 17)


def _writer(row: dict) -> str:
    return row["id"].split("-")[0]


def _writers_rows():
    from evaluation import structuring_train as train
    from evaluation.gold import read_gold

    return [r for p in (train.TUNE3, train.TUNE4, train.TUNE5) for r in read_gold(p)]


def _held(fold: int, rows: list[dict]) -> set[str]:
    return set(sorted({_writer(r) for r in rows})[fold::3])


def train_one(fold: int, seed: int, workdir: Path) -> None:
    from evaluation import structuring_train as train
    from evaluation.gold import read_gold

    base = [r for p in (train.DEV, train.TUNE) if p.exists() for r in read_gold(p)]
    writers = _writers_rows()
    held = _held(fold, writers)
    rows = base + [r for r in writers if _writer(r) not in held]
    sentences = train.senter_sentences(rows, (train.TUNE_UNITS, train.TUNE2_UNITS),
                                       train.labelled_sentences())
    model = train.train_senter(list(train.senter_docs(sentences, 6000, seed=seed)), seed=seed)
    model.to_disk(workdir / f"f{fold}_s{seed}")


def _averaged(models: list):
    """A stand-in for `segmenter.sentence_starts` over these models (the shipped one
    averages its seeds the same way)."""
    from functools import partial

    from structuring.segmenter import sentence_starts

    return partial(sentence_starts, models=tuple(models))


def score(workdir: Path) -> dict:
    import spacy

    from evaluation.structuring import score_by_punctuation
    from structuring import pipeline, segmenter

    writers = _writers_rows()
    variants = {f"seed {s}": (s,) for s in SEEDS} | {"average of seeds": SEEDS}
    out: dict[str, dict[str, list[float]]] = {name: {} for name in variants}
    for fold in range(3):
        held = _held(fold, writers)
        gold = [r for r in writers if _writer(r) in held]
        for name, seeds in variants.items():
            models = [spacy.load(workdir / f"f{fold}_s{s}") for s in seeds]
            segmenter.sentence_starts = _averaged(models)  # what `structure` calls to cut
            notes = [pipeline.structure(r["spoken"]) for r in gold]
            for group, scores in score_by_punctuation(gold, notes).items():
                out[name].setdefault(group, []).append(round(scores.section_accuracy, 4))
    return {name: {g: {"folds": v, "mean": round(sum(v) / len(v), 4)} for g, v in groups.items()}
            for name, groups in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("train")
    one.add_argument("fold", type=int)
    one.add_argument("seed", type=int)
    one.add_argument("workdir", type=Path)
    scoring = sub.add_parser("score")
    scoring.add_argument("workdir", type=Path)
    scoring.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.command == "train":
        train_one(args.fold, args.seed, args.workdir)
        return
    result = score(args.workdir)
    for name, groups in result.items():
        print(name, {g: v["mean"] for g, v in groups.items()})
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
