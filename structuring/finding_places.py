"""Where a finding is: the place said right after it ("under stortåa på høgre fot"), a
pressure ulcer's grade, and what "huden rundt" is around — the wound, stoma, insertion site
or catheter the dictation named last (data: `findings.json`, `places`, `body_parts`,
`skin_around`)."""

from __future__ import annotations

import re
from functools import lru_cache

from structuring.lexicon import alternation

PREPOSITIONS = r"(?:i|på|ved|rundt|under|over|bak|mellom|fra|frå)"


@lru_cache(maxsize=4)
def _place_regex(sides: tuple[str, ...], places: tuple[str, ...],
                 qualifiers: tuple[str, ...] = (), adverbs: tuple[str, ...] = ()) -> str:
    """One or two places ('under stortåa på høgre fot'); 'X og/eller Y' counts as one;
    'på undersida av venstre stortå'; 'nederst i magen'; the second of two places may say its
    own preposition ('rødme i lyskene eller under brystene')."""
    side = rf"(?:(?:{alternation(qualifiers)})\sav\s)?" if qualifiers else ""
    where = rf"(?:(?:{alternation(adverbs)})\s)?" if adverbs else ""
    part = rf"{side}(?:(?:{alternation(sides)})\s)?(?:{alternation(places)})"
    one = rf"\s{where}{PREPOSITIONS}\s{part}(?:\s(?:eller|og)\s(?:{PREPOSITIONS}\s)?{part})?" \
        r"(?![\wæøå])"
    return rf"(?:{one}){{1,2}}"


@lru_cache(maxsize=4)
def _location_pattern(place: str, grades: tuple[str, ...]) -> re.Pattern[str]:
    # A pressure ulcer's grade comes between the wound and its place.
    grade = rf"(?:\s(?:grad|kategori)\s(?P<grade>\d|{alternation(grades)}))"
    return re.compile(rf"{grade}?(?P<place>{place})?(?![\wæøå])", re.I)


def place_of(rules: dict) -> str:
    """The regex of a place said after a finding."""
    places = tuple(rules["body_parts"]) + tuple(rules["places"])
    return _place_regex(tuple(rules["sides"]), places, tuple(rules["place_qualifiers"]),
                        tuple(rules["place_adverbs"]))


def place_after(text: str, end: int, rules: dict) -> tuple[str, int, bool]:
    """The grade and place said right after a finding: (as filed, new end, has a place)."""
    m = _location_pattern(place_of(rules), tuple(rules["grade_words"])).match(text, end)
    if not m or m.end() == end:
        return "", end, False
    grade = m.group("grade")
    said = f" grad {rules['grade_words'].get(grade.lower(), grade)}" if grade else ""
    return said + (m.group("place") or "").lower(), m.end(), bool(m.group("place"))


def skin_around(told: str, rules: dict) -> str:
    """ "Huden rundt er rød og varm": around the wound, stoma or other site named last in
    what was told before (" rundt såret", " rundt stomien"); where none was named, "rundt" as
    said: no wound is filed where the nurse spoke of none."""
    sites = [(site, words) for site, words in rules["skin_around"].items()
             if not site.startswith("_")]
    pattern = _site_pattern(tuple((tuple(words.get("begins", ())), tuple(words.get("ends", ())))
                                  for _, words in sites))
    named = [m.lastgroup for m in pattern.finditer(told)]
    return f" rundt {sites[int(named[-1][1:])][0]}" if named else " rundt"


@lru_cache(maxsize=2)
def _site_pattern(sites: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]) -> re.Pattern[str]:
    """A site's words begin a word ("stomiplata") or end one ("leggsåret")."""
    groups = []
    for k, (begins, ends) in enumerate(sites):
        forms = [rf"(?<![\wæøå])(?:{alternation(begins)})[\wæøå]*"] if begins else []
        if ends:
            forms.append(rf"(?<![\wæøå])[\wæøå]*(?:{alternation(ends)})(?![\wæøå])")
        groups.append(rf"(?P<s{k}>{'|'.join(forms)})")
    return re.compile("|".join(groups), re.I)
