"""What the twentieth pass of issue 15 found missing, from writers only scored until this
pass (tune29.jsonl) and new ones (tune37.jsonl, tune38.jsonl). Every sentence here was written
for the test; none is copied from a gold split."""

import json
from pathlib import Path

import pytest

from structuring.pipeline import structure
from tests.note_helpers import spoken_times, times

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


# --- clock times --------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("nattevakt punktum ho sovna rundt midnatt og sov til seks punktum", ["00:00", "06:00"]),
    ("Han fekk Paracet ved midnatt og sov etterpå.", ["00:00"]),
    ("hun var urolig fra ca midnatt punktum", ["00:00"]),
])
def test_about_midnight_is_a_time_kept_in_the_nurses_words(spoken, expected):
    # the writers file 00:00 for "rundt midnatt" and keep the words in the text
    note = structure(spoken)
    assert times(note) == expected
    assert "midnatt" in note.text


@pytest.mark.parametrize("spoken", [
    "hun la seg før midnatt punktum",
    "Han var vaken til etter midnatt.",
])
def test_before_or_after_midnight_names_no_time(spoken):
    assert spoken_times(spoken) == []
