"""K-fold cross-validation of the trained structuring components (issue 15).

The dev dictations are split into K folds; for each fold the sentence model and the section
classifier are trained (`structuring.train`) on the other folds plus the tune split, and the
held-out fold is structured with them. Scores are corpus-level over all held-out notes, so
every dev dictation is scored by models that never saw it. The frozen test split is not used.

    python -m evaluation.structuring_cv [--folds 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from evaluation.gold import read_gold


def cross_validate(dev: list[dict], extra: list[dict], folds: int = 5) -> dict:
    from evaluation.structuring import score_by_punctuation
    from structuring import classifier, segmenter, train
    from structuring.pipeline import structure

    notes: list = [None] * len(dev)
    saved = segmenter.SENTER_DIR, classifier.TEXTCAT_DIR
    try:
        for fold in range(folds):
            held = [i for i in range(len(dev)) if i % folds == fold]
            rows = [r for i, r in enumerate(dev) if i % folds != fold] + extra
            with tempfile.TemporaryDirectory() as tmp:
                senter, textcat = train.train_all(rows)
                senter.to_disk(Path(tmp) / "senter")
                textcat.to_disk(Path(tmp) / "textcat")
                segmenter.SENTER_DIR = Path(tmp) / "senter"
                classifier.TEXTCAT_DIR = Path(tmp) / "textcat"
                segmenter._model.cache_clear()
                classifier._model.cache_clear()
                for i in held:
                    notes[i] = structure(dev[i]["spoken"])
    finally:
        segmenter.SENTER_DIR, classifier.TEXTCAT_DIR = saved
        segmenter._model.cache_clear()
        classifier._model.cache_clear()
    groups = score_by_punctuation(dev, notes)
    return {"folds": folds, **{k: v.as_dict() for k, v in groups.items()}}


def main() -> None:
    from structuring.train import DEV, TUNE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = cross_validate(read_gold(DEV), read_gold(TUNE), args.folds)
    for name, scores in result.items():
        if isinstance(scores, dict):
            print(f"{name}: dictations {scores['dictations']} section_accuracy "
                  f"{scores['section_accuracy']} entity_f1 {scores['entity_f1']} event_f1 "
                  f"{scores['event_f1']} formatting_cer {scores['formatting_cer']} "
                  f"review_share {scores['review_share']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
