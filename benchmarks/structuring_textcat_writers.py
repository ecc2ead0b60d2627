"""Does the section classifier gain from the 25 writers of tune9 … tune15? (issue 15,
fourteenth pass)

Leave one tune file out (tune9 … tune15, one to four writers each), the section classifier
only: the thirteenth pass's classifier (tune3 … tune8 with tune8 held back, 20 training
runs; it never saw any of these files) against one trained on every other file as
`evaluation.structuring_train` now builds it (CLASSIFIER_WRITERS, tune8 included,
`--epochs` runs). Each held-out file is structured with the shipped sentence model, and the
section accuracy is reported as dictated and without spoken punctuation. The frozen test
splits are not used.

    python benchmarks/structuring_textcat_writers.py [--epochs 8] \\
        [--json benchmarks/results/structuring-textcat-writers-lofo.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def _classifier(model):
    from structuring import classifier

    shipped = classifier.TEXTCAT_DIR
    with tempfile.TemporaryDirectory() as tmp:
        model.to_disk(Path(tmp) / "textcat")
        classifier.TEXTCAT_DIR = Path(tmp) / "textcat"
        classifier._model.cache_clear()
        try:
            yield
        finally:
            classifier.TEXTCAT_DIR = shipped
            classifier._model.cache_clear()


def _sections(gold: list[dict]) -> dict[str, float]:
    from evaluation.structuring import score_by_punctuation
    from structuring.pipeline import structure

    groups = score_by_punctuation(gold, [structure(r["spoken"]) for r in gold])
    return {"all": round(groups["all"].section_accuracy, 4),
            "without_spoken_punctuation":
                round(groups["without_spoken_punctuation"].section_accuracy, 4)}


def leave_one_file_out(epochs: int) -> dict:
    from evaluation import structuring_train as train
    from evaluation.gold import read_gold

    labels = train.section_labels()
    labelled = train.labelled_sentences()
    base = [r for p in (train.DEV, train.TUNE, *train.WRITERS) if p.exists()
            for r in read_gold(p)]
    earlier = [r for r in base if r["id"].split("-")[0] not in ("t8a", "t8b", "t8c")]
    before = train.train_textcat(train.section_examples(earlier, labelled), labels, epochs=20)
    files = [p for p in train.CLASSIFIER_WRITERS if p.exists()]
    return compare_held_out(files, base, before, epochs)


def compare_held_out(files: list[Path], base: list[dict], before=None, epochs: int = 8) -> dict:
    """Each of `files` held out in turn: a classifier trained on `base` and the other files
    against `before` (the shipped classifier where None), section accuracy on the held-out
    file as dictated and without spoken punctuation, and the means over the files."""
    from evaluation import structuring_train as train
    from evaluation.gold import read_gold

    labels = train.section_labels()
    labelled = train.labelled_sentences()
    out: dict = {"epochs": epochs, "files": {}}
    for held in files:
        gold = read_gold(held)
        rows = base + [r for p in files if p != held for r in read_gold(p)]
        after = train.train_textcat(train.section_examples(rows, labelled), labels,
                                    epochs=epochs)
        if before is None:
            was = _sections(gold)
        else:
            with _classifier(before):
                was = _sections(gold)
        with _classifier(after):
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
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = leave_one_file_out(args.epochs)
    print("mean before", result["mean_before"], "after", result["mean_after"])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
