"""What the tests check about the gold files themselves: a writer kept out of the rules and
models stays out."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

GOLD = Path(__file__).resolve().parents[1] / "evaluation" / "data" / "structuring"


def assert_never_learnt_from(name: str, count: int, writers: set[str],
                             read_later: bool = False) -> None:
    """Gold file `name` holds `count` dictations by exactly `writers`, none of which the
    models train on or the finding phrases are derived from. `read_later`: the writers were
    only scored in their own pass and read by a later one; the finding phrases, derived
    again from every writer read in the thirty-fifth pass, now come from them too, and so does
    the section classifier since the fortieth pass (`structuring_train.CLASSIFIER_WRITERS`)
    and the finding filter since the forty-first (`evaluation.finding_filter_train`)."""
    from evaluation.finding_phrases import tuned_on_rows
    from evaluation.structuring_train import training_rows

    trained = {row["spoken"] for row in training_rows()}
    rows = [json.loads(line) for line in (GOLD / name).read_text("utf-8").splitlines()]
    assert len(rows) == count
    said = {row["spoken"] for row in rows}
    assert said <= trained if read_later else not trained & said
    assert {row["id"].split("-")[0] for row in rows} == writers
    derived = {row["id"].split("-")[0] for row in tuned_on_rows()}
    assert writers <= derived if read_later else not derived & writers
    # the finding filter learns from every writer read (forty-first pass on)
    filtered = _finding_filter_writers()
    assert writers <= filtered if read_later else not filtered & writers


@lru_cache(maxsize=1)
def _finding_filter_writers() -> set[str]:
    from evaluation.finding_filter_train import read_examples

    return {example["id"].split("-")[0] for example in read_examples()}


def assert_classifier_learns_from(read: set[str], only_scored: set[str] = frozenset()) -> None:
    """The section classifier learns from the gold files `read` and none of `only_scored`."""
    from evaluation.structuring_train import CLASSIFIER_WRITERS

    learnt = {path.name for path in CLASSIFIER_WRITERS}
    assert read <= learnt and not learnt & only_scored
