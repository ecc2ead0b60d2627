"""Findings told by what the nurse sensed rather than named: a smell said with a verb
("urinen lukter sterkt", "det luktar ikkje") and blood looked for and not seen in what came
out ("tynn avføring, ingen blod"). Word lists and the reasons for each convention are in
`data/findings.json` (`smells`, `absent_from`).
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
    return _smells(text, rules) + _absent_from(text, rules)


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
