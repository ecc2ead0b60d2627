"""What the words around a clock time say about the part of the day: a habit ("klokka tre
om natta"), sleep ("sovna", "la seg"), the call bell, "sidan", a night sensor or a room's
alarm. Split out of `structuring.daypart` (forty-third pass), which decides the hour; the
word lists are data (`spoken_forms.json`, read into `structuring.tokens._Rules`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from structuring.tokens import _Rules

EARLY = frozenset({"tidlig", "tidleg"})
SINCE = frozenset({"siden", "sidan", "sia", "sida"})
FROM = frozenset({"fra", "frå", "ifra", "ifrå"})
# "ved sida av seg", "snudd over på siden": the side, not since
_SINCE_OR_AFTER = SINCE | {"etter"}
SIDE_BEFORE = frozenset({"ved", "på", "til", "over", "andre", "høgre", "høyre", "venstre"})
HABITUAL_PARTS = frozenset({"natta", "natten", "netter", "nettene", "kveldene", "kvelden",
                            "morgonen", "morgenen", "morgonane", "morgenene"})


def habitual(own: Sequence[str], rules: _Rules) -> bool:
    """ "klokka tre om natta": the part of the day said as a habit ("om" and the definite
    noun), not as the day told — unless a past-tense verb tells one occasion ("varsla klokka
    kvart på seks om morgonen"; data: told_once)."""
    return "om" in own and bool(HABITUAL_PARTS.intersection(own)) and \
        not rules.told_once.intersection(own)


def after_the_evening(clause: list[str]) -> bool:
    """ "sidan kveldsstellet", "etter kvelden": the clause tells what came after the evening."""
    return any(word.startswith(("kveld", "kvell")) and clause[k - 1] in _SINCE_OR_AFTER
               for k, word in enumerate(clause) if k > 0)


def night_device(clause: Iterable[str], sentence: Iterable[str], rules: _Rules) -> bool:
    """A bed, fall or door sensor or a camera round told with the time (data: night_devices)."""
    return any(w.startswith(rules.night_devices) for w in (*clause, *sentence))


def alarm_in_a_room(sentence: Iterable[str], rules: _Rules) -> bool:
    """ "trygghetsalarmen fra rom sju gikk klokka tre": an alarm from a resident's room, told
    with nothing that says the part of day, is the night's (data: room_alarms)."""
    words = list(sentence)
    return "rom" in words and any(stem in word for word in words for stem in rules.room_alarms)


def rang_the_bell(words: list[str], rules: _Rules) -> bool:
    """ "ringte på kl. 01.10", "ringde på klokka to": the resident's call bell, not a phone
    ("ringte på telefonen") or a door ("ringde på døra")."""
    return any(word in rules.call_bell and words[k + 1:k + 2] == ["på"] and
               not rules.not_call_bell.intersection(words[k + 2:k + 3])
               for k, word in enumerate(words))


def since(clause: Sequence[str], sentence: Iterable[str]) -> bool:
    """ "ikkje spist sidan klokka tolv": since, not "ho sovna ved sida av mannen"."""
    if not SINCE.intersection(clause):
        return False
    words = list(sentence)
    return not words or any(
        word in SINCE and not (k and words[k - 1] in SIDE_BEFORE) and
        not (k + 1 < len(words) and words[k + 1] == "av") for k, word in enumerate(words))


def early_to_bed(own: Iterable[str], clause: Sequence[str], rules: _Rules) -> bool:
    """ "Han sovna tidleg ved ni-tida", "ønsket å legge seg tidlig … kl. 21.00": early is
    the evening's, not the morning's, when the clause tells sleep."""
    words = [*own, *clause]
    return bool(EARLY.intersection(words)) and tells_sleep(clause, rules) and \
        not (set(words) - EARLY) & (rules.morning | rules.daytime)


def off_the_bed(clause: Sequence[str], rules: _Rules) -> list[str]:
    """The clause without its bed words ("på senga"): what is left tells sleep or not."""
    return [word for word in clause if word not in rules.bed_words]


def tells_sleep(clause: Sequence[str], rules: _Rules) -> bool:
    """Sleep words say evening or night, but "under senga" is where something lay."""
    # "stell i senga", "frukost på senga": care given in bed, at any time of day
    return not rules.care_in_bed.intersection(clause) and (
        any(word in rules.sleep and (i == 0 or clause[i - 1] != "under")
            for i, word in enumerate(clause))
        # the clause comes nearest the time first: a phrase's words, in any order
        or any(set(phrase.split()) <= set(clause) for phrase in rules.sleep_phrases))
