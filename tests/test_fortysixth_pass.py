"""Issue 15, forty-sixth pass: the writers of this pass's data, and what the rules learnt from
tune95 and tune98, each with sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_never_learnt_from

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune97.jsonl", 60, {"t97a", "t97b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune97 is only scored: no rule is derived from it, no model learns from it
    assert_never_learnt_from(name, count, writers)
