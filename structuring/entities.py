"""Clinical values from written sentences: vitals, pain, fluids, times, medications, findings.

Patterns work on the written form (digits, decimal comma, `kl. HH.MM`), so the spoken forms
are handled once, in `structuring.spoken`. Values are normalised as FORMAT.md asks: dot
decimals, 24-hour "HH:MM" times, generic drug names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from structuring.lexicon import find_phrases, phrase_pattern
from structuring.rules import load_rules

NUM = r"\d+(?:,\d+)?"


@dataclass(frozen=True)
class Found:
    """An entity found in one sentence, with its character span there."""

    type: str
    value: str
    start: int
    end: int
    dose: str | None = None
    route: str | None = None
    negated: bool | None = None
    brand: str | None = None


def _dot(value: str) -> str:
    return value.replace(",", ".")


_VITALS: dict[str, re.Pattern[str]] = {
    "vital.blood_pressure": re.compile(
        r"\b(?:blodtrykk(?:et)?|BT)\b[^.?!]{0,25}?\b(\d{2,3}/\d{2,3})\b", re.I),
    "vital.pulse": re.compile(r"\bpuls(?:en)?\b\D{0,15}?\b(\d{2,3})\b", re.I),
    "vital.temperature": re.compile(
        r"\b(?:temp(?:eratur(?:en)?)?|tempen)\b\D{0,15}?\b(\d{2},\d)\b", re.I),
    "vital.spo2": re.compile(
        r"\b(?:metning(?:a|en)?|o2-metning(?:a|en)?|oksygenmetning(?:a|en)?|saturasjon(?:en)?|"
        r"spo2)\b\D{0,15}?\b(\d{2,3})\b", re.I),
    "vital.respiratory_rate": re.compile(
        r"\b(?:respirasjonsfrekvens(?:en)?|respirasjon(?:en)?|resp|rf|pustefrekvens(?:en)?)\b"
        r"\D{0,15}?\b(\d{1,2})\b", re.I),
    "vital.blood_glucose": re.compile(
        r"\b(?:blodsukker(?:et)?|bs|blodsukkermåling(?:a|en)?)\b[^.?!]{0,25}?\b(\d{1,2}(?:,\d)?)\b",
        re.I),
    "pain_score": re.compile(
        r"\b(?:smerte(?:r|ne|n)?|nrs|smertescore|vas)\b\D{0,20}?\b(\d{1,2})\s?(?:av|/)\s?10\b",
        re.I),
}
_WEIGHT_TRIGGER = re.compile(r"\b(?:vekt(?:a|en)?|veide|veier|vog|veg)\b", re.I)
_WEIGHT_VALUE = re.compile(rf"\b(?:(mot|fra|til|te) )?({NUM})\s?(kg)?\b")
_TIME = re.compile(r"\bkl\. (\d{2})\.(\d{2})\b", re.IGNORECASE)
_FLUID = re.compile(r"\b(\d{2,4})\s?ml\b|\b(\d(?:,\d)?)\s?(?:liter|l)\b|"
                    r"\b(?:drukke[tn]?|drakk)\s(?:ca\.\s|rundt\s|bare\s|totalt\s)?(\d{3,4})\b(?!\s?\w)",
                    re.I)
_FLUID_CONTEXT = re.compile(r"\b(?:drukke[tn]?|drakk|drikk\w*|væske\w*|inntak\w*|drukke)\b",
                            re.I)


def _without_times(text: str) -> str:
    # "Blodsukker kl. 16.00 var 5,8": the time is no value, and its dots end no sentence.
    return _TIME.sub(lambda m: "kl  " + "xx xx", text)


def find_vitals(text: str) -> list[Found]:
    found = []
    text = _without_times(text)
    for kind, pattern in _VITALS.items():
        for match in pattern.finditer(text):
            found.append(Found(kind, _dot(match.group(1)), match.start(1), match.end(1)))
    found += _weights(text)
    found += _fluids(text)
    return found


def _weights(text: str) -> list[Found]:
    trigger = _WEIGHT_TRIGGER.search(text)
    if not trigger:
        return []
    out = []
    for match in _WEIGHT_VALUE.finditer(text, trigger.end()):
        value = float(_dot(match.group(2)))
        # A weight has kg, a decimal, or is compared with one ("… mot 63").
        said_as_weight = match.group(3) or "," in match.group(2) or (match.group(1) and out)
        if said_as_weight and 20 <= value <= 250:
            out.append(Found("vital.weight", _dot(match.group(2)), match.start(2), match.end(2)))
    return out


def _fluids(text: str) -> list[Found]:
    if not _FLUID_CONTEXT.search(text):
        return []
    out = []
    for match in _FLUID.finditer(text):
        if match.group(1) or match.group(3):
            value = match.group(1) or match.group(3)
        else:
            value = str(int(round(float(_dot(match.group(2))) * 1000)))
        out.append(Found("fluid_intake", value, match.start(), match.end()))
    return out


def find_times(text: str) -> list[Found]:
    return [Found("time", f"{m.group(1)}:{m.group(2)}", m.start(), m.end())
            for m in _TIME.finditer(text)]


def _medication_rules() -> dict:
    return load_rules("medications")


@lru_cache(maxsize=4)
def _dose_pattern(dose_units: tuple[str, ...]) -> re.Pattern[str]:
    units = "|".join(re.escape(u) for u in sorted(dose_units, key=len, reverse=True))
    # "OxyNorm 1 mg/ml": a strength per millilitre is no dose given.
    return re.compile(rf"\b({NUM})\s?({units})(?![\wæøå])"
                      r"(?!\s?(?:/|per\s)\s?(?:ml|milliliter)\b)")


@lru_cache(maxsize=4)
def _location_pattern(sides: tuple[str, ...], body_parts: tuple[str, ...]) -> re.Pattern[str]:
    parts = "|".join(sorted(map(re.escape, body_parts), key=len, reverse=True))
    part = rf"(?:(?:{'|'.join(sides)})\s)?(?:{parts})"
    return re.compile(rf"\s(?:i|på|ved|mellom|fra)\s{part}(?:\s(?:eller|og)\s{part})?"
                      r"(?![\wæøå])", re.I)


def find_medications(text: str) -> list[Found]:
    rules = _medication_rules()
    names = find_phrases(text, rules["names"])
    dose_re = _dose_pattern(tuple(rules["dose_units"]))
    route_re = phrase_pattern(tuple(rules["routes"]))
    out = []
    for k, match in enumerate(names):
        stop = names[k + 1].start() if k + 1 < len(names) else len(text)
        start = names[k - 1].end() if k > 0 else 0
        clause_end = _clause_end(text, match.end(), stop)
        dose = dose_re.search(text, match.end(), clause_end)
        if dose is not None and _dose_of_next(text, match.end(), dose, stop, clause_end):
            dose = None
        if dose is None:  # "2 tabletter Pinex": the dose may come first
            before = list(dose_re.finditer(text, _clause_start(text, start, match.start()),
                                           match.start()))
            dose = before[-1] if before else None
        route = route_re.search(text, match.end(), clause_end)
        out.append(Found(
            "medication", rules["names"][match.group().lower()], match.start(), match.end(),
            dose=f"{_dot(dose.group(1))} {dose.group(2)}" if dose else None,
            route=rules["routes"][route.group().lower()] if route else None,
            brand=match.group(),
        ))
    return out


def _dose_of_next(text: str, name_end: int, dose: re.Match[str], stop: int,
                  clause_end: int) -> bool:
    """"… med prednisolon, så tok han 40 mg prednisolon": a dose said right before the next
    drug name, words away from this one, is the next drug's ("Paracet 1 g Ibux" is not)."""
    return stop == clause_end and not text[dose.end():stop].strip() and \
        re.search(r"[\wæøå]", text[name_end:dose.start()]) is not None


def _clause_end(text: str, start: int, stop: int) -> int:
    end = re.search(r"[.;?!]", text[start:stop])
    return start + end.start() if end else stop


def _clause_start(text: str, lower: int, position: int) -> int:
    cut = max(text.rfind(",", lower, position), text.rfind(";", lower, position))
    return cut + 1 if cut >= 0 else lower


def _finding_rules() -> dict:
    return load_rules("findings")


def _negation_rules() -> dict:
    return load_rules("negation")


_PAIN_SCORE_AFTER = re.compile(r"\s\d{1,2}\s?(?:av|/)\s?10\b")


def find_findings(text: str) -> list[Found]:
    rules = _finding_rules()
    location = _location_pattern(tuple(rules["sides"]), tuple(rules["body_parts"]))
    out: list[Found] = _described_findings(text, rules)
    taken: list[tuple[int, int]] = [(f.start, f.end) for f in out]
    for match in find_phrases(text, rules["phrases"]) + find_phrases(text, rules["heads"]):
        if any(a < match.end() and match.start() < b for a, b in taken):
            continue
        end = match.end()
        if _PAIN_SCORE_AFTER.match(text, end):
            continue  # "smerte 2 av 10" is a pain score, not a finding
        extra = location.match(text, end)
        if extra:
            end = extra.end()
        taken.append((match.start(), end))
        value = text[match.start():end].lower()
        out.append(Found("finding", value, match.start(), end,
                         negated=is_negated(text, match.start(), end)))
    return sorted(out, key=lambda f: f.start)


_NOT = r"(?:ikke|ikkje|itj|inte)"


def _described_findings(text: str, rules: dict) -> list[Found]:
    """ "huden er tørr på hælene" → tørr hud på hælene; "kvitt slim, ikkje gult" → two."""
    out = []
    pred = rules["predicates"]
    nouns, adjectives = pred["nouns"], "|".join(pred["adjectives"])
    pattern = re.compile(
        rf"\b({'|'.join(nouns)}) (?:{'|'.join(pred['verbs'])}) (?:(?:{'|'.join(pred['degree'])}) )?"
        rf"({_NOT} )?(?:(?:{'|'.join(pred['degree'])}) )?({adjectives})\b"
        rf"(\s(?:på|i|rundt) [\wæøå]+)?(?:,? men {_NOT} ({adjectives})\b)?", re.I)
    for m in pattern.finditer(text):
        base = nouns[m.group(1).lower()]
        place = m.group(4) or ""
        negated = bool(m.group(2)) or is_negated(text, m.start(), m.end(1))
        out.append(Found("finding", f"{m.group(3).lower()} {base}{place.lower()}", m.start(),
                         m.end(), negated=negated))
        if m.group(5):
            out.append(Found("finding", f"{m.group(5).lower()} {base}", m.start(5), m.end(5),
                             negated=True))
    for noun, colours in rules["attributes"].items():
        said = re.compile(rf"\b({'|'.join(colours)}) {noun}\b(?:,? (?:men )?{_NOT} "
                          rf"({'|'.join(colours)})\b)?", re.I)
        for m in said.finditer(text):
            out.append(Found("finding", f"{m.group(1).lower()} {noun}", m.start(), m.end(),
                             negated=is_negated(text, m.start(), m.end())))
            if m.group(2):
                out.append(Found("finding", f"{m.group(2).lower()} {noun}", m.start(2),
                                 m.end(2), negated=True))
    return out


def is_negated(text: str, start: int, end: int) -> bool:
    """ConText: a pre-trigger in the same clause shortly before, or a post-trigger after."""
    rules = _negation_rules()
    words = re.findall(r"[\wæøå-]+|[,.;?!]", text[:start].lower())
    scope: list[str] = []
    for word in reversed(words):
        if word in rules["terminators"] or len(scope) >= rules["max_scope_tokens"]:
            break
        scope.insert(0, word)
    window = " ".join(scope)
    if window and phrase_pattern(tuple(rules["pre_triggers"])).search(window):
        return True
    after = text[end:end + 40].lower()
    return any(after.lstrip().startswith(t) for t in rules["post_triggers"])
