"""The codes of ValueSets and CodeSystems in a FHIR conformance folder (for required
bindings): ValueSets are expanded from their `compose` (include/exclude, nested value sets,
`is-a`/`descendent-of` filters) over the folder's CodeSystems, or taken from `expansion`."""

from __future__ import annotations

from collections.abc import Iterable

from structuring.fhir_conformance import many


class Terminology:
    """The code systems and value sets of one folder, expanded on demand."""

    def __init__(self, code_systems: dict[str, dict], value_sets: dict[str, dict]) -> None:
        self._code_systems = code_systems  # url → CodeSystem
        self._value_sets = value_sets  # url → ValueSet
        self._expansions: dict[str, dict[str, frozenset[str] | None] | None] = {}

    def codes(self, key: str) -> frozenset[str]:
        """All codes of a ValueSet or CodeSystem (URL, id or name); KeyError if unknown."""
        expansion = self.expansion(key) or self.expansion(self._find_terminology(key))
        if expansion is None:
            raise KeyError(f"no ValueSet or CodeSystem {key!r} in the conformance folder")
        return frozenset(c for codes in expansion.values() if codes for c in codes)

    def _find_terminology(self, key: str) -> str:
        wanted = {key, key.lower()}
        for table in (self._value_sets, self._code_systems):
            for url, resource in table.items():
                names = {str(resource.get("id", "")), str(resource.get("name", "")),
                         url.rsplit("/", 1)[-1]}
                names |= {n.rsplit(".", 1)[0] for n in names if "." in n}
                if wanted & (names | {n.lower() for n in names}):
                    return url
        return key

    def expansion(self, url: str, seen: frozenset[str] = frozenset()
                   ) -> dict[str, frozenset[str] | None] | None:
        """system → its codes in the value set (None: system not in the folder, any code).
        Memoised; the service shares one ProfileSet between threads, and a finished
        expansion is stored in one assignment."""
        url = url.split("|", 1)[0]
        if url in self._expansions:
            return self._expansions[url]
        if url in seen:
            return {}  # a value set including itself adds nothing more
        expansion = self._expand(url, seen | {url})
        self._expansions[url] = expansion
        return expansion

    def _expand(self, url: str, seen: frozenset[str]
                ) -> dict[str, frozenset[str] | None] | None:
        if url in self._code_systems:
            return {url: frozenset(_concepts(self._code_systems[url]))}
        value_set = self._value_sets.get(url)
        if value_set is None:
            return None
        out: dict[str, set[str] | None] = {}
        contains = many(value_set.get("expansion", {}).get("contains"))
        for item in contains:
            out.setdefault(item.get("system", ""), set()).add(str(item.get("code")))
        compose = value_set.get("compose") or {}
        for include in many(compose.get("include")):
            for system, codes in self._include(include, seen).items():
                if codes is None or out.get(system, set()) is None:
                    out[system] = None
                else:
                    out.setdefault(system, set()).update(codes)
        for exclude in many(compose.get("exclude")):
            for system, codes in self._include(exclude, seen).items():
                if codes and out.get(system):
                    out[system] -= codes
        return {s: None if c is None else frozenset(c) for s, c in out.items()}

    def _include(self, include: dict, seen: frozenset[str]) -> dict[str, set[str] | None]:
        out: dict[str, set[str] | None] = {}
        for nested in many(include.get("valueSet")):
            for system, codes in (self.expansion(str(nested), seen) or {}).items():
                out[system] = None if codes is None else set(codes)
        system = include.get("system")
        if not system:
            return out
        listed = {str(c.get("code")) for c in many(include.get("concept"))}
        known = self._code_systems.get(system)
        if listed:
            out[system] = listed
        elif known is None:
            out[system] = None
        else:
            hierarchy = _concepts(known)
            codes = set(hierarchy)
            for rule in many(include.get("filter")):
                if rule.get("op") in ("is-a", "descendent-of") and rule.get("value") in hierarchy:
                    codes &= _descendants(hierarchy, str(rule["value"]),
                                          rule.get("op") == "is-a")
            out[system] = codes
        return out


def _concepts(code_system: dict) -> dict[str, str | None]:
    """code → parent code, over the nested concept tree."""
    out: dict[str, str | None] = {}

    def walk(concepts: Iterable, parent: str | None) -> None:
        for concept in concepts:
            code = str(concept.get("code"))
            out[code] = parent
            walk(many(concept.get("concept")), code)

    walk(many(code_system.get("concept")), None)
    return out


def _descendants(hierarchy: dict[str, str | None], root: str, inclusive: bool) -> set[str]:
    out = {root} if inclusive else set()
    for code, parent in hierarchy.items():
        while parent is not None:
            if parent == root:
                out.add(code)
                break
            parent = hierarchy.get(parent)
    return out
