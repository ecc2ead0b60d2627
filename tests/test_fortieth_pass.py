"""Issue 15, fortieth pass: what the rules learnt from tune83 and tune86, each with
sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_never_learnt_from

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune85.jsonl", 60, {"t85a", "t85b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune85 is only scored: no rule is derived from it, no model learns from it
    assert_never_learnt_from(name, count, writers)
