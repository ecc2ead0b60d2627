"""A time read by day that the story shows was the night: "Ho fekk Sobril klokka eitt etter
behovslista og sovna kl. 01.50", "Fikk Paracet klokka ett. Ho sovna rundt to og sov til
seks." The first hour had no cue of its own, so it fell back to the day (13.00) and was
flagged; the small hour told next, a short while later at night, shows where the story was.

Read once per dictation, after every sentence's times (`structuring.spoken`): a dictation
tells events in order, so an hour 12-17 read without a cue, followed as the next time by one
at 00-05 that comes at most four hours after its night reading, is that night reading. The
time stays flagged for review; only its reading changes. In the writers' gold such pairs are
the night seven times in eight once a habit ("våknar klokka fire kvar natt", "siden klokka
fire") is left out (data: time.night_habits), and so is a visit told with the first time.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import TypeVar

from structuring.lexicon import phrase_pattern
from structuring.rules import load_rules

T = TypeVar("T")  # a written sentence: `text` and `review`
NIGHT_STEP = 4 * 60  # minutes from the night reading to the small hour told next
_TIME = re.compile(r"kl\. (\d\d)\.(\d\d)")


def night_read_back(sentences: list[T]) -> list[T]:
    """`sentences` with each such day reading moved to the night, in the sentence's text."""
    told = [(k, m) for k, s in enumerate(sentences) for m in _TIME.finditer(s.text)]
    out = list(sentences)
    for (k, first), (j, then) in zip(told, told[1:]):
        if "time" not in sentences[k].review or _habit(sentences[j].text) or \
                _a_visit(sentences[k].text):
            continue
        hour, minute = int(first.group(1)), int(first.group(2))
        later = int(then.group(1)) * 60 + int(then.group(2))
        night = (hour - 12) * 60 + minute
        if 12 <= hour <= 17 and later < 6 * 60 and 0 <= later - night <= NIGHT_STEP:
            text = out[k].text
            moved = f"kl. {hour - 12:02d}.{minute:02d}"
            out[k] = replace(out[k], text=text[:first.start()] + moved + text[first.end():])
    return out


def _habit(text: str) -> bool:
    """ "ligg vaken frå kl. 03.00 kvar natt", "siden kl. 04.00": a habit or a starting point
    said in the small hour's sentence."""
    return phrase_pattern(_night_habits()).search(text.lower()) is not None


def _a_visit(text: str) -> bool:
    """ "Besøk klokka ett. Ho sov godt i natt og vakna klokka fire.": the visit by day, and
    the night told at it."""
    return any(word.endswith(_visit_words()) for word in text.lower().split())


@lru_cache(maxsize=1)
def _visit_words() -> tuple[str, ...]:
    return tuple(load_rules("spoken_forms")["time"]["visit_words"]["new_visit"])


@lru_cache(maxsize=1)
def _night_habits() -> tuple[str, ...]:
    return tuple(load_rules("spoken_forms")["time"]["night_habits"])
