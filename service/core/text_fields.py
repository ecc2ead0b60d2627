"""Text that may be stored: no NUL, no control characters, valid Unicode.

A NUL byte is a driver error on PostgreSQL and a truncation hazard elsewhere; control
characters and mangled bytes (U+FFFD from undecodable input, lone surrogates) in a patient
reference would file a note under a reference nobody can type. Such input is refused with 422
naming the field, never stored "cleaned".
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

_ALLOWED_IN_TEXT = {"\n", "\r", "\t"}


def _problem_in(value: str, allowed: set[str]) -> str | None:
    for char in value:
        if char in allowed:
            continue
        if char == "\x00":
            return "contains a NUL character"
        if char == "\ufffd":
            return "is not valid UTF-8"
        category = unicodedata.category(char)
        if category == "Cs":
            return "is not valid Unicode (lone surrogate)"
        if category == "Cc":
            return f"contains a control character (U+{ord(char):04X})"
    return None


def single_line(value: str) -> str:
    """A short field (reference, type, device): no line breaks or control characters."""
    problem = _problem_in(value, set())
    if problem:
        raise ValueError(problem)
    return value


def multi_line(value: str) -> str:
    """Free text (a note): line breaks and tabs allowed, other control characters not."""
    problem = _problem_in(value, _ALLOWED_IN_TEXT)
    if problem:
        raise ValueError(problem)
    return value


SingleLine = Annotated[str, AfterValidator(single_line)]
MultiLine = Annotated[str, AfterValidator(multi_line)]
