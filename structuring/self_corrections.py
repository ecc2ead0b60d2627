"""Self-corrections inside a spoken sentence: the nurse says a value, then corrects it.

"åtte av ti eh nei vent seks av ti" → "seks av ti"; "klokka ti på halv ti nei unnskyld tjue på
ti" → the time only; "Lasix … nei, Burinex ett milligram" → the drug with its dose. The cues
("nei vent", "unnskyld", "eller", "rettelse" …) are data in `data/spoken_forms.json`
(`corrections`, `corrections_needing_a_value`, `corrections_between_values`). Patient safety
decides the shape: a correction replaces exactly the value it corrects, and where no value can
be found the words are kept as said, never dropped. Where a corrected clock time begins and
ends is `structuring.corrected_times`.

Runs on one sentence's tokens after voice commands, before numbers are read
(`structuring.spoken` calls `self_corrections`); `corrects_a_value` tells the sentence
splitter never to cut between a value and its correction cue.
"""

from __future__ import annotations

import re

from structuring import daypart
from structuring.corrected_times import TIME_WORDS, time_words, trailing_daypart, trailing_time
from structuring.lexicon import IdentityCache, drug_one_letter_off
from structuring.tokens import (DIGIT_TIME, Tok, _compound, _is_clock, _is_numberish, _Rules,
                               unended)


def cues_at(lowered: list[str], i: int, rules: _Rules) -> list[list[str]]:
    """The correction cues said from word i on ("nei vent", "nei")."""
    if i >= len(lowered):
        return []
    return [cue for _, cue in _cues_by_first_word(rules).get(lowered[i], ())
            if lowered[i:i + len(cue)] == cue]


def cue_hits(lowered: list[str], rules: _Rules) -> list[tuple[int, list[str]]]:
    """Every correction cue in the words, as (where, cue), in the order of the rule file's
    `corrections` and then of the words (the order the corrections are tried in)."""
    index = _cues_by_first_word(rules)
    hits = [(n, i, cue) for i, word in enumerate(lowered) for n, cue in index.get(word, ())
            if lowered[i:i + len(cue)] == cue]
    return [(i, cue) for _, i, cue in sorted(hits, key=lambda hit: hit[:2])]


_FIRST_WORDS = IdentityCache()


def _cues_by_first_word(rules: _Rules) -> dict[str, list[tuple[int, list[str]]]]:
    # Every sentence is scanned for cues several times; most words start none, so the cues
    # are looked up by their first word instead of compared at every position.
    index = _FIRST_WORDS.get(rules.corrections)
    if index is None:
        index = {}
        for n, cue in enumerate(rules.corrections):
            index.setdefault(cue[0], []).append((n, cue))
        _FIRST_WORDS.put(rules.corrections, index)
    return index


def corrects_a_value(lowered: list[str], i: int, rules: _Rules) -> bool:
    """A correction cue right after a number, a unit or a drug ("… fem | nei to komma fem",
    "tok to Paracet | nei vent hun tok Paracet ett gram"), or word i inside such a cue
    ("sju komma fem nei | det va tre komma sju fem")."""
    for start in range(max(1, i - 5), i + 1):
        cues = cues_at(lowered, start, rules)
        if not cues or not _ends_a_value(lowered[start - 1], rules):
            continue
        end = start + max(map(len, cues))
        # "fekk sobril nei unnskyld det var | stesolid": who said it is the correction's
        if end >= i or (i - end <= 2 and all(w in rules.subjects | _IT | _SAID
                                             for w in lowered[end:i])):
            return True
    return False


_NEARER = frozenset({"nærmere", "nærare", "nermere", "heller", "snarere", "snarare"})
_LIST_GOES_ON = frozenset({"og", ",", "pluss", "samt"})
_SAID = frozenset({"var", "va", "vart", "sa", "tok", "fekk", "fikk", "mente", "meinte"})


def _ends_a_value(word: str, rules: _Rules) -> bool:
    return word in rules.units or word in rules.count_words or word in rules.drugs \
        or _compound(word, rules) is not None or word[:1].isdigit()


def corrected_across(previous: list[Tok], sentence: list[Tok], rules: _Rules
                     ) -> list[Tok] | None:
    """ "… morfin fem milligram subkutant punktum nei vent det var to komma fem milligram
    punktum": a sentence that opens with a correction cue corrects a value of the sentence
    before. Returns both as one sentence when the correction finds its value there, else
    None (a sentence that opens "nei, hun ville ikke" is an answer and stays its own)."""
    lowered = [t.lower for t in sentence]
    if not cues_at(lowered, 0, rules):
        return None
    kept = unended(previous)
    if not kept:
        return None
    joined = kept + [Tok(",", kind="punct")] + list(sentence)
    fixed = self_corrections(joined, rules)
    return joined if [t.lower for t in fixed] != [t.lower for t in joined] else None


def self_corrections(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    """ "to drag … nei vent det var fire drag" keeps the correction: "fire drag"."""
    lowered = [t.lower for t in tokens]
    for i, cue in cue_hits(lowered, rules):
        before, after = tokens[:i], tokens[i + len(cue):]
        # "52,6, nei, unnskyld, 51,6": the marks and the "nei" leading into the cue go.
        while before and (before[-1].kind == "punct" or before[-1].lower in _CUE_LEADS):
            before.pop()
        # The correction runs to the next mark; what follows it is kept as said.
        # "58,2 kilo, nei vent, 57,2 kilo"; written "5 mg, nei, vent, 3,75 mg".
        while after and (after[0].kind == "punct" or after[0].lower in _CUE_TAILS):
            after = after[1:]
        # "smerte åtte av ti, nei, han sa sju av ti", "Paracet ett gram, nei vent, hun tok
        # Paracet fem hundre": who said or did it is not the value
        # "eller nei, det var nærmere halv fire": how near it was is not the value either
        if len(after) > 2 and after[0].lower in rules.subjects | _IT and after[1].kind == "word" \
                and not _value_start(after[1], rules):
            k = 2 + (len(after) > 3 and after[2].lower in _NEARER)
            after = after[k:] if _value_start(after[k], rules) else after
        if len(after) > 1 and after[0].lower in _NEARER and _value_start(after[1], rules):
            after = after[1:]
        # "nitroglyserin 0,4 mg, nei, det var Nitrolingual, 2 spray": a drug named
        # again with its dose after a comma; the dose is part of the correction.
        if len(after) > 2 and after[0].lower in rules.drugs and \
                after[1].kind == "punct" and _is_numberish(after[2], rules):
            after = after[:1] + after[2:]
        cut = next((k for k, t in enumerate(after) if t.kind == "punct"), len(after))
        # "siden klokka 14, nei, siden klokka 13": words said again before the value go.
        repeated = _repeated_lead(before, after[:cut], rules)
        after, cut = after[repeated:], cut - repeated
        said = " ".join(cue)
        if said in rules.guarded_corrections and \
                not (after and _value_start(after[0], rules)):
            continue  # "hun sa unnskyld" is no correction
        if said == "eller ," and trailing_time(before, rules) is None:
            continue  # only a clock time: "Paracet, eller, Ibux om han vil" is a choice
        # "300 ml i dag, nei, 400": the value may be a few words back.
        # "klokka 23.10 i går kveld, eh nei, 23.40": the value's part of the day between
        own = trailing_daypart(before, rules)
        if said in rules.corrections_between_values and \
                not any(_value_end(t, rules) for t in before[-3 - own:len(before) - own]):
            continue  # "nei, hun ville ikke" is an answer
        fixed = _apply_correction(before, _without_it_was(after[:cut]), rules)
        if fixed is None:
            continue  # no value to replace: kept as said, cue and all (and flagged)
        return self_corrections(fixed + after[cut:], rules)
    return tokens


def correction_kept_as_said(tokens: list[Tok], rules: _Rules) -> bool:
    """A correction cue that needs no value ("nei vent", "rettelse") still in the sentence:
    the nurse corrected something no rule could place, so the words stand as said and the
    sentence is the nurse's to check."""
    return any(" ".join(cue) not in rules.guarded_corrections
               for _, cue in cue_hits([t.lower for t in tokens], rules))


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
# Who says or does the corrected value: a subject pronoun ("han sa", "hun tok", rule data
# `subject_pronouns`) or "det var", "den var".
_IT = frozenset({"det", "den"})


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
    scored = _score_said_last(before, runs)
    if scored is not None:  # "sju av ti, eller nei, åtte": the score, not the scale
        start, end = scored
        return before[:start] + correction[:size] + before[end:] + correction[size:]
    if runs and runs[-1][1] == len(before) and not _told_time(before, runs[-1][0], rules):
        return before[:runs[-1][0]] + correction
    if best is None:
        return None
    matched, start, end = best
    if not matched and _decimal(correction[:size]):
        # "temperatur 38,6 klokka 14, eh nei, 38,9": a decimal corrects the last decimal
        # said, not the clock time after it
        start, end = next(((a, b) for a, b in reversed(runs) if _decimal(before[a:b])),
                          (start, end))
    # "seks enheter subkutant nei vent fire enheter etter skjemaet": what was said after the
    # old value stays after the new one, before the rest of the correction.
    value = size + matched
    return before[:start] + correction[:value] + before[end + matched:] + correction[value:]


def _decimal(tokens: list[Tok]) -> bool:
    """A number said or written with a decimal comma ("trettiåtte komma ni", "38,9")."""
    return any(t.lower == "komma" or re.fullmatch(r"\d+,\d+", t.text) for t in tokens)


def _score_said_last(before: list[Tok], runs: list[tuple[int, int]]) -> tuple[int, int] | None:
    """(start, end) of the score when `before` ends with one ("smerte åtte av ti"): a bare
    number said after it corrects the score; the scale stays."""
    if len(runs) < 2 or runs[-1][1] != len(before):
        return None
    score, scale = runs[-2], runs[-1]
    return score if scale[0] == score[1] + 1 and before[score[1]].lower == "av" else None


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
        if j < len(tokens) and tokens[j].lower == "halv" and not _told_time(tokens, i, rules):
            j += 1  # "en halv nei unnskyld en milligram": the half is the number's
        runs.append((i, j))
        i = j
    return runs


def _apply_correction(before: list[Tok], correction: list[Tok], rules: _Rules
                      ) -> list[Tok] | None:
    """The correction replaces the value it corrects: a time, a drug (with its dose), or a
    number with the words after it ("åtte av ti … seks av ti", "to poser … en pose")."""
    if not correction:
        return before
    parallel = _parallel(before, correction, rules)
    if parallel:  # "fra 80 til 40 mg, nei, fra 80 til 60 mg": said again, one number new
        return before[:-parallel] + correction
    first = correction[0]
    # "klokka ti på halv ti nei unnskyld tjue på ti": a time said again without "klokka".
    bare_time = len(correction) > 2 and _is_numberish(first, rules) and \
        correction[1].lower in ("på", "over") and \
        (_is_numberish(correction[2], rules) or correction[2].lower == "halv")
    said_time = trailing_time(before, rules)
    own = trailing_daypart(before, rules)
    if said_time is None and own and (bare_time or first.lower in ("halv", "kvart")
                                      or DIGIT_TIME.fullmatch(first.lower)):
        # "gikk ti over seks i morres nei jeg mener ti over fem": the old time with its part
        # of the day said after it; the part of the day stays, after the new time
        start = trailing_time(before[:-own], rules)
        if start is not None and not (start and _is_clock(before[start - 1], rules)):
            said = time_words(correction, rules)
            return before[:start] + correction[:said] + before[-own:] + correction[said:]
    # "klokka ti på ni nei ni", "kvart over tolv nei halv ett": the time said last is
    # corrected whole, not only its last number.
    # Not a decimal: "temperatur 38,6 klokka 14, eh nei, 38,9" corrects the temperature.
    time_again = said_time is not None and not _decimal(correction) and all(
        _is_numberish(t, rules) or t.lower in TIME_WORDS for t in correction)
    if _is_clock(first, rules) or first.lower in ("halv", "kvart") or bare_time or time_again:
        clocks = [j for j, t in enumerate(before) if _is_clock(t, rules)]
        if said_time is None and clocks and _span_end(before, clocks[-1], rules):
            # "frå klokka sju til åtte eh nei til halv ni": the span's end is corrected
            start = len(before) - _trailing_number(before, rules)
            return before[:start] + correction
        if clocks and (said_time is None or said_time == clocks[-1] + 1):
            j = clocks[-1]
            end = j + 1 + time_words(before, rules, j + 1)
            keep = j if _is_clock(first, rules) else j + 1
            # "klokka halv ni i kveld eller nei kvart på ni og …": the old time's own words
            # ("i kveld") stay right after the new time, not after the rest of the sentence
            lead = 1 if _is_clock(first, rules) else 0
            said = lead + time_words(correction, rules, lead)
            if not all(t.lower in ("i", "om") or daypart.daypart([t.lower], rules)
                       for t in before[end:]):
                said = len(correction)  # only the old time's part of the day moves up
            return before[:keep] + correction[:said] + before[end:] + correction[said:]
        if said_time is not None:
            return before[:said_time] + correction
    if first.lower in rules.drugs or _misheard_drug(correction, rules):
        drugs = [(j, _drug_words(before, j, rules)) for j in range(len(before))]
        drugs = [(j, size) for j, size in drugs if size]
        if drugs:
            j, size = drugs[-1]
            end = j + size
            if len(correction) > 1:  # "Lasix … Burinex ett milligram": the dose goes too
                # "tok to Paracet, nei, Paracet ett gram": so does a count said before it.
                while j > 0 and _is_numberish(before[j - 1], rules):
                    j -= 1
                runs = [r for r in _number_runs(before, rules) if r[0] == end]
                if runs:
                    end = runs[0][1] + (runs[0][1] < len(before) and
                                        before[runs[0][1]].lower in rules.units)
            tail = before[end:]  # said after the old drug; not twice if said again
            if any(t.lower in _LIST_GOES_ON for t in tail):
                # "Lipitor 20 mg og en Paralgin, nei vent, Paracet 500 mg": the item said
                # last is no drug known here; the words stay as said, for the nurse
                return None
            # "Cipralex … om morgenen nei unnskyld Remeron … om kvelden": the correction
            # says its own part of the day, so the old one goes with the old drug
            if _said_again(tail, correction) or trailing_daypart(tail, rules) == len(tail) \
                    and any(daypart.daypart([t.lower], rules) for t in correction):
                tail = []
            return before[:j] + correction + tail
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
    # A bare number ("… nei vent, fjorten komma to") replaces the last number said; words
    # that are no value ("… dose i kveld, nei vent, ho sa at neste dose …") replace nothing.
    if not _is_numberish(first, rules):
        return None
    for j in range(len(before) - 1, -1, -1):
        if _is_numberish(before[j], rules):
            start = j
            while start > 0 and _number_phrase(before[start - 1], rules):
                start -= 1
            return before[:start] + correction + before[j + 1:]
    return before + correction


def _trailing_number(tokens: list[Tok], rules: _Rules) -> int:
    """How many tokens at the end of `tokens` say one number."""
    n = 0
    while n < len(tokens) and _number_phrase(tokens[-1 - n], rules):
        n += 1
    return n


def _span_end(before: list[Tok], clock: int, rules: _Rules) -> bool:
    """Whether `before` ends with a bare hour that ends a span begun at its clock word
    ("klokka sju til åtte")."""
    n = _trailing_number(before, rules)
    return 0 < n < len(before) and before[-1 - n].lower == "til" and \
        clock + 1 + time_words(before, rules, clock + 1) == len(before) - 1 - n


def _parallel(before: list[Tok], correction: list[Tok], rules: _Rules) -> int:
    """Length of the correction when the words right before the cue say it again word for
    word, only its numbers different; else 0."""
    n = len(correction)
    if n < 2 or len(before) < n:
        return 0
    if len(before) > n and _is_numberish(before[-n], rules) and \
            _number_phrase(before[-n - 1], rules):
        return 0  # "klokka seks hundre og tretti over sytti": the number starts earlier
    pairs = list(zip(before[-n:], correction))
    same = all(b.lower == c.lower or (_is_numberish(b, rules) and _is_numberish(c, rules))
               for b, c in pairs)
    return n if same and any(b.lower != c.lower for b, c in pairs) else 0


def _drug_words(tokens: list[Tok], j: int, rules: _Rules) -> int:
    """How many words from `j` name a drug: "Paralgin forte" two, "Paracet" one, else 0."""
    for name in rules.drug_phrases:
        if [t.lower for t in tokens[j:j + len(name)]] == list(name):
            return len(name)
    return 1 if tokens[j].lower in rules.drugs else 0


def _without_it_was(correction: list[Tok]) -> list[Tok]:
    """ "halv tre var det": the value without the "it was" said after it."""
    tail = [t.lower for t in correction[-2:]]
    return correction[:-2] if len(correction) > 2 and tail in _IT_WAS else correction


_IT_WAS = (["var", "det"], ["va", "det"], ["er", "det"], ["e", "det"])


def _misheard_drug(correction: list[Tok], rules: _Rules) -> bool:
    """ "Furix, nei vent, Burinix 1 milligram": the correction names a drug a letter off
    its name, with its dose, as the written note will spell it."""
    return len(correction) > 1 and _is_numberish(correction[1], rules) and \
        drug_one_letter_off(correction[0].lower) is not None


def _said_again(words: list[Tok], correction: list[Tok]) -> bool:
    """Whether the correction says these words again ("… 0,4 mg under tunga, nei, det var
    Nitrolingual, 2 spray under tunga")."""
    said, again = [t.lower for t in words], [t.lower for t in correction]
    return bool(said) and any(again[k:k + len(said)] == said for k in range(len(again)))
