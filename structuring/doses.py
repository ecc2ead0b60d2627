"""How a dose is said and how the note writes it: "10 mikrogram per time" is "10
mikrogram/t", "en og en halv tablett" is "1.5 tabletter", "ei halv tablett Sobril" is
"0.5 tablett", "fikk to Paracet" is "2 tabletter" (split out of `structuring.entities`,
thirty-seventh pass of issue 15)."""

from __future__ import annotations

import re
from functools import lru_cache

from structuring.rules import load_rules

NUM = r"\d+(?:,\d+)?"


def medication_rules() -> dict:
    return load_rules("medications")


def dose_units() -> tuple[str, ...]:
    return tuple(medication_rules()["dose_units"])


@lru_cache(maxsize=1)
def dose_unit_words() -> frozenset[str]:
    """The dose units as spoken words, lower case ("milligram", "tabletter", "ie")."""
    return frozenset(unit.lower() for unit in dose_units())


def _dot(value: str) -> str:
    return value.replace(",", ".")


@lru_cache(maxsize=4)
def dose_pattern(dose_units: tuple[str, ...]) -> re.Pattern[str]:
    units = "|".join(re.escape(u) for u in sorted(dose_units, key=len, reverse=True))
    # "OxyNorm 1 mg/ml": a strength per millilitre is no dose given.
    # "10 mikrogram per time": a patch's or a pump's dose is a rate ("10 mikrogram/t").
    return re.compile(rf"\b({NUM})\s?({units})(?![\wæøå])"
                      r"(?!\s?(?:/|per\s)\s?(?:ml|milliliter)\b)"
                      r"(?i:(?:\s(?:per|pr\.?|i)\s|/)(time|timen|døgn|døgnet)\b)?")


# "10 mikrogram/t": a rate written as the writers' gold writes it (6 of 9 rates per hour
# "/t", 2 "/time", 1 "per time").
_RATES = {"time": "t", "timen": "t", "døgn": "døgn", "døgnet": "døgn"}


def dose_said(dose: re.Match[str]) -> str:
    rate = f"/{_RATES[dose.group(3).lower()]}" if dose.group(3) else ""
    unit = _unit_written(dose.group(2))
    if unit in _MORE_THAN_ONE and _is_more_than_one(dose.group(1)):
        unit = _MORE_THAN_ONE[unit]  # "en og en halv tablett" is 1.5 tabletter
    return f"{_dot(dose.group(1))} {unit}{rate}"


_MORE_THAN_ONE = {"tablett": "tabletter", "kapsel": "kapsler", "pose": "poser",
                  "dråpe": "dråper", "ampulle": "ampuller", "stikkpille": "stikkpiller"}


def _is_more_than_one(number: str) -> bool:
    try:
        return float(_dot(number)) > 1
    except ValueError:
        return False


def _unit_written(unit: str) -> str:
    return medication_rules()["dose_unit_written"].get(unit.lower(), unit)


# "fikk to Paracet", "gi en ekstra tablett Burinex".
_COUNTED = re.compile(r"(?:^|\s)(1|2|3|4|en|ein|ei|én|eitt|ett|to|tre|fire)\s(?:ekstra\s)?"
                      r"(?:(tablett|tabletter|tablettar|kapsel|kapsler|kapslar)\s)?$", re.I)
_COUNT_WORDS = {"en": 1, "ein": 1, "ei": 1, "én": 1, "eitt": 1, "ett": 1, "to": 2, "tre": 3,
                "fire": 4}


_A_HALF = r"(?:(?:en|ein|ei|eitt|ett)\s)?(?:halv|halvt)\s(tablett|kapsel|pose|plaster)"
_HALF = re.compile(rf"\s{_A_HALF}\b", re.I)
_HALF_BEFORE = re.compile(rf"(?:^|\s){_A_HALF}\s$", re.I)


def half_said(text: str, name_start: int, name_end: int, clause_end: int) -> str | None:
    """ "Marevan ein halv tablett", "ei halv tablett Sobril": half a tablet is the dose
    ("0.5 tablett")."""
    m = _HALF.match(text, name_end, clause_end) or \
        _HALF_BEFORE.search(text, max(0, name_start - 30), name_start)
    return f"0.5 {m.group(1).lower()}" if m else None


def tablets_counted(text: str, name_start: int) -> str | None:
    """ "fikk to Paracet", "2 Pinex": a count right before the drug is that many tablets."""
    m = _COUNTED.search(text, max(0, name_start - 30), name_start)
    if m is None:
        return None
    n = int(m.group(1)) if m.group(1).isdigit() else _COUNT_WORDS[m.group(1).lower()]
    if m.group(2) and m.group(2).lower().startswith("kaps"):
        return "1 kapsel" if n == 1 else f"{n} kapsler"
    return "1 tablett" if n == 1 else f"{n} tabletter"


# "en halv tablett på 40 mg", "ein og ein halv tablett på 5 mg": a part of a tablet of a
# strength. The dose given is the part of the strength (20 mg, 7.5 mg); the strength alone
# would file twice what the patient got. Whole tablets keep the count the nurse said.
_STRENGTH = r"\s(?:på|à|a|av)\s"
_HALF_OF = re.compile(rf"(?:^|\s)(?:(?:en|ein|ei|eitt|ett)\s)?halv\s(?:tablett|tbl\.?)"
                      rf"{_STRENGTH}$", re.I)
_FRACTION_OF = re.compile(rf"{_STRENGTH}({NUM})\s?"
                          r"(mg|milligram|mikrogram|µg|g|gram)\b", re.I)


def part_of_a_tablet(text: str, dose: re.Match[str]) -> str | None:
    """The dose of a half tablet, or of one and a half, of the strength said after it."""
    if _HALF_OF.search(text, max(0, dose.start() - 30), dose.start()):
        return _part_of(0.5, dose.group(1), _unit_written(dose.group(2)))
    if _unit_written(dose.group(2)).startswith("tablett") and "," in dose.group(1):
        strength = _FRACTION_OF.match(text, dose.end())
        if strength:
            return _part_of(float(_dot(dose.group(1))), strength.group(1),
                            _unit_written(strength.group(2)))
    return None


def _part_of(part: float, strength: str, unit: str) -> str | None:
    if unit not in ("mg", "g", "mikrogram"):
        return None
    amount = part * float(_dot(strength))
    return f"{amount:g} {unit}"


_A_STRENGTH = re.compile(rf"(?:tablett\w*|tbl\.?){_STRENGTH}$", re.I)


def is_a_strength(text: str, start: int) -> bool:
    """ "… tablett på 5 mg": the tablets' strength, never a dose of its own."""
    return _A_STRENGTH.search(text, max(0, start - 30), start) is not None
