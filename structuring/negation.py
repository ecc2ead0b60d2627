"""ConText negation (after medspaCy): whether a finding said in a sentence is absent. The
triggers and terminators are data (`data/negation.json`); split out of `structuring.findings`
(issue 15, twenty-first pass) when checklist answers ("Kvalme ingen.") joined them."""

from __future__ import annotations

import re
from functools import lru_cache

from structuring.lexicon import phrase_pattern
from structuring.rules import load_rules


def _negation_rules() -> dict:
    return load_rules("negation")


def is_negated(text: str, start: int, end: int) -> bool:
    """ConText: a pre-trigger in the same clause shortly before, or a post-trigger after."""
    rules = _negation_rules()
    words = re.findall(r"[\wæøå-]+|[,.;?!]", text[:start].lower())
    scope: list[str] = []
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        # "benekter at ho har tankar om …": a subject after "at" ends no clause
        told = word in _PRONOUNS and i > 0 and words[i - 1] == "at"
        # "fri for smerter", "ikkje uttrykk for smerter": "for" that ends no clause (data)
        told = told or word == "for" and i > 0 and (
            words[i - 1] in rules["for_after"] or f"{words[i - 1]} for" in rules["pre_triggers"])
        if (word in rules["terminators"] and not told) or \
                len(scope) >= rules["max_scope_tokens"]:
            break
        scope.insert(0, word)
    window = " ".join(scope)
    if window and phrase_pattern(tuple(rules["pre_triggers"])).search(window):
        return True
    # "hosta ikkje", "i dag hosta ho ikkje": a subject pronoun may stand between.
    after = _SUBJECT.sub("", text[end:end + 40].lower().lstrip(), count=1)
    return any(re.match(rf"{re.escape(t)}(?![\wæøå])", after) and
               not _next_finding(after[len(t):]) for t in rules["post_triggers"]) \
        or _ANSWERED_NO.match(after) is not None or _asked_and_denied(text, start, end)


def _asked_and_denied(text: str, start: int, end: int) -> bool:
    """ "Eg spurde direkte om ho har tankar om å ta livet sitt, og det avkrefta ho": what was
    asked about and then denied is absent."""
    return _ASKED.search(text, 0, start) is not None and \
        _DENIED_IT.match(text[end:end + 40].lower()) is not None


_ASKED = re.compile(r"(?<![\wæøå])(?:spurte|spurde|spør|spor|spurt)\s+(?:[\wæøå]+\s+){0,2}?om"
                    r"(?![\wæøå])", re.IGNORECASE)
_DENIED_IT = re.compile(r"[,\s]*(?:og\s+)?(?:det|dette|da|då)\s+(?:avkreft|benekt|nekt|neit)\w*")


def _next_finding(rest: str) -> bool:
    """ "hoster litt hvitt slim ikke feber": the "ikke" is the next finding's (a finding's
    word follows it), not a denial of the one before."""
    word = re.match(r"\s*([\wæøå-]+)", rest)
    return word is not None and word.group(1) in _finding_heads()


@lru_cache(maxsize=1)
def _finding_heads() -> frozenset[str]:
    return frozenset(load_rules("findings")["heads"])


# A checklist answer: "Kvalme ingen, oppkast nei.", "Smerter avkrefter ho." — the answer must
# end its clause: in "kvalme ingen oppkast" the "ingen" is the next finding's.
# "Smerter: ingen.", "avkrefter a tydelig": a colon before the answer, a word of how after it
_ANSWERED_NO = re.compile(r"(?::\s*)?(?:ingen|inga|nei|avkrefter|avkreftar|avkrefta|benekter|"
                          r"benektar|(?:nekter|nektar)(?=\s+(?:\w+\s+)?for))"
                          r"(?:\s+(?:han|hun|ho|hu|a|hon))?(?:\s+(?:tydelig|tydeleg|klart|"
                          r"bestemt))?(?:\s+for)?\s*(?:[,.;:?!]|$)")


_SUBJECT = re.compile(r"^(?:han|hun|ho|hon|de|dei)\s")
_PRONOUNS = frozenset({"han", "hun", "ho", "hon", "hu"})
