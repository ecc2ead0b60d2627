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
from structuring.lexicon import has_phrase
from structuring.rules import load_rules

# what stands between the times of rounds listed together ("kl. 00.30, kl. 02.30 og kl.
# 04.30"), between an alarm's ("varslet kl. 19.20 og igjen kl. 20.05") and between the times
# of an alarm counted ("kl. 09.10, så kl. 09.45 og så igjen …")
# … also with the time's part of the day after it ("kl. 22.50 i går kveld kl. 23.30 og …")
_ITS_DAYPART = r"(?:\s*i\s+(?:går\s+)?(?:kveld|kvell|natt|morges|morgon|ettermiddag))?"
_LISTED = re.compile(_ITS_DAYPART + r"\s*(?:,|og|,\s*og|eller)?\s*(?:(?:så\s+)?(?:igjen|att)\s+)?"
                     r"(?:ca\.\s*|ved\s+)?(?:kl\.|klokka)?\s*", re.IGNORECASE)
_LISTED_AGAIN = re.compile(_ITS_DAYPART + r"\s*(?:,|og|,\s*og)?\s*(?:så\s+)?"
                           r"(?:igjen|att|på nytt)?\s*(?:ca\.\s*|ved\s+)?(?:kl\.|klokka)?\s*",
                           re.IGNORECASE)
_AGAIN = re.compile(r"\b(?:igjen|att|på nytt)\b", re.IGNORECASE)
_THEN = re.compile(r"(?:\s|,|og|så|igjen|att|deretter|etterpå|til slutt|sist|ved)*", re.IGNORECASE)
_FIRST_TIME = re.compile(r"\bførst\s+(?:ca\.\s*|ved\s+)?kl\.", re.IGNORECASE)
_CLAUSE_END = re.compile(r"\s*(?:[,.;:!?]|$)")
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
