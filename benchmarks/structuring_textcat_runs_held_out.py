"""How many training runs should the section classifier get? (issue 15, forty-first pass)

Trained on dev, tune and the tune files up to `--up-to` (as `evaluation.structuring_train`
builds it, with each run count asked for), scored on the later tune files it has read
(never the only-scored ones nor the blind splits): section accuracy as dictated and without
spoken punctuation, each held-out dictation structured with the shipped sentence model.

    python benchmarks/structuring_textcat_runs_held_out.py [--up-to 80] [--runs 4 6 8] \\
        [--json benchmarks/results/structuring-textcat-runs-held-out.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    from evaluation import structuring_train as train
    from evaluation.finding_filter_train import writer_number
    from evaluation.structuring import score_by_punctuation
    from structuring import classifier
    from structuring.pipeline import structure

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--up-to", type=int, default=80)
    parser.add_argument("--runs", type=int, nargs="+", default=[4, 6, 8])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = train.training_rows()
    learnt = [r for r in rows if writer_number(r["id"]) <= args.up_to]
    held = [r for r in rows if writer_number(r["id"]) > args.up_to]
    out = {"trained_on_up_to": f"tune{args.up_to}", "held_out_dictations": len(held)}
    for runs in args.runs:
        model = train.train_textcat(train.section_examples(train.classifier_rows(learnt)),
                                    train.section_labels(), runs)
        classifier._model = lambda model=model: (model,)  # this run count's classifier
        groups = score_by_punctuation(
            held, [structure(r["spoken"], language=r.get("language", "nb")) for r in held])
        out[f"runs_{runs}"] = {
            "section_accuracy": round(groups["all"].section_accuracy, 4),
            "without_spoken": round(groups["without_spoken_punctuation"].section_accuracy, 4)}
        print(runs, out[f"runs_{runs}"], flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
