"""The shift a dictation reports from ("rapport fra natt", "kveldsvakt", "har feber i kveld …"
told before its first clock time) and the part of the day it opens in ("morgonstell …",
"dagvakt …"): what `structuring.daypart` falls back on for a 12-hour time whose own clause
says nothing. Read once per dictation from its opening words, apart from the grammar of a
single time (`structuring.clock_times`)."""

from __future__ import annotations

import re

from structuring.clock_times import _WRITTEN_TIME
from structuring.lexicon import phrase_pattern
from structuring.tokens import Tok, _Rules

SHIFT_WORDS = 4  # the shift opens the dictation ("rapport fra natt …"); later, "nattevakta" is a person


def _shift(spoken: str, rules: _Rules) -> str | None:
    """The shift a dictation reports from: its opening ("rapport fra natt", "kveldsvakt"),
    else the speaker's own statement anywhere ("jeg er på nattevakt"). A night word in a
    clause about something else ("sov godt i natt") is no shift: day notes say it too."""
    words = _opening_words(spoken, rules)
    for name, openings in rules.shift_openings.items():
        if any(words[:len(o.split())] == o.split() and
               not _told_by(" ".join(words[len(o.split()):]), rules) for o in openings):
            return name
    # "nattpatruljen hos Alf …", "kveldsrunden": a first word made on a shift's cue stem.
    if words and words[0] not in rules.not_cues and not _told_by(" ".join(words[1:2]), rules):
        for name in ("night", "evening"):
            if words[0].startswith(rules.cue_stems.get(name, ())):
                return name
    for cues, text in ((rules.shift_cues, " ".join(words[:SHIFT_WORDS])),
                       (rules.shift_statements, " ".join(words))):
        found = [(m.start(), name) for name, phrases in cues.items()
                 for m in [phrase_pattern(tuple(phrases)).search(text)]
                 if m and not _told_by(text[m.end():], rules)]
        if found:
            return min(found)[1]
    first = " ".join(_first_sentence(spoken, rules))
    if phrase_pattern(rules.evening_all_along).search(first):
        return "evening"  # "har vore uroleg heile kvelden, men klokka halv elleve …"
    # "Leiv har hatt mye tungpust og angst i kveld. …", "har feber i kveld temperatur …
    # klokka sju": what happened this evening, told in the first two sentences before the
    # dictation's first clock time, tells its shift; a plan for tonight does not (data:
    # time.evening_told_first, plans_ahead). Said after a clock time the cue is that
    # time's ("besøk klokka ni, hun sovnet etter klokka elleve i kveld"), and the first
    # time, if it has one, sets the shift (`shift_of`).
    opening = _first_sentence(spoken, rules, sentences=2)
    first = " ".join(opening[:_first_clock_word(opening, rules)])
    told = phrase_pattern(rules.evening_told_first).search(first)
    # a plan is said before its evening ("skal på besøk til dattera i kveld"); "ønskte i
    # kveld at vi skulle be fadervår" tells this evening
    if told and not phrase_pattern(rules.plans_ahead).search(first, 0, told.start()):
        # "meir forvirra i kveld og i natt": the evening and the night after it
        night = phrase_pattern(rules.evening_and_night_told).match(first, told.end() + 1)
        return "evening_and_night" if night else "evening"
    # "Morgenbesøk … kona har itj sovet resten av natta": a day's opening says more
    if opens_by_day(spoken, rules) or opens_in_the_morning(spoken, rules):
        return None
    return _night_or_bedtime_told(words, rules)


ASLEEP_NOW_WORDS = 6  # "… Ho søv no.": how near its end a dictation says it


def _night_or_bedtime_told(words: list[str], rules: _Rules) -> str | None:
    """A dictation that names no shift nor opens by day but tells the rest of the night
    ("sov resten av natta") is the night's report; one closing with "ho søv no" is written
    at bedtime or in the night (data: time.rest_of_the_night, asleep_now)."""
    if phrase_pattern(rules.rest_of_the_night).search(" ".join(words)):
        return "night"
    if phrase_pattern(rules.asleep_now).search(" ".join(words[-ASLEEP_NOW_WORDS:])):
        return "evening_and_night"
    return None


def _told_by(after: str, rules: _Rules) -> bool:
    """ "nattevakta sa at hu sov urolig …": the staff of that shift told it (a verb of
    saying follows); the note is another shift's (data: time.reported_speech)."""
    words = after.split()
    return bool(words) and words[0] in rules.reported


def night_told_first(spoken: str, rules: _Rules) -> bool:
    """ "Margit var svært forvirret i natt. Klokka ti over ett ropte ho …": a first sentence
    that tells last night, with no clock time before it, makes the later small hours the
    night's (data: time.night_told_first). Not "har hatt feber sidan i natt": a day note."""
    first = _first_sentence(spoken, rules)
    if len(first) <= HEADING_WORDS:  # "Morgenrapport. Han har sove dårleg i natt. …"
        first = _first_sentence(spoken, rules, sentences=2)
    first = " ".join(first)
    found = phrase_pattern(rules.night_told_first).search(first)
    if not found or phrase_pattern(rules.plans_ahead).search(first):
        return False
    before = first[:found.start()].split()
    # "har hosta mye i natt og i dag": the day too, so the day's hours stay the day's
    if phrase_pattern(rules.night_and_day).match(first, found.end() + 1):
        return False
    # "Besøk klokka tolv, han har hatt vondt i ryggen i natt", "besøk på formiddagen …
    # neseblod i natt": a visit by day
    return not (before and before[-1] in rules.night_since) and \
        not _says_a_clock_time(before, rules) and not any(w.startswith(_BY_DAY) for w in before)


def night_told_anywhere(spoken: str, rules: _Rules) -> bool:
    """ "Dottera sat hjå ho heile natta", "ho sovna att kvart over fire": the dictation went
    through the night, wherever it says so (data: time.night_told_anywhere)."""
    return _said_anywhere(spoken, rules, rules.night_told_anywhere)


def evening_medicines_told(spoken: str, rules: _Rules) -> bool:
    """ "… fikk kveldsmedisinene ved besøket": an evening's visit, wherever it says so (data:
    time.evening_medicines_told)."""
    # "vi ble enige om at hun tar med rullestolen og at vi gir kveldsmedisinene før hun
    # drar": a plan, said before it in its sentence, tells no visit
    said = phrase_pattern(rules.evening_medicines_told)
    plans = phrase_pattern(rules.plans_ahead)
    for sentence in _SENTENCE_END.split(spoken.lower()):
        words = _opening_words(sentence, rules)
        if any(said.fullmatch(word) and
               not plans.search(" ".join(words[max(0, k - PLAN_WORDS):k]))
               for k, word in enumerate(words)):
            return True
    return False


PLAN_WORDS = 12  # how far back in its sentence a plan word makes the medicines a plan
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\b(?:punktum|ny linje|nytt avsnitt)\b")


def _said_anywhere(spoken: str, rules: _Rules, phrases: tuple[str, ...]) -> bool:
    return bool(phrase_pattern(phrases).search(" ".join(_opening_words(spoken, rules))))


# Not the morning: "morgenrapport … har sove dårleg i natt" tells the night just gone.
_BY_DAY = ("formiddag", "ettermiddag", "middag", "dagvakt", "dagbesøk")


def _says_a_clock_time(words: list[str], rules: _Rules) -> bool:
    """A clock word ("klokka", "kl."), a written time ("21.30") or a time said in words
    ("ti på elleve", "kvart over to") among `words`."""
    return any(w.rstrip(".") in rules.clock_stems or _WRITTEN_TIME.fullmatch(w) for w in words) \
        or any(words[k] in ("på", "over") and words[k - 1] in _BEFORE_PAST and
               words[k + 1] in rules.numbers for k in range(1, len(words) - 1))


_BEFORE_PAST = frozenset({"fem", "ti", "kvart", "tjue"})  # "… på elleve", "… over to"


def _first_clock_word(words: list[str], rules: _Rules) -> int:
    return next((k for k in range(len(words)) if _says_a_clock_time(words[k:k + 1], rules)),
                len(words))


FIRST_SENTENCE_WORDS = 20  # where the dictation says no mark, its first words
HEADING_WORDS = 3  # a first sentence this short names the visit ("Nattrapport rom 5.")


def _first_sentence(spoken: str, rules: _Rules, sentences: int = 1) -> list[str]:
    words: list[str] = []
    ends = 0
    for said in spoken.lower().split():
        word = said.strip(".,:;!?")
        if len(words) >= FIRST_SENTENCE_WORDS * sentences:
            break
        if word in ("punktum", "spørsmålstegn"):
            ends += 1
            if ends == sentences:
                break
            continue
        if word and word not in rules.fillers:
            words.append(word)
        if said.endswith((".", "?", "!")):
            ends += 1
            if ends == sentences:
                break
    return words


def _opening_words(spoken: str, rules: _Rules) -> list[str]:
    """The dictation's words, lower case, marks and fillers dropped."""
    words = [w.strip(".,:;!?") for w in _past_heading(spoken.lower().split())]
    words = [w for w in words if w and w not in rules.fillers]
    # "Rom 17, kveld. …": the room's number, then the shift it reports
    if len(words) > 2 and words[0] in rules.room_words and (
            words[2] in rules.room_heading_shifts or  # "Rom 14, kveldsstell.": the visit's
            words[2] not in rules.not_cues and words[2].startswith(_cue_stems(rules))):
        return words[2:]
    return words


def _cue_stems(rules: _Rules) -> tuple[str, ...]:
    return tuple(stem for stems in rules.cue_stems.values() for stem in stems)


def _past_heading(words: list[str]) -> list[str]:
    """ "overskrift velferdsteknologi nattlig digitalt tilsyn …": the dictation opens after
    its spoken heading."""
    return words[2:] if words[:1] == ["overskrift"] else words


def opens_by_day(spoken: str, rules: _Rules) -> bool:
    """ "Morgenrunde, …", "dagvakt …", "formiddagsbesøk hos …": the first word tells a day."""
    words = _opening_words(spoken, rules)
    if not words or words[0] in rules.not_cues:
        return False
    first = words[0]
    return first in rules.daytime or first.startswith(
        rules.cue_stems.get("morning", ()) + rules.cue_stems.get("afternoon", ()) + ("dag",)) \
        or _morning_told_first(spoken, rules)


def opens_in_the_morning(spoken: str, rules: _Rules) -> bool:
    """ "Morgonstell …", "vakna tungpusta i dag tidleg. …": the dictation opens in the
    morning (not "dagvakt", "middagsbesøk": a day)."""
    words = _opening_words(spoken, rules)
    if not words or words[0] in rules.not_cues:
        return False
    return words[0].startswith(_EARLY_MORNING) or _morning_told_first(spoken, rules)


# A morning opening, not a forenoon one ("formiddagsbesøk … Marevan klokka fem" is 17.00)
_EARLY_MORNING = ("morgen", "morgon", "morra", "mårrå")


def _morning_told_first(spoken: str, rules: _Rules) -> bool:
    """ "Var i dårlig humør ved morgenstellet. …": this morning, told first with no clock
    time of its own (data: time.morning_told_first)."""
    words = _first_sentence(spoken, rules)
    return bool(phrase_pattern(rules.morning_told_first).search(" ".join(words))) and \
        not _says_a_clock_time(words, rules)


def visit_opened(tokens: list[Tok], rules: _Rules) -> str | None:
    """The part of the day a sentence opens a visit in ("På kveldsbesøket klokka sju veide
    hun …", "morrastell …"): a dictation that tells two visits changes shift there."""
    words = [t.lower for t in tokens[:3] if t.kind == "word"]
    if words and words[0] in ("på", "i", "ved", "under", "etter"):
        words = words[1:]
    if not words or words[0] in rules.not_cues or not any(v in words[0] for v in rules.new_visit):
        return None
    for name in ("morning", "afternoon", "evening", "night"):
        if words[0].startswith(rules.cue_stems.get(name, ())):
            return name
    return None
