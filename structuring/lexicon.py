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
    body = _trie(sorted({p.lower() for p in phrases}))
    tail = r"[\wæøå-]*" if prefix else r"(?![\wæøå])"
    return re.compile(rf"(?<![\wæøå-])(?:{body}){tail}", re.IGNORECASE)


def _trie(phrases: list[str]) -> str:
    """The phrases as one regex trie. Same matches as "longest first" alternation (at each
    character the branches differ, and ending a phrase is tried after going on), but the
    regex engine takes one branch per character instead of trying every phrase at every
    position: matching the keyword lists was a fifth of the structuring time."""
    tree: dict = {}
    for phrase in phrases:
        node = tree
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(tree)


def _branches(node: dict) -> str:
    ends = "" in node
    parts = [re.escape(char) + _branches(child) for char, child in node.items() if char]
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 and not ends else "(?:" + "|".join(parts) + ")"
    return body + "?" if ends else body


def find_phrases(text: str, phrases: Iterable[str], prefix: bool = False
                 ) -> list[re.Match[str]]:
    return list(_pattern_of(phrases, prefix).finditer(text))


def has_phrase(text: str, phrases: Iterable[str], prefix: bool = False) -> bool:
    return _pattern_of(phrases, prefix).search(text) is not None


# The rule lists are loaded once and asked about for every sentence: hashing a tuple of a few
# hundred phrases on each call cost more than the match itself. Keyed by the list's identity,
# holding the list so its id cannot be reused while cached; rule lists are never changed in
# place after loading.
_BY_IDENTITY: dict[tuple[int, bool], tuple[object, re.Pattern[str]]] = {}


def _pattern_of(phrases: Iterable[str], prefix: bool) -> re.Pattern[str]:
    if not isinstance(phrases, (list, tuple, frozenset)):
        return phrase_pattern(tuple(phrases), prefix)
    key = (id(phrases), prefix)
    hit = _BY_IDENTITY.get(key)
    if hit is not None and hit[0] is phrases:
        return hit[1]
    if len(_BY_IDENTITY) > 512:
        _BY_IDENTITY.clear()  # callers that build a new list per call do not grow this
    pattern = phrase_pattern(tuple(phrases), prefix)
    _BY_IDENTITY[key] = (phrases, pattern)
    return pattern
