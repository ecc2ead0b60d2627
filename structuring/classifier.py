"""Section probabilities of a written sentence: a small spaCy `textcat` (bag of words).

One evidence among several (keywords, entities, headings, neighbours; see
`structuring.sections`). Built by `python -m evaluation.structuring_train`, shipped in
`structuring/data/models/textcat`; without it the rules decide alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from structuring.rules import load_rules

TEXTCAT_DIR = Path(__file__).parent / "data" / "models" / "textcat"


@lru_cache(maxsize=1)
def _model():
    import spacy

    if not (TEXTCAT_DIR / "config.cfg").exists():
        return None
    return spacy.load(TEXTCAT_DIR)


def classifier_text(text: str) -> str:
    """What the section classifier reads: lower case, every digit a 0, and each nynorsk or
    dialect form of a common word as one word (`classifier_forms` in sections.json); the
    same at training time (evaluation/structuring_train.py)."""
    forms = _forms()
    return _WORD.sub(lambda m: forms.get(m.group(), m.group()), re.sub(r"\d", "0", text.lower()))


_WORD = re.compile(r"[\wæøå']+")


@lru_cache(maxsize=1)
def _forms() -> dict[str, str]:
    return load_rules("sections")["classifier_forms"]


def section_probabilities(texts: list[str]) -> list[dict[str, float]]:
    model = _model()
    if model is None:
        return [{} for _ in texts]
    return [dict(doc.cats) for doc in model.pipe(classifier_text(t) for t in texts)]
