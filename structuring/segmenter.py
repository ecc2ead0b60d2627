"""Sentence starts in dictated words that carry no punctuation: trained spaCy `senter`s.

Spoken commands (`punktum`, `ny linje`, `overskrift …`) and written periods stay hard
boundaries (see `structuring.spoken`); the models only cut stretches of words between them.
They are built by `python -m evaluation.structuring_train` and shipped in
`structuring/data/models/senter/seed-*`: one model per training seed, their probabilities
averaged, because a single model's cuts moved with its seed (issue 15, ninth pass).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy

from structuring.senter_forward import read_weights, start_scores

SENTER_DIR = Path(__file__).parent / "data" / "models" / "senter"


@lru_cache(maxsize=1)
def _model():
    """The sentence models (a tuple, empty when none is built)."""
    import spacy

    if (SENTER_DIR / "config.cfg").exists():
        folders = [SENTER_DIR]  # one model (as trained before the ninth pass)
    else:
        folders = sorted(p.parent for p in SENTER_DIR.glob("*/config.cfg"))
    models = tuple(spacy.load(folder) for folder in folders)
    _one_blas_thread()
    return models


def _one_blas_thread() -> None:
    """One BLAS thread for the process: the models' matrices are small (a few hundred rows),
    and OpenBLAS's threads cost more to wake than they save. With the two cores busy (a
    second dictation, a worker beside it) each woken thread waited for a core: 76 words took
    93 ms instead of 15. Nothing else in a Dikta process does large matrix products on
    numpy's BLAS (the ASR model runs on CTranslate2's own threads)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def available() -> bool:
    return bool(_model())


# Probability from which a word starts a sentence. Below 0.5: a missed sentence end merges
# two sentences (one section for both, a cue that reaches the wrong clause); a false one only
# cuts a sentence in two, each still filed. Chosen by cross-validation on the dev set with
# its punctuation stripped (docs/benchmarks.md), never on the frozen test split.
START_PROBABILITY = 0.3


def start_probabilities(models, words: list[str]) -> list[float]:
    """For each word, the models' mean probability that it starts a sentence."""
    total = numpy.zeros(len(words), dtype="float64")
    for weights in _weights(models):
        total += start_scores(weights, words).astype("float64") / len(models)
    return total.tolist()


@lru_cache(maxsize=4)
def _weights(models: tuple) -> tuple:
    """Each model's parameters for the forward pass in `senter_forward`."""
    from thinc.api import NumpyOps

    return tuple(read_weights(model, NumpyOps()) for model in models)


def sentence_starts(words: list[str], threshold: float | None = None,
                    models: tuple | None = None) -> list[int]:
    """Indices of the words that start a sentence (0 always), by the shipped models or
    `models` (benchmarks comparing seeds)."""
    models = _model() if models is None else models
    if not models or not words:
        return [0] if words else []
    probabilities = start_probabilities(models, words)
    cut = START_PROBABILITY if threshold is None else threshold
    return [0] + [i for i in range(1, len(words)) if probabilities[i] >= cut]
