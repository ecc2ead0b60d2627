"""Spoken dictation → written journal sentences.

Reads top to bottom as a chain of small token passes: split, drop fillers, voice commands,
split into sentences, then inside each sentence self-corrections, numbers, times and units,
and finally casing and spacing. All vocabulary comes from `data/spoken_forms.json`; the
section names that `overskrift …` understands come from `data/sections.json`.

Written conventions (Norwegian journals): decimal comma (38,5), `kl. HH.MM`, a space between
number and unit (40 mg, 88 %), blood pressure as 140/90, digits for measurements and doses,
words for small everyday counts ("to brødskiver").

Which half of the day a 12-hour clock time is (cues, recording time, shift) lives in
`structuring.daypart`. The rest stays one module (~750 lines): every pass works on the same
token list (`Tok`) with the same loaded vocabulary (`_Rules`), and the number,
self-correction and clock-time passes call each other (a correction re-reads a number, a time
reads number words). Split it further along the passes (numbers, times) together with a
shared token module, not piecemeal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from structuring import daypart
from structuring.lexicon import phrase_pattern
from structuring.rules import load_rules

LINE, PARAGRAPH = "<LINE>", "<PARAGRAPH>"
_SENTENCE_END = {".", "?", "!"}
_PUNCT = {".", ",", ":", ";", "?", "!", "–"}
# Written abbreviations ("kl. 08.00", "ca. 900 ml" in Whisper's text) are one token, so
# their period ends no sentence.
_ABBREVIATIONS = r"(?:kl|ca|evt|pga|dvs|mht|iflg|bl\.a|f\.eks|nr|stk)\.(?=\s)"
_TOKEN = re.compile(rf"(?i:{_ABBREVIATIONS})|\d+(?:[.,:/]\d+)*|[\w][\w'-]*|[.,:;?!–]")


@dataclass
class Tok:
    """A word or mark on its way from spoken to written form."""

    text: str
    value: float | None = None  # a parsed number
    decimals: str | None = None  # digits after the decimal comma, as spoken
    digits: bool = False  # written as digits (decided by context)
    kind: str = "word"  # word | punct | number | time | unit | heading | break

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class WrittenSentence:
    text: str
    heading: str | None  # section key forced by "overskrift …", if any
    paragraph: int  # index of the paragraph ("nytt avsnitt" starts a new one)
    block: int = 0  # index of the line ("ny linje" or "nytt avsnitt" starts a new one)
    review: tuple[str, ...] = ()  # why a nurse should check it, e.g. ("time",)


@dataclass
class _Rules:
    commands: dict[str, str]
    headings: dict[str, str]  # spoken alias → section key
    heading_words: set[str]
    fillers: set[str]
    corrections: list[list[str]]
    numbers: dict[str, int]
    tens: dict[str, int]
    units_of_tens: dict[str, int]
    hundred: set[str]
    thousand: set[str]
    articles: set[str]
    units: dict[str, str]
    count_words: set[str]
    numeric_context: set[str]
    replacements: dict[str, str]
    clock_words: set[str]
    evening: set[str]
    night: set[str]
    sleep: set[str]
    morning: set[str]
    cue_stems: dict[str, tuple[str, ...]] = field(default_factory=dict)
    not_cues: set[str] = field(default_factory=set)
    clause_words: set[str] = field(default_factory=set)
    shift_cues: dict[str, list[str]] = field(default_factory=dict)
    shift_statements: dict[str, list[str]] = field(default_factory=dict)
    guarded_corrections: set[str] = field(default_factory=set)
    corrections_between_values: set[str] = field(default_factory=set)
    shift_openings: dict[str, list[str]] = field(default_factory=dict)
    drugs: set[str] = field(default_factory=set)
    clock_stems: set[str] = field(default_factory=set)  # "kl." and "kl" alike
    subjects: set[str] = field(default_factory=set)  # a new clause after a time

    def __post_init__(self) -> None:
        self.clock_stems = {w.rstrip(".") for w in self.clock_words}


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    forms = load_rules("spoken_forms")
    drugs = load_rules("medications")["names"]
    sections = load_rules("sections")
    headings = {alias: s["key"] for template in sections["templates"].values()
                for s in template for alias in [s["key"], *s["aliases"]]}
    t = forms["time"]
    return _Rules(
        commands=forms["voice_commands"], headings=headings,
        heading_words=set(forms["heading_command"]), fillers=set(forms["fillers"]),
        # Longest cue first: "nei vent det var" before "nei vent".
        corrections=sorted((c.split() for c in forms["corrections"]), key=len, reverse=True),
        numbers=forms["numbers"],
        tens=forms["tens"], units_of_tens=forms["units_of_tens"],
        hundred=set(forms["hundred"]), thousand=set(forms["thousand"]),
        articles=set(forms["articles_as_one"]), units=forms["units"],
        count_words=set(forms["count_words"]), numeric_context=set(forms["numeric_context"]),
        replacements=forms["written_unit_replacements"], clock_words=set(t["clock_words"]),
        evening=set(t["evening_cues"]), night=set(t["night_cues"]),
        sleep=set(t["sleep_cues"]), morning=set(t["morning_cues"]),
        cue_stems={k: tuple(v) for k, v in t["cue_stems"].items()}, not_cues=set(t["not_cues"]),
        clause_words=set(t["clause_words"]), shift_cues=t["shift_cues"],
        shift_statements=t["shift_statements"],
        subjects=set(t["subject_pronouns"]),
        guarded_corrections=set(forms["corrections_needing_a_value"]),
        corrections_between_values=set(forms["corrections_between_values"]),
        shift_openings=t["shift_openings"],
        drugs={name for name in drugs if " " not in name},
    )


def to_written(spoken: str, *, recorded_at: datetime | None = None,
               splitter=None) -> list[WrittenSentence]:
    """The dictation as written sentences, in order, each with its forced heading if any.

    `recorded_at` (local time of the recording) decides morning or evening for a clock time
    whose own clause does not; `splitter` finds sentence starts inside a stretch of words that
    carries no punctuation (the trained sentence model in `structuring.segmenter`).
    """
    rules = _rules()
    tokens = _voice_commands(_drop_fillers(_split(spoken), rules), rules)
    sentences = []
    clock = daypart.Clock(shift=_shift(spoken, rules))
    if recorded_at is not None:
        clock.recorded_minutes = recorded_at.hour * 60 + recorded_at.minute
    # Where the dictation marks no sentence at all, the model cuts every stretch; where it
    # does, only a long run-on stretch (a nurse who said `punktum` once or twice).
    marked = any(t.text in _SENTENCE_END or t.kind in ("break", "heading") for t in tokens)
    min_words = LONG_UNMARKED_WORDS if marked else 6
    for raw, heading, paragraph, block in _sentences(tokens):
        parts = _split_unpunctuated(raw, splitter, min_words)
        for part in parts:
            clock.review = False
            clock.unmarked = splitter is not None and (len(parts) > 1 or not marked)
            toks = _self_corrections(part, rules)
            toks = _numbers(toks, rules)
            toks = _times(toks, rules, clock)
            toks = _units(toks, rules)
            text = _render(toks)
            if text:
                sentences.append(WrittenSentence(text, heading, paragraph, block,
                                                 ("time",) if clock.review else ()))
                if len(sentences) == 1 and clock.shift is None and clock.anchor is not None:
                    clock.shift = daypart.shift_of(clock.anchor // 60)
    return sentences


LONG_UNMARKED_WORDS = 24  # words without a mark, in a punctuated dictation, before we cut


def _split_unpunctuated(tokens: list[Tok], splitter, min_words: int = 6) -> list[list[Tok]]:
    """A stretch with no sentence mark, cut where the sentence model sees a new sentence.

    The model's cuts are checked (issue 15): never after a clock word ("klokka | ti") or
    inside a multi-word phrase the welfare-technology rules name ("digitalt | tilsyn",
    "falsk | alarm"); a piece that is a clock time with at most one other word ("kl. 22.00",
    "kl. 11.50 gikk"), or a single word, joins its neighbour — the next one at the start of the stretch, else the one before."""
    if splitter is None or len(tokens) < min_words:
        return [tokens]
    words = [t.text for t in tokens]
    rules = _rules()
    lowered = [t.lower for t in tokens]
    starts = sorted({0, *(i for i in splitter(words)
                          if 0 < i < len(tokens) and _may_start(lowered, i, rules))})
    parts = [tokens[a:b] for a, b in zip(starts, [*starts[1:], len(tokens)])]
    return _join_fragments(parts, rules)


# Words that say when, not what: a clock time with these and one more word is no sentence
# (a measurement is: "temperatur 36,8" stays).
_TIME_WORDS = {"halv", "kvart", "over", "på", "i", "ca", "ca.", "cirka", "rundt", "ved"}


def _may_start(lowered: list[str], i: int, rules: _Rules) -> bool:
    if lowered[i - 1].rstrip(".") in rules.clock_stems:
        return False
    for length, phrases in _kept_phrases().items():
        for back in range(1, length):
            if i - back >= 0 and tuple(lowered[i - back:i - back + length]) in phrases:
                return False
    return True


@lru_cache(maxsize=1)
def _kept_phrases() -> dict[int, set[tuple[str, ...]]]:
    """Multi-word phrases the welfare-technology rules match (a cut inside one loses it)."""
    rules = load_rules("welfare_technology")
    phrases = list(rules["false_alarm_cues"])
    for tech in rules["technologies"].values():
        phrases += tech["triggers"]
        for cues in tech["events"].values():
            phrases += cues
    for cues in rules["responses"].values():
        phrases += cues
    out: dict[int, set[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(phrase.lower().split())
        if len(words) > 1:
            out.setdefault(len(words), set()).add(words)
    return out


def _fragment(part: list[Tok], rules: _Rules) -> bool:
    if len(part) == 1:
        return True
    return any(_is_clock(t, rules) for t in part) and _content_words(part, rules) < 2


def _content_words(part: list[Tok], rules: _Rules) -> int:
    return sum(1 for t in part if t.kind == "word" and not _is_clock(t, rules)
               and not _is_numberish(t, rules) and t.lower not in _TIME_WORDS)


def _join_fragments(parts: list[list[Tok]], rules: _Rules) -> list[list[Tok]]:
    parts = [list(p) for p in parts]
    i = 0
    while len(parts) > 1 and i < len(parts):
        if not _fragment(parts[i], rules):
            i += 1
            continue
        if i == 0:
            parts[0:2] = [parts[0] + parts[1]]
        else:
            parts[i - 1:i + 1] = [parts[i - 1] + parts[i]]
            i -= 1
    return parts


SHIFT_WORDS = 4  # the shift opens the dictation ("rapport fra natt …"); later, "nattevakta" is a person


def _shift(spoken: str, rules: _Rules) -> str | None:
    """The shift a dictation reports from: its opening ("rapport fra natt", "kveldsvakt"),
    else the speaker's own statement anywhere ("jeg er på nattevakt"). A night word in a
    clause about something else ("sov godt i natt") is no shift: day notes say it too."""
    words = [w.strip(".,:;!?") for w in spoken.lower().split()]
    words = [w for w in words if w and w not in rules.fillers]
    for name, openings in rules.shift_openings.items():
        if any(words[:len(o.split())] == o.split() for o in openings):
            return name
    for cues, text in ((rules.shift_cues, " ".join(words[:SHIFT_WORDS])),
                       (rules.shift_statements, " ".join(words))):
        found = [(m.start(), name) for name, phrases in cues.items()
                 for m in [phrase_pattern(tuple(phrases)).search(text)] if m]
        if found:
            return min(found)[1]
    return None


# --- token passes -------------------------------------------------------------------------

def _split(spoken: str) -> list[Tok]:
    out = []
    for match in _TOKEN.finditer(spoken):
        text = match.group()
        out.append(Tok(text, kind="punct" if text in _PUNCT else "word"))
    return out


def _drop_fillers(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    return [t for t in tokens if t.lower not in rules.fillers]


def _is_numberish(tok: Tok | None, rules: _Rules) -> bool:
    if tok is None:
        return False
    return tok.text[0].isdigit() or _compound(tok.lower, rules) is not None \
        or tok.lower in rules.hundred


def _voice_commands(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        # "trettiåtte komma fem" is a decimal number, not a spoken comma.
        if tok.lower == "komma" and _is_numberish(out[-1] if out else None, rules) \
                and _is_numberish(tokens[i + 1] if i + 1 < len(tokens) else None, rules):
            out.append(Tok("komma", kind="decimal"))
            i += 1
            continue
        if tok.lower in rules.heading_words:
            key, used = _match_phrase(tokens, i + 1, rules.headings)
            if key:
                out.append(Tok(key, kind="heading"))
                i += 1 + used
                continue
        mark, used = _match_phrase(tokens, i, rules.commands)
        if mark:
            kind = "break" if mark in (LINE, PARAGRAPH) else "punct"
            out.append(Tok(mark, kind=kind))
            i += used
            continue
        out.append(tok)
        i += 1
    return out


def _match_phrase(tokens: list[Tok], start: int, phrases: dict[str, str]) -> tuple[str | None, int]:
    best: tuple[str | None, int] = (None, 0)
    for phrase, value in phrases.items():
        words = phrase.split()
        window = [t.lower for t in tokens[start:start + len(words)]]
        if window == words and len(words) > best[1]:
            best = (value, len(words))
    return best


def _sentences(tokens: list[Tok]) -> Iterator[tuple[list[Tok], str | None, int, int]]:
    heading: str | None = None
    paragraph = block = 0
    current: list[Tok] = []
    for tok in tokens:
        if tok.kind == "heading" or tok.kind == "break":
            if current:
                yield current, heading, paragraph, block
                current = []
            if tok.kind == "heading":
                heading = tok.text
            else:
                # A heading's scope ends at the next line or paragraph (issue 15).
                block, heading = block + 1, None
                if tok.text == PARAGRAPH:
                    paragraph += 1
            continue
        current.append(tok)
        if tok.text in _SENTENCE_END:
            yield current, heading, paragraph, block
            current = []
    if current:
        yield current, heading, paragraph, block


def _self_corrections(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    """ "to drag … nei vent det var fire drag" keeps the correction: "fire drag"."""
    lowered = [t.lower for t in tokens]
    for cue in rules.corrections:
        for i in range(len(lowered) - len(cue) + 1):
            if lowered[i:i + len(cue)] != cue:
                continue
            before, after = tokens[:i], tokens[i + len(cue):]
            while before and before[-1].kind == "punct":
                before.pop()
            # The correction runs to the next mark; what follows it is kept as said.
            while after and after[0].kind == "punct":  # "58,2 kilo, nei vent, 57,2 kilo"
                after = after[1:]
            cut = next((k for k, t in enumerate(after) if t.kind == "punct"), len(after))
            said = " ".join(cue)
            if said in rules.guarded_corrections and \
                    not (after and _value_start(after[0], rules)):
                continue  # "hun sa unnskyld" is no correction
            if said in rules.corrections_between_values and \
                    not (before and _value_end(before[-1], rules)):
                continue  # "nei, hun ville ikke" is an answer
            fixed = _apply_correction(before, after[:cut], rules)
            return _self_corrections(fixed + after[cut:], rules)
    return tokens


def _number_phrase(tok: Tok, rules: _Rules) -> bool:
    return _is_numberish(tok, rules) or tok.lower in ("komma", "og")


def _value_start(tok: Tok, rules: _Rules) -> bool:
    return _is_numberish(tok, rules) or _is_clock(tok, rules) or tok.lower in rules.drugs \
        or tok.lower in ("halv", "kvart")


def _value_end(tok: Tok, rules: _Rules) -> bool:
    return _is_numberish(tok, rules) or tok.lower in rules.units or tok.lower in rules.drugs


def _is_clock(tok: Tok, rules: _Rules) -> bool:
    return tok.lower.rstrip(".") in rules.clock_stems


def _similar(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 3 and a[:4] == b[:4])


def _number_runs(tokens: list[Tok], rules: _Rules) -> list[tuple[int, int]]:
    """(start, end) of each spoken number ("hundre og førti", "trettiåtte komma fem")."""
    runs, i = [], 0
    while i < len(tokens):
        if not _is_numberish(tokens[i], rules):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and (_is_numberish(tokens[j], rules) or (
                tokens[j].lower in ("komma", "og") and j + 1 < len(tokens)
                and _is_numberish(tokens[j + 1], rules))):
            j += 1
        runs.append((i, j))
        i = j
    return runs


def _apply_correction(before: list[Tok], correction: list[Tok], rules: _Rules) -> list[Tok]:
    """The correction replaces the value it corrects: a time, a drug (with its dose), or a
    number with the words after it ("åtte av ti … seks av ti", "to poser … en pose")."""
    if not correction:
        return before
    first = correction[0]
    if _is_clock(first, rules) or first.lower in ("halv", "kvart"):
        clocks = [j for j, t in enumerate(before) if _is_clock(t, rules)]
        if clocks:
            j = clocks[-1]
            end = j + 1
            while end < len(before) and (_is_numberish(before[end], rules) or
                                         before[end].lower in ("halv", "kvart", "over", "på")):
                end += 1
            keep = j if _is_clock(first, rules) else j + 1
            return before[:keep] + correction + before[end:]
    if first.lower in rules.drugs:
        drugs = [j for j, t in enumerate(before) if t.lower in rules.drugs]
        if drugs:
            j = drugs[-1]
            end = j + 1
            if len(correction) > 1:  # "Lasix … Burinex ett milligram": the dose goes too
                runs = [r for r in _number_runs(before, rules) if r[0] == end]
                if runs:
                    end = runs[0][1] + (runs[0][1] < len(before) and
                                        before[runs[0][1]].lower in rules.units)
            return before[:j] + correction + before[end:]
    if _is_numberish(first, rules):
        size = next((e - s for s, e in _number_runs(correction, rules) if s == 0), 1)
        tail = [t.lower for t in correction[size:]]
        best: tuple[int, int, int] | None = None  # (matched words, start, end)
        for start, end in reversed(_number_runs(before, rules)):
            matched = 0
            while matched < len(tail) and end + matched < len(before) and \
                    _similar(before[end + matched].lower, tail[matched]):
                matched += 1
            if best is None or matched > best[0]:
                best = (matched, start, end)
        if best is not None:
            matched, start, end = best
            return before[:start] + correction + before[end + matched:]
    head = correction[-1].lower  # "fire drag" → drag; "femti milligram" → milligram
    if not _is_numberish(correction[-1], rules):
        for j in range(len(before) - 1, -1, -1):
            if before[j].lower == head:
                start = j
                while start > 0 and _number_phrase(before[start - 1], rules):
                    start -= 1
                if start < j:
                    return before[:start] + correction + before[j + 1:]
    # A bare number ("… nei vent, fjorten komma to") replaces the last number said.
    for j in range(len(before) - 1, -1, -1):
        if _is_numberish(before[j], rules):
            start = j
            while start > 0 and _number_phrase(before[start - 1], rules):
                start -= 1
            return before[:start] + correction + before[j + 1:]
    return before + correction


def _compound(word: str, rules: _Rules) -> int | None:
    if word in rules.numbers:
        return rules.numbers[word]
    for tens_word, tens in rules.tens.items():
        if word.startswith(tens_word):
            rest = word[len(tens_word):]
            if rest in rules.units_of_tens:
                return tens + rules.units_of_tens[rest]
    for hundred_word in rules.hundred:  # "hundreogførti" as ASR sometimes joins it
        if word.startswith(hundred_word) and word != hundred_word:
            rest = word[len(hundred_word):].removeprefix("og")
            sub = _compound(rest, rules)
            if sub is not None and sub < 100:
                return 100 + sub
    return None


def _numbers(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        after_number = bool(out) and out[-1].kind == "number"
        value, used = _read_number(tokens, i, rules, after_number)
        if used == 0:
            out.append(tokens[i])
            i += 1
            continue
        number = Tok(" ".join(t.text for t in tokens[i:i + used]), value=value, kind="number")
        if i + used + 1 < len(tokens) and tokens[i + used].kind == "decimal":
            decimals, more = _read_decimals(tokens, i + used + 1, rules)
            if more:
                number.decimals = decimals
                used += 1 + more
        if re.fullmatch(r"\d+,\d+", number.text):
            whole, number.decimals = number.text.split(",")
            number.value = int(whole)
        if number.decimals is None and _and_a_half(tokens, i + used, rules):
            number.decimals = "5"  # "sju og en halv milligram" → 7,5 mg
            used += 3
        number.text = " ".join(t.text for t in tokens[i:i + used])
        out.append(number)
        i += used
    for tok in out:  # "komma" that turned out not to be a decimal is a spoken comma
        if tok.kind == "decimal":
            tok.text, tok.kind = ",", "punct"
    _spoken_digit_runs(out, rules)
    _decide_digits(out, rules)
    return out


def _read_number(tokens: list[Tok], i: int, rules: _Rules, after_number: bool = False
                 ) -> tuple[float | None, int]:
    tok = tokens[i]
    if re.fullmatch(r"\d+(,\d+)?", tok.text):
        return int(tok.text.split(",")[0]), 1
    total, used, current = 0, 0, None
    while i + used < len(tokens):
        word = tokens[i + used].lower
        if word in rules.hundred:
            current = (current or 1) * 100
            used += 1
            if i + used < len(tokens) and tokens[i + used].lower == "og" and \
                    i + used + 1 < len(tokens) and _compound(tokens[i + used + 1].lower, rules):
                used += 1
            continue
        if word in rules.thousand:
            total += (current or 1) * 1000
            current = None
            used += 1
            continue
        value = _compound(word, rules)
        if value is None or (current is not None and current % 100 != 0) or \
                (current is not None and value >= 100):
            break
        after_time_word = i > 0 and (tokens[i - 1].lower in ("over", "på", "halv") or
                                     tokens[i - 1].lower.rstrip(".") in rules.clock_stems)
        digit_run_next = i + 1 < len(tokens) and \
            (_compound(tokens[i + 1].lower, rules) or 99) < 10
        if used == 0 and word in rules.articles and not _next_is_count(tokens, i + 1, rules) \
                and not after_number and not after_time_word and not digit_run_next:
            break  # "en" is an article unless a unit or dose word follows, or a digit run
        current = (current or 0) + value
        used += 1
        if current % 10 == 0 and 20 <= current % 100 and i + used < len(tokens):
            unit = rules.units_of_tens.get(tokens[i + used].lower)
            if unit is not None and tokens[i + used].lower not in rules.articles:
                current += unit  # "sytti fem" said as two words
                used += 1
        multiplier_next = i + used < len(tokens) and \
            tokens[i + used].lower in rules.hundred | rules.thousand
        if (current % 100 != 0 or current == 0) and not multiplier_next:
            break
    if used == 0:
        return None, 0
    return total + (current or 0), used


_NOT_MEASURES = {"minutt", "minutter", "timer", "timar", "slag", "av"}


def _and_a_half(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """"og en halv" right after a number, with a unit or dose word after it ("to og en halv
    milligram", "sju og ein halv kilo"): only then is it half of a measure."""
    if i + 3 >= len(tokens):
        return False
    og, article, half, unit = (t.lower for t in tokens[i:i + 4])
    return og == "og" and article in rules.articles and half == "halv" and (
        unit in rules.units or (unit in rules.count_words and unit not in _NOT_MEASURES))


def _next_is_count(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    return i < len(tokens) and (tokens[i].lower in rules.count_words or
                                tokens[i].lower in rules.units)


def _read_decimals(tokens: list[Tok], i: int, rules: _Rules) -> tuple[str, int]:
    # "trettiåtte komma fem" → 5; "tre komma sju fem" → 75 (digit by digit).
    if i >= len(tokens):
        return "", 0
    tok = tokens[i]
    if tok.text.isdigit():
        return tok.text, 1
    value = _compound(tok.lower, rules)
    if value is None:
        return "", 0
    digits, used = str(value), 1
    while value < 10 and i + used < len(tokens):
        nxt = _compound(tokens[i + used].lower, rules)
        if nxt is None or nxt >= 10:
            break
        digits += str(nxt)
        used += 1
    return digits, used


def _spoken_digit_runs(tokens: list[Tok], rules: _Rules) -> None:
    # An ID or phone number read digit by digit: "to sju null fem …" → 2705….
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and tokens[j].kind == "number" and tokens[j].value is not None \
                and tokens[j].value < 10 and tokens[j].decimals is None:
            j += 1
        if j - i >= 6:
            digits = "".join(str(int(t.value)) for t in tokens[i:j])
            tokens[i:j] = [Tok(digits, kind="word")]
        i += 1


def _decide_digits(tokens: list[Tok], rules: _Rules) -> None:
    for i, tok in enumerate(tokens):
        if tok.kind != "number":
            continue
        nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
        context = {t.lower for t in tokens[max(0, i - 3):i]}
        tok.digits = (
            tok.decimals is not None or (tok.value or 0) > 10
            or nxt in rules.count_words or nxt in rules.units
            or bool(context & rules.numeric_context)
            or (i >= 2 and tokens[i - 1].lower == "av" and tokens[i - 2].digits)
            or (nxt == "over" and _blood_pressure_ahead(tokens, i))
        )


def _blood_pressure_ahead(tokens: list[Tok], i: int) -> bool:
    return i + 2 < len(tokens) and tokens[i + 2].kind == "number"


def _times(tokens: list[Tok], rules: _Rules, clock: daypart.Clock) -> list[Tok]:
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        approximate = _about_hour(tokens[i], rules)
        if approximate is not None:
            out, tok = _approximate_time(out, approximate, tokens, i, rules, clock)
            out.append(tok)
            i += 1
            continue
        # "meldte feil 02.40 i natt": a written 24-hour time needs no "klokka".
        previous = out[-1].lower if out else ""
        written = _WRITTEN_TIME.fullmatch(tokens[i].text) is not None and \
            previous not in rules.numeric_context
        explicit = tokens[i].lower.rstrip(".") in rules.clock_stems or written
        start = i + 1 if explicit and not written else i
        # "fra klokka fire til sju": the end of a span of time is a clock time too.
        span_end = not explicit and len(out) > 1 and out[-1].lower == "til" and \
            out[-2].kind == "time"
        if explicit and start < len(tokens) and tokens[start].text == ".":
            start += 1
        parsed = None if previous in rules.numeric_context and not explicit else \
            _read_time(tokens, start, rules, explicit=explicit or span_end)
        if parsed:
            hour, minute, used, ambiguous = parsed
            if ambiguous:
                review = clock.review
                clause = daypart.clause_words(tokens, i, rules, window=clock.unmarked,
                                              end=start + used)
                # "klokka sju i kveld", "i natt klokka to": a cue right at the time is its
                # own, whatever the sentence model cut.
                hour = daypart.resolve_hour(hour, minute, clause, rules, clock,
                                            daypart.own_words(tokens, i, start + used, rules))
                sure = clock.review == review and clock.recorded_minutes is None
            else:  # only a time said on the 24-hour clock carries the story on
                clock.last_minutes = hour * 60 + minute
                sure = True
            # Only the dictation's first time can set its shift: a later one in a merged
            # run-on sentence ("besøk klokka ni hun sovnet klokka elleve i kveld") says
            # nothing about the visit.
            if sure and not clock.times_read:
                clock.anchor = hour * 60 + minute
            clock.times_read += 1
            out.append(Tok(f"kl. {hour:02d}.{minute:02d}", kind="time"))
            i = start + used
            continue
        out.append(tokens[i])
        i += 1
    return out


_WRITTEN_TIME = re.compile(r"(?:[01]\d|2[0-3])[.:][0-5]\d")
# "ved tjuetiden", "ved titida": about that hour (the nurse's own "ca.").
_ABOUT_HOUR = re.compile(r"(\w+?)-?(tiden|tida|tidå|tia)")


def _about_hour(tok: Tok, rules: _Rules) -> int | None:
    match = _ABOUT_HOUR.fullmatch(tok.lower)
    if match is None:
        return None
    # "eittida", "ettiden": the number's last t and the suffix's first are one letter.
    for number in (match.group(1), match.group(1) + "t"):
        hour = _compound(number, rules)
        if hour is not None and 1 <= hour <= 24:
            return hour
    return None


def _approximate_time(out: list[Tok], hour: int, tokens: list[Tok], i: int, rules: _Rules,
                      clock: daypart.Clock) -> tuple[list[Tok], Tok]:
    """ "ved tjuetiden" → "ca. kl. 20.00"; "ved titida" on a 12-hour clock reads as any
    other "klokka ti" would."""
    if hour <= 12:
        clause = daypart.clause_words(tokens, i, rules, window=clock.unmarked)
        hour = daypart.resolve_hour(hour, 0, clause, rules, clock,
                                    daypart.own_words(tokens, i, i + 1, rules))
    hour %= 24
    clock.times_read += 1
    if out and out[-1].lower in ("ved", "rundt", "omkring", "i"):
        out = out[:-1]
    return out, Tok(f"ca. kl. {hour:02d}.00", kind="time")


def _hour(tok: Tok | None) -> int | None:
    if tok is None or tok.kind != "number" or tok.decimals is not None or tok.value is None:
        return None
    return int(tok.value) if 0 <= tok.value <= 24 else None


def _read_time(tokens: list[Tok], i: int, rules: _Rules, explicit: bool
               ) -> tuple[int, int, int, bool] | None:
    """(hour, minute, tokens used, whether the hour is on a 12-hour clock) or None."""
    parsed = _read_time_words(tokens, i, rules, explicit)
    if parsed is None:
        return None
    hour, minute, used = parsed
    digits = tokens[i].text
    # "08.30", "10.00", "0800": written on the 24-hour clock; "ni", "9": could be either.
    twelve_hour = 1 <= hour <= 12 and not re.fullmatch(r"0\d([.:]?\d{2})?|\d{1,2}[.:]\d{2}",
                                                       digits)
    return hour % 24, minute, used, twelve_hour


def _read_time_words(tokens: list[Tok], i: int, rules: _Rules, explicit: bool
                     ) -> tuple[int, int, int] | None:
    at = lambda k: tokens[i + k] if i + k < len(tokens) else None
    first = at(0)
    if first is None:
        return None
    if explicit and re.fullmatch(r"\d{1,2}[.:]\d{2}", first.text):
        hour, minute = (int(x) for x in re.split(r"[.:]", first.text))
        return (hour, minute, 1) if hour < 24 and minute < 60 else None
    lower = first.lower
    if lower == "halv" and _hour(at(1)) is not None:  # halv ni → 08.30
        return (_hour(at(1)) - 1) % 24, 30, 2
    if lower == "kvart" and at(1) and at(1).lower in ("over", "på") and _hour(at(2)) is not None:
        hour = _hour(at(2))
        return (hour, 15, 3) if at(1).lower == "over" else ((hour - 1) % 24, 45, 3)
    minutes = _hour(first)
    spoken_offset = explicit or (minutes in (5, 10, 20, 25) and first.kind == "number"
                                 and not first.text[0].isdigit())
    if minutes is not None and at(1) and at(1).lower in ("over", "på") and spoken_offset:
        if at(2) and at(2).lower == "halv" and _hour(at(3)) is not None:  # fem over halv ti
            base = (_hour(at(3)) - 1) % 24
            offset = 30 + minutes if at(1).lower == "over" else 30 - minutes
            return base, offset, 4
        if _hour(at(2)) is not None and 0 < minutes < 30 and _hour(at(2)) <= 12:
            hour = _hour(at(2))
            if at(1).lower == "over":
                return hour, minutes, 3
            return (hour - 1) % 24, 60 - minutes, 3
    if explicit and minutes is not None:
        nxt = at(1)
        if nxt is not None and nxt.kind == "number" and nxt.value is not None and \
                nxt.decimals is None:
            if nxt.text.lower() == "null" and at(2) is not None and _hour(at(2)) is not None \
                    and at(2).value < 10:
                return minutes, int(at(2).value), 3  # åtte null fem → 08.05
            if 10 <= nxt.value < 60 and nxt.text.lower() != "null":
                return minutes, int(nxt.value), 2  # fjorten tretti → 14.30
        return minutes, 0, 1
    return None


def _units(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    out: list[Tok] = []
    for i, tok in enumerate(tokens):
        lower = tok.lower
        prev = out[-1] if out else None
        if lower in rules.units and prev is not None and prev.kind == "number":
            out.append(Tok(rules.units[lower], kind="unit"))
        elif lower in rules.replacements:
            out.append(Tok(rules.replacements[lower], kind="word"))
        elif lower == "ganger" and prev is not None and prev.kind == "number" \
                and i + 2 < len(tokens) and tokens[i + 1].kind == "number" \
                and tokens[i + 2].lower in rules.units:
            out.append(Tok("x", kind="word"))  # tre ganger to centimeter → 3 x 2 cm
            prev.digits = tokens[i + 1].digits = True
        elif lower == "over" and prev is not None and prev.kind == "number" and prev.digits \
                and i + 1 < len(tokens) and tokens[i + 1].kind == "number" \
                and (prev.value or 0) >= 50 and (tokens[i + 1].value or 0) >= 30:
            out.append(Tok("/", kind="slash"))  # 140 over 90 → 140/90
            tokens[i + 1].digits = True
        else:
            out.append(tok)
    return out


def _number_text(tok: Tok) -> str:
    if not tok.digits:
        return tok.text
    whole = str(int(tok.value))
    return f"{whole},{tok.decimals}" if tok.decimals is not None else whole


def _render(tokens: Iterable[Tok]) -> str:
    parts: list[str] = []
    glue_next = False
    for tok in tokens:
        text = _number_text(tok) if tok.kind == "number" else tok.text
        if tok.kind == "punct" or tok.kind == "slash":
            if tok.kind == "punct" and parts and parts[-1] in _PUNCT:
                if text in _SENTENCE_END and parts[-1] == ",":
                    parts[-1] = text  # ", ." → "."
                continue
            if not parts and tok.kind == "punct":
                continue
            if parts:
                parts[-1] += text
            glue_next = tok.kind == "slash"
            continue
        if glue_next and parts:
            parts[-1] += text
            glue_next = False
        else:
            parts.append(text)
    sentence = " ".join(parts).strip()
    if not sentence:
        return ""
    sentence = sentence[0].upper() + sentence[1:]
    if sentence[-1] not in ".?!:":
        sentence = sentence.rstrip(",;") + "."
    return sentence
