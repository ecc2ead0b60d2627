"""Section probabilities of a written sentence: a small spaCy `textcat` (bag of words).

One evidence among several (keywords, entities, headings, neighbours; see
`structuring.sections`). Built by `python -m evaluation.structuring_train`, shipped in
`structuring/data/models/textcat`; without it the rules decide alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

TEXTCAT_DIR = Path(__file__).parent / "data" / "models" / "textcat"


@lru_cache(maxsize=1)
def _model():
    import spacy

    if not (TEXTCAT_DIR / "config.cfg").exists():
        return None
    return spacy.load(TEXTCAT_DIR)


def classifier_text(text: str) -> str:
    """What the section classifier reads: lower case, every digit a 0 (the same at training
    time: evaluation/structuring_train.py)."""
    return re.sub(r"\d", "0", text.lower())


def section_probabilities(texts: list[str]) -> list[dict[str, float]]:
    model = _model()
    if model is None:
        return [{} for _ in texts]
    return [dict(doc.cats) for doc in model.pipe(classifier_text(t) for t in texts)]
