"""Live accuracy: every approved note is a free reference for the ASR draft it came from.

WER of the ASR draft (note version 1) against the approved text, per tenant, dialect and
month. A pure function of the pairs the service hands it (service/notes/corrections.py reads
them inside the service's process); only the figures leave, never text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from evaluation.metrics import corpus_rate, word_errors
from evaluation.normalize import NorwegianNormalizer


class CorrectionPair(NamedTuple):
    tenant: str
    dialect: str
    month: str  # YYYY-MM of approval
    draft: str
    approved: str


def correction_report(pairs: Iterable[CorrectionPair],
                      normalizer=NorwegianNormalizer()) -> list[dict]:
    groups: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    for pair in pairs:
        counts = word_errors(normalizer(pair.approved), normalizer(pair.draft))
        groups[(pair.tenant, pair.dialect, pair.month)].append(
            (counts.errors, counts.reference_words))
    return [{"tenant": tenant, "dialect": dialect, "month": month, "notes": len(items),
             "wer": corpus_rate([e for e, _ in items], [w for _, w in items])}
            for (tenant, dialect, month), items in sorted(groups.items())]
