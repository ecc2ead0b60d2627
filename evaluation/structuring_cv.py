"""K-fold cross-validation of the trained structuring components (issue 15).

The dev dictations are split into K folds; for each fold the sentence model and the section
classifier are trained (`evaluation.structuring_train`) on the other folds plus tune, tune3
and the labelled sentences, and the held-out fold is structured with them — as dictated, and
stripped of every voice command and mark (`stripped_all`: how the same dictations fare
unpunctuated). Scores are corpus-level over all held-out notes, so every dev dictation is
scored by models that never saw it. The frozen test splits are not used.

    python -m evaluation.structuring_cv [--folds 5] [--senter-seeds 15] [--json out.json]
        [--models DIR]

With `--models DIR` each fold's models are kept in DIR (trained on the first run, read on
the next): a change of the rules is then scored with the same models (seconds instead of
seventeen minutes). A one-seed model retrained after any change of the words it learns
from moves the stripped section figure by one to three points on its own (twenty-fourth
pass, `docs/benchmarks.md`), so compare rule changes at kept models.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evaluation.gold import read_gold


def cross_validate(dev: list[dict], extra: list[dict], folds: int = 5,
                   thresholds: tuple[float, ...] = (), seeds: tuple[int, ...] | None = None,
                   models: Path | None = None) -> dict:
    from evaluation import structuring_train as train
    from evaluation.structuring import score_by_punctuation
    from structuring import segmenter
    from structuring.pipeline import structure

    notes: list = [None] * len(dev)
    stripped_notes: list = [None] * len(dev)
    by_threshold = {cut: [None] * len(dev) for cut in thresholds}
    start = segmenter.START_PROBABILITY
    for fold in range(folds):
        held = [i for i in range(len(dev)) if i % folds == fold]
        rows = [r for i, r in enumerate(dev) if i % folds != fold] + extra
        kept = models / f"fold-{fold}" if models else None
        if kept:
            kept.mkdir(parents=True, exist_ok=True)
        with train.models_trained_on(rows, seeds or train.SENTER_SEEDS, kept):
            for i in held:
                notes[i] = structure(dev[i]["spoken"])
                stripped_notes[i] = structure(strip_punctuation(dev[i]["spoken"]))
                for cut in thresholds:
                    segmenter.START_PROBABILITY = cut
                    by_threshold[cut][i] = structure(strip_punctuation(dev[i]["spoken"]))
                segmenter.START_PROBABILITY = start
    groups = score_by_punctuation(dev, notes)
    stripped = [{**row, "spoken": strip_punctuation(row["spoken"])} for row in dev]
    groups["stripped_all"] = score_by_punctuation(stripped, stripped_notes)["all"]
    for cut, cut_notes in by_threshold.items():
        groups[f"stripped_start_p{cut}"] = score_by_punctuation(stripped, cut_notes)["all"]
    return {"folds": folds, **{k: v.as_dict() for k, v in groups.items()}}


def strip_punctuation(spoken: str) -> str:
    """The dictation as a nurse who never says `punktum` would give it: no voice commands,
    no written marks (a decimal "komma" stays: it is part of the number); names keep their
    capitals, as an ASR writes them."""
    from structuring.spoken import _rules, _split, _voice_commands
    from structuring.tokens import drop_fillers

    rules = _rules()
    tokens = _voice_commands(drop_fillers(_split(spoken), rules), rules)
    words = [t.text for t in tokens if t.kind in ("word", "decimal")]
    return " ".join(w if i else w.lower() for i, w in enumerate(words))


def main() -> None:
    from evaluation.structuring_train import CLASSIFIER_WRITERS, DEV, TUNE, WRITERS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--start-probability", type=float, action="append", default=[],
                        help="also score the stripped dictations with this sentence-start "
                             "probability (repeatable)")
    parser.add_argument("--senter-seeds", type=int, nargs="+", default=None,
                        help="train the sentence model with these seeds only (one seed is "
                             "a third of the time; the shipped model averages three)")
    parser.add_argument("--models", type=Path, default=None,
                        help="keep each fold's models in this folder, or read them from it")
    args = parser.parse_args()
    extra = [row for path in (TUNE, *WRITERS, *CLASSIFIER_WRITERS) if path.exists()
             for row in read_gold(path)]
    result = cross_validate(read_gold(DEV), extra, args.folds,
                            tuple(args.start_probability),
                            tuple(args.senter_seeds) if args.senter_seeds else None,
                            args.models)
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
