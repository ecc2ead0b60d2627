"""Pure scoring functions: (references, hypotheses, normaliser) → numbers.

WER/CER are corpus-level (errors summed over utterances, divided by reference words or
characters). Intervals are percentile bootstraps over utterances (seeded, so a report is
reproducible). The paired test between two systems is a paired bootstrap on per-utterance
error counts.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Normalizer = Callable[[str], str]


@dataclass(frozen=True)
class ErrorCounts:
    substitutions: int
    deletions: int
    insertions: int
    reference_words: int

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions


def word_errors(reference: str, hypothesis: str) -> ErrorCounts:
    """Edit operations between two already normalised strings (words)."""
    import jiwer

    ref_words, hyp_words = reference.split(), hypothesis.split()
    if not ref_words:
        return ErrorCounts(0, 0, len(hyp_words), 0)
    out = jiwer.process_words(reference, hypothesis if hyp_words else "")
    return ErrorCounts(out.substitutions, out.deletions, out.insertions, len(ref_words))


def char_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(character edits, reference characters) of normalised strings."""
    import jiwer

    if not reference:
        return len(hypothesis), 0
    out = jiwer.process_characters(reference, hypothesis if hypothesis else "")
    return out.substitutions + out.deletions + out.insertions, len(reference)


def corpus_rate(errors: Sequence[int], totals: Sequence[int]) -> float:
    total = sum(totals)
    return sum(errors) / total if total else 0.0


def bootstrap_interval(errors: Sequence[int], totals: Sequence[int], *, samples: int = 1000,
                       seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap of the corpus rate, resampling utterances."""
    return _bootstrap(len(errors), lambda picks: corpus_rate(
        [errors[i] for i in picks], [totals[i] for i in picks]), samples, seed, level)


def paired_difference_interval(errors_a: Sequence[int], errors_b: Sequence[int],
                               totals: Sequence[int], *, samples: int = 1000, seed: int = 0,
                               level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap of WER(B) − WER(A) on the same utterances, resampled in pairs."""
    def difference(picks: list[int]) -> float:
        words = [totals[i] for i in picks]
        return corpus_rate([errors_b[i] for i in picks], words) - \
            corpus_rate([errors_a[i] for i in picks], words)
    return _bootstrap(len(totals), difference, samples, seed, level)


def _bootstrap(n: int, statistic, samples: int, seed: int, level: float
               ) -> tuple[float, float]:
    if n == 0:
        return 0.0, 0.0
    rng = random.Random(seed)
    values = sorted(statistic([rng.randrange(n) for _ in range(n)]) for _ in range(samples))
    return (values[int((1 - level) / 2 * samples)],
            values[min(samples - 1, int((1 + level) / 2 * samples))])


def paired_bootstrap_p(errors_a: Sequence[int], errors_b: Sequence[int],
                       totals: Sequence[int], *, samples: int = 2000, seed: int = 0) -> float:
    """Two-sided p-value that systems A and B have the same corpus error rate."""
    n = len(totals)
    if n == 0:
        return 1.0
    observed = corpus_rate(errors_a, totals) - corpus_rate(errors_b, totals)
    rng = random.Random(seed)
    flips = 0
    for _ in range(samples):
        picks = [rng.randrange(n) for _ in range(n)]
        diff = corpus_rate([errors_a[i] for i in picks], [totals[i] for i in picks]) - \
            corpus_rate([errors_b[i] for i in picks], [totals[i] for i in picks])
        # How often the resampled difference falls on the other side of zero.
        if observed == 0 or (diff <= 0 if observed > 0 else diff >= 0):
            flips += 1
    return min(1.0, 2 * flips / samples)


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def term_recall(terms: Sequence[str], references: Sequence[str], hypotheses: Sequence[str]
                ) -> tuple[float, int, int]:
    """Of the lexicon terms said (in the normalised references), how many came out right."""
    said = found = 0
    for reference, hypothesis in zip(references, hypotheses):
        ref_words, hyp_words = reference.split(), hypothesis.split()
        for term in terms:
            parts = term.split()
            if _contains(ref_words, parts):
                said += 1
                found += _contains(hyp_words, parts)
    return (found / said if said else 0.0), found, said


def term_insertions(terms: Sequence[str], references: Sequence[str],
                    hypotheses: Sequence[str]) -> int:
    """Lexicon terms written where they were not said: invented drug names are dangerous."""
    inserted = 0
    for reference, hypothesis in zip(references, hypotheses):
        ref_words, hyp_words = reference.split(), hypothesis.split()
        inserted += sum(1 for term in terms if _contains(hyp_words, term.split())
                        and not _contains(ref_words, term.split()))
    return inserted


def _contains(words: list[str], parts: list[str]) -> bool:
    k = len(parts)
    return any(words[i:i + k] == parts for i in range(len(words) - k + 1))
