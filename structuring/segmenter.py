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
def _models() -> tuple:
    """The shipped sentence models: one (`senter/config.cfg`) or several trained alike from
    different seeds (`senter/<name>/config.cfg`), whose start probabilities are averaged."""
    import spacy

    if (SENTER_DIR / "config.cfg").exists():
        return (spacy.load(SENTER_DIR),)
    if not SENTER_DIR.is_dir():
        return ()  # not built: the dictation's own punctuation is all there is
    return tuple(spacy.load(d) for d in sorted(SENTER_DIR.iterdir())
                 if (d / "config.cfg").exists())


def _model():
    """The first sentence model, or None when none is built."""
    models = _models()
    return models[0] if models else None


def available() -> bool:
    return bool(_models())


# Probability from which a word starts a sentence. Below 0.5: a missed sentence end merges
# two sentences (one section for both, a cue that reaches the wrong clause); a false one only
# cuts a sentence in two, each still filed. Chosen by cross-validation on the dev set with
# its punctuation stripped (docs/benchmarks.md), never on the frozen test split.
START_PROBABILITY = 0.3


def sentence_starts(words: list[str], threshold: float | None = None) -> list[int]:
    """Indices of the words that start a sentence (0 always)."""
    models = _models()
    if not models or not words:
        return [0] if words else []
    cut = START_PROBABILITY if threshold is None else threshold
    chance = start_probabilities(words, models)
    return [0] + [i for i in range(1, len(words)) if chance[i] >= cut]


def start_probabilities(words: list[str], models: tuple | None = None) -> list[float]:
    """Each word's probability of starting a sentence, averaged over the models."""
    from spacy.tokens import Doc

    models = _models() if models is None else models
    total = [0.0] * len(words)
    for model in models:
        senter = model.get_pipe("senter")
        scores = senter.model.predict([Doc(model.vocab, words=words)])[0]
        column = list(senter.labels).index("S")
        for i in range(len(words)):
            total[i] += float(scores[i][column])
    return [p / len(models) for p in total]
