"""Train the finding filter (`structuring.finding_filter`) on every tuned writer's dictations.

Each example is a finding the rules found (the filter off) with its sentence, labelled by
whether the writer filed it (same value, same negation; each gold finding pairs once). The
blind splits and the writers only scored (`finding_phrases.ONLY_SCORED`) are never read.

    python -m evaluation.finding_filter_train            # examples, then the shipped model
    python -m evaluation.finding_filter_train --folds    # held-out figures (docs/benchmarks.md)

The examples are kept (`EXAMPLES`, gzip) so that the suite can rebuild the model from them
and check on a sample that the rules still find what they hold.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from multiprocessing import Pool
from pathlib import Path

from structuring import finding_filter

EXAMPLES = Path(__file__).parent / "data" / "finding_filter_examples.jsonl.gz"
CONFIG = {"model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True,
                    "length": 2 ** 16, "ngram_size": 2, "no_output_layer": False}}
EPOCHS = 6
SEED = 0
# Held-out folds: trained on the writers up to tuneN (with dev and tune), scored on the rest.
FOLDS = (60, 70, 80)


def writer_number(row_id: str) -> int:
    """tune file number of a tuned writer ("t61a-004" → 61); dev and tune count as 0."""
    head = row_id.split("-")[0]
    digits = "".join(c for c in head[1:] if c.isdigit())
    return int(digits) if head.startswith("t") and digits else 0


def examples_of(row: dict) -> list[dict]:
    """The rules' findings in one dictation, each labelled by whether the writer filed it."""
    from evaluation.structuring import entity_key
    from structuring.pipeline import structure

    with finding_filter.disabled():
        note = structure(row["spoken"], language=row.get("language", "nb"))
    # the scorer's own key: filed means what entity F1 counts as found
    gold = Counter(entity_key(e) for e in row["entities"] if e["type"] == "finding")
    out = []
    for e in note.to_dict()["entities"]:
        if e["type"] != "finding":
            continue
        filed = gold[entity_key(e)] > 0
        gold[entity_key(e)] -= filed
        out.append({"id": row["id"], "filed": filed,
                    "context": finding_filter.finding_context(
                        note.sentences[e["sentence"]].text, e["value"], bool(e.get("negated")))})
    return out


def build_examples(rows: Sequence[dict], processes: int = 2) -> list[dict]:
    with Pool(processes) as pool:
        return [x for one in pool.map(examples_of, rows, chunksize=20) for x in one]


def write_examples(examples: Iterable[dict], path: Path = EXAMPLES) -> None:
    lines = "".join(json.dumps(x, ensure_ascii=False, sort_keys=True) + "\n" for x in examples)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(lines.encode("utf-8"))  # mtime 0: the same examples give the same bytes


def read_examples(path: Path = EXAMPLES) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def train(examples: Sequence[dict], epochs: int = EPOCHS):
    import spacy
    from spacy.training import Example

    from evaluation.structuring_train import fit, fix_seed

    fix_seed(SEED)
    nlp = spacy.blank("nb")
    textcat = nlp.add_pipe("textcat", config=CONFIG)
    for label in (finding_filter.FILED, "not_filed"):
        textcat.add_label(label)
    data = [Example.from_dict(nlp.make_doc(x["context"]),
                              {"cats": {finding_filter.FILED: float(x["filed"]),
                                        "not_filed": float(not x["filed"])}})
            for x in examples]
    return fit(nlp, data, epochs, batch_size=64, drop=0.0, seed=SEED)


def fold_figures(rows: Sequence[dict], examples: Sequence[dict], up_to: int,
                 thresholds: Iterable[float] = (0.3, 0.35, 0.4, 0.45, 0.5)) -> dict:
    """Finding F1 on the writers after tune`up_to`, with a model trained on the rest."""
    from evaluation.structuring import Prf

    model = train([x for x in examples if writer_number(x["id"]) <= up_to])
    held = [x for x in examples if writer_number(x["id"]) > up_to]
    gold = sum(1 for r in rows if writer_number(r["id"]) > up_to
               for e in r["entities"] if e["type"] == "finding")
    probs = [d.cats[finding_filter.FILED] for d in model.pipe(x["context"] for x in held)]

    def f1(kept: list[dict]) -> dict:
        tp = sum(x["filed"] for x in kept)
        scores = Prf(tp, len(kept) - tp, gold - tp)
        return {"tp": scores.tp, "fp": scores.fp, "fn": scores.fn, "f1": round(scores.f1, 4)}

    out = {"held_out_after": f"tune{up_to}", "findings_found": len(held), "all_kept": f1(held)}
    for t in thresholds:
        out[f"below_{t}_left_out"] = f1([x for x, p in zip(held, probs) if p >= t])
    return out


def main() -> None:
    from evaluation.finding_phrases import tuned_on_rows

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", metavar="JSON", nargs="?", const="-",
                        help="held-out figures, written to JSON (or printed)")
    args = parser.parse_args()
    rows = tuned_on_rows()
    examples = build_examples(rows)
    if args.folds:
        figures = [fold_figures(rows, examples, up_to) for up_to in FOLDS]
        text = json.dumps(figures, indent=1)
        print(text) if args.folds == "-" else Path(args.folds).write_text(text + "\n")
        return
    write_examples(examples)
    train(examples).to_disk(finding_filter.MODEL_DIR)
    print(f"{len(examples)} findings, {sum(x['filed'] for x in examples)} filed → "
          f"{finding_filter.MODEL_DIR}")


if __name__ == "__main__":
    main()
