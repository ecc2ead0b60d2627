"""Findings told by what the nurse sensed rather than named: a smell said with a verb
("urinen lukter sterkt", "det luktar ikkje") and blood looked for and not seen in what came
out ("tynn avføring, ingen blod"), and a state said of a sore place named before it ("vondt
i håndleddet, og det var hovent"). Word lists and the reasons for each convention are in
`data/findings.json` (`smells`, `absent_from`, `said_of_the_sore_place`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from structuring.entities import Found
from structuring.lexicon import alternation
from structuring.rules import load_rules

# the words that deny a state said right after them ("hosta ikkje", "men ikkje vassen")
NOT = r"(?:ikke|ikkje|itj|inte|kje|itte|ittje)"


def sensed_findings(text: str, rules: dict) -> list[Found]:
    return _smells(text, rules) + _absent_from(text, rules) + _said_of_the_sore_place(text, rules)


def _said_of_the_sore_place(text: str, rules: dict) -> list[Found]:
    """ "Hu hadde vondt i venstre håndledd, og det var hovent og feilstilt" → 'hovent og
    feilstilt håndledd': what the place looked like, said of it with "det" after the pain."""
    out = []
    for m in _sore_place_pattern().finditer(text):
        said_noun = m.group("noun").lower()
        noun = rules["predicates"]["nouns"].get(said_noun, said_noun)
        if m.group("it").lower() == "det" and not _neuter(said_noun, noun, rules):
            continue  # "vondt i ankelen, det var hovent": no "hovent ankel" to file
        said = " og ".join(a.lower() for a in m.group("adj", "adj2") if a)
        out.append(Found("finding", f"{said} {noun}", m.start("adj"), m.end(), negated=False))
    return out


def _neuter(said: str, noun: str, rules: dict) -> bool:
    """Whether a state said of it with "det" fits the place ("kneet", "håndledd")."""
    definite = rules["predicates"]["nouns"]
    return said.endswith("et") or any(k.endswith("et") and v == noun for k, v in definite.items())


@lru_cache(maxsize=1)
def _sore_place_pattern() -> re.Pattern[str]:
    rules = load_rules("findings")
    sore = rules["said_of_the_sore_place"]
    nouns = alternation(tuple(rules["body_parts"]))
    states = alternation((*rules["predicates"]["adjectives"], *sore["states"]))
    degree = alternation(rules["predicates"]["degree"])
    return re.compile(
        rf"\b(?:{alternation(sore['pain'])})\si\s(?:(?:{alternation(rules['sides'])})\s)?"
        rf"(?P<noun>{nouns})(?![\wæøå])[^.;:!?]{{0,40}}?\b(?P<it>det|den)\s"
        rf"(?:{alternation(sore['was'])})\s"
        rf"(?:(?:{degree})\s)?(?P<adj>{states})(?:\s(?:og|,)\s(?P<adj2>{states}))?(?![\wæøå])",
        re.I)


def _smells(text: str, rules: dict) -> list[Found]:
    """'Urinen er mørk og lukter vondt' → 'urinen lukter vondt' (the state is its own
    finding); 'det lukter litt surt' → 'lukter surt'; 'det luktar ikkje' → 'lukt', absent."""
    out = []
    for m in _smell_pattern().finditer(text):
        if m.group("not"):
            out.append(Found("finding", "lukt", m.start("verb"), m.end(), negated=True))
            continue
        subject = (m.group("subject") or "").lower()
        value = f"{subject} " * bool(subject) + f"{m.group('verb')} {m.group('how')}".lower()
        out.append(Found("finding", value, m.start("verb"), m.end("how"), negated=False))
        noun = rules["predicates"]["nouns"].get(subject)
        if m.group("then") and noun:
            out.append(Found("finding", f"{m.group('then').lower()} {noun}", m.start("then"),
                             m.end("then"), negated=False))
    return out


@lru_cache(maxsize=1)
def _smell_pattern() -> re.Pattern[str]:
    rules = load_rules("findings")
    smells, degree = rules["smells"], alternation(rules["predicates"]["degree"])
    # What smelled, said first: 'urinen lukter', 'urinen i bleia va mørk og lukta', 'var
    # urinen grumsete og lukta'.
    subject = (rf"(?:\b(?P<subject>{alternation(smells['subjects'])})"
               rf"(?:\s(?:i|på)\s[\wæøå]+)?(?:,?\s(?:(?:er|var|va|e|vart|ble)\s)?[\wæøå]+"
               rf"(?:\s(?:og|,)\s[\wæøå]+)?)?,?\s(?:og\s)?)?")
    how = rf"(?:(?:{degree})\s)?(?P<how>{alternation(smells['qualities'])})(?![\wæøå])"
    # … and a state said after it: 'urinen lukter sterkt og er mørk'
    states = alternation(rules["predicates"]["adjectives"])
    then = rf"(?:\s+og\s+(?:er|e|var|va)\s+(?P<then>{states})(?![\wæøå]))?"
    return re.compile(rf"{subject}(?P<verb>\b(?:{alternation(smells['verbs'])}))\s"
                      rf"(?:(?P<not>{NOT})(?![\wæøå])|{how}{then})", re.I)


def _absent_from(text: str, rules: dict) -> list[Found]:
    """'Urinen er lys og uten blod' → 'blod i urinen', absent: blood (or grit, or both: 'ingen
    blod eller grums') not seen in the thing named before it in the same sentence. With
    nothing named ('det er ikke blod nå', after a nosebleed) it is no finding the gold files.
    Blood seen in it is filed the same way ('urinen er rosa med litt blod'), not absent; a
    sore only in the mouth ('munnen er tørr men utan sår' → 'sår i munnen')."""
    absent = rules["absent_from"]
    out = []
    for m in _absent_pattern().finditer(text):
        seen = _last_seen(text[:m.start()], absent["seen_in"])
        if not seen:
            continue
        where = absent["seen_in"][seen]
        only_in = absent["only_in"].get(m.group("what").lower().split()[0])
        if only_in is not None and where not in only_in:
            continue  # "urinen er klar, ingen sår": no wound is looked for in the urine
        if where == "avføringen" and seen in ("avføring", "avføringar") \
                and _sounds_nynorsk(text, absent["nynorsk_words"]):
            where = "avføringa"
        out.append(Found("finding", f"{m.group('what').lower()} i {where}", m.start(), m.end(),
                         negated=not m.group("seen")))
    return out


def _last_seen(before: str, seen_in: dict[str, str]) -> str | None:
    # `before` is one sentence's start: "ca. 50 ml" has a full stop of its own
    found = [(m.start(), m.group())
             for m in _seen_pattern(tuple(seen_in)).finditer(before.lower())]
    return max(found)[1] if found else None


@lru_cache(maxsize=1)
def _absent_pattern() -> re.Pattern[str]:
    absent = load_rules("findings")["absent_from"]
    joined = alternation(absent["joined_things"])
    return re.compile(rf"\b(?:{alternation(absent['negations'])}|"
                      rf"(?P<seen>{alternation(absent['seen_with'])}))\s"
                      rf"(?P<what>(?:{alternation((*absent['things'], *absent['only_in']))})"
                      rf"(?:\s(?:eller|og)\s(?:{joined}))?)(?![\wæøå])"
                      # 'ingen blod i urinen' names its place: the finding rules file it.
                      # ("… med litt blod i dag": a day, no place)
                      r"(?!\s(?:i|på|fra|frå|eller)\s(?!(?:dag|natt|går|morges|kveld)\b))",
                      re.I)


@lru_cache(maxsize=2)
def _seen_pattern(things: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation(things)})(?![\wæøå])")


def _sounds_nynorsk(text: str, words: list[str]) -> bool:
    return _words_pattern(tuple(words)).search(text) is not None


@lru_cache(maxsize=2)
def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alternation(words)})\b", re.I)
