"""Where a clock time said in a sentence begins and ends, for a self-correction to replace it
whole (`structuring.self_corrections`): "klokka ti på ni", "halv ni", "fire og ti", an hour
said about ("ved totida"), and the part of the day said after it ("i morres")."""

from __future__ import annotations

from structuring import daypart
from structuring.clock_times import APPROXIMATELY, hour_said_about
from structuring.tokens import Tok, _is_clock, _is_numberish, _Rules

TIME_WORDS = ("halv", "kvart", "over", "på")


def trailing_daypart(before: list[Tok], rules: _Rules) -> int:
    """How many tokens at the end of `before` say a part of the day ("i morres", "i kveld")."""
    n = 0
    while n < min(3, len(before)) and (before[-1 - n].lower in ("i", "om", "går") or
                                       daypart.daypart([before[-1 - n].lower], rules)):
        n += 1
    return n if n and any(daypart.daypart([t.lower], rules) for t in before[-n:]) else 0


def time_words(tokens: list[Tok], rules: _Rules, start: int = 0) -> int:
    """How many tokens from `start` say a time ("kvart på ni", "halv ti", "ti", "fire og ti")."""
    end = start
    while end < len(tokens) and (_is_numberish(tokens[end], rules) or
                                 tokens[end].lower in TIME_WORDS or
                                 end > start and _and_minutes(tokens[end:end + 3], rules)):
        end += 1
    return end - start


def _and_minutes(words: list[Tok], rules: _Rules) -> bool:
    # "fire og ti" ends there: not "åtte og fem milligram" (a dose), "og ti minutt seinare"
    said = [t.lower for t in words]
    return said[:1] == ["og"] and len(said) > 1 and said[1] in _AND_MINUTES and not (
        len(said) > 2 and (_is_numberish(words[2], rules) or said[2] in rules.units or
                           said[2].startswith("min")))


_MINUTE_WORDS = frozenset({"fem", "ti", "tjue", "tjuefem", "kvart", "5", "10", "20", "25"})
_AND_MINUTES = _MINUTE_WORDS | {"femten", "tretti", "trettifem", "førti", "førtifem", "femti"}


def trailing_time(before: list[Tok], rules: _Rules) -> int | None:
    """Where a clock time that ends `before` starts: after "klokka" ("klokka ti på ni"), or
    said without it as only a time is said ("kvart over tolv", "halv ni", "ti på ni") —
    not "hundre og tretti over åtti"."""
    if before and hour_said_about(before[-1].lower, rules) is not None:
        # "ved totida, eh, rettelse, ti over tre": an hour said about, with its "ved"
        about = len(before) > 1 and before[-2].lower in APPROXIMATELY
        return len(before) - 1 - about
    start = len(before)
    while start > 0 and (_is_numberish(before[start - 1], rules) or
                         before[start - 1].lower in TIME_WORDS):
        start -= 1
    words = [t.lower for t in before[start:]]
    if not words or not _is_numberish(before[-1], rules):
        return None
    if start > 0 and _is_clock(before[start - 1], rules):
        return start
    if words[0] == "halv" and len(words) == 2:
        return start
    if len(words) == 3 and words[1] in ("over", "på") and words[0] in _MINUTE_WORDS:
        return start
    # "ti over elleve kvart på tolv eller nei tjue på tolv": a list of times said without
    # "klokka"; the last of them is corrected.
    if len(words) > 3 and words[-2] in ("over", "på") and words[-3] in _MINUTE_WORDS:
        return len(before) - 3
    if len(words) > 2 and words[-2] == "halv":
        return len(before) - 2
    return None
