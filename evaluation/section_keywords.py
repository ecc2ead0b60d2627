"""How often each section keyword names its own section in the writers' gold (issue 15).

A keyword in `structuring/data/sections.json` is evidence for its section wherever it occurs
("satt " for legemidler: "satt insulin"). In the gold of the dev and tune writers some
keywords mostly stand in sentences filed elsewhere ("satt hos henne en halvtime", "det går
bra", "alarmen gikk"): such a keyword pulls sentences the wrong way more often than the right
one. This audit lists, per keyword, the gold sentences containing it and the share filed
under its section, so that a clinician reviewing the keywords sees which ones mislead.

    python -m evaluation.section_keywords [--below 0.35] [--min-sentences 5]

A pure function of (gold sentences, section template); the frozen test splits are never read.
"""

from __future__ import annotations

import argparse
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from structuring.lexicon import find_phrases
from structuring.sections import SectionInfo, _split_keywords, template


@dataclass(frozen=True)
class KeywordPrecision:
    section: str
    keyword: str  # as written in the data: a trailing space marks a whole word
    sentences: int  # gold sentences containing it
    own_section: int  # … of which filed under its section
    elsewhere: tuple[tuple[str, int], ...]  # where the rest were filed, most first

    @property
    def precision(self) -> float:
        return self.own_section / self.sentences if self.sentences else 0.0


def keyword_precision(sentences: Sequence[tuple[str, str]],
                      sections: Iterable[SectionInfo] | None = None) -> list[KeywordPrecision]:
    """For (text, gold section) pairs, each keyword's hits, lowest precision first."""
    padded = [(f" {text.lower()} ", section) for text, section in sentences]
    # Only the sentences holding the keyword's letters are matched (found in one text of
    # them all): the audit reads some 55,000 gold sentences since the fortieth pass.
    joined = "\n".join(text for text, _ in padded)
    starts = list(accumulate((len(text) + 1 for text, _ in padded[:-1]), initial=0))
    out = []
    for info in sections if sections is not None else template():
        words, stems = _split_keywords(info.keywords)
        for keyword, prefix in [(w, False) for w in words] + [(s, True) for s in stems]:
            holding = [padded[i] for i in _holding(joined, starts, keyword.lower())]
            filed = Counter(section for text, section in holding
                            if find_phrases(text, (keyword,), prefix=prefix))
            if filed:
                rest = tuple((k, n) for k, n in filed.most_common() if k != info.key)
                out.append(KeywordPrecision(info.key, keyword if prefix else f"{keyword} ",
                                            sum(filed.values()), filed[info.key], rest))
    return sorted(out, key=lambda k: (k.precision, -k.sentences))


def _holding(joined: str, starts: list[int], letters: str) -> list[int]:
    """The indices of the sentences (lines of `joined`, beginning at `starts`) in which
    `letters` stand, in order."""
    found: list[int] = []
    at = joined.find(letters)
    while at >= 0:
        line = bisect_right(starts, at) - 1
        found.append(line)
        at = joined.find(letters, starts[line + 1] if line + 1 < len(starts) else len(joined))
    return found


def gold_sentences(rows: Iterable[dict]) -> list[tuple[str, str]]:
    return [(s["text"], s["section"]) for row in rows for s in row["sentences"]]


def main() -> None:
    from evaluation.structuring_train import training_rows

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--below", type=float, default=0.35,
                        help="list the keywords whose precision is under this")
    parser.add_argument("--min-sentences", type=int, default=5)
    args = parser.parse_args()
    pairs = gold_sentences(training_rows())
    print(f"{len(pairs)} gold sentences of the dev and tune writers")
    for k in keyword_precision(pairs):
        if k.precision < args.below and k.sentences >= args.min_sentences:
            elsewhere = ", ".join(f"{s} {n}" for s, n in k.elsewhere[:3])
            print(f"{k.precision:.2f} {k.sentences:4d}  {k.section:24} {k.keyword!r:20} "
                  f"{elsewhere}")


if __name__ == "__main__":
    main()
