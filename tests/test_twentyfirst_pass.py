"""What the twenty-first pass of issue 15 found missing, from writers only scored until this
pass (tune36.jsonl, tune43.jsonl) and new ones (tune45.jsonl, tune46.jsonl). Every sentence
here was written for the test; none is copied from a gold split."""

import json
from pathlib import Path

import pytest

GOLD = Path(__file__).resolve().parents[1] / "evaluation" / "data" / "structuring"


# --- data ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, count, writers", [
    ("tune44.jsonl", 60, {"t44a", "t44b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune44 is only scored: no rule is derived from it, no model learns from it
    from evaluation.finding_phrases import tuned_on_rows
    from evaluation.structuring_train import training_rows

    trained = {row["spoken"] for row in training_rows()}
    rows = [json.loads(line) for line in (GOLD / name).read_text("utf-8").splitlines()]
    assert len(rows) == count and not trained & {row["spoken"] for row in rows}
    assert {row["id"].split("-")[0] for row in rows} == writers
    derived = {row["id"].split("-")[0] for row in tuned_on_rows()}
    assert not derived & writers
