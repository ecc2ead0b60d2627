"""Sentence starts in dictated words that carry no punctuation: a trained spaCy `senter`.

Spoken commands (`punktum`, `ny linje`, `overskrift …`) and written periods stay hard
boundaries (see `structuring.spoken`); the model only cuts stretches of words between them.
It is built by `python -m evaluation.structuring_train` and shipped in `structuring/data/models/senter`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

SENTER_DIR = Path(__file__).parent / "data" / "models" / "senter"


@lru_cache(maxsize=1)
def _model():
    import spacy

    if not (SENTER_DIR / "config.cfg").exists():
        return None  # not built: the dictation's own punctuation is all there is
    return spacy.load(SENTER_DIR)


def available() -> bool:
    return _model() is not None


# Probability from which a word starts a sentence. Below 0.5: a missed sentence end merges
# two sentences (one section for both, a cue that reaches the wrong clause); a false one only
# cuts a sentence in two, each still filed. Chosen by cross-validation on the dev set with
# its punctuation stripped (docs/benchmarks.md), never on the frozen test split.
START_PROBABILITY = 0.3


def sentence_starts(words: list[str], threshold: float | None = None) -> list[int]:
    """Indices of the words that start a sentence (0 always)."""
    from spacy.tokens import Doc

    model = _model()
    if model is None or not words:
        return [0] if words else []
    senter = model.get_pipe("senter")
    scores = senter.model.predict([Doc(model.vocab, words=words)])[0]
    column = list(senter.labels).index("S")
    cut = START_PROBABILITY if threshold is None else threshold
    return [0] + [i for i in range(1, len(words)) if float(scores[i][column]) >= cut]
