"""Mask Norwegian national ID numbers (fødselsnummer, D-nummer, H-nummer) in any text.

An 11-digit number is masked when both check digits are valid (mod 11), so ordinary long
numbers are left alone — and also, whatever its check digits, right after a word that says it
is an ID ("fødselsnummer", "personnummer", "fnr"), since a misheard digit must not unmask it. Digits may be grouped "DDMMYY NNNNN" or spaced out, as an ASR
writes a number read aloud digit by digit.
"""

from __future__ import annotations

import re

MASK = "*" * 11
_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# 11 digits, optionally separated by single spaces, dots or dashes, not inside a longer number.
_CANDIDATE = re.compile(r"(?<![\d])(?:\d[ .\-]?){10}\d(?![\d])")


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = 11 - sum(d * w for d, w in zip(digits, weights)) % 11
    if remainder == 11:
        return 0
    return None if remainder == 10 else remainder


def is_national_id(number: str) -> bool:
    """True for a valid fødselsnummer, D-nummer (day + 40) or H-nummer (month + 40)."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 11:
        return False
    day = digits[0] * 10 + digits[1]
    month = digits[2] * 10 + digits[3]
    if day > 40:
        day -= 40
    if month > 40:
        month -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    return _check_digit(digits[:9], _WEIGHTS_1) == digits[9] and \
        _check_digit(digits[:10], _WEIGHTS_2) == digits[10]


_ID_CUE = re.compile(r"(?:fødselsnummer|fødselsnr|personnummer|personnr|fnr|d-nummer|"
                     r"h-nummer|fødselsnummeret|personnummeret)\W{0,3}$", re.IGNORECASE)


def mask_national_ids(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        cued = _ID_CUE.search(text[max(0, match.start() - 20):match.start()])
        return MASK if cued or is_national_id(match.group()) else match.group()

    return _CANDIDATE.sub(replace, text)


def contains_national_id(text: str) -> bool:
    return any(is_national_id(m.group()) for m in _CANDIDATE.finditer(text))
