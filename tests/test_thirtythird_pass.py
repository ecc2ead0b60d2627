"""Issue 15, thirty-third pass: behaviour found on the writers of tune68 and tune71, each
sentence written for the test (none copied from a gold file)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_never_learnt_from

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune70.jsonl", 60, {"t70a", "t70b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune70 is only scored: no rule is derived from it, no model learns from it
    assert_never_learnt_from(name, count, writers)
