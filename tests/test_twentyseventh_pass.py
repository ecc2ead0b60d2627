"""What the twenty-seventh pass of issue 15 found, reading tune57.jsonl (only scored until
this pass) and tune59.jsonl (new). Every sentence here was written for the test; none is
copied from a gold split."""

import pytest

from tests.gold_files import assert_never_learnt_from

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune58.jsonl", 60, {"t58a", "t58b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune58 is only scored: no rule is derived from it, no model learns from it
    assert_never_learnt_from(name, count, writers)
