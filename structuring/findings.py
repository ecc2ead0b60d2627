"""Findings from written sentences as a nurse files them, with ConText negation ("ingen
rødme"; `structuring.negation`): short lower-case noun phrases (FORMAT.md) from word lists
that are data (`data/findings.json`, `data/negation.json`, each convention with its reasons).
A relative's state ("kona hans er sliten") is not the patient's; what is said but no finding
is in `structuring.not_findings`; which found ones a nurse files, `structuring.finding_filter`."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from structuring.described_findings import described_findings
from structuring.entities import PAIN_SCORE_AFTER, Found
from structuring.finding_places import place_after, place_of
from structuring.lexicon import IdentityCache, alternation, find_phrases, phrase_pattern
from structuring.negation import is_negated
from structuring.not_findings import said_as_no_finding
from structuring.rules import load_rules
from structuring.sensed_findings import NOT


@lru_cache(maxsize=1)
def _finding_rules() -> dict:
    rules = load_rules("findings")  # the writers' own phrases are matched as any other
    return {**rules, "phrases": [*rules["phrases"], *rules["phrases_as_filed"]]}


def relatives_named(text: str) -> tuple[str, ...]:
    """Names the dictation gives a relative ("kona Sissel", "Aud, kona hans"), so that
    "Sissel er sliten" later is read as hers, not the patient's."""
    pattern = _relative_names(tuple(_finding_rules()["not_the_patient"]))
    return tuple(sorted({m.group("after") or m.group("before") for m in pattern.finditer(text)}))


@lru_cache(maxsize=2)
def _relative_names(people: tuple[str, ...]) -> re.Pattern[str]:
    name = r"[A-ZÆØÅ][a-zæøå]+"
    kin = rf"(?i:{alternation(people)})"
    return re.compile(rf"\b{kin},?\s(?P<after>{name})\b|\b(?P<before>{name}),?\s{kin}"
                      rf"\s(?:hans|hennes|hennar|til\s(?:han|henne|ho))\b")


def find_findings(text: str, relatives: tuple[str, ...] = (), told: str = "") -> list[Found]:
    """The findings of one sentence; `told` is what the dictation said before it."""
    rules = _finding_rules()
    out: list[Found] = described_findings(text, rules, told)
    # "hoster opp grønt slim": the finding is the slim, not the cough.
    taken: list[tuple[int, int]] = [(f.start, f.end) for f in out] + [
        m.span() for m in find_phrases(text, rules["not_findings"])] + \
        said_as_no_finding(text, [f.start for f in out])
    needs_place = {w.lower() for w in rules["needs_location"]}
    # First match wins: 'sover urolig' before the head 'urolig', a phrase before its head.
    matches = (_manner_matches(text, rules) + find_phrases(text, rules["definite_nouns"])
               + find_phrases(text, rules["definite_forms"])
               + find_phrases(text, rules["phrases"]) + find_phrases(text, rules["heads"])
               + find_phrases(text, _intensified_heads()))
    for match in matches:
        if any(a < match.end() and match.start() < b for a, b in taken):
            continue
        if PAIN_SCORE_AFTER.match(text, match.end()) and \
                match.group().lower() not in rules["named_pains"]:
            continue  # "smerte 2 av 10" is a pain score; "hodepine 4 av 10" both (named_pains)
        said, after = _with_noun(text, match)
        place, end, has_place = place_after(text, after, rules)
        if not has_place and said in rules["shown_in_care"] and \
                not _SIGNS_OF.search(text, 0, match.start()) and \
                (care := _care_pattern(tuple(rules["care_places"])).match(text, end)):
            place, end = care.group().lower(), care.end()
        if said in rules["definite_nouns"]:
            if not has_place:
                continue  # "såret vart reinsa" is care, not a finding
            said = rules["definite_nouns"][said]
        elif said in rules["definite_forms"]:
            said = rules["definite_forms"][said]  # "Paracet mot feberen": she has a fever
        elif said in needs_place and not has_place:
            if not (said in rules["denied_alone"] and is_negated(text, match.start(), end)):
                continue  # "kul", "falt" alone say too little — but "hadde ikke falt" is told
            said = rules["denied_alone"][said]  # nynorsk "har ikkje falle": filed "fall"
        value, end = _when_it_comes(text, said, place, end, has_place, rules)
        if said.split(" ", 1)[0] in rules["sense_verbs"] and \
                (aid := _without_aid(tuple(rules["without_aid"])).match(text, end)):
            value, end = value + aid.group().lower(), aid.end()  # "ser dårlig uten briller"
        if habit := _habit_pattern(tuple(rules["habitual_times"])).match(text, end):
            value, end = value + habit.group().lower(), habit.end()  # "hoste om natta"
        if alone := _ALONE.match(text, end):
            value, end = value + alone.group().lower(), alone.end()  # "redd for å dø alene"
        if said in rules["feared"] and (feared := _FEARED.match(text, end)):
            # "redd for å falle"; "redd for å få føling igjen i natt" is filed without its
            # night (as "om natta", the habit, is kept)
            value = value + _WHEN_FEARED.sub("", feared.group().lower())
            end = feared.end()
        negated = is_negated(text, match.start(), end)
        if said in rules["only_when_absent"] and not negated:
            continue  # "hadde avføring i går": the normal course, no finding
        taken.append((match.start(), end))
        out.append(Found("finding", value, match.start(), end, negated=negated))
        if value != said and (but := _but_not_there(text, end, rules)):
            body = place if place.split(" ")[-1] in rules["body_parts"] else ""
            out.append(Found("finding", said + body + but.group("place").lower(), but.start(),
                             but.end(), negated=True))
            taken.append(but.span())
    people = tuple(rules["not_the_patient"]) + relatives
    # 'raudme og varme på venstre legg' (one word said first), then 'hovne ankler med
    # gropdannelse': each reads on over what follows it.
    found = _read_on(text, _read_on(text, out, _shared_place_pattern(), single_word=True),
                     _accompaniment_pattern(tuple(rules["accompanied_by"]), _attribute_phrases()))
    told = sorted((_with_modifiers(text, f, rules) for f in found
                   if not _about_someone_else(text, f.start, people)), key=lambda f: f.start)
    return _denied_together(text, [replace(f, value=_STILL.sub(" ", f.value)) for f in told])


# "ser framleis dårleg på venstre auge": how long a finding has lasted is not filed with it
# (no finding in the dev and tune gold holds "fortsatt", "framleis" or "fremdeles").
_STILL = re.compile(r"\s(?:fortsatt|framleis|fremdeles)\s")


def _denied_together(text: str, found: list[Found]) -> list[Found]:
    """'nekter for hodepine og svimmelhet': a finding joined by 'og' to a denied one is
    denied with it (ConText ends a negation's scope at 'og'; a list after it goes on)."""
    out = list(found)
    for i in range(1, len(out)):
        if out[i - 1].negated and not out[i].negated and \
                text[out[i - 1].end:out[i].start].lower() == " og ":
            out[i] = replace(out[i], negated=True)
    return out


def _read_on(text: str, found: list[Found], pattern: re.Pattern[str],
             single_word: bool = False) -> list[Found]:
    """Each finding extended over what `pattern` matches right after it; a finding inside
    that stretch is part of it, not one of its own."""
    out = list(found)
    for f in found:
        m = pattern.match(text, f.end)
        if not m or f not in out or (single_word and " " in f.value):
            continue
        out = [o for o in out if not (m.start() <= o.start and o.end <= m.end())]
        out[out.index(f)] = replace(f, value=f.value + m.group().lower(), end=m.end())
    return out


@lru_cache(maxsize=1)
def _shared_place_pattern() -> re.Pattern[str]:
    """'raudme og varme rundt såret', 'knatrelyder og pipelyder over høyre lunge': two
    findings said with one place are filed as one, as six of seven writers do. Joined by
    'eller' they stay two (the dev gold's 'sår', 'rødme mellom tærne')."""
    rules = _finding_rules()
    second = alternation(tuple(rules["heads"]) + tuple(rules["predicates"]["adjectives"]))
    return re.compile(rf"\sog\s(?:{second})(?:{place_of(rules)})", re.I)


@lru_cache(maxsize=1)
def _attribute_phrases() -> tuple[str, ...]:
    return tuple(f"{colour} {noun}" for noun, colours in _finding_rules()["attributes"].items()
                 for colour in colours)


@lru_cache(maxsize=2)
def _accompaniment_pattern(things: tuple[str, ...], attributes: tuple[str, ...]
                           ) -> re.Pattern[str]:
    """'hovne ankler med gropdannelse', 'hoste med grønt slim': what comes with a finding
    is part of it."""
    degree = alternation(_finding_rules()["predicates"]["degree"])
    return re.compile(rf"\smed\s(?:(?:{degree})\s)?(?:{alternation(things + attributes)})"
                      r"(?![\wæøå])", re.I)


_WORD_AFTER = re.compile(r"\s([\wæøå]+)")


def _with_noun(text: str, match: re.Match[str]) -> tuple[str, int]:
    """ "hoven fot", "marmorert hud på knærne": a finding word said before a body part
    describes it, and the finding is both."""
    said = match.group().lower()
    noun = _WORD_AFTER.match(text, match.end())
    side = ""
    if noun and noun.group(1).lower() in _finding_rules()["sides"]:
        # "hoven venstre ankel": the side, then the body part
        side, noun = f" {noun.group(1).lower()}", _WORD_AFTER.match(text, noun.end())
    if noun and said in _heads() and noun.group(1).lower() in _described_nouns():
        return f"{said}{side} {noun.group(1).lower()}", noun.end()
    return said, match.end()


@lru_cache(maxsize=1)
def _intensified_heads() -> tuple[str, ...]:
    """ "kjempesliten", "kjempevondt": a head with an intensifying prefix, as said."""
    rules = _finding_rules()
    return tuple(p + h for p in rules["intensifier_prefixes"] for h in rules["heads"]
                 if " " not in h)


@lru_cache(maxsize=1)
def _heads() -> frozenset[str]:
    return frozenset(h.lower() for h in _finding_rules()["heads"])


@lru_cache(maxsize=1)
def _described_nouns() -> frozenset[str]:
    """Body parts in the indefinite form: "hoven fot", never "hoven foten" (run-on text:
    "litt væsking stomien i seg sjøl ser fin ut" is two clauses)."""
    parts = {w.lower() for w in _finding_rules()["body_parts"]} | {"hud"}
    definite = {w for w in parts for end in _DEFINITE_ENDINGS
                if w.endswith(end) and w[:-len(end)] in parts}
    return frozenset(parts - definite)


_DEFINITE_ENDINGS = ("en", "et", "t", "a", "ene", "ane", "na", "ne", "n")


def _with_modifiers(text: str, found: Found, rules: dict) -> Found:
    """'nye blåmerker', 'seigt gulgrønt slim': a describing word said before belongs to it."""
    if not found.value.startswith(text[found.start:found.start + 3].lower()):
        return found  # filed in another word order ('huden er tørr' → 'tørr hud')
    m = _modifiers_before(tuple(rules["modifiers"])).search(text, 0, found.start)
    if not m:
        return found
    said = m.group().lower()
    signs = _SIGNS_SAID.match(said)
    if signs and not found.value.startswith(tuple(rules["signs_kept_for"])):
        # "ingen tegn til smerter" is filed "smerter" (30 of 41 in the writers' gold),
        # "tegn til infeksjon" as said (26 of 33)
        said = said[signs.end():]
        if not said:
            return found
        return replace(found, value=said + found.value, start=m.start() + signs.end())
    return replace(found, value=said + found.value, start=m.start())


_SIGNS_SAID = re.compile(r"(?:tegn|teikn)\s+(?:til|på),?\s")


@lru_cache(maxsize=4)
def _modifiers_before(modifiers: tuple[str, ...]) -> re.Pattern[str]:
    one = rf"(?:{alternation(modifiers)}),?\s"
    return re.compile(rf"(?<![\wæøå-])(?:{one}){{1,2}}$", re.I)


# "teikn til smerte ved stell": what staff watched for is filed without when (two writers
# of three), "vondt ved stellet" with it.
_SIGNS_OF = re.compile(r"\b(?:tegn|teikn)\s+til\s+$", re.IGNORECASE)


@lru_cache(maxsize=2)
def _habit_pattern(times: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf",?\s(?:{alternation(times)})(?![\wæøå])", re.I)


@lru_cache(maxsize=2)
def _care_pattern(places: tuple[str, ...]) -> re.Pattern[str]:
    """'stønnet ved stell': pain shown when handled keeps the care as its place."""
    return re.compile(rf"\s(?:ved|under)\s(?:{alternation(places)})(?![\wæøå])", re.I)


def _but_not_there(text: str, end: int, rules: dict) -> re.Match[str] | None:
    """'tungpusta i bakker, men ikkje i hvile': the same finding, absent in the other place
    ('vondt i brystet når han går, men ikkje i hvile' → 'vondt i brystet i hvile')."""
    return _but_not_pattern(place_of(rules)).match(text, end)


@lru_cache(maxsize=4)
def _but_not_pattern(place: str) -> re.Pattern[str]:
    return re.compile(rf",?\s(?:men\s)?{NOT}(?P<place>{place})", re.I)


def _when_it_comes(text: str, said: str, place: str, end: int, has_place: bool, rules: dict
                   ) -> tuple[str, int]:
    """ "vondt når ho går" keeps its "når …"; a finding with its place leaves it out ("vondt
    i knærne når hun går" → "vondt i knærne"), unless the rest is said not to hurt ("vondt
    i brystet når han går i bakker, men ikke i hvile"), and so do dizziness and feelings."""
    if said in rules["without_condition"]:
        return said + place, end
    value, after = _with_condition(text, said + place, end, rules)
    if has_place and after != end and not _but_not_there(text, after, rules):
        return said + place, end
    return value, after


@lru_cache(maxsize=2)
def _without_aid(aids: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"\s(?:uten|utan)\s(?:{alternation(aids)})(?![\wæøå])", re.I)


def _with_condition(text: str, value: str, end: int, rules: dict) -> tuple[str, int]:
    """'tungpustet når hun ligger flatt': when a symptom comes belongs to the finding."""
    m = _condition_pattern(tuple(rules["conditions"])).match(text, end)
    return (value + m.group().lower(), m.end()) if m else (value, end)


# "redd for å dø alene", "lei av å være aleine": the writers keep "alone" (38 of 38 findings
# said with it in the tuned gold), also after a phrase that is filed without it elsewhere
_ALONE = re.compile(r"\s(?:alene|aleine|aleina|åleine|åleina)(?![\wæøå])", re.I)

# "for" and what is feared, one to six words to the end of the clause; not "for at …".
_WHEN_FEARED = re.compile(r"(?:\s(?:igjen|att))?\s(?:i natt|i kveld|i dag|i morgon|i morgen|"
                          r"i går)$")
_FEARED = re.compile(r"\sfor\s(?!at\b)[\wæøå-]+(?:\s(?!og\b|men\b|eller\b|så\b|fordi\b)[\wæøå-]+)"
                     r"{0,5}(?=\s*(?:[,.;:!?]|$)|\s(?:og|men|så|fordi)\b)", re.I)


@lru_cache(maxsize=4)
def _condition_pattern(conditions: tuple[str, ...]) -> re.Pattern[str]:
    # "når" and up to five words to the end of its clause.
    return re.compile(rf"\s(?:{alternation(conditions)})(?:\s(?!og\b|men\b|eller\b)[\wæøå]+)"
                      r"{1,5}(?=\s*(?:[,.;:!?]|$)|\s(?:og|men)\b)", re.I)


def _manner_matches(text: str, rules: dict) -> list[re.Match[str]]:
    """'sov dårleg', 'ser veldig dårlig', 'puster tungt', 'ho et lite.'"""
    out: list[re.Match[str]] = []
    for pattern in _manner_patterns(rules):
        out += pattern.finditer(text)
    return sorted(out, key=lambda m: m.start())


_MANNERS = IdentityCache(limit=4)


def _manner_patterns(rules: dict) -> list[re.Pattern[str]]:
    """One pattern per manner group, built once per rule set."""
    patterns = _MANNERS.get(rules)
    if patterns is not None:
        return patterns
    degree = alternation(rules["predicates"]["degree"])
    # 'lite' is also a determiner ('et lite sår'): it is a manner only at a clause's end.
    clause_end = (r"(?=\s*(?:[,.;:!?]|$)"
                  r"|\s(?:og|men|i|til|no|nå|så|fordi|på|etter|om|sidan|siden)\b)")
    ending = {w.lower() for w in rules["manner_words_ending_a_clause"]}
    patterns = []
    for group in rules["manner"]:
        words = [re.escape(w) + (clause_end if w in ending else r"(?![\wæøå])")
                 for w in sorted(group["words"], key=len, reverse=True)]
        patterns.append(re.compile(rf"(?<![\wæøå])(?:{alternation(group['verbs'])})\s"
                                   rf"(?:(?:{degree})\s)?(?:{'|'.join(words)})", re.I))
    _MANNERS.put(rules, patterns)
    return patterns


_REPORTED = re.compile(r"\b(?:at|sier|seier|sa|fortalte|fortalde|forteller|fortel|mener|meiner|"
                       r"fordi|da|då|når|han|hun|ho|hon)\b", re.I)


def _about_someone_else(text: str, start: int, people: tuple[str, ...]) -> bool:
    """'kona hans e sliten' is the wife's state, not the patient's finding; 'kona sier at han
    er sliten' is the patient's again."""
    clause = re.split(r"[,.;:!?]|\bmen\b", text[:start])[-1]
    # "hadde spist kake hos naboen og kjente seg tørst": where she was, not who was thirsty
    named = [m for m in phrase_pattern(people).finditer(clause)
             if not _AT_PLACE.search(clause[:m.start()])]
    return bool(named) and not _REPORTED.search(clause, named[-1].end())


_AT_PLACE = re.compile(r"\bhos\s$", re.IGNORECASE)


def named_by_its_score(found: list[tuple[int, Found]]) -> list[tuple[int, Found]]:
    """ "Smerte vurdert til 7 av 10", "vondt, 5 av 10": a bare pain word in a sentence that
    scores the pain is the score's name, not a finding of its own (data: score_names)."""
    names = set(_finding_rules()["score_names"])
    scored = {index for index, f in found if f.type == "pain_score"}
    return [(index, f) for index, f in found
            if not (f.type == "finding" and index in scored and f.value.lower() in names)]
