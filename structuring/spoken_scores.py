"""Spoken pain scores: which small number a nurse says is a score of pain ("smerten er en
fire", "sju før og tre etter", "fra åtte til tre av ti", "smerta var nede i to"), so that
the number pass (`structuring.spoken_numbers`) writes it as a digit and not as a word or an
article. Split out of `structuring.spoken_numbers` (thirty-eighth pass of issue 15): reading
a number is one grammar, telling that it scores the pain another."""

from __future__ import annotations

from structuring.tokens import Tok, _Rules

# Words that may stand between a pain word and its score ("smerten er til om lag seks",
# "smerten er en fire": the score's article, `_article_of_a_score`). Also what the written
# text's score patterns allow there (`structuring.entities`).
BEFORE_SCORE = frozenset({"er", "var", "på", "til", "om", "lag", "cirka", "ca.", "rundt",
                          "omkring", "nå", "no", "vel", "en", "ein"})
_ARTICLES = {"en", "ein", "ei"}
# What a second score is said with: "sju før og tre etter", "fire i hvile og sju ved
# bevegelse" (spoken here, written in `structuring.entities`)
WHEN_SCORED = frozenset({"etter", "etterpå", "ved", "i", "når", "under", "da", "då"})


def _tells_pain_score(tokens: list[Tok], i: int) -> bool:
    """ "smerte tre", "smerten til om lag seks", "tre av ti i ro og seks når ho går", "fra
    åtte til tre av ti": a small number that is a pain score is written as one (6)."""
    if (tokens[i].value or 99) > 10:
        return False
    k = i - 1
    while k >= 0 and i - k <= 5 and tokens[k].lower in BEFORE_SCORE:
        k -= 1
    if k >= 0 and tokens[k].lower.startswith("smert") or _before_and_after(tokens, i):
        return True
    if _pain_down_to(tokens, i):
        return True

    if i > 0 and tokens[i - 1].lower in ("og", "til") and \
            any(_out_of_ten(tokens, k) for k in range(i - 6, i - 1)):
        return True
    return i + 4 < len(tokens) and tokens[i + 1].lower == "til" and \
        tokens[i + 2].kind == "number" and _out_of_ten(tokens, i + 4) or _pain_changed(tokens, i)


def _article_of_a_score(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "smerten er en fire", "anga smerte til ein seks": "en" before a small number, said of
    the pain, is the score's article, no score of one."""
    return tokens[i].lower in _ARTICLES and i + 1 < len(tokens) and \
        tokens[i + 1].kind == "number" and (tokens[i + 1].value or 99) <= 10 and \
        any(t.lower.startswith("smert") or t.lower in rules.score_words
            for t in tokens[max(0, i - 4):i])


def _second_score(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "smerten var på sju før og tre etter", "VAS fire i hvile og sju ved bevegelse": a
    second small number after "og", said with when it was scored, right after a score; or
    after a comma where the first was said with its when too ("fire av ti ved gange komma
    to i hvile")."""
    if i < 3 or not _said_when(tokens, i + 1):
        return False
    if tokens[i - 1].lower != "og" and not (
            tokens[i - 1].lower in (",", "komma") and
            any(tokens[k].lower in WHEN_SCORED for k in range(max(0, i - 4), i - 1))):
        return False
    return any(tokens[k].kind == "number" and tokens[k].digits and (tokens[k].value or 99) <= 10
               and (_tells_pain_score(tokens, k) or tokens[k - 1].lower in rules.score_words
                    or _out_of_ten(tokens, k + 2))
               for k in range(max(1, i - 8), i - 1))


def _out_of_ten(tokens: list[Tok], k: int) -> bool:
    """ "… av ti": the number before is a score out of ten."""
    return 0 < k < len(tokens) and tokens[k].kind == "number" and tokens[k].value == 10 \
        and tokens[k - 1].lower == "av"


def _said_when(tokens: list[Tok], i: int) -> bool:
    """ "etter", "i ro", "ved bevegelse", or how long after: "en time etter"."""
    if i + 2 < len(tokens) and tokens[i].lower in _ARTICLES and \
            tokens[i + 1].lower in ("time", "halvtime", "kvarter"):
        i += 2
    return i < len(tokens) and tokens[i].lower in WHEN_SCORED


def _before_and_after(tokens: list[Tok], i: int) -> bool:
    """ "smerten i kneet ved gange var fem før og to etter": a small number before "før og"
    and another said after, in a sentence that names the pain a few words back."""
    return i + 3 < len(tokens) and tokens[i + 1].lower == "før" and \
        tokens[i + 2].lower == "og" and tokens[i + 3].kind == "number" and \
        (tokens[i + 3].value or 99) <= 10 and _said_when(tokens, i + 4) and \
        tokens[i + 4].lower in ("etter", "etterpå", "en", "ein") and \
        any(t.lower.startswith("smert") for t in tokens[max(0, i - 8):i])


def _pain_down_to(tokens: list[Tok], i: int) -> bool:
    """ "smerta var nede i tre", "smerten hadde gått ned til to": the pain's new score (16
    of 16 in the tuned gold), not "vondt i tre dager"."""
    if i < 3 or tokens[i - 1].lower not in ("i", "på", "til") or \
            tokens[i - 2].lower not in ("nede", "ned"):
        return False
    k = i - 3
    while k > 0 and i - k <= 5 and tokens[k].lower in DOWN_VERBS:
        k -= 1
    return tokens[k].lower.startswith("smert")


# Verbs between the pain word and "ned" ("smerten hadde gått ned til to"); the written
# text's pattern (`structuring.entities._DOWN_TO`) reads the same words.
DOWN_VERBS = frozenset({"var", "er", "hadde", "har", "gått", "gikk", "gjekk", "vart", "blei",
                        "ble"})


def _pain_changed(tokens: list[Tok], i: int) -> bool:
    """ "smerten gikk fra sju til to": both ends of a change of the pain said without "av
    ti" are scores, not "fra tre til fem dager"."""
    start = i if i + 1 < len(tokens) and tokens[i + 1].lower == "til" else i - 2
    if start < 1 or start + 2 >= len(tokens) or tokens[start - 1].lower not in ("fra", "frå") \
            or tokens[start + 1].lower != "til" or \
            any(tokens[k].kind != "number" or (tokens[k].value or 99) > 10
                for k in (start, start + 2)):
        return False
    after = tokens[start + 3] if start + 3 < len(tokens) else None
    return (after is None or after.kind == "punct" or after.lower in _AFTER_A_CHANGE) and \
        any(t.lower.startswith("smert") or t.lower in ("vondt", "vont")
            for t in tokens[max(0, start - 7):start - 1])


# What may follow a change of pain's last score ("fra sju til to etter Paracet", "… til to.").
_AFTER_A_CHANGE = {"etter", "etterpå", "og", "men", "i", "ved", "når", "då", "da", "no", "nå"}
