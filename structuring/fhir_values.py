"""Reading values out of FHIR R4 instances (JSON dicts) the way profiles describe them: a
dotted path through repeating elements, pattern and fixed values, and the codes of a code,
Coding or CodeableConcept. Used by `structuring.fhir_profiles`; separate because it knows
nothing of profiles.
"""

from __future__ import annotations

from structuring.fhir_conformance import many


def values_at(value: object, path: str) -> list:
    """Every value at a dotted path, through repeating elements."""
    values = [value]
    if path == "$this":
        return values
    for part in path.split("."):
        values = [v for item in values if isinstance(item, dict) for v in many(item.get(part))]
    return values


def matches(value: object, expected: object, *, exact: bool = False) -> bool:
    """Does `value` have `expected` (pattern: at least its parts; exact: nothing else).

    XML gives single-item lists as single values, so a list and a single value match
    when the list holds one that matches.
    """
    if isinstance(expected, list):
        items = many(value)
        return all(any(matches(v, e, exact=exact) for v in items) for e in expected) \
            and (not exact or len(items) == len(expected))
    if isinstance(value, list):
        return (not exact or len(value) == 1) and any(matches(v, expected, exact=exact)
                                                      for v in value)
    if isinstance(expected, dict):
        if not isinstance(value, dict):
            return False
        if exact and set(value) - set(expected) - {"id", "extension"}:
            return False
        return all(matches(value.get(k), v, exact=exact) for k, v in expected.items()
                   if k not in ("id", "extension"))
    if value is None:
        return False
    return primitive_text(value) == primitive_text(expected)


def primitive_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def codings(value: object) -> list[tuple[str | None, str]] | None:
    """(system, code) pairs of a code, Coding or CodeableConcept; None: not a coded type."""
    if isinstance(value, str):
        return [(None, value)]
    if not isinstance(value, dict):
        return None
    if "coding" in value or "text" in value and "code" not in value:
        return [(system_of(c.get("system")), str(c.get("code"))) for c in many(value.get("coding"))
                if isinstance(c, dict) and c.get("code") is not None]
    if "code" in value:
        return [(system_of(value.get("system")), str(value["code"]))]
    return None


def system_of(value: object) -> str | None:
    return None if value is None else str(value)
