"""Section probabilities of a written sentence: a small spaCy `textcat` (bag of words).

One evidence among several (keywords, entities, headings, neighbours; see
`structuring.sections`). Built by `python -m evaluation.structuring_train`, shipped in
`structuring/data/models/textcat/seed-*`: one model per training seed, their probabilities
averaged, because one model's held-out accuracy moved with its seed (forty-second pass).
Without them the rules decide alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from structuring.rules import load_rules

TEXTCAT_DIR = Path(__file__).parent / "data" / "models" / "textcat"


@lru_cache(maxsize=1)
def _model() -> tuple:
    """The section classifiers (a tuple, empty when none is built)."""
    import spacy

    if (TEXTCAT_DIR / "config.cfg").exists():
        folders = [TEXTCAT_DIR]  # one model (as trained before the forty-second pass)
    else:
        folders = sorted(p.parent for p in TEXTCAT_DIR.glob("*/config.cfg"))
    return tuple(spacy.load(folder) for folder in folders)


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
    """Each sentence's section probabilities, the mean of the classifiers'."""
    models = _model()
    if not models:
        return [{} for _ in texts]
    read = [classifier_text(t) for t in texts]
    out: list[dict[str, float]] = [{} for _ in texts]
    for model in models:
        for probabilities, doc in zip(out, model.pipe(read)):
            for key, value in doc.cats.items():
                probabilities[key] = probabilities.get(key, 0.0) + value / len(models)
    return out
