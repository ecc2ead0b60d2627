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
and the sentence model), self-corrections and rendering. The passes it calls live beside it:
`structuring.tokens` (the token `Tok`, the loaded vocabulary `_rules()`, tokenising and the
small predicates every pass shares), `structuring.spoken_numbers` (numbers, decimals, digit
runs, units), `structuring.clock_times` (clock times and the dictation's shift) and
`structuring.daypart` (which half of the day a 12-hour clock time is), `structuring.compounds`
(which split words are one care word). Names other code
imports from here (`_split`, `_rules`, `Tok`, …) stay importable from this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from structuring import daypart
from structuring.clock_times import _shift, _times, opens_by_day
from structuring.compounds import joined
from structuring.rules import load_rules
from structuring.spoken_numbers import _numbers, _units
# Other code imports `_split`, `_rules`, `Tok`, … from here; they live in structuring.tokens.
from structuring.tokens import (
    LINE,
    PARAGRAPH,
    _PUNCT,
    _SENTENCE_END,
    Tok,
    _Rules,
    _compound,
    _is_clock,
    _is_numberish,
    _rules,
    _split,
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
    clock = daypart.Clock(shift=_shift(spoken, rules), day_opening=opens_by_day(spoken, rules))
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
                # The dictation's first time, told with its own cue in its opening
                # ("GPS-alarmen til Tormod | gikk klokka tolv i natt"), sets the shift.
                if len(sentences) <= 2 and clock.shift is None and clock.anchor is not None:
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
    if _corrects_a_value(lowered, i, rules):
        return False  # "midazolam ett komma fem | nei to komma fem": one value, corrected
    if lowered[i].rstrip(".") in rules.clock_stems and daypart.daypart([lowered[i - 1]], rules):
        return False  # "fekk morgonmedisinen | klokka åtte": the cue is the time's own
    for length, phrases in _kept_phrases().items():
        for back in range(1, length):
            if i - back >= 0 and tuple(lowered[i - back:i - back + length]) in phrases:
                return False
    return True


def _corrects_a_value(lowered: list[str], i: int, rules: _Rules) -> bool:
    """A correction cue right after a number or a unit ("… fem | nei to komma fem")."""
    cue = any(lowered[i:i + len(c)] == c for c in rules.corrections)
    before = lowered[i - 1]
    return cue and (before in rules.units or before in rules.count_words
                    or _compound(before, rules) is not None or before[:1].isdigit())


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
    if all(t.lower in _TIME_WORDS or t.lower in _WHEN_WORDS or
           daypart.daypart([t.lower], rules) for t in part):
        return True  # "i natt | klokka to ringte han": the cue belongs to the time after it
    return any(_is_clock(t, rules) for t in part) and _content_words(part, rules) < 2


_WHEN_WORDS = {"går", "dag", "morgen", "kveld", "natt", "tidlig", "tidleg", "seint", "sent"}


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


# --- token passes -------------------------------------------------------------------------

def _drop_fillers(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    return [t for t in tokens if t.lower not in rules.fillers]


def spoken_tokens(spoken: str, rules: _Rules) -> list[Tok]:
    """The dictation's words before it is cut into sentences: fillers dropped, split compounds
    joined, voice commands read, a shift said first made the heading line. The sentence
    model is trained on exactly these (`evaluation.structuring_train`)."""
    tokens = _voice_commands(_join_compounds(_drop_fillers(_split(spoken), rules)), rules)
    return _shift_header(tokens, rules)


def _shift_header(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    """ "kveldsvakt Ragna Fjeld på rom 17 …" said without a mark: "Kveldsvakt." is the note's
    heading line, its own sentence ("kveldsvakt på avdeling 2 …" goes on)."""
    if len(tokens) > 1 and tokens[0].lower in rules.shift_headers and \
            tokens[1].kind == "word" and tokens[1].lower not in rules.shift_header_goes_on:
        return [tokens[0], Tok(".", kind="punct"), *tokens[1:]]
    return tokens


def _join_compounds(tokens: list[Tok]) -> list[Tok]:
    """'trygghets alarmen' → 'trygghetsalarmen' (see `structuring.compounds`)."""
    out: list[Tok] = []
    for tok in tokens:
        compound = (joined(out[-1].text, tok.text)
                    if out and out[-1].kind == "word" and tok.kind == "word" else None)
        if compound:
            out[-1] = Tok(compound)
        else:
            out.append(tok)
    return out


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
            # "52,6, nei, unnskyld, 51,6": the marks and the "nei" leading into the cue go.
            while before and (before[-1].kind == "punct" or before[-1].lower in _CUE_LEADS):
                before.pop()
            # The correction runs to the next mark; what follows it is kept as said.
            # "58,2 kilo, nei vent, 57,2 kilo"; written "5 mg, nei, vent, 3,75 mg".
            while after and (after[0].kind == "punct" or after[0].lower in _CUE_TAILS):
                after = after[1:]
            cut = next((k for k, t in enumerate(after) if t.kind == "punct"), len(after))
            # "siden klokka 14, nei, siden klokka 13": words said again before the value go.
            repeated = _repeated_lead(before, after[:cut], rules)
            after, cut = after[repeated:], cut - repeated
            said = " ".join(cue)
            if said in rules.guarded_corrections and \
                    not (after and _value_start(after[0], rules)):
                continue  # "hun sa unnskyld" is no correction
            # "300 ml i dag, nei, 400": the value may be a few words back.
            if said in rules.corrections_between_values and \
                    not any(_value_end(t, rules) for t in before[-3:]):
                continue  # "nei, hun ville ikke" is an answer
            fixed = _apply_correction(before, after[:cut], rules)
            return _self_corrections(fixed + after[cut:], rules)
    return tokens


def _repeated_lead(before: list[Tok], correction: list[Tok], rules: _Rules) -> int:
    """How many words at the start of a correction repeat, word for word, the words said
    right before the value it corrects ("siden klokka 14, nei, siden klokka 13": one,
    "siden"). "ville ikke ha Paracet, nei, hun ville ha Ibux" repeats nothing: an answer."""
    for k in range(1, min(3, len(correction) - 1) + 1):
        if not _value_start(correction[k], rules):
            continue
        if any(_number_phrase(t, rules) or _value_start(t, rules) for t in correction[:k]):
            return 0  # "hundre og femtifem": the words are the value itself
        lead = [t.lower for t in correction[:k]]
        for p in range(len(before) - 1, max(k - 1, len(before) - 9), -1):
            if _value_start(before[p], rules) and [t.lower for t in before[p - k:p]] == lead:
                return k
        return 0
    return 0


def _number_phrase(tok: Tok, rules: _Rules) -> bool:
    return _is_numberish(tok, rules) or tok.lower in ("komma", "og")


_CUE_LEADS = {"nei", "eller", "vent", "altså"}  # said into a correction cue, not kept
_CUE_TAILS = {"vent", "altså", "unnskyld", "forresten"}  # said after one ("nei, vent, …")


def _correct_number(before: list[Tok], correction: list[Tok], rules: _Rules
                    ) -> list[Tok] | None:
    """Which number a numeric correction replaces, in this order:
    - the value whose words after the number match the correction's and run up to the cue
      ("åtte av ti … seks av ti", "hundre og tjue over sytti … hundre og tjue over sekstiåtte");
    - the number said right before the cue, unless it is a clock time ("Selo-Zok femti eh nei
      tjuefem milligram": not an earlier dose that happens to say "milligram" too);
    - else the value whose following words match the correction's most."""
    size = next((e - s for s, e in _number_runs(correction, rules) if s == 0), 1)
    tail = [t.lower for t in correction[size:]]
    runs = _number_runs(before, rules)
    best: tuple[int, int, int] | None = None  # (matched words, start, end)
    for start, end in reversed(runs):
        matched = 0
        while matched < len(tail) and end + matched < len(before) and \
                _similar(before[end + matched].lower, tail[matched], rules):
            matched += 1
        if matched and all(_number_phrase(t, rules) for t in before[end + matched:]):
            return before[:start] + correction
        if best is None or matched > best[0]:
            best = (matched, start, end)
    if runs and runs[-1][1] == len(before) and not _told_time(before, runs[-1][0], rules):
        return before[:runs[-1][0]] + correction
    if best is None:
        return None
    matched, start, end = best
    # "seks enheter subkutant nei vent fire enheter etter skjemaet": what was said after the
    # old value stays after the new one, before the rest of the correction.
    value = size + matched
    return before[:start] + correction[:value] + before[end + matched:] + correction[value:]


def _told_time(tokens: list[Tok], start: int, rules: _Rules) -> bool:
    """Whether the number at `start` is a clock time ("klokka sju", "halv ni")."""
    return start > 0 and (_is_clock(tokens[start - 1], rules) or
                          tokens[start - 1].lower in ("halv", "kvart", "over", "på"))


def _value_start(tok: Tok, rules: _Rules) -> bool:
    return _is_numberish(tok, rules) or _is_clock(tok, rules) or tok.lower in rules.drugs \
        or tok.lower in ("halv", "kvart") or tok.lower in rules.thousand


def _value_end(tok: Tok, rules: _Rules) -> bool:
    return _is_numberish(tok, rules) or tok.lower in rules.units or tok.lower in rules.drugs \
        or tok.lower in rules.thousand or tok.lower in rules.count_words


def _similar(a: str, b: str, rules: _Rules) -> bool:
    """The same word, or two units: "1 g, nei, 500 mg" corrects the whole dose."""
    def measure(word: str) -> bool:
        return word in rules.units or word in rules.count_words

    return a == b or (min(len(a), len(b)) >= 3 and a[:4] == b[:4]) or \
        (measure(a) and measure(b))


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
    # "klokka ti på halv ti nei unnskyld tjue på ti": a time said again without "klokka".
    bare_time = len(correction) > 2 and _is_numberish(first, rules) and \
        correction[1].lower in ("på", "over") and \
        (_is_numberish(correction[2], rules) or correction[2].lower == "halv")
    if _is_clock(first, rules) or first.lower in ("halv", "kvart") or bare_time:
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
        fixed = _correct_number(before, correction, rules)
        if fixed is not None:
            return fixed
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


def _number_text(tok: Tok) -> str:
    if not tok.digits or (tok.text.isdigit() and tok.text.startswith("0")):
        return tok.text  # "0345" keeps its zero
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
