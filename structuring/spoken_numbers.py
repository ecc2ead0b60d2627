"""Spoken numbers → written numbers: values, decimals, digit runs, and units after them.

"trettiåtte komma fem" → 38,5; "hundre og førti over nitti" → 140/90; "sju og en halv
milligram" → 7,5 mg; "to sju null fem …" read digit by digit → 2705…. Whether a number is
written as digits or left as a word ("to brødskiver") is decided from the words around it.
The number pass (`_numbers`) runs on each sentence after the self-corrections and before
the clock-time pass; the unit pass (`_units`) runs last, once times are read. Kept apart from
`structuring.spoken` because reading a number is its own grammar (value, decimals, digits or
words); the number words themselves (`_compound`, `_is_numberish`) live in
`structuring.tokens`, as every pass uses them.
"""

from __future__ import annotations

import re

from structuring.spoken_scores import _article_of_a_score, _second_score, _tells_pain_score
from structuring.tokens import (Tok, _compound, _ends_a_bare_hour, _is_clock, _leads_to_an_hour,
                               _Rules, about_said_before, slept_before)


def _numbers(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        after_number = bool(out) and out[-1].kind == "number"
        if _half_a_measure(tokens, i, rules):  # "ein halv milligram" → 0,5 mg
            out.append(Tok(" ".join(t.text for t in tokens[i:i + 2]), value=0, kind="number"))
            out[-1].decimals = "5"
            i += 2
            continue
        hours_listed = _hours_listed(out, rules)
        # "klokka elleve, eitt og fire": "eitt" is an hour in the list, no article ("klokka
        # åtte, ein halv time før" is one)
        listed = hours_listed and (
            i + 1 == len(tokens) or tokens[i + 1].lower in (",", "og") or
            tokens[i + 1].kind == "punct")
        value, used = _read_number(tokens, i, rules, after_number or listed)
        if used == 0:
            out.append(tokens[i])
            i += 1
            continue
        number = Tok(" ".join(t.text for t in tokens[i:i + used]), value=value, kind="number")
        if i + used + 1 < len(tokens) and tokens[i + used].kind == "decimal" and \
                not (hours_listed and (value or 0) <= 24):
            decimals, more = _read_decimals(tokens, i + used + 1, rules)
            if more:
                number.decimals = decimals
                used += 1 + more
        if re.fullmatch(r"\d+,\d+|\d{1,3}\.\d", number.text):
            # "37.8": one digit after a dot is a decimal (a time has two: "21.30")
            whole, number.decimals = re.split(r"[,.]", number.text)
            number.value = int(whole)
        if number.decimals is None and (tenth := _tenth_of_a_degree(out, number, tokens,
                                                                     i + used, rules)):
            number.decimals = tenth  # "temp trettisju åtte" → 37,8
            used += 1
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


def _tenth_of_a_degree(out: list[Tok], number: Tok, tokens: list[Tok], i: int,
                       rules: _Rules) -> str | None:
    """ "temp trettisju åtte", "temperaturen var trettiåtte fem i kveld": a body temperature
    said without "komma", its tenth right after it (a digit said alone, no unit after)."""
    if number.value is None or not 34 <= number.value <= 42 or i >= len(tokens) or \
            not any(t.lower.startswith(("temp", "feber")) for t in out[-3:]):
        return None
    tenth = _compound(tokens[i].lower, rules)
    unit_next = i + 1 < len(tokens) and (tokens[i + 1].lower in rules.units or
                                         tokens[i + 1].lower in rules.count_words)
    return str(tenth) if tenth is not None and tenth < 10 and not unit_next else None


def _hours_listed(out: list[Tok], rules: _Rules) -> bool:
    """ "klokka ti komma fjorten komma atten og tjueto": hours listed after a clock word,
    each "komma" a comma — no clock time has decimals."""
    k = len(out)
    while k >= 2 and (out[k - 1].kind == "decimal" or out[k - 1].text == ",") and \
            out[k - 2].kind == "number":
        k -= 2
    return k >= 1 and out[k - 1].lower.rstrip(".") in rules.clock_stems


def _read_number(tokens: list[Tok], i: int, rules: _Rules, after_number: bool = False
                 ) -> tuple[float | None, int]:
    tok = tokens[i]
    if re.fullmatch(r"\d+(,\d+)?|\d{1,3}\.\d", tok.text):
        return int(re.split(r"[,.]", tok.text)[0]), 1
    total, used, current = 0, 0, None
    while i + used < len(tokens):
        word = tokens[i + used].lower
        if word in rules.hundred:
            if used == 1 and i > 0 and _is_clock(tokens[i - 1], rules) and \
                    _pressure_after(tokens, i + 2, rules):
                break  # "blodtrykk klokka fire hundre og sytti over hundre": 04.00, 170/100
            current = (current or 1) * 100
            used += 1
            if i + used < len(tokens) and tokens[i + used].lower == "og" and \
                    i + used + 1 < len(tokens) and _compound(tokens[i + used + 1].lower, rules):
                used += 1
            continue
        if word == "og" and current is not None and current >= 100 and current % 100 == 0 \
                and i + used + 1 < len(tokens) \
                and (_compound(tokens[i + used + 1].lower, rules) or 100) < 100:
            used += 1  # "tohundre og femti": the hundreds were one word
            continue
        if word in rules.thousand:
            total += (current or 1) * 1000
            current = None
            used += 1
            # "tusen og tre hundre": the hundreds after "og" belong to the same number
            if i + used + 1 < len(tokens) and tokens[i + used].lower == "og" and (
                    tokens[i + used + 1].lower in rules.hundred or
                    _compound(tokens[i + used + 1].lower, rules) is not None):
                used += 1
            continue
        # "Paracet et gram" is 1 g; elsewhere "et", "eit" are the article, not a number
        dose_one = used == 0 and word in rules.articles_before_units and \
            i + 1 < len(tokens) and tokens[i + 1].lower in rules.dose_units
        value = 1 if dose_one else _compound(word, rules)
        if value is None or (current is not None and current % 100 != 0) or \
                (current is not None and value >= 100):
            break
        if used == 0 and word in rules.numbers_also_words and not after_number \
                and not (i > 0 and _leads_to_an_hour(tokens[i - 1], rules)) \
                and not _next_is_count(tokens, i + 1, rules):
            break  # "nede ved elva": the river, kept as said
        not_an_article = i > 0 and (_leads_to_an_hour(tokens[i - 1], rules)
                                     or _bare_hour_said(tokens, i, rules)
                                     or _spans_from_one(tokens, i, rules)
                                     or tokens[i - 1].lower in rules.score_words
                                     or _numbers_a_noun(tokens, i, rules))
        digit_run_next = i + 1 < len(tokens) and \
            (_compound(tokens[i + 1].lower, rules) or 99) < 10
        decimal_next = i + 1 < len(tokens) and tokens[i + 1].kind == "decimal"
        # "ett tusen åtte hundre": the article counts the thousands
        times_next = i + 1 < len(tokens) and tokens[i + 1].lower in rules.hundred | rules.thousand
        if used == 0 and word in rules.articles and not _next_is_count(tokens, i + 1, rules) \
                and not after_number and not not_an_article and not digit_run_next \
                and not decimal_next and not times_next and not _and_a_half(tokens, i + 1, rules):
            break  # "en" is an article unless a unit, a dose word, a digit run, a decimal
            # comma or a half follows ("en komma fem milligram" is 1,5 mg, "en og en halv
            # liter" 1,5 liter)
        current = (current or 0) + value
        used += 1
        if current % 10 == 0 and 20 <= current % 100 and i + used < len(tokens):
            unit = rules.units_of_tens.get(tokens[i + used].lower)
            # "sytti en komma fire kilo": an "en" with decimals after it is the unit
            decimals_after = i + used + 1 < len(tokens) and tokens[i + used + 1].kind == "decimal"
            if unit is not None and (tokens[i + used].lower not in rules.articles or
                                     decimals_after):
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
    # "sekstito og et halvt kilo": the neuter article before a unit too
    article_said = article in rules.articles or article in rules.articles_before_units
    return og == "og" and article_said and half in ("halv", "halvt") and (
        unit in rules.units or (unit in rules.count_words and unit not in _NOT_MEASURES))


def _half_a_measure(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "ein halv milligram", "en halv liter": half of a unit is a dose or a volume; "en halv
    tablett", "ei halv brødskive" stay words as a nurse writes them."""
    return i + 2 < len(tokens) and tokens[i].lower in rules.articles and \
        tokens[i + 1].lower == "halv" and tokens[i + 2].lower in rules.units


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
    if value in rules.tens.values():
        nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
        unit = rules.numbers.get(nxt, 0)
        if 1 <= unit <= 9 and not _counts_what_follows(tokens, i + 2, rules):
            return str(value + unit), 2  # "tre komma sytti fem milligram" is 3,75 mg
        if _counts_what_follows(tokens, i + 1, rules) or nxt.startswith("minutt"):
            return "", 0  # "metning 93 komma tjue minutter etter": a spoken comma
        return str(value // 10), 1  # "sju komma tjue" is 7,2: the same value, as written
    while value < 10 and i + used < len(tokens):
        nxt = _compound(tokens[i + used].lower, rules)
        if nxt is None or nxt >= 10 or _counts_what_follows(tokens, i + used + 1, rules):
            break  # "blodsukker ti komma to to timer etter": 10,2, then two hours
        digits += str(nxt)
        used += 1
    return digits, used


_TIMES_COUNTED = frozenset({"ganger", "gonger", "gangar", "gongar", "dager", "dagar", "døgn"})


def _counts_what_follows(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """A count word, not a unit of measure, at i ("to timer", "tre ganger"): the number
    before it counts them and is no further decimal digit ("tre komma sju fem mg" is)."""
    return i < len(tokens) and (tokens[i].lower in _TIMES_COUNTED or (
        tokens[i].lower in rules.count_words and tokens[i].lower not in rules.units))


# The emergency numbers, said digit by digit ("ringte ett ett tre"): every writer files
# them as digits (6 of 6 in the tuned gold).
EMERGENCY_NUMBERS = frozenset({"110", "112", "113"})


def _digit(tok: Tok, rules: _Rules) -> int | None:
    if tok.kind == "number" and tok.decimals is None and tok.value is not None and \
            tok.value < 10 and not re.fullmatch(r"\d+", tok.text):
        return int(tok.value)
    return rules.numbers.get(tok.lower) if tok.lower in ("en", "ein", "én") else None


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
    i = 0
    while i + 2 < len(tokens):
        said = "".join(str(_digit(t, rules)) for t in tokens[i:i + 3])
        if said in EMERGENCY_NUMBERS and _called(tokens, i) and \
                (i + 3 == len(tokens) or _digit(tokens[i + 3], rules) is None):
            tokens[i:i + 3] = [Tok(said, kind="word")]
        i += 1


def _said(tokens: list[Tok], i: int) -> str:
    return tokens[i].lower if i < len(tokens) else ""


def _called(tokens: list[Tok], i: int) -> bool:
    """ "ringte (til) ett ett tre", "ba oss kontakte ett ett tre": a call right before."""
    return any(t.lower.startswith(("ring", "kontakt")) or t.lower == "til"
               for t in tokens[max(0, i - 3):i])


def _decide_digits(tokens: list[Tok], rules: _Rules) -> None:
    for i, tok in enumerate(tokens):
        if tok.kind != "number":
            continue
        nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
        context = {t.lower for t in tokens[max(0, i - 3):i]}
        if _article_of_a_score(tokens, i, rules):
            tok.digits = False  # "smerten er en fire": the score is four
            continue
        tok.digits = (
            tok.decimals is not None or (tok.value or 0) > 10
            or nxt in rules.count_words or nxt in rules.units
            or bool(context & rules.numeric_context)
            # "pustar ti i minuttet": a rate
            or (nxt in ("i", "per") and _said(tokens, i + 2).startswith("minutt"))
            or (i >= 2 and tokens[i - 1].lower == "av" and tokens[i - 2].digits)
            or (nxt == "over" and _blood_pressure_ahead(tokens, i))
            or _tells_pain_score(tokens, i) or _second_score(tokens, i, rules)
            or (i >= 1 and tokens[i - 1].lower in rules.score_words)
            # "fekk to Paracet" → "2 Paracet", tablets counted by the drug's name (79 of 83
            # in the writers' gold); one stays a word ("en Paracet", 15 of 17)
            or (nxt in rules.drugs and (tok.value or 0) >= 2 and tok.decimals is None)
        )


def _pressure_after(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "… hundre og sytti over hundre", "… hundre over seksti": the rest of a systolic
    pressure, then "over"."""
    if i < len(tokens) and tokens[i].lower == "og":
        i += 1
    if i < len(tokens) and _compound(tokens[i].lower, rules) is not None:
        i += 1
    return i < len(tokens) and tokens[i].lower == "over"


def _blood_pressure_ahead(tokens: list[Tok], i: int) -> bool:
    return i + 2 < len(tokens) and tokens[i + 2].kind == "number"


def _units(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    out: list[Tok] = []
    skip = 0
    for i, tok in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        lower = tok.lower
        prev = out[-1] if out else None
        if lower in rules.units and prev is not None and prev.kind == "number":
            millilitres = _litres_and_hundreds(prev, tokens, i, rules)
            if millilitres:  # "en liter og to hundre" → 1200 ml
                prev.text, prev.value, prev.digits = str(millilitres[0]), millilitres[0], True
                skip = millilitres[1]
            out.append(Tok("ml" if millilitres else rules.units[lower], kind="unit"))
        elif lower in rules.replacements:
            out.append(Tok(rules.replacements[lower], kind="word"))
        elif lower in _TIMES and prev is not None and prev.kind == "number" \
                and i + 2 < len(tokens) and tokens[i + 1].kind == "number" \
                and tokens[i + 2].lower in rules.units:
            out.append(Tok("x", kind="word"))  # tre ganger to centimeter → 3 x 2 cm
            prev.digits = tokens[i + 1].digits = True
        elif (lower == "over" or lower == "på" and _said_of_blood_pressure(tokens, i)) \
                and prev is not None and prev.kind == "number" and prev.digits \
                and i + 1 < len(tokens) and tokens[i + 1].kind == "number" \
                and (prev.value or 0) >= 50 and (tokens[i + 1].value or 0) >= 30:
            out.append(Tok("/", kind="slash"))  # 140 over 90, "blodtrykk 130 på 80" → 140/90
            tokens[i + 1].digits = True
        else:
            out.append(tok)
    return out


def _said_of_blood_pressure(tokens: list[Tok], i: int) -> bool:
    """ "blodtrykket låg på hundre og tretti på åtti": "på" parts a blood pressure only
    where one was named a few words before (not "ti på ni", a time)."""
    return any(t.lower in _BLOOD_PRESSURE for t in tokens[max(0, i - 8):i])


_BLOOD_PRESSURE = frozenset({"blodtrykk", "blodtrykket", "bt", "trykket"})
# "tre ganger to centimeter", nynorsk "to gonger 2 cm": a size, written 3 x 2 cm (the
# writers' gold never writes the word: 217 sizes with "x")
_TIMES = frozenset({"ganger", "gonger", "gangar", "gongar"})


def _litres_and_hundreds(number: Tok, tokens: list[Tok], i: int, rules: _Rules
                         ) -> tuple[int, int] | None:
    """ "en liter og to hundre (milliliter)": one volume, 1200 ml — (ml, tokens after the
    unit it takes), or None."""
    if rules.units.get(tokens[i].lower) != "liter" or number.decimals is not None or \
            not 1 <= (number.value or 0) <= 5 or i + 2 >= len(tokens) or \
            tokens[i + 1].lower != "og" or tokens[i + 2].kind != "number":
        return None
    hundreds = tokens[i + 2].value or 0
    if tokens[i + 2].decimals is not None or not 100 <= hundreds <= 950 or hundreds % 50:
        return None
    after = tokens[i + 3].lower if i + 3 < len(tokens) else ""
    if after in rules.units and rules.units[after] != "ml":
        return None  # "en liter og to hundre gram" are two things
    return int(number.value) * 1000 + int(hundreds), 2 + (rules.units.get(after) == "ml")


def _numbers_a_noun(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "rom ein", "avdeling en | rom fire": the article after a numbered noun is its number
    where the sentence ends, a name or another number follows — not "eige rom ein gong"."""
    if tokens[i - 1].lower not in rules.numbered_nouns:
        return False
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    return after is None or after.kind == "punct" or after.text[:1].isupper() or \
        after.lower in rules.numbered_nouns or after.text[:1].isdigit()


def _spans_from_one(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "sov fra ett til seks": the article starts a span of numbers (hours or a value;
    which, `clock_times._bare_span` decides from what follows)."""
    if tokens[i - 1].lower not in rules.span_starts or i + 2 >= len(tokens):
        return False
    end = tokens[i + 2]
    return tokens[i + 1].lower == "til" and (
        end.text.isdigit() or _compound(end.lower, rules) is not None or end.lower == "halv")


def _slept_from(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "sov (igjen) fra ett", "søv frå om lag tre": the hour a sleep began (see
    `bare_hours._slept_from`, which reads the same "about" words)."""
    k = i - 1 - about_said_before(tokens, i, rules)
    return k >= 1 and tokens[k].lower in rules.span_starts and slept_before(tokens, k, rules)


def _bare_hour_said(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "sovna rundt eitt og …": "eitt" is the hour (see `bare_hours._bare_hour`)."""
    # "like etter to i natt": a two-word "after" too
    said = tokens[i - 1].lower in rules.bare_hour_after or \
        i > 1 and f"{tokens[i - 2].lower} {tokens[i - 1].lower}" in rules.bare_hour_after or \
        _slept_from(tokens, i, rules)  # "sov fra ett og ut natta"
    return said and _ends_a_bare_hour(tokens, i, rules)


def said_twice(tokens: list[Tok]) -> bool:
    """ "temperaturen var trettiåtte eh trettisju komma åtte", "vekt 61,4 eller 61,6": a
    measure said again right after itself with no correction cue (or with "eller"), the
    second close to the first. Which one holds is the nurse's to check."""
    numbers = [k for k, t in enumerate(tokens) if t.kind == "number" and t.value is not None]
    for a, b in zip(numbers, numbers[1:]):
        between = [t.lower for t in tokens[a + 1:b]]
        first, second = _measured(tokens[a]), _measured(tokens[b])
        if between in ([], ["eller"]) and first >= 10 and second >= 10 and \
                (tokens[a].decimals or tokens[b].decimals) and \
                abs(first - second) <= 0.1 * max(first, second):
            return True
    return False


def _measured(tok: Tok) -> float:
    return (tok.value or 0) + (float(f"0.{tok.decimals}") if tok.decimals else 0)
