"""Leave-one-writer-out validation of the trained structuring components (issue 15).

`tune3.jsonl` … `tune6.jsonl` hold thirteen batches of dictations by thirteen independent
writers (ids `t3a-…` … `t6c-…`). For each writer the sentence model and the section
classifier are trained as shipped (`evaluation.structuring_train`: dev, tune, the other
writers, the labelled sentences) and that writer's dictations are structured with them: as
dictated, and with the gold sentences joined as written text (`gold_sentences`: the section
classifier alone, with segmentation given). Figures are the mean over the writers. The
frozen test splits are not used.

    python -m evaluation.structuring_lobo [--json out.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evaluation.gold import read_gold


def writer_of(row: dict) -> str:
    return row["id"].split("-")[0]


def leave_one_writer_out(base: list[dict], writers_rows: list[dict]) -> dict:
    from evaluation import structuring_train as train
    from evaluation.structuring import score_by_punctuation
    from structuring.pipeline import structure

    writers = sorted({writer_of(r) for r in writers_rows})
    per_writer: dict[str, dict] = {}
    for held in writers:
        rows = base + [r for r in writers_rows if writer_of(r) != held]
        gold = [r for r in writers_rows if writer_of(r) == held]
        with train.models_trained_on(rows):
            groups = score_by_punctuation(gold, [structure(r["spoken"]) for r in gold])
            joined = [{**r, "spoken": " ".join(s["text"] for s in r["sentences"])}
                      for r in gold]
            groups["gold_sentences"] = score_by_punctuation(
                joined, [structure(r["spoken"]) for r in joined])["all"]
        per_writer[held] = {k: v.as_dict() for k, v in groups.items()}
    return {"writers": per_writer, "mean": _mean(per_writer)}


def _mean(per_writer: dict[str, dict]) -> dict:
    out: dict[str, dict] = {}
    for group in {g for scores in per_writer.values() for g in scores}:
        present = [s[group] for s in per_writer.values() if group in s]
        out[group] = {key: round(sum(s[key] for s in present) / len(present), 4)
                      for key in ("section_accuracy", "entity_f1", "event_f1",
                                  "formatting_cer", "review_share", "times_shifted_12h")
                      if all(isinstance(s.get(key), (int, float)) for s in present)}
        out[group]["writers"] = len(present)
    return out


def main() -> None:
    from evaluation.structuring_train import CLASSIFIER_WRITERS, DEV, TUNE, WRITERS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    # the section classifier's other writers (the sentence model leaves them out itself)
    base = [row for path in (DEV, TUNE, *CLASSIFIER_WRITERS) if path.exists()
            for row in read_gold(path)]
    result = leave_one_writer_out(base, [row for path in WRITERS for row in read_gold(path)])
    for group, scores in sorted(result["mean"].items()):
        print(f"{group}: " + " ".join(f"{k} {v}" for k, v in scores.items()))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
