"""The finding filter (issue 15, forty-first pass): a model of which findings the rules found a
nurse would file, trained on every tuned writer; its sentences written for the test."""

from __future__ import annotations

import pytest

from evaluation import finding_filter_train as train
from structuring import finding_filter
from structuring.pipeline import structure

# Each a finding the rules find and the writers do not file: a watch kept, a relative's
# state, what the wound did under care.
NOT_FILED = [
    ("Han står på Eliquis, så vi følger med på blødning.", "blødning"),
    ("Kona hans sitter hos han og er sliten.", "sliten"),
    ("Ho sa det svei litt under skiftet.", "svei"),
]


def _findings(spoken: str) -> list[str]:
    return [e.value for e in structure(spoken).entities if e.type == "finding"]


@pytest.mark.parametrize("spoken, finding", NOT_FILED)
def test_a_finding_a_nurse_would_not_file_is_left_out_but_its_words_stay(spoken, finding):
    with finding_filter.disabled():
        assert finding in _findings(spoken)  # the rules find it …
    note = structure(spoken)
    assert finding not in [e.value for e in note.entities]  # … the filter leaves it out
    assert finding in note.text  # and the nurse still reads it


@pytest.mark.parametrize("spoken, finding", [
    ("Ho er tungpusta i kvile.", "tungpusta i kvile"),
    ("Han har demens og bur åleine.", "demens"),
])
def test_a_finding_a_nurse_would_file_stays(spoken, finding):
    assert finding in _findings(spoken)


def test_without_the_model_every_finding_is_kept(monkeypatch, tmp_path):
    monkeypatch.setattr(finding_filter, "MODEL_DIR", tmp_path)
    finding_filter._model.cache_clear()
    try:
        assert not finding_filter.available()
        assert "sliten" in _findings("Kona hans sitter hos han og er sliten.")
    finally:
        finding_filter._model.cache_clear()


def test_disabled_is_undone_after_it():
    with finding_filter.disabled():
        assert not finding_filter.available()
    assert finding_filter.available()


def test_the_context_marks_the_findings_words_and_its_neighbours():
    context = finding_filter.finding_context("Kona er sliten i dag, 2 gonger.", "sliten", False)
    assert context.split() == ["v_sliten", "n_0", "len_1", "l_kona", "l_er", "r_i", "r_dag",
                               "r_0", "r_gonger", "s_kona", "s_er", "s_sliten", "s_i", "s_dag",
                               "s_0", "s_gonger"]


def test_the_examples_are_what_the_rules_find_now():
    """A sample of the stored examples (every 200th tuned dictation): a rule change that moves
    a finding makes the model stale, and `python -m evaluation.finding_filter_train` is due."""
    from evaluation.finding_phrases import tuned_on_rows

    stored: dict[str, list[dict]] = {}
    for example in train.read_examples():
        stored.setdefault(example["id"], []).append(example)
    for row in tuned_on_rows()[::200]:
        assert train.examples_of(row) == stored.get(row["id"], []), row["id"]


def test_the_examples_come_from_the_tuned_writers_only():
    from evaluation.finding_phrases import tuned_on_rows

    ids = {example["id"] for example in train.read_examples()}
    assert ids <= {row["id"] for row in tuned_on_rows()}
    assert not any(i.startswith(("test", "t97")) for i in ids)  # blind, and only scored


def test_the_shipped_model_rebuilds_from_its_examples():
    """Not byte for byte (BLAS rounding differs between CPUs, as for the section classifier):
    every example gets the same decision and nearly the same probability."""
    import spacy

    examples = train.read_examples()
    rebuilt = train.train(examples)
    shipped = spacy.load(finding_filter.MODEL_DIR)
    texts = [x["context"] for x in examples]
    for ours, theirs in zip(rebuilt.pipe(texts), shipped.pipe(texts)):
        p, q = ours.cats[finding_filter.FILED], theirs.cats[finding_filter.FILED]
        assert abs(p - q) < 0.005, ours.text
        assert (p >= finding_filter.FILED_BELOW) == (q >= finding_filter.FILED_BELOW) or \
            abs(q - finding_filter.FILED_BELOW) < 0.005, ours.text
