"""Which times one told alarm stands for: one event per time where several are told together
(split out of `structuring.events`, fourteenth pass of issue 15).

- Rounds of digital supervision listed together: "Digitalt tilsyn kl. 00.30 og kl. 02.30".
- An alarm's times listed together: "Sengesensoren varsla kl. 23.10, kl. 23.40 og kl. 01.15"
  (as every round listed so in the writers' gold, 12 of 12).
- An alarm counted, then its times told: "har gått tre ganger i dag. Først kl. 09.10, så kl.
  09.45 og så igjen kl. 13.40." or in the story's sentences that open with their own time.
"""

from __future__ import annotations

import re
from functools import lru_cache

from structuring.alarm_words import TIME
from structuring.device_mentions import battery_changes
from structuring.devices import technologies_in
from structuring.entities import AT_MIDNIGHT
from structuring.lexicon import alternation, has_phrase
from structuring.rules import load_rules

# what stands between the times of rounds listed together ("kl. 00.30, kl. 02.30 og kl.
# 04.30"), between an alarm's ("varslet kl. 19.20 og igjen kl. 20.05") and between the times
# of an alarm counted ("kl. 09.10, så kl. 09.45 og så igjen …")
# … also with the time's part of the day after it ("kl. 22.50 i går kveld kl. 23.30 og …")
_ITS_DAYPART = r"(?:\s*i\s+(?:går\s+)?(?:kveld|kvell|natt|morgest?|morgon|ettermiddag))?"
_LISTED = re.compile(_ITS_DAYPART + r"\s*(?:,|og|,\s*og|eller)?\s*(?:(?:så\s+)?(?:igjen|att)\s+)?"
                     r"(?:ca\.\s*|ved\s+)?(?:kl\.|klokka)?\s*", re.IGNORECASE)
_LISTED_AGAIN = re.compile(_ITS_DAYPART + r"\s*(?:,|og|,\s*og)?\s*(?:så\s+)?"
                           r"(?:igjen|att|på nytt)?\s*(?:ca\.\s*|ved\s+)?(?:kl\.|klokka)?\s*",
                           re.IGNORECASE)
_AGAIN = re.compile(r"\b(?:igjen|att|på nytt)\b", re.IGNORECASE)
_THEN = re.compile(r"(?:\s|,|og|så|igjen|att|deretter|etterpå|til slutt|sist|ved)*", re.IGNORECASE)
_FIRST_TIME = re.compile(r"\bførst\s+(?:ca\.\s*|ved\s+)?kl\.", re.IGNORECASE)
# the list ends its clause, its day said after it or not ("kl. 12.00 og kl. 18.00 i dag."),
# or what was reported follows it ("… kl. 08.00 og kl. 14.00 at dosane ikkje var tekne")
_CLAUSE_END = re.compile(r"(?:\s*i\s+(?:går\s+)?(?:dag|kveld|kvell|natt|morgest?|ettermiddag))?"
                         r"(?:\s*(?:[,.;:!?]|$)|\s+(?:om\s+)?at(?![\wæøå]))", re.IGNORECASE)
_OPENING_TIME = re.compile(r"(?:ca\.\s*|ved\s+)?kl\. (\d{2})\.(\d{2})\b", re.IGNORECASE)


def round_times(first: str, mention: int, end: int, named: re.Pattern[str] | None = None
                ) -> list[str]:
    """ "Digitalt tilsyn kl. 00.30 og kl. 02.30": the rounds' times are listed together from
    the device's name (at `mention`) on; a later time told of something else ("… bleia var
    våt ved stell kl. 06.00") is no round, but one the device or a round word is said right
    before (`named`: "… det same ved tilsynet kl. 03.00") is."""
    listed = listed_times(first, _LISTED, mention, end)
    if named is not None:
        for said in named.finditer(first, mention, end):
            time = TIME.match(first, said.end())
            value = f"{time.group(1)}:{time.group(2)}"
            if value not in listed:
                listed.append(value)
    return listed


def alarm_times(first: str, mention: int, end: int) -> list[str]:
    """An alarm's times listed together, one event each. Two times only where the list ends
    the clause: in "gikk kl. 14.00 og kl. 14.30 var vi der" the second is the next clause's."""
    listed = listed_times(first, _LISTED_AGAIN, mention, end)
    if len(listed) < 2:
        return []
    times = [m for m in TIME.finditer(first) if mention <= m.start() < end]
    last = times[len(listed) - 1]
    # "… kl. 01.50 og så igjen kl. 02.50 første gangen …": said to go again, the second time
    # is the alarm's even where the sentence model ran on past it
    again = _AGAIN.search(first, times[0].end(), times[1].start()) is not None
    # "… gikk to ganger i ettermiddag, først kl. 15.05 og så kl. 15.45 …": counted first
    counted = has_phrase(first[mention:times[0].start()], _counted_alarms()) or \
        _FIRST_TIME.search(first, mention, times[0].end()) is not None
    return listed if len(listed) > 2 or again or counted or \
        _CLAUSE_END.match(first, last.end()) else []


@lru_cache(maxsize=1)
def _counted_alarms() -> tuple[str, ...]:
    return tuple(load_rules("welfare_technology")["counted_alarms"])


def counted_times(story: list[str]) -> list[str]:
    """The times of an alarm counted in `story[0]` (without a time of its own): listed in the
    next sentence, or else the story's sentences that open with their own time ("Kl. 22.50
    sat ho på sengekanten … Kl. 00.40 var ho på veg ut av senga …")."""
    if TIME.search(story[0]):
        return []
    listed = listed_times(story[1], _THEN)
    opening = [f"{m.group(1)}:{m.group(2)}" for text in story[1:]
               if (m := _OPENING_TIME.match(text))]
    return listed if len(listed) > 1 else opening if len(opening) > 1 else listed


def listed_times(text: str, between: re.Pattern[str], low: int = 0,
                 high: int | None = None) -> list[str]:
    """The times in text[low:high] from the first on, as long as only `between` stands
    between one and the next."""
    times = [m for m in TIME.finditer(text) if low <= m.start() < (high or len(text))]
    listed = times[:1]
    for m in times[1:]:
        if not between.fullmatch(text, listed[-1].end(), m.start()):
            break
        listed.append(m)
    return [f"{m.group(1)}:{m.group(2)}" for m in listed]


def event_time(technology: str, story: list[int], mention: int, sentences: list[str]
               ) -> str | None:
    """The time of the alarm of `technology` named at `mention` in sentence `story[0]`."""
    first = sentences[story[0]]
    if said_right_after(first, mention):
        return None  # "… varsla kl. 22.50. Like etter kom det varsel frå GPS-en": no time
    # The time nearest the device's name, not past the names of other devices: an
    # unpunctuated sentence may also hold the time of what was done before ("fekk dosen
    # kl. 08.00 medan eg var der kl. 11.45 kom det alarm frå tryggleiksalarmen").
    starts = [p for p, _ in technologies_in(first)] or [0]
    k = max((n for n, p in enumerate(starts) if p <= mention), default=0)
    low = starts[k - 1] if k > 0 else 0
    high = starts[k + 1] if k + 1 < len(starts) else len(first)
    # "… ga teknisk alarm om lavt batteri, og vi byttet batteri da vi var innom kl. 18.30":
    # the battery changed is staff's response; its time is never the alarm's (the writers:
    # none of 20)
    times = [m for m in TIME.finditer(first) if low <= m.start() < high and
             not _after_a_battery_change(first, m.start(), mention)]
    if times:
        match = min(times, key=lambda m: abs(m.start() - mention))
        return f"{match.group(1)}:{match.group(2)}"
    if AT_MIDNIGHT.search(first, low, high):
        return "00:00"  # "sensoren gjekk att rundt midnatt" (the writers: 2 of 2)
    if len(story) > 1 and story[1] == story[0] + 1:
        # "E-låsen ville ikkje opne. Vi restarta han og kom inn kl. 22.25": when staff got in
        # is no time of the alarm
        nxt = sentences[story[1]]
        match = TIME.search(nxt)
        if match and not _arrived_before().search(nxt, 0, match.start()) and \
                not _after_a_battery_change(nxt, match.start()):
            return f"{match.group(1)}:{match.group(2)}"
    before = story[0] - 1
    if _rules()["technologies"][technology].get("timed_by_arrival") and before >= 0 \
            and not technologies_in(sentences[before]):
        match = TIME.search(sentences[before])
        if match:
            return f"{match.group(1)}:{match.group(2)}"
    return None


# "like etter kom det varsel frå GPS-en": an alarm told right after the one before, with no
# time of its own (the writers file no time: 2 of 2). "Samtidig …" is not read so: the same
# time once, and once an alarm that had beeped since the night.
_RIGHT_AFTER = re.compile(r"(?<![\wæøå])(?:like|rett|straks|kort\s+tid)\s+etter(?![\wæøå])"
                          r"[^.;:!?]{0,40}$", re.IGNORECASE)


def _after_a_battery_change(text: str, position: int, since: int = 0) -> bool:
    """Whether a battery change told from `since` on ends before `position` in `text`."""
    return any(since <= b.start() and b.end() <= position for b in battery_changes(text))


def said_right_after(text: str, mention: int) -> bool:
    """The device named at `mention` is told right after another alarm, no time between (a
    time's "kl. 06.00" holds a period, which the pattern does not reach past)."""
    return _RIGHT_AFTER.search(text, 0, mention) is not None


@lru_cache(maxsize=1)
def _arrived_before() -> re.Pattern[str]:
    words = alternation(tuple(_rules()["staff_got_there"]))
    return re.compile(rf"(?<![\wæøå])(?:{words})\s+(?:ca\.\s*|rundt\s+|ved\s+)?$", re.I)


def _rules() -> dict:
    return load_rules("welfare_technology")
