"""Hours said without "klokka": "ved elleve", "sov fra fire", "kveldsbesøk 21", hours listed
after one clock word ("klokka ti, fjorten og atten") and the spans "mellom … og …" — each
told by the words around it, not by a clock word. The predicates `structuring.clock_times`
reads a sentence's times with; no state of their own.
"""

from __future__ import annotations

from structuring.tokens import Tok, _ends_a_bare_hour, _is_clock, _Rules, slept_before


_MINUTES_AFTER_OG = (15, 20)  # "klokka åtte og tjue": 08.20 (5 of 5 in the writers' gold)


def _bare_hour(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "ved elleve og sa …", "sovna rundt eitt.": an hour without "klokka", told by what
    follows it; not "rundt ti milliliter" nor a value said a few words before ("smerte
    rundt fire og …") — but "ved" says when, never a value ("ta blodsukker ved to")."""
    hour = _hour(tokens[i])
    if hour is None or not 1 <= hour <= 12 or not _ends_a_bare_hour(tokens, i, rules):
        return False
    return i > 0 and tokens[i - 1].lower == "ved" or not _value_told_before(tokens, i, rules)


def _listed_hour(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """A bare hour that ends a list of times: the end, a mark, a word that ends the list
    ("… tre og fem hos Olaug"), or "og" and another hour follows it — not "klokka åtte og
    to tabletter"."""
    hour = _hour(tokens[i])
    # "klokka 10 og 14": an afternoon hour; "og femten", "og tjue" are minutes (below)
    if hour is None or not 1 <= hour <= 23 or \
            hour in _MINUTES_AFTER_OG and not _after_a_24_hour_clock_hour(tokens, i):
        return False
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if after is None or after.kind == "punct":
        return True
    following = tokens[i + 2] if i + 2 < len(tokens) else None
    if after.lower in (",", "og") and _hour(following) is not None:
        return _listed_hour(tokens, i + 2, rules)
    return after.lower in rules.list_ends_before


def on_the_24_hour_clock(hour: str) -> bool:
    """ "08", "09": an hour written with its zero, on the 24-hour clock."""
    return len(hour) == 2 and hour.startswith("0") and hour.isdigit()


def _after_a_24_hour_clock_hour(tokens: list[Tok], i: int) -> bool:
    """ "kl. 08 og 20": the hour before "og" written on the 24-hour clock, so "20" is an
    hour too."""
    before = tokens[i - 2].text if i >= 2 and tokens[i - 1].lower == "og" else ""
    return tokens[i].text.isdigit() and on_the_24_hour_clock(before)


def _slept_from(out: list[Tok], rules: _Rules) -> bool:
    """ "sov fra fire", "søv igjen frå om lag tre", "våken fra tre": when a sleep began."""
    k = len(out) - 1 - _about_words_before(out, rules, rules.span_starts)
    return k >= 1 and out[k].lower in rules.span_starts and slept_before(out, k, rules)


def _between_ends(out: list[Tok], tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "mellom klokka elleve og seks om natta": the hour after "og" ends the span."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return len(out) > 2 and out[-3].lower == "mellom" and out[-1].lower == "og" and \
        (_hour(tokens[i]) or 0) >= 1 and not _measure(nxt, rules)


def _last_listed(tokens: list[Tok], j: int, rules: _Rules, between: bool = False
                 ) -> int | None:
    """The last of the hours listed right after a time that ends at `j` ("klokka tolv, to
    og fire i natt": "fire"; "mellom klokka elleve og seks om natta": "seks"), or None."""
    if between and j + 1 < len(tokens) and tokens[j].lower == "og" and _hour(tokens[j + 1]):
        return j + 1
    first = j + (j < len(tokens) and tokens[j].text == ",")
    if (clocked := _clocked_hour(tokens, first, rules)) is not None:
        first = clocked  # "klokka elleve, klokka to og klokka fem i natt"
    elif first >= len(tokens) or _hour(tokens[first]) is None or \
            not _listed_hour(tokens, first, rules):
        return None
    k = first
    while True:
        joined = k + 1 < len(tokens) and tokens[k + 1].lower in (",", "og")
        if (clocked := _clocked_hour(tokens, k + 1 + joined, rules)) is not None:
            k = clocked
        elif joined and k + 2 < len(tokens) and _hour(tokens[k + 2]) is not None:
            k += 2
        else:
            return k


def _clocked_hour(tokens: list[Tok], k: int, rules: _Rules) -> int | None:
    """Where the hour of "klokka <hour>" starting at word k is, or None."""
    if k + 1 < len(tokens) and _is_clock(tokens[k], rules) and \
            _hour(tokens[k + 1]) is not None:
        return k + 1
    return None


def _value_told_before(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """A measurement named in the five words before word i ("smerte rundt fire og …",
    "pulsen gikk fra 9 til 11"): the number is its value, not an hour."""
    # … unless the measurement already has its value ("på rom fjorten fikk … ved ni")
    start = max(0, i - 5)
    return any((t.lower in rules.numeric_context or t.lower.startswith("smert")) and
               not any(_hour(u) is not None or u.text[:1].isdigit() for u in tokens[j + 1:i])
               for j, t in enumerate(tokens[start:i], start))


def _about_words_before(out: list[Tok], rules: _Rules,
                        after: set[str] | frozenset[str] = frozenset({"til"})) -> int:
    """How many of the last tokens written say "about" right after "til" (or a word of
    `after`: "sidan om lag ni i kveld")."""
    if len(out) < 2 or not any(t.lower in after for t in out[-4:-1]):
        return 0
    words = tuple(t.lower for t in out[-3:])
    for about in rules.span_approximately:
        if len(out) > len(about) and words[len(words) - len(about):] == about and \
                out[-1 - len(about)].lower in after:
            return len(about)
    return 0


def _said_on_the_24_hour_clock(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """ "var på toalettet tjuetre femten", "la seg tjueto null fem": an hour no 12-hour clock
    says, then its minutes (10-59, or "null" and a digit), and no unit after them."""
    at = lambda k: tokens[i + k] if i + k < len(tokens) else None
    hour, minutes = _hour(at(0)), at(1)
    if hour is None or not 13 <= hour <= 23 or minutes is None or minutes.kind != "number" \
            or minutes.decimals is not None or minutes.value is None:
        return False
    if minutes.lower == "null":
        said, after = _hour(at(2)) is not None and at(2).value < 10, at(3)
    else:
        said, after = 10 <= minutes.value < 60, at(2)
    return said and not _measure(after, rules) and \
        (after is None or after.lower not in ("komma", "av", "over", "prosent", "%"))


_PART_OF_DAY_NEXT = {("i", "kveld"), ("i", "natt"), ("i", "ettermiddag"), ("til", "kvelds")}


def _an_evening_hour_alone(tokens: list[Tok], i: int, previous: str, rules: _Rules) -> bool:
    """ "kveldsbesøk 21", "ved 21 i kveld", "Lipitor 20 mg 21 i kveld" (not "i stedet for 20 i
    kveld", a dose): an hour no 12-hour clock says, alone, after a visit or an "about" word
    or before the part of the day."""
    hour, nxt = _hour(tokens[i]), (tokens[i + 1] if i + 1 < len(tokens) else None)
    if hour is None or not 13 <= hour <= 23 or _measure(nxt, rules) or \
            nxt is not None and (nxt.kind == "number" or nxt.lower in ("komma", "av", "over")) \
            or _value_told_before(tokens, i, rules):  # "respirasjonsfrekvens rundt 22"
        return False
    return tuple(t.lower for t in tokens[i + 1:i + 3]) in _PART_OF_DAY_NEXT and \
        previous not in ("for", "av", "til", "enn", "med", "på") or \
        previous in rules.bare_hour_after or previous.endswith(rules.visit_opening_line)


def _hour(tok: Tok | None) -> int | None:
    if tok is None or tok.kind != "number" or tok.decimals is not None or tok.value is None:
        return None
    return int(tok.value) if 0 <= tok.value <= 24 else None


def _measure(tok: Tok | None, rules: _Rules) -> bool:
    return tok is not None and (tok.lower in rules.units or tok.lower in rules.count_words)
