"""Whether a nurse would file a finding the rules found: a small spaCy `textcat` (bag of words
and word pairs) over the finding's words and its sentence.

The rules find every symptom word a sentence says; the writers leave some out of the entity
list because of what the sentence does with it ("snakkar samisk når ho er sliten", "kona er
sliten", "vi følgjer med på blødning"). Trained on what the rules found in every tuned writer's
dictations, labelled by whether that writer filed it (`python -m evaluation.finding_filter_train`),
shipped in `structuring/data/models/finding_filter`. A finding the model gives less than
`FILED_BELOW` is left out of the entity list; its sentence keeps every word, so the nurse
still reads it. Without the model every finding is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

MODEL_DIR = Path(__file__).parent / "data" / "models" / "finding_filter"
FILED = "filed"
# Below this probability a finding is left out. Chosen on writers held out from training
# (tune61 … tune88, tune71 …, tune81 …: 0.4 gave the best or near-best finding F1 in each).
FILED_BELOW = 0.4
WINDOW = 5  # words each side of the finding that the model reads as its near context

_WORD = re.compile(r"[\wæøå]+")
_enabled = True


@lru_cache(maxsize=1)
def _model():
    import spacy

    if not (MODEL_DIR / "config.cfg").exists():
        return None
    return spacy.load(MODEL_DIR)


def available() -> bool:
    return _enabled and _model() is not None


@contextmanager
def disabled():
    """Every finding kept: what the model is trained on (the rules' own findings)."""
    global _enabled
    before, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = before


def finding_context(sentence: str, value: str, negated: bool) -> str:
    """What the model reads: the finding's words, whether it is negated, the words either
    side of where it stands and every word of its sentence, each marked with its role."""
    words, said = _words(sentence), _words(value)
    left: list[str] = []
    right: list[str] = []
    if said and said[0] in words:
        start = words.index(said[0])
        end = start + len(said)
        left, right = words[max(0, start - WINDOW):start], words[end:end + WINDOW]
    return " ".join([*(f"v_{w}" for w in said), f"n_{int(negated)}", f"len_{min(len(said), 4)}",
                     *(f"l_{w}" for w in left), *(f"r_{w}" for w in right),
                     *(f"s_{w}" for w in words)])


def _words(text: str) -> list[str]:
    return _WORD.findall(re.sub(r"\d", "0", text.lower()))


def filed(contexts: Sequence[str]) -> list[bool]:
    """For each `finding_context`, whether a nurse would file it."""
    if not available():
        return [True] * len(contexts)
    return [doc.cats[FILED] >= FILED_BELOW for doc in _model().pipe(contexts)]
