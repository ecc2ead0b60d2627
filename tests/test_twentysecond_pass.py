"""What the twenty-second pass of issue 15 found missing, from writers only scored until this
pass (tune44.jsonl, tune47.jsonl) and a new one (tune49.jsonl). Every sentence here was
written for the test; none is copied from a gold split."""

import pytest

from tests.gold_files import assert_never_learnt_from

# --- data ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, count, writers", [
    ("tune48.jsonl", 60, {"t48a", "t48b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune48 is only scored: no rule is derived from it, no model learns from it
    assert_never_learnt_from(name, count, writers)
