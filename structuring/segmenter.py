"""Sentence starts in dictated words that carry no punctuation: a trained spaCy `senter`.

Spoken commands (`punktum`, `ny linje`, `overskrift …`) and written periods stay hard
boundaries (see `structuring.spoken`); the model only cuts stretches of words between them.
It is built by `python -m structuring.train` and shipped in `structuring/data/models/senter`.
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


def sentence_starts(words: list[str]) -> list[int]:
    """Indices of the words that start a sentence (0 always)."""
    from spacy.tokens import Doc

    model = _model()
    if model is None or not words:
        return [0] if words else []
    doc = model(Doc(model.vocab, words=words))
    return [0] + [t.i for t in doc[1:] if t.is_sent_start]
