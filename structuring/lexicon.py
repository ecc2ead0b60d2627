"""Matching lexicon phrases in written Norwegian text: whole words, lower case, longest first."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


def alternation(words: Iterable[str]) -> str:
    """A regex alternative of the words as written, longest first (built once per list)."""
    return _alternation_of(tuple(words))


@lru_cache(maxsize=64)
def _alternation_of(words: tuple[str, ...]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


@lru_cache(maxsize=64)
def phrase_pattern(phrases: tuple[str, ...], prefix: bool = False) -> re.Pattern[str]:
    """One regex matching any phrase as whole words; `prefix` lets the last word run on."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    body = "|".join(re.escape(p) for p in ordered)
    tail = r"[\wæøå-]*" if prefix else r"(?![\wæøå])"
    return re.compile(rf"(?<![\wæøå-])(?:{body}){tail}", re.IGNORECASE)


def find_phrases(text: str, phrases: Iterable[str], prefix: bool = False
                 ) -> list[re.Match[str]]:
    return list(phrase_pattern(tuple(phrases), prefix).finditer(text))


def has_phrase(text: str, phrases: Iterable[str], prefix: bool = False) -> bool:
    return phrase_pattern(tuple(phrases), prefix).search(text) is not None
