"""The heading line a dictation opens with: a shift, a care unit, a place or a room said
first without a mark ("kveldsvakt skjerma enhet | Sigurd …", "nattrapport rom fem | …")
is the note's first sentence. Split out of `structuring.spoken` (forty-third pass); the
words are data (`spoken_forms.json`: shift_headers, room_heading_shifts, …)."""

from __future__ import annotations

from structuring.sentence_cuts import device_after_heading
from structuring.tokens import Tok, _is_numberish, _Rules

# A mark said within this many words of a shift heading ends the heading there:
# "kveldsrapport korttid og rehabilitering Hamar punktum" is one heading line.
HEADING_LINE_WORDS = 6


def shift_header(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    """ "kveldsvakt Ragna Fjeld på rom 17 …" said without a mark: "Kveldsvakt." is the note's
    heading line, its own sentence; a care unit said with it belongs to the line
    ("kveldsvakt skjerma enhet | Sigurd …", "kveldsvakt rehabiliteringa på Leira | Anne …");
    "kveldsvakt på avdeling 2 …" goes on, and a heading the nurse ends herself ("nattevakt
    Storhamar punktum") ends there."""
    with_room = _room_heading_end(tokens, rules)
    if with_room is not None:
        return [*tokens[:with_room], Tok(".", kind="punct"), *tokens[with_room:]]
    device = device_after_heading([t.lower for t in tokens[:HEADING_LINE_WORDS + 3]], rules)
    if device is not None and all(t.kind in ("word", "number") for t in tokens[1:device]):
        return [*tokens[:device], Tok(".", kind="punct"), *tokens[device:]]
    if len(tokens) < 2 or tokens[0].lower not in rules.shift_headers or \
            tokens[1].kind != "word" or tokens[1].lower in rules.shift_header_goes_on or \
            any(t.kind not in ("word", "number") for t in tokens[1:1 + HEADING_LINE_WORDS]):
        return tokens
    end = _unit_words_end(tokens, 1, rules)
    if end < len(tokens):
        return [*tokens[:end], Tok(".", kind="punct"), *tokens[end:]]
    return tokens


def _room_heading_end(tokens: list[Tok], rules: _Rules) -> int | None:
    """ "kveldsvakt rom sju blodsukker …", "kveldsrapport Gratangen rom fire …": where the
    heading line of a shift and its room ends (data: time.room_heading_shifts) — after the
    room's number and a name said with it — where nothing is said there to end it."""
    place = len(tokens) > 2 and tokens[1].text[:1].isupper()  # said before the room
    k = 1 + (place and tokens[1].lower not in rules.room_words)
    if len(tokens) < k + 3 or tokens[0].lower not in rules.room_heading_shifts or \
            tokens[k].lower not in rules.room_words or not _unit_number(tokens[k + 1], rules):
        return None
    end = _place_end(tokens, k + 2, rules)  # "nattrapport rom fem Signe Brunkeberg"
    end = k + 2 if end == k + 3 else end  # "nattevakt rom fire Magnus sov": a name opens the next
    return end if end < len(tokens) and tokens[end].kind in ("word", "number") else None


def _unit_words_end(tokens: list[Tok], i: int, rules: _Rules) -> int:
    """Past the care unit said from tokens[i]: its words ("korttid og rehabilitering"),
    and where it is ("på Leira", "i Lillehammer")."""
    def unit(k: int) -> bool:
        return k < len(tokens) and tokens[k].lower.startswith(
            rules.shift_header_units + rules.home_care_units)
    if not unit(i) and unit(i + 1) and tokens[i].kind == "word":
        i += 1  # "nattrapport Førde sjukeheim …": the place before its unit
    while unit(i) or (i + 1 < len(tokens) and tokens[i].lower == "og" and unit(i + 1)) or \
            (i > 1 and unit(i - 1) and _unit_number(tokens[i], rules)):  # "avdeling 2"
        i += 1
    if i > 1 and i + 1 < len(tokens) and tokens[i].lower in ("på", "i", "frå", "fra") \
            and tokens[i + 1].text[:1].isupper():
        i += 2
        while unit(i):
            i += 1
    if tokens[i - 1].lower.startswith(rules.home_care_units):
        i = _place_end(tokens, i, rules)  # "hjemmetjenesten Karmøy nord"
    return i


def _place_end(tokens: list[Tok], i: int, rules: _Rules) -> int:
    """Past a place said from tokens[i]: up to two capitalised words and a part of town."""
    start = i
    while i < len(tokens) and i - start < 2 and tokens[i].text[:1].isupper():
        i += 1
    if i > start and i < len(tokens) and tokens[i].lower in rules.parts_of_town:
        i += 1
    return i


def _unit_number(tok: Tok, rules: _Rules) -> bool:
    """What numbers a unit: "avdeling 2", "avdeling ein", "avdeling B"."""
    return _is_numberish(tok, rules) or \
        (len(tok.text) == 1 and tok.text.isalpha() and tok.lower not in "iåeo")
