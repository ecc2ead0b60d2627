"""What the twentieth pass of issue 15 found missing, from writers only scored until this
pass (tune29.jsonl) and new ones (tune37.jsonl, tune38.jsonl). Every sentence here was written
for the test; none is copied from a gold split."""

import json
from pathlib import Path

GOLD = Path(__file__).resolve().parents[1] / "evaluation" / "data" / "structuring"


# --- data ---------------------------------------------------------------------------------------

def test_the_writers_only_scored_this_pass_are_never_learnt_from():
    # tune36 (t36a, t36b) is only scored: no rule is derived from it, no model learns from it.
    from evaluation.finding_phrases import tuned_on_rows
    from evaluation.structuring_train import training_rows

    trained = {row["spoken"] for row in training_rows()}
    rows = [json.loads(line) for line in (GOLD / "tune36.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 60 and not trained & {row["spoken"] for row in rows}
    derived = {row["id"].split("-")[0] for row in tuned_on_rows()}
    assert not derived & {"t36a", "t36b"}
