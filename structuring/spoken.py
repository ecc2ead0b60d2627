"""Spoken dictation → written journal sentences.

Reads top to bottom as a chain of small token passes: split, drop fillers, join compounds
the ASR split, voice commands, a shift said first as the note's heading line, split into
sentences, then inside each sentence self-corrections, numbers, times and units,
and finally casing and spacing. All vocabulary comes from `data/spoken_forms.json`; the
section names that `overskrift …` understands come from `data/sections.json`.

Written conventions (Norwegian journals): decimal comma (38,5), `kl. HH.MM`, a space between
number and unit (40 mg, 88 %), blood pressure as 140/90, digits for measurements and doses,
words for small everyday counts ("to brødskiver").

This module holds the chain itself (`to_written`), voice commands, sentence splitting (marks
and the sentence model) and rendering; a nurse's self-corrections are
`structuring.self_corrections`. The passes it calls live beside it:
`structuring.tokens` (the token `Tok`, the loaded vocabulary `_rules()`, tokenising and the
small predicates every pass shares), `structuring.spoken_numbers` (numbers, decimals, digit
runs, units), `structuring.clock_times` (clock times and the dictation's shift) and
`structuring.daypart` (which half of the day a 12-hour clock time is), `structuring.compounds`
(which split words are one care word) and `structuring.sentence_cuts` (where the sentence
model's cuts go in an unpunctuated stretch). Names other code
imports from here (`_split`, `_rules`, `Tok`, …) stay importable from this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from structuring import daypart
from structuring.clock_times import _times
from structuring.dictation_shift import (_shift, evening_medicines_told, night_told_anywhere,
                                         night_told_first, opens_by_day, opens_in_the_morning,
                                         visit_opened)
from structuring.compounds import joined, unhyphenated
from structuring.doses import dose_unit_words
from structuring.lexicon import (IdentityCache, drug_one_letter_off, drug_said_apart,
                                 drug_written_forms, written_drug)
from structuring.self_corrections import (corrected_across, correction_kept_as_said,
                                         self_corrections)
from structuring.sentence_cuts import (_TIME_WORDS, _WHEN_WORDS, _alarm_keeps_its_time, _cut_at,
                                      _may_start, fronted_dayparts,
                                      fronted_times, measurement_starts, opens_with_its_verb,
                                      time_alone, visit_time_ends)
from structuring.shift_heading import shift_header
from structuring.spoken_numbers import _numbers, _units, said_twice
# Other code imports `_split`, `_rules`, `Tok`, … from here; they live in structuring.tokens.
from structuring.tokens import (
    LINE,
    PARAGRAPH,
    _PUNCT,
    _SENTENCE_END,
    Tok,
    _Rules,
    _hour_of_a_time,
    _is_clock,
    _is_numberish,
    _rules,
    _split,
    drop_fillers,
    unended,
)


@dataclass(frozen=True)
class WrittenSentence:
    text: str
    heading: str | None  # section key forced by "overskrift …", if any
    paragraph: int  # index of the paragraph ("nytt avsnitt" starts a new one)
    block: int = 0  # index of the line ("ny linje" or "nytt avsnitt" starts a new one)
    review: tuple[str, ...] = ()  # why a nurse should check it, e.g. ("time",)


def to_written(spoken: str, *, recorded_at: datetime | None = None,
               splitter=None) -> list[WrittenSentence]:
    """The dictation as written sentences, in order, each with its forced heading if any.

    `recorded_at` (local time of the recording) decides morning or evening for a clock time
    whose own clause does not; `splitter` finds sentence starts inside a stretch of words that
    carries no punctuation (the trained sentence model in `structuring.segmenter`).
    """
    rules = _rules()
    tokens = spoken_tokens(spoken, rules)
    sentences = []
    shift = _shift(spoken, rules)
    # "Morgenrapport fra natta …": the night's report, given in the morning
    clock = daypart.Clock(shift=shift, day_opening=shift is None and opens_by_day(spoken, rules),
                          night_first=night_told_first(spoken, rules),
                          night_said=night_told_anywhere(spoken, rules),
                          evening_medicines=evening_medicines_told(spoken, rules),
                          morning_opening=shift is None and opens_in_the_morning(spoken, rules))
    if recorded_at is not None:
        clock.recorded_minutes = recorded_at.hour * 60 + recorded_at.minute
    # Where the dictation marks no sentence at all, the model cuts every stretch; where it
    # does, only a long run-on stretch (a nurse who said `punktum` once or twice).
    marked = any(t.text in _SENTENCE_END or t.kind in ("break", "heading") for t in tokens)
    min_words = LONG_UNMARKED_WORDS if marked else 6
    for part, heading, paragraph, block, unmarked in _pieces(tokens, splitter, min_words,
                                                            marked, rules):
        clock.review = False
        clock.unmarked = unmarked
        clock.evening_said = None
        toks = self_corrections(part, rules)
        kept_as_said = correction_kept_as_said(toks, rules)
        # "Nytt avsnitt. På kveldsbesøket klokka sju …": a second visit is its own shift.
        if sentences and (opened := visit_opened(toks, rules)):
            clock.shift, clock.day_opening = opened, opened in ("morning", "afternoon")
            clock.morning_opening = opened == "morning"
        toks = _numbers(toks, rules)
        twice = said_twice(toks)
        toks = _times(toks, rules, clock)
        toks = _units(toks, rules)
        written = _drug_names(toks)
        text = _render(written)
        if text:
            # a drug name respelt from the ASR's spelling is the nurse's to check
            review = ("time",) * clock.review + ("drug_name",) * _respelt(toks, written) + \
                ("correction",) * (kept_as_said or twice)
            sentences.append(WrittenSentence(text, heading, paragraph, block, review))
            # The dictation's first time, told with its own cue in its opening
            # ("GPS-alarmen til Tormod | gikk klokka tolv i natt"), sets the shift; not in a
            # visit opened by day ("Morgenbesøk. …"), nor said in the morning ("fem i morges").
            if len(sentences) <= 2 and clock.shift is None and clock.anchor is not None \
                    and not clock.day_opening and clock.first_said != "morning":
                clock.shift = daypart.shift_of(clock.anchor // 60)
    return sentences


LONG_UNMARKED_WORDS = 24  # words without a mark, in a punctuated dictation, before we cut


def _pieces(tokens: list[Tok], splitter, min_words: int, marked: bool, rules: _Rules
            ) -> list[tuple[list[Tok], str | None, int, int, bool]]:
    """The sentences to write: (tokens, heading, paragraph, line, cut by the model). A
    sentence that only corrects a value of the one before joins it ("… fem milligram.
    Nei vent, det var to komma fem milligram.")."""
    out: list[tuple[list[Tok], str | None, int, int, bool]] = []
    for raw, heading, paragraph, block in _sentences(tokens):
        parts = _split_unpunctuated(raw, splitter, min_words)
        for part in parts:
            unmarked = splitter is not None and (len(parts) > 1 or not marked)
            joined = corrected_across(out[-1][0], part, rules) \
                if out and out[-1][3] == block else None
            if joined is not None:
                out[-1] = (joined, *out[-1][1:])
            else:
                out.append((part, heading, paragraph, block, unmarked))
    return _times_joined(out, rules)


def _times_joined(pieces: list, rules: _Rules) -> list:
    """ "Morgenmedisinen tatt. Kl. 8.30.", "Sov. Klokka halv ti.": a sentence that only says
    a time belongs to the one before it on the same line, or — said first, or before a
    sentence that opens with its verb ("Kl. 00.15. Ringte hu på") — to the one after it."""
    out = list(pieces)
    i = 0
    while i < len(out):
        tokens, heading, paragraph, block, unmarked = out[i]
        lowered = [t.lower for t in tokens]
        after = i + 1 < len(out) and out[i + 1][1:4] == (heading, paragraph, block)
        before = i > 0 and out[i - 1][1:4] == (heading, paragraph, block)
        if not time_alone(lowered, rules) or not (before or after):
            i += 1
            continue
        if after and (not before or
                      opens_with_its_verb([t.lower for t in out[i + 1][0]], rules)):
            out[i:i + 2] = [(unended(tokens) + out[i + 1][0], *out[i + 1][1:])]
        else:
            out[i - 1:i + 1] = [(unended(out[i - 1][0]) + tokens, *out[i - 1][1:])]
    return out


def _split_unpunctuated(tokens: list[Tok], splitter, min_words: int = 6) -> list[list[Tok]]:
    """A stretch with no sentence mark, cut where the sentence model sees a new sentence.

    The model's cuts are checked (issue 15): never after a clock word ("klokka | ti") or
    inside a multi-word phrase the welfare-technology rules name ("digitalt | tilsyn",
    "falsk | alarm"); a piece that is a clock time with at most one other word ("kl. 22.00",
    "kl. 11.50 gikk"), or a single word, joins its neighbour — the next one at the start of
    the stretch, else the one before."""
    if splitter is None or len(tokens) < min_words:
        return [tokens]
    words = [t.text for t in tokens]
    rules = _rules()
    lowered = [t.lower for t in tokens]
    starts = sorted({0, *(_cut_at(lowered, i, rules) for i in splitter(words)
                          if 0 < i < len(tokens)),
                     *(j for j in (*fronted_times(lowered, rules), *visit_time_ends(lowered, rules),
                                   *measurement_starts(lowered, rules),
                                   *fronted_dayparts(lowered, rules))
                       if _may_start(lowered, j, rules))}
                    - {None})
    starts = _alarm_keeps_its_time(lowered, starts, rules)
    parts = [tokens[a:b] for a, b in zip(starts, [*starts[1:], len(tokens)])]
    return _join_fragments(parts, rules)


def _fragment(part: list[Tok], rules: _Rules, opening: bool = False) -> bool:
    if len(part) == 1:
        return True
    if all(t.lower in _TIME_WORDS or t.lower in _WHEN_WORDS or
           daypart.daypart([t.lower], rules) for t in part):
        return True  # "i natt | klokka to ringte han": the cue belongs to the time after it
    if time_alone([t.lower for t in part], rules):
        return True  # "kvart på elleve i kveld | trygghetsalarmen gikk"
    # "Kveldsbesøk kl. 20.45.": a visit told first with its time is the note's opening line
    # (later, "… ringte nattevakta | klokka to" is a piece of the sentence it was cut from)
    return any(_is_clock(t, rules) for t in part) and _content_words(part, rules) < 2 and \
        not (opening and any(stem in part[0].lower for stem in rules.visit_opening_line))


def _content_words(part: list[Tok], rules: _Rules) -> int:
    return sum(1 for t in part if t.kind == "word" and not _is_clock(t, rules)
               and not _is_numberish(t, rules) and t.lower not in _TIME_WORDS)


def _join_fragments(parts: list[list[Tok]], rules: _Rules) -> list[list[Tok]]:
    parts = [list(p) for p in parts]
    i = 0
    while len(parts) > 1 and i < len(parts):
        if not _fragment(parts[i], rules, opening=i == 0):
            i += 1
            continue
        if i == 0 or (i + 1 < len(parts) and time_alone([t.lower for t in parts[i]], rules)
                      and opens_with_its_verb([t.lower for t in parts[i + 1]], rules)):
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        else:
            parts[i - 1:i + 1] = [parts[i - 1] + parts[i]]
            i -= 1
    return parts


# --- token passes -------------------------------------------------------------------------

def spoken_tokens(spoken: str, rules: _Rules) -> list[Tok]:
    """The dictation's words before it is cut into sentences: fillers dropped, split compounds
    joined, voice commands read, a shift said first made the heading line. The sentence
    model is trained on exactly these (`evaluation.structuring_train`)."""
    tokens = _voice_commands(_join_compounds(drop_fillers(_split(spoken), rules)), rules)
    return shift_header(tokens, rules)


def _join_compounds(tokens: list[Tok]) -> list[Tok]:
    """'trygghets alarmen' → 'trygghetsalarmen', and a word split in three: 'trygg hets
    alarmen', 'i mo vane' (see `structuring.compounds`)."""
    out: list[Tok] = []
    for tok in tokens:
        if tok.kind == "word" and (compound := unhyphenated(tok.text)):
            tok = Tok(compound)
        words = tok.kind == "word" and bool(out) and out[-1].kind == "word"
        before = out[-2].lower if len(out) > 1 else ""
        compound = joined(out[-1].text, tok.text, before) if words else None
        if compound:
            out[-1] = Tok(compound)
        elif words and len(out) > 1 and out[-2].kind == "word" and len(tok.text) > 2 and \
                (compound := joined(out[-2].text, out[-1].text + tok.text,
                                    out[-3].lower if len(out) > 2 else "")):
            out[-2:] = [Tok(compound)]
        else:
            out.append(tok)
    return out


def _voice_commands(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        # "trettiåtte komma fem" is a decimal number, not a spoken comma; "tjue over sju
        # komma en halvtime før" is a time and a comma.
        # "rom tre komma fem og åtte": rooms listed, no room number has decimals
        if tok.lower == "komma" and _is_numberish(out[-1] if out else None, rules) \
                and _is_numberish(tokens[i + 1] if i + 1 < len(tokens) else None, rules) \
                and not _hour_of_a_time(out, rules) and \
                not (len(out) > 1 and out[-2].lower in rules.room_words):
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
    """The longest phrase said from `start` on, and how many words it took."""
    if start >= len(tokens):
        return None, 0
    best: tuple[str | None, int] = (None, 0)
    for words, value in _by_first_word(phrases).get(tokens[start].lower, ()):
        if len(words) > best[1] and [t.lower for t in tokens[start:start + len(words)]] == words:
            best = (value, len(words))
    return best


_PHRASE_INDEXES = IdentityCache()


def _by_first_word(phrases: dict[str, str]) -> dict[str, list[tuple[list[str], str]]]:
    """Commands and headings by their first word, so each word of a dictation is looked up
    rather than compared with every phrase."""
    index = _PHRASE_INDEXES.get(phrases)
    if index is None:
        index = {}
        for phrase, value in phrases.items():
            words = phrase.split()
            index.setdefault(words[0], []).append((words, value))
        _PHRASE_INDEXES.put(phrases, index)
    return index


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


def _number_text(tok: Tok) -> str:
    if not tok.digits or (tok.text.isdigit() and tok.text.startswith("0")):
        return tok.text  # "0345" keeps its zero
    whole = str(int(tok.value))
    return f"{whole},{tok.decimals}" if tok.decimals is not None else whole


def _drug_names(tokens: list[Tok]) -> list[Tok]:
    """ "fekk to paraset", "Oksynorm", "selo zok": a drug name as a journal writes it
    ("Paracet", "OxyNorm", "Selo-Zok"; a substance in lower case), where the ASR wrote it as
    heard or in another case (the writers' gold: Paracet 621 of 623, OxyNorm 151 of 162); a
    heard spelling is rewritten only where it can mean one drug, and the sentence is then
    flagged for review."""
    forms = drug_written_forms()
    out: list[Tok] = []
    for i, tok in enumerate(tokens):
        said_apart = f"{out[-1].lower}-{tok.lower}" if out and out[-1].kind == "word" else ""
        if tok.kind == "word" and said_apart in forms:
            out[-1] = Tok(forms[said_apart])
        elif tok.kind == "word" and (written := written_drug(tok.lower)) is not None:
            out.append(Tok(written))  # "oxynormen" → "OxyNormen" too
        elif tok.kind == "word" and _dose_next_to(tokens, i) and said_apart and \
                (name := drug_said_apart(out[-1].lower, tok.lower)) is not None:
            out[-1] = Tok(forms[name])
        elif tok.kind == "word" and _dose_next_to(tokens, i) and \
                (name := drug_one_letter_off(tok.lower)) is not None:
            out.append(Tok(forms[name]))
        else:
            out.append(tok)
    return out


def _dose_next_to(tokens: list[Tok], i: int) -> bool:
    """ "setralin femti milligram", "Nitrolingval en dose", "to drag ventolinje": a number
    and one of the medication rule file's dose units right after the word, or right before."""
    after = i + 2 < len(tokens) and tokens[i + 1].kind == "number" and \
        tokens[i + 2].lower in dose_unit_words()
    return after or (i >= 2 and tokens[i - 2].kind == "number" and
                     tokens[i - 1].lower in dose_unit_words())


def _respelt(said: list[Tok], written: list[Tok]) -> bool:
    """Whether a drug name's letters changed, not only its case or hyphen."""
    def letters(tokens: list[Tok]) -> str:
        return "".join(t.lower for t in tokens if t.kind == "word").replace("-", "")

    return letters(said) != letters(written)


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
