"""Findings read from how a thing is described: "huden er tørr på hælene" (a predicate),
"hovent og varmt kne" (adjectives before their thing), "gult slim" (an attribute), "puls 96
og uregelmessig" (after a value), and what is sensed ("luktar"). Split out of
`structuring.findings` (forty-third pass), which finds the rest and files them all."""

from __future__ import annotations

import re
from functools import lru_cache

from structuring.entities import Found
from structuring.finding_places import place_after, place_of, skin_around
from structuring.lexicon import IdentityCache, alternation
from structuring.negation import is_negated
from structuring.rules import load_rules
from structuring.sensed_findings import NOT, sensed_findings


def described_findings(text: str, rules: dict, told: str = "") -> list[Found]:
    """'huden er tørr på hælene' → tørr hud på hælene; 'kvitt slim, ikkje gult' → two."""
    out: list[Found] = []
    # The fuller reading first: 'tørr og flassete hud' is not also 'flassete hud'.
    for found in (_predicated(text, rules, told), _paired_adjectives(text, rules),
                  _attributed(text, rules), _after_a_value(text, rules),
                  sensed_findings(text, rules)):
        out += [f for f in found if not any(o.start < f.end and f.start < o.end for o in out)]
    return out


def _predicated(text: str, rules: dict, told: str = "") -> list[Found]:
    """'huden på ryggen er tørr og flassete' → 'tørr og flassete hud på ryggen'. A place
    between noun and verb that is no body part is left out ('urinen i posen er mørk'); a
    normal state before 'og ikke' is no finding ('magen er myk og ikke øm' → 'øm mage').
    Also with the verb first ('i dag var urinen grumsete') and, as terse notes say it, with
    no verb at a clause's start ('Slimhinnene tørre, ikke sopp', 'og tunga belagt')."""
    out: list[Found] = []
    for m in (m for pattern in _predicate_patterns() for m in pattern.finditer(text)):
        if any(o.start < m.end() and m.start() < o.end for o in out):
            continue
        side, base = m.group("side").lower(), rules["predicates"]["nouns"][m.group("noun").lower()]
        if m.group("adj").lower() in rules["predicates"]["normal_for"].get(base, ()):
            continue  # "bleia var tørr"
        said = " ".join(w for w in m.group("adj", "and", "adj2") if w).lower()
        # 'huden på setet er heil, men raud over halebeinet': the place of the finding
        where = (m.group("place") or m.group("at") or "").lower() or \
            (skin_around(f"{told} {text[:m.start()]}", rules) if m.group("around") else "")
        negated = bool(m.group("not")) or is_negated(text, m.start("noun"), m.end("noun"))
        out.append(Found("finding", f"{said} {side}{base}{where}", m.start(), m.end(),
                         negated=negated))
        if denied := (m.group("but_not") or "").lower():  # "raud, men ikkje sår": a sore
            alone = denied in rules["predicates"]["denied_alone"]
            out.append(Found("finding", denied if alone else f"{denied} {base}",
                             m.start("but_not"), m.end("but_not"), negated=True))
    return out


@lru_cache(maxsize=1)
def _predicate_patterns() -> tuple[re.Pattern[str], ...]:
    """The noun, then the verb ('huden er tørr'); the verb, then the noun ('var huden
    tørr'); the noun at a clause's start with no verb ('Huden tørr på hælene')."""
    rules = load_rules("findings")  # (its predicates: the writers' phrases play no part)
    pred = rules["predicates"]
    adjectives, degree = alternation(pred["adjectives"]), alternation(pred["degree"])
    place, verbs = place_of(rules), alternation(pred["verbs"])
    subject = (rf"(?P<side>(?:(?:{alternation(rules['sides'])}) )?)"
               rf"(?P<noun>{alternation(pred['nouns'])})")
    # 'huda hennar er tynn', 'urinen er, mørk' (Whisper's comma)
    where_said = (rf"(?:\s(?:hans|hennes|hennar|sin|si|sitt|sine))?"
                  rf"(?:(?P<at>{place})|\s(?:i|på)\s[\wæøå]+|(?P<around>\srundt))?")
    # a degree word before either state is not filed: 'mørk og litt grumsete' → 'mørk og
    # grumsete urin' (the tune writers' gold: 10 of 14 such pairs)
    state = (rf"(?:(?:{degree}) )?(?:(?:{alternation(pred['normal'])})(?: og|,? men) )?"
             rf"(?P<not>{NOT} )?(?:(?:{degree}) )?(?P<adj>{adjectives})"
             rf"(?: (?P<and>og|eller) (?:(?:{degree}) )?(?P<adj2>{adjectives}))?\b"
             rf"(?P<place>{place})?(?:,? (?:men )?{NOT} (?P<but_not>{adjectives})\b)?")
    clause_start = r"(?:^|(?<=[.,;:!?] )|(?<=\bog ))"
    return tuple(re.compile(p, re.I) for p in (
        rf"\b{subject}{where_said} (?:{verbs}),? {state}",
        rf"\b(?:{verbs}) {subject}{where_said} {state}",
        rf"{clause_start}{subject}{where_said} {state}"))


def _paired_adjectives(text: str, rules: dict) -> list[Found]:
    """'hovent og varmt kne', 'tørre og sprukne lepper': two findings on one thing are one;
    'raude hælar', 'tørr munn': one said before its thing."""
    pred = rules["predicates"]
    out = []
    for m in _paired_of(rules).finditer(text):
        said, *_, thing = m.group().lower().split()
        if said in pred["normal_for"].get(thing, ()) and not re.search(" og | eller ", m.group()):
            continue  # "hadde tørr bleie"
        place, end, _ = place_after(text, m.end(), rules)
        out.append(Found("finding", m.group().lower() + place, m.start(), end,
                         negated=is_negated(text, m.start(), end)))
    return out


_PAIRED = IdentityCache(limit=4)


def _paired_of(rules: dict) -> re.Pattern[str]:
    """The pattern of an adjective (or two) before its thing, built once per rule set."""
    pattern = _PAIRED.get(rules)
    if pattern is None:
        pred = rules["predicates"]
        pattern = _paired_pattern(alternation(pred["adjectives"]), alternation(sorted(
            set(rules["body_parts"]) | set(pred["nouns"].values()) | set(rules["attributes"]))))
        _PAIRED.put(rules, pattern)
    return pattern


@lru_cache(maxsize=4)
def _paired_pattern(adjectives: str, things: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{adjectives})(?: (?:og|eller) (?:{adjectives}))? (?:{things})"
                      r"(?![\wæøå])", re.I)


@lru_cache(maxsize=64)
def _attribute_pattern(noun: str, colours: tuple[str, ...]) -> re.Pattern[str]:
    said, kinds = "|".join(colours), "|".join(c for c in colours if c != "mye")
    # 'gult eller grønt', 'grønt, seigt' (but 'mye gulgrønt sekret' is how much of it)
    return re.compile(rf"\b((?:{kinds})(?: eller |,? og |,? )(?:{said})|{said}) {noun}\b"
                      rf"(?:,? (?:men )?{NOT} ({said})\b)?", re.I)


def _attributed(text: str, rules: dict) -> list[Found]:
    """'gult slim', 'gult eller grønt slim'; 'kvitt slim, ikkje gult' (the second negated)."""
    out = []
    lower = text.lower()
    for noun, colours in rules["attributes"].items():
        if noun not in lower:  # (a pattern per noun: most sentences name none of them)
            continue
        for m in _attribute_pattern(noun, tuple(colours)).finditer(text):
            place, end, _ = place_after(text, m.end(), rules) if not m.group(2) else \
                ("", m.end(), False)
            out.append(Found("finding", f"{m.group(1).lower()} {noun}{place}", m.start(), end,
                             negated=is_negated(text, m.start(), end)))
            if m.group(2):
                out.append(Found("finding", f"{m.group(2).lower()} {noun}", m.start(2),
                                 m.end(2), negated=True))
    return out


def _after_a_value(text: str, rules: dict) -> list[Found]:
    """'puls 96 og uregelmessig' → 'uregelmessig puls'."""
    out = []
    for noun, adjectives in rules["value_then_adjective"].items():
        # 'puls 92 og litt uregelmessig': a degree word is not filed
        said = re.compile(rf"\b{noun}(?:en|a)?(?:\s(?:er|var|va|e))?(?:\s\d{{2,3}})?,?"
                          rf"(?:\sog)?(?:\s(?:litt|noe|noko|lett|svakt))?"
                          rf"\s({alternation(adjectives)})\b", re.I)
        out += [Found("finding", f"{m.group(1).lower()} {noun}", m.start(), m.end(),
                      negated=False) for m in said.finditer(text)]
    return out
