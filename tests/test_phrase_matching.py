"""Phrase matching in `structuring.lexicon` is a regex trie: it must find exactly what the
plain "longest phrase first" alternation finds, on any phrases and any text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from structuring.lexicon import find_phrases, has_phrase, phrase_pattern
from structuring.spoken import _match_phrase
from structuring.tokens import Tok

# Few letters so phrases share prefixes and overlap, the cases a trie can get wrong.
_WORD = st.text(alphabet="abæø-", min_size=1, max_size=4)
_PHRASE = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)
_TEXT = st.lists(st.one_of(_WORD, st.sampled_from([" ", ", ", ".", "/", "(", "Æ", "1"])),
                 max_size=25).map(lambda parts: " ".join(parts))


def _alternation(phrases: list[str], prefix: bool) -> re.Pattern[str]:
    body = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    tail = r"[\wæøå-]*" if prefix else r"(?![\wæøå])"
    return re.compile(rf"(?<![\wæøå-])(?:{body}){tail}", re.IGNORECASE)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PHRASE, min_size=1, max_size=12), _TEXT, st.booleans())
def test_trie_finds_what_longest_first_alternation_finds(phrases, text, prefix):
    expected = [m.span() for m in _alternation(phrases, prefix).finditer(text)]
    assert [m.span() for m in find_phrases(text, phrases, prefix)] == expected
    assert has_phrase(text, tuple(phrases), prefix) == bool(expected)


def test_longest_phrase_wins_and_whole_words_only():
    phrases = ["urolig", "urolig natt", "natt"]
    assert [m.group() for m in find_phrases("svært urolig natt, natta", phrases)] == \
        ["urolig natt"]
    assert [m.group() for m in find_phrases("uroligheit", ["urolig"], prefix=True)] == \
        ["uroligheit"]
    assert phrase_pattern(("gå",)).search("gåstol") is None


def test_each_list_gets_its_own_pattern():
    for _ in range(3):  # new lists each time: an id seen before must not bring its pattern
        assert has_phrase("litt hoste", ["hoste"])
        assert not has_phrase("litt hoste", ["tungpust"])


def test_voice_commands_match_the_longest_phrase_from_a_word():
    commands = {"ny": "X", "ny linje": "LINE", "nytt avsnitt": "PARA"}
    words = [Tok(w) for w in "hoste ny linje sov".split()]
    assert _match_phrase(words, 1, commands) == ("LINE", 2)
    assert _match_phrase(words, 0, commands) == (None, 0)
    assert _match_phrase(words, 4, commands) == (None, 0)
