"""Norwegian spelling for Whisper's Danish and Swedish forms ("kalder" → "kaller").

A word is rewritten only when it is not a Norwegian word and a rule from
`data/danish_to_norwegian.json` turns it into one — checked against Debian's `wnorwegian`
full-form word list (bokmål), so ordinary and unknown words (names, drugs) are left alone.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

WORD_LISTS = {"bokmaal": Path("/usr/share/dict/bokmaal"),
              "nynorsk": Path("/usr/share/dict/nynorsk")}
_WORD = re.compile(r"[A-Za-zÆØÅæøåÉéÖöÄä]+")


@lru_cache(maxsize=2)
def norwegian_words(standard: str = "bokmaal") -> frozenset[str]:
    path = WORD_LISTS[standard]
    if not path.is_file():
        return frozenset()
    text = path.read_bytes().decode("latin-1")  # the Debian list is ISO-8859-1
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=1)
def any_norwegian_words() -> frozenset[str]:
    """Bokmål and nynorsk forms together: a word in either is an ordinary word."""
    return norwegian_words("bokmaal") | norwegian_words("nynorsk")


@lru_cache(maxsize=1)
def _rules() -> list[tuple[re.Pattern[str], str]]:
    data = json.loads(resources.files("pipelines").joinpath(
        "data/danish_to_norwegian.json").read_text("utf-8"))
    return [(re.compile(pattern), replacement) for pattern, replacement in data["rules"]]


def available(standard: str = "bokmaal") -> bool:
    return bool(norwegian_words(standard))


def correct_word(word: str, words: frozenset[str]) -> str:
    lower = word.lower()
    if len(lower) < 3 or lower in words:
        return word
    for pattern, replacement in _rules():
        candidate = pattern.sub(replacement, lower)
        if candidate != lower and candidate in words:
            return _same_case(word, candidate)
    return word


def _same_case(original: str, word: str) -> str:
    if original.isupper() and len(original) > 1:
        return word.upper()
    return word[0].upper() + word[1:] if original[0].isupper() else word


def correct(text: str, standard: str = "bokmaal") -> str:
    words = norwegian_words(standard)
    if not words:
        return text
    return _WORD.sub(lambda m: correct_word(m.group(), words), text)
