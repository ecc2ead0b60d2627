"""Clock times in a dictation → `kl. HH.MM`, and the shift the dictation reports from.

Reads the words of a time ("klokka halv ni", "kvart over to", "fjorten tretti"), the end
of a span ("fra klokka fire til sju"), a schedule of hours ("klokka sju elleve femten og
nitten"), "ved tjuetiden" (→ "ca. kl. 20.00") and a 24-hour time without "klokka"
("02.40"). Which half of the day a 12-hour time is, is decided by `structuring.daypart`;
the shift by `structuring.dictation_shift`. Separate from `structuring.spoken`: reading a
time is its own grammar, run on each sentence after the number pass.
"""

from __future__ import annotations

import re

from structuring import daypart
from structuring.bare_hours import (_MINUTES_AFTER_OG, _about_words_before,
                                    _an_evening_hour_alone, _bare_hour, _between_ends, _hour,
                                    _last_listed, _listed_hour, _measure,
                                    _said_on_the_24_hour_clock, _slept_from, _value_told_before,
                                    on_the_24_hour_clock)
from structuring.daypart_words import habitual
from structuring.entities import AT_MIDNIGHT, CLOCK_TIME
from structuring.tokens import DIGIT_TIME, Tok, _compound, _Rules


def states_a_time(text: str) -> bool:
    """Whether a filed sentence states a clock time ("Fikk Paracet 1 g kl. 08.00.", "Kl.
    00.15 ringte ho på."): how a reader of a filed note (an edit of its text) tells it."""
    return CLOCK_TIME.search(text) is not None


def _times(tokens: list[Tok], rules: _Rules, clock: daypart.Clock) -> list[Tok]:
    out: list[Tok] = []
    guessed: set[int] = set()  # 12-hour times read without a cue at the time itself
    i = 0
    while i < len(tokens):
        approximate = _about_hour(tokens[i], rules)
        # "ved ni tida": the ASR wrote the hour and its suffix apart (not "fire fem tida",
        # two hours, a span nobody files as a time).
        apart = approximate is None and i + 1 < len(tokens) and \
            tokens[i + 1].lower in _ABOUT_SUFFIXES and \
            (_hour(tokens[i]) or 0) >= 1 and (i == 0 or _hour(tokens[i - 1]) is None)
        if apart:
            approximate = _hour(tokens[i])
        if approximate is not None:
            out, tok = _approximate_time(out, approximate, tokens, i, rules, clock)
            out.append(tok)
            i += 1 + apart
            continue
        # "meldte feil 02.40 i natt": a written 24-hour time needs no "klokka".
        previous = out[-1].lower if out else ""
        written = _WRITTEN_TIME.fullmatch(tokens[i].text) is not None and \
            previous not in rules.numeric_context
        explicit = tokens[i].lower.rstrip(".") in rules.clock_stems or written
        if not explicit and not _may_start_a_time(tokens[i]):
            _midnight_said(previous, tokens[i], clock)
            out.append(tokens[i])
            i += 1
            continue
        start = i + 1 if explicit and not written else i
        # "fra klokka fire til sju": the end of a span of time is a clock time too, and so
        # are hours listed after one ("tilsyn klokka tolv, to og fire"); each comes after
        # the time before it.
        about = _about_words_before(out, rules)  # "til om lag halv tre"
        til = len(out) - 1 - about  # where "til" would stand, "about" words aside
        before_til = out[til - 1] if til >= 1 and out[til].lower == "til" else None
        # "frå halv tre til (klokka) sju": the end of a span
        begun = _span_begun(out, til, rules)  # "frå klokka elleve i kveld til …"
        span_end = before_til is not None and before_til.kind == "time" or begun is not None
        # "Madopar klokka sju elleve femten og nitten": a schedule, each hour later
        in_schedule = not explicit and not about and _in_schedule(out, tokens, i, rules)
        after_a_time = not explicit and (span_end or not about and len(out) > 1 and
                                         out[-2].kind == "time" and
                                         out[-1].text in (",", "og") and
                                         (_listed_hour(tokens, i, rules) or
                                          _between_ends(out, tokens, i, rules)))
        if explicit and start < len(tokens) and tokens[start].text == ".":
            start += 1
        # "sov til (ca.) to"
        slept_until = before_til is not None and before_til.lower in rules.slept_until
        # "ved elleve", and "sidan om lag ni i kveld" with "about" words between
        after_bare = previous in rules.bare_hour_after or _VISIT.search(previous) is not None or \
            len(out) > 1 and f"{out[-2].lower} {previous}" in rules.bare_hour_after or \
            _about_words_before(out, rules, rules.bare_hour_after) > 0
        bare_hour = not explicit and (after_bare or slept_until or _slept_from(out, rules)) and \
            _bare_hour(tokens, i, rules) or \
            not explicit and (previous in rules.span_starts or  # "frå (rundt) elleve til …"
                              _about_words_before(out, rules, rules.span_starts) > 0) and \
            _bare_span(tokens, i, rules)
        said_24 = not explicit and (_said_on_the_24_hour_clock(tokens, i, rules) or
                                    _an_evening_hour_alone(tokens, i, previous, rules))
        if in_schedule:  # each hour alone: "… atten og tjuefire" is no 18.24
            listed = _hour(tokens[i])
            parsed = (listed % 24, 0, 1, listed <= 12)
        else:
            parsed = None if previous in rules.numeric_context and not explicit and \
                not _plainly_a_time(tokens, i, previous, rules) else \
                _read_time(tokens, start, rules,
                           explicit=explicit or after_a_time or bare_hour or said_24 or
                           _log_line_hour(tokens, i))
        if parsed:
            hour, minute, used, ambiguous = parsed
            habit = False
            if ambiguous:
                review = clock.review
                clause = daypart.clause_words(tokens, i, rules, window=clock.unmarked,
                                              end=start + used)
                # "tilsyn klokka tolv, to og fire i natt": the cue after the hours listed
                # is the whole list's, so its first hour's too
                if not span_end and (last := _last_listed(tokens, start + used, rules,
                                                          between=previous == "mellom")):
                    clause += daypart.clause_words(tokens, last, rules, window=clock.unmarked,
                                                   end=last + 1)
                # "klokka sju i kveld", "i natt klokka to": a cue right at the time is its
                # own, whatever the sentence model cut.
                until = not span_end and til >= 0 and out[til].lower in rules.until and \
                    not rules.span_starts.intersection(clause)
                own = daypart.own_words(tokens, i, start + used, rules)
                hour = daypart.resolve_hour(hour, minute, clause, rules, clock, own,
                                            sentence=[t.lower for t in tokens], until=until)
                own_cue = daypart.daypart(own, rules) not in (None, "daytime")
                # "fra klokka fire til sju": a span ends after it starts
                next_at = start + used + (start + used < len(tokens) and
                                          tokens[start + used].text == ",")
                nxt = _hour(tokens[next_at]) if next_at < len(tokens) else None
                if in_schedule:
                    hour = _after(_last_time(out).value, hour, minute)
                elif nxt is not None and hour >= nxt >= 12 + (next_at > start + used) and \
                        minute == 0 and schedule_goes_on(tokens, next_at, hour % 12, False, rules):
                    # "klokka seks tolv og atten": 06.00; after a comma the next hour is past
                    # noon for sure ("åtte, fjorten og tjueto", not "ni, tolv og to")
                    hour %= 12
                elif (later := _paired_after(tokens, start + used, rules)) is not None and \
                        hour * 60 + minute >= later and clock.recorded_minutes is None and \
                        not own_cue:
                    hour %= 12  # "klokka ti og klokka sytten": a pair told in its order
                elif span_end and own_cue and id(out[-2 - about]) in guessed:
                    # "sov fra ca. halv tolv til fem på seks i morges": the end's own cue
                    # places the span, so its start is the night's 23.30, not 11.30
                    out[-2 - about] = _started_before(out[-2 - about], hour * 60 + minute)
                    clock.review = True
                elif (after_a_time or span_end) and out[-2 - about].value is not None:
                    hour = _after(int(out[-2 - about].value), hour, minute)
                elif begun is not None:
                    hour = _after(begun, hour, minute)  # "frå ni i går kveld til halv sju"
                # "ligg vaken frå klokka tre om natta": what is wont to happen tells no shift
                # and no story
                habit = habitual(own, rules)
                sure = clock.review == review and clock.recorded_minutes is None and not habit
            else:  # only a time said on the 24-hour clock carries the story on
                clock.last_minutes = hour * 60 + minute
                sure = True
            # Only the dictation's first time can set its shift: a later one in a merged
            # run-on sentence ("besøk klokka ni hun sovnet klokka elleve i kveld") says
            # nothing about the visit.
            if sure and not clock.times_read:
                clock.anchor = hour * 60 + minute
            clock.times_read += 1
            if not habit:
                clock.story_minutes = hour * 60 + minute
            if in_schedule and out[-1].kind == "time":
                out.append(Tok(",", kind="punct"))  # "kl. 07.00, 11.00, 15.00 og 19.00"
            out.append(Tok(f"kl. {hour:02d}.{minute:02d}", value=hour * 60 + minute,
                           kind="time"))
            if ambiguous and not own_cue:
                guessed.add(id(out[-1]))
            i = start + used
            continue
        _midnight_said(previous, tokens[i], clock)
        out.append(tokens[i])
        i += 1
    return out


def _log_line_hour(tokens: list[Tok], i: int) -> bool:
    """ "ny linje to kolon rom tre sover": an hour opening its line, its colon right after
    it, is the line's time as "kl. 02.00:" is."""
    return i == 0 and len(tokens) > 1 and tokens[1].text == ":" and _hour(tokens[0]) is not None


def _may_start_a_time(tok: Tok) -> bool:
    """Whether a word not after a clock word can begin a time: a number ("ni", "21.30"),
    "halv", "kvart" — every other word is passed on without weighing the words around it."""
    return tok.kind == "number" or tok.lower in ("halv", "kvart", "null") or \
        any(c.isdigit() for c in tok.text)


def _midnight_said(previous: str, tok: Tok, clock: daypart.Clock) -> None:
    if AT_MIDNIGHT.fullmatch(f"{previous} {tok.lower}"):
        # "dørsensoren varsla rundt midnatt … Sobril klokka tjue over tolv": 00.20, the
        # story goes on from 00.00 (entities file "rundt midnatt" as 00.00)
        clock.last_minutes = clock.story_minutes = 0


_WRITTEN_TIME = re.compile(r"(?:[01]\d|2[0-3])[.:][0-5]\d")
# "kveldsbesøk sju og tjue", "morgenbesøk åtte tretti": the hour right after a visit word
_VISIT = re.compile(r"(?:besøk|besøket|stell|stellet)$")
# "ved tjuetiden", "ved titida": about that hour (the nurse's own "ca.").
_ABOUT_SUFFIXES = ("tiden", "tida", "tidå", "tia")
_ABOUT_HOUR = re.compile(rf"(\w+?)-?(?:{'|'.join(_ABOUT_SUFFIXES)})")


def _about_hour(tok: Tok, rules: _Rules) -> int | None:
    return hour_said_about(tok.lower, rules)


def hour_said_about(word: str, rules: _Rules) -> int | None:
    """The hour of "tolvtida", "ni-tiden", "eittida" (an hour said with "-tida"), else None."""
    match = _ABOUT_HOUR.fullmatch(word)
    if match is None:
        return None
    # "eittida", "ettiden": the number's last t and the suffix's first are one letter.
    for number in (match.group(1), match.group(1) + "t"):
        hour = _compound(number, rules)
        if hour is not None and 1 <= hour <= 24:
            return hour
    return None


APPROXIMATELY = ("ved", "rundt", "omkring", "i")


def _approximate_time(out: list[Tok], hour: int, tokens: list[Tok], i: int, rules: _Rules,
                      clock: daypart.Clock) -> tuple[list[Tok], Tok]:
    """ "ved tjuetiden" → "ca. kl. 20.00"; "ved titida" on a 12-hour clock reads as any
    other "klokka ti" would; "ved halv åtte-tida" is about half past seven."""
    minute = 0
    if out and out[-1].lower == "halv" and 1 <= hour <= 24:
        out, hour, minute = out[:-1], hour - 1, 30
    if hour <= 12:
        clause = daypart.clause_words(tokens, i, rules, window=clock.unmarked)
        # "hadde vondt i natt, og kona ringte oss ved firetida": a small hour in a sentence
        # about the night is the night's, as "klokka fire" is (not "i tolvtida": noon too)
        small = [t.lower for t in tokens] if 1 <= hour <= 5 else ()
        k = len(out) - 1 - (bool(out) and out[-1].lower in APPROXIMATELY)
        until = k >= 0 and out[k].lower in rules.until and \
            not rules.span_starts.intersection(clause)
        hour = daypart.resolve_hour(hour, minute, clause, rules, clock,
                                    daypart.own_words(tokens, i, i + 1, rules), sentence=small,
                                    until=until)
    hour %= 24
    clock.times_read += 1
    clock.story_minutes = hour * 60 + minute
    if out and out[-1].lower in APPROXIMATELY:
        out = out[:-1]
    return out, Tok(f"ca. kl. {hour:02d}.{minute:02d}", kind="time")


def _last_time(out: list[Tok]) -> Tok | None:
    """The time read right before: "kl. 07.00" in "kl. 07.00 elleve" or "kl. 07.00, femten"."""
    last = out[-2:] if out and out[-1].text in (",", "og") else out[-1:]
    return last[0] if last and last[0].kind == "time" and last[0].value is not None else None


def _in_schedule(out: list[Tok], tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """An hour in a schedule said after a time: "klokka sju elleve femten og nitten"; its
    last hour after "og" only where a list stands before ("kl. 07.00, 15.00 og")."""
    last = _last_time(out)
    if last is None or last.value % 60:
        return False
    tail = out[-1].lower == "og" and len(out) > 2 and \
        (out[-3].kind == "time" or out[-3].text == ",")
    return schedule_goes_on(tokens, i, last.value // 60, tail, rules, seen=int(tail))


def schedule_goes_on(tokens: list[Tok], i: int, after: int, last: bool, rules: _Rules,
                     seen: int = 0) -> bool:
    """Whether `tokens[i:]` go on with a schedule of whole hours, each later than the one
    before ("elleve femten og nitten" after "klokka sju"), with at least one hour before
    "og" and its last hour ("… og nitten", then a mark, the end or a word that ends a
    list). "klokka ni femten" is a time and its minutes, "klokka åtte og tjue" 08.20, and
    "klokka ti og tolv" two hours, as before."""
    while True:
        hour = _hour(tokens[i]) if i < len(tokens) else None
        # later on the 24-hour clock, or on the 12-hour one ("klokka elleve ett tre og fem")
        if hour is None or hour < 1 or hour <= after and not (hour <= 12 and
                                                              1 <= (hour - after) % 12 <= 6):
            return False
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if last:
            return seen >= 1 and (nxt is None or nxt.kind == "punct" or
                                  nxt.lower in rules.list_ends_before)
        joined = nxt is not None and nxt.lower in (",", "og")
        i, after, last, seen = i + 1 + joined, hour, joined and nxt.lower == "og", seen + 1


def _bare_span(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "sov fra elleve til halv seks", "var her fra 4 til 7": two hours without "klokka"
    joined by "til" are a span of time — not "fra 40 til 80 milligram", "fra seks til to av
    ti" or "frå ein til to liter" (a value said after it, or before it)."""
    first = _read_time_words(tokens, i, rules, True)
    if _hour(tokens[i]) is None or first is None or not 1 <= first[0] <= 24:
        return False
    j = i + first[2]
    if j >= len(tokens) or tokens[j].lower != "til":
        return False
    j += _about_words_at(tokens, j + 1, rules)
    second = _read_time_words(tokens, j + 1, rules, True)
    if second is None or not 0 <= second[0] <= 24:
        return False
    k = j + 1 + second[2]
    after = tokens[k].lower if k < len(tokens) else ""
    if after in rules.units or after in rules.count_words or after in rules.not_span_after:
        return False
    return not _value_told_before(tokens, i, rules)


def _about_words_at(tokens: list[Tok], k: int, rules: _Rules) -> int:
    """How many tokens from k say "about" ("om lag", "ca.") before a span's last hour."""
    words = [t.lower for t in tokens[k:k + 3]]
    for about in rules.span_approximately:
        if tuple(words[:len(about)]) == about:
            return len(about)
    return 0


def _span_begun(out: list[Tok], til: int, rules: _Rules) -> int | None:
    """The first time (minutes) of a span whose "til" stands `til` in `out`, where the
    first time's day words stand between them; None if "til" ends no such span."""
    if til < 2 or out[til].lower not in rules.until:
        return None
    k = til - 1
    while k > 0 and til - k <= 3 and out[k].lower in rules.span_gap:
        k -= 1
    if k == til - 1 or out[k].kind != "time" or out[k].value is None:
        return None
    return int(out[k].value) if k and out[k - 1].lower in rules.span_starts else None


def _started_before(first: Tok, end: int) -> Tok:
    """A span's first time, of its two 12-hour readings the one nearest before `end`."""
    start = min((first.value, (first.value + 720) % 1440), key=lambda m: (end - m) % 1440)
    return Tok(f"kl. {start // 60:02d}.{start % 60:02d}", value=start, kind="time")


# "tok dosen kvart over åtte", "blodsukkeret halv ni var 7,8": after a measure's word a
# number is its value, but these say a clock time and nothing else (not after a pain word:
# "smerte fem på ein skala")
_PAIN_BEFORE = frozenset({"smerte", "smerter", "nrs"})


def _plainly_a_time(tokens: list[Tok], i: int, previous: str, rules: _Rules) -> bool:
    words = [t.lower for t in tokens[i:i + 3]]
    if previous in _PAIN_BEFORE or len(words) < 2:
        return False
    return words[0] == "halv" and _hour(tokens[i + 1]) is not None or \
        words[0] == "kvart" and words[1] in ("over", "på") or \
        words[1] in ("over", "på") and tokens[i].kind == "number" and \
        tokens[i].value in MINUTES_SAID and _said_as_minutes(tokens, i, rules)


# "fem over", "ti på", "tjue over", "fem på halv": the minutes said before an hour
MINUTES_SAID = (5, 10, 20, 25)


def _said_as_minutes(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """Minutes said in words ("ti over åtte"), or in Whisper's digits where the hour has
    nothing measured after it ("20 over 8", not "5 på 10 mg")."""
    return not tokens[i].text[0].isdigit() or _digits_read_as_time(tokens, i, rules)


def _digits_read_as_time(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "tok dosen 20 over 8.": digits before "over"/"på" and an hour, nothing measured after."""
    words = [t.lower for t in tokens[i + 1:i + 4]]
    return len(words) >= 2 and words[0] in ("over", "på") and \
        _hour(tokens[i + 2]) is not None and \
        not (len(words) > 2 and (_measure(tokens[i + 3], rules) or words[2] in _NOT_AFTER_HOUR))


_NOT_AFTER_HOUR = frozenset({"av", "timer", "timar", "dager", "dagar", "døgn", "ganger",
                             "gonger", "minutter", "minutt", "prosent", "%"})


def _two_hours_of_the_day(hour: str, after: float) -> bool:
    """ "kl. 08 og 20": an hour written on the 24-hour clock, then one of the afternoon or
    evening, is two times (a morning's and an evening's dose), not 08.20."""
    return on_the_24_hour_clock(hour) and 13 <= after <= 23


def _after(start: int, hour: int, minute: int) -> int:
    """Of the two readings of a 12-hour time, the first one after `start`."""
    return min((hour % 12, hour % 12 + 12), key=lambda h: (h * 60 + minute - start) % 1440)


def _paired_after(tokens: list[Tok], j: int, rules: _Rules) -> int | None:
    """The minutes of a time said on the 24-hour clock right after "og klokka" ("klokka ti
    og klokka sytten"), past noon; None where no such time follows."""
    if j + 2 >= len(tokens) or tokens[j].lower != "og" or \
            tokens[j + 1].lower.rstrip(".") not in rules.clock_stems:
        return None
    second = tokens[j + 2]
    if (hour := _hour(second)) is not None and 13 <= hour <= 23:
        return hour * 60
    if _WRITTEN_TIME.fullmatch(second.text) and int(second.text[:2]) >= 13:
        return int(second.text[:2]) * 60 + int(second.text[3:])
    return None


def _read_time(tokens: list[Tok], i: int, rules: _Rules, explicit: bool
               ) -> tuple[int, int, int, bool] | None:
    """(hour, minute, tokens used, whether the hour is on a 12-hour clock) or None."""
    if explicit and i + 1 < len(tokens) and tokens[i].lower == "null" and \
            (_hour(tokens[i + 1]) or 0) in range(1, 10):
        # "klokka null fem tretti": 05.30, said on the 24-hour clock digit by digit
        parsed = _read_time_words(tokens, i + 1, rules, explicit)
        return (parsed[0], parsed[1], parsed[2] + 1, False) if parsed else None
    if explicit and i + 2 < len(tokens) and tokens[i].lower == tokens[i + 1].lower == "null" \
            and (minute := _minute(tokens[i + 2])) is not None:
        return 0, minute, 3, False  # "klokka null null tretti": 00.30, digit by digit
    parsed = _read_time_words(tokens, i, rules, explicit)
    if parsed is None:
        return None
    hour, minute, used = parsed
    if tokens[i].lower == "null":
        return hour, minute, used, False  # "klokka null tretti": 00.30, never noon
    digits = tokens[i].text
    # "08.30", "10.00", "0800", "1030": written on the 24-hour clock; "ni", "9": either.
    twelve_hour = 0 <= hour <= 12 and not re.fullmatch(
        r"0\d([.:]?\d{2})?|\d{1,2}[.:]\d{2}|\d{4}", digits)
    return hour % 24, minute, used, twelve_hour


def _minute(tok: Tok) -> int | None:
    """A whole number of minutes (0-59) said or written as one token."""
    value = tok.value if tok.kind == "number" and tok.decimals is None else None
    return int(value) if value is not None and 0 <= value < 60 and value == int(value) else None


def _read_time_words(tokens: list[Tok], i: int, rules: _Rules, explicit: bool
                     ) -> tuple[int, int, int] | None:
    at = lambda k: tokens[i + k] if i + k < len(tokens) else None
    first = at(0)
    if first is None:
        return None
    if explicit and DIGIT_TIME.fullmatch(first.text):
        hour, minute = (int(x) for x in re.split(r"[.:]", first.text))
        return (hour, minute, 1) if hour < 24 and minute < 60 else None
    if explicit and (hhmm := re.fullmatch(r"([01]\d|2[0-3])([0-5]\d)", first.text)):
        return int(hhmm.group(1)), int(hhmm.group(2)), 1  # "kl. 2100", "kl. 0345"
    lower = first.lower
    if lower == "halv" and _hour(at(1)) is not None:  # halv ni → 08.30
        return (_hour(at(1)) - 1) % 24, 30, 2
    if lower == "kvart" and at(1) and at(1).lower in ("over", "på") and at(2) and \
            at(2).lower == "halv" and _hour(at(3)) is not None:  # kvart over halv ni → 08.45
        return (_hour(at(3)) - 1) % 24, 45 if at(1).lower == "over" else 15, 4
    if lower == "kvart" and at(1) and at(1).lower in ("over", "på") and _hour(at(2)) is not None:
        hour = _hour(at(2))
        return (hour, 15, 3) if at(1).lower == "over" else ((hour - 1) % 24, 45, 3)
    minutes = _hour(first)
    # "tjuefem over tre": minutes before "over"/"på" may pass 24.
    offset = first.value if first.kind == "number" and first.decimals is None and \
        first.value is not None and 0 < first.value < 30 else None
    offset = int(offset) if offset is not None else None
    # Whisper writes "20 over 8", "10 på 11" in digits too: a clock time where no unit, count
    # or "av" follows the hour ("5 på 10 mg", "2 av 10" are no times)
    spoken_offset = explicit or offset in MINUTES_SAID and _said_as_minutes(tokens, i, rules)
    # "tre minutter over tre": the word for minutes may stand between.
    k = 2 if explicit and at(1) is not None and at(1).lower in ("minutter", "minutt") else 1
    if offset is not None and at(k) and at(k).lower in ("over", "på") and spoken_offset:
        before = at(k).lower == "på"
        if at(k + 1) and at(k + 1).lower == "halv" and _hour(at(k + 2)) is not None:
            base = (_hour(at(k + 2)) - 1) % 24  # fem over halv ti
            return base, 30 - offset if before else 30 + offset, k + 3
        hour = _hour(at(k + 1))
        if hour is not None and hour <= 12:
            return ((hour - 1) % 24, 60 - offset, k + 2) if before else (hour, offset, k + 2)
    if explicit and minutes is not None:
        nxt = at(1)
        if nxt is not None and nxt.kind == "number" and nxt.value is not None and \
                nxt.decimals is None:
            if nxt.text.lower() == "null" and at(2) is not None and _hour(at(2)) is not None \
                    and at(2).value < 10:
                return minutes, int(at(2).value), 3  # åtte null fem → 08.05
            if 10 <= nxt.value < 60 and nxt.text.lower() != "null" and \
                    not schedule_goes_on(tokens, i + 1, minutes, False, rules):
                return minutes, int(nxt.value), 2  # fjorten tretti → 14.30
        after = at(2)
        # "klokka åtte og tjuefem" → 08.25, "klokka seks og tjue" → 06.20: a number no
        # 12-hour clock says is the minutes (5 of 5 "klokka H og 15/20" in the writers' gold);
        # so is "og ti" (3 of 3: "klokka ni og ti" 09.10, "klokka tolv og ti" 00.10), and
        # "og fem" after a later hour — no list of hours goes backwards ("klokka sju og fem
        # i morges" 07.05). "Munnstell klokka to og fem" stays two hours, and so does
        # "næringsdrikk klokka 10 og 14": an hour of the afternoon, not minutes.
        if nxt is not None and nxt.lower == "og" and after is not None and \
                after.kind == "number" and after.decimals is None and after.value is not None \
                and (24 <= after.value < 60 or after.value in (10, *_MINUTES_AFTER_OG) or
                     after.value == 5 and after.value < minutes) \
                and not _measure(at(3), rules) and \
                not schedule_goes_on(tokens, i + 2, minutes, True, rules) and \
                not _two_hours_of_the_day(tokens[i].text, after.value):
            return minutes, int(after.value), 3
        return minutes, 0, 1
    return None
