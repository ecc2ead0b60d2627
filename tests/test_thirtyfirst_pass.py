"""Issue 15, thirty-first pass: behaviour found on the writers of tune64 and tune67, each
sentence written for the test (none copied from a gold file)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_never_learnt_from

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune66.jsonl", 60, {"t66a", "t66b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune66 is only scored: no rule is derived from it, no model learns from it
    assert_never_learnt_from(name, count, writers)
