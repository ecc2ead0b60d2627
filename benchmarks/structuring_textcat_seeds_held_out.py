"""One section classifier or the mean of three seeds'? (issue 15, forty-second pass)

Trained on dev, tune and the tune files up to `--up-to` (as `evaluation.structuring_train`
builds it, once per seed), scored on the later tune files it has read (never the
only-scored ones nor the blind splits): section accuracy as dictated and without spoken
punctuation, with each seed's classifier alone and with their probabilities averaged (as
`structuring.classifier` ships them), each held-out dictation structured with the shipped
sentence model.

    python benchmarks/structuring_textcat_seeds_held_out.py [--up-to 70 80] \\
        [--json benchmarks/results/structuring-textcat-seeds-held-out.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _scores(held: list[dict], models: tuple) -> dict:
    from evaluation.structuring import score_by_punctuation
    from structuring import classifier
    from structuring.pipeline import structure

    classifier._model = lambda: models  # these classifiers, averaged
    groups = score_by_punctuation(
        held, [structure(r["spoken"], language=r.get("language", "nb")) for r in held])
    return {"section_accuracy": round(groups["all"].section_accuracy, 4),
            "without_spoken": round(groups["without_spoken_punctuation"].section_accuracy, 4)}


def fold(rows: list[dict], up_to: int) -> dict:
    from evaluation import structuring_train as train
    from evaluation.finding_filter_train import writer_number

    learnt = [r for r in rows if writer_number(r["id"]) <= up_to]
    held = [r for r in rows if writer_number(r["id"]) > up_to]
    models = train.train_textcats(train.section_examples(train.classifier_rows(learnt)),
                                  train.section_labels())
    out = {"trained_on_up_to": f"tune{up_to}", "held_out_dictations": len(held)}
    for seed, model in models.items():
        out[f"seed_{seed}"] = _scores(held, (model,))
    out["mean_of_seeds"] = _scores(held, tuple(models.values()))
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    from evaluation import structuring_train as train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--up-to", type=int, nargs="+", default=[70, 80])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = train.training_rows()
    figures = [fold(rows, up_to) for up_to in args.up_to]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
