"""Clinical values from written sentences: vitals, pain, fluids, times, medications.

Patterns work on the written form (digits, decimal comma, `kl. HH.MM`), so the spoken forms
are handled once, in `structuring.spoken`. Values are normalised as FORMAT.md asks: dot
decimals, 24-hour "HH:MM" times, generic drug names. Findings (symptoms and observations,
with their negation) are `structuring.findings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from structuring.doses import (NUM, dose_pattern, dose_said, dose_units, half_said,
                              is_a_strength, medication_rules, part_of_a_tablet,
                              tablets_counted)
from structuring.lexicon import (alternation, drug_definite_forms, drug_names_as_heard,
                                 find_phrases, phrase_pattern)
from structuring.spoken_scores import BEFORE_SCORE, DOWN_VERBS, WHEN_SCORED
from structuring.tokens import WRITTEN_ROUTE


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


# "Temperatur kl. 07.00 i morges var 38,9": the time a value was measured at, said between
# the vital and its value (a time reads "kl  xx xx" here, see _without_times)
_AT = r"(?:\s*kl\s+xx xx(?:\s+i\s(?:morges|morgon|dag|kveld|kvell|natt|ettermiddag))?)?"
_VITALS: dict[str, re.Pattern[str]] = {
    "vital.blood_pressure": re.compile(
        r"\b(?:blodtrykk(?:et)?|BT|trykket)\b[^.?!]{0,40}?\b(\d{2,3}/\d{2,3})\b", re.I),
    "vital.pulse": re.compile(rf"\bpuls(?:en)?\b{_AT}\D{{0,15}}?\b(\d{{2,3}})\b", re.I),
    "vital.temperature": re.compile(
        # "hadde feber, 38,6": the fever's own value
        rf"\b(?:temp(?:eratur(?:en)?)?|tempen|feber(?:en)?)\b{_AT}\D{{0,15}}?\b(\d{{2}},\d)\b",
        re.I),
    "vital.spo2": re.compile(  # also as ASR misspells it: "mettningen", "meting"
        r"\b(?:met{1,2}ning(?:a|en)?|meting(?:a|en)?|o2-metning(?:a|en)?|oksygenmetning(?:a|en)?|"
        r"saturasjon(?:en)?|spo2)\b\D{0,15}?\b(\d{2,3})\b", re.I),
    "vital.respiratory_rate": re.compile(
        # "frekvens 22" alone, as writers say it after the saturation ("metninga 90 og
        # frekvensen 22"; 6 of 6 in the tuned gold), but not "puls frekvens 80"
        r"\b(?:respirasjonsfrekvens(?:en)?|respirasjon(?:en)?|resp|rf|pustefrekvens(?:en)?|"
        r"(?<!puls )(?<!hjerte )frekvens(?:en)?)\b\D{0,15}?\b(\d{1,2})\b"
        # "respirasjonen er ujevn med pauser, ca. 8 per minutt": the rate said with its unit
        r"|\b(?:respirasjon\w*|pust\w*)\b[^?!\d]{0,40}?\b(\d{1,2})\s(?:pust\s|åndedrag\s)?"
        r"(?:per|i|pr\.?)\sminutt(?:et)?\b", re.I),
    "vital.blood_glucose": re.compile(
        r"\b(?:blodsukker(?:et)?|bs|blodsukkermåling(?:a|en)?)\b[^.?!]{0,40}?\b(\d{1,2}(?:,\d)?)\b"
        r"(?!\s(?:ganger|gonger|gongar|gang|gong|timer|timar|dager|dagar|døgn))",  # "målt 4 ganger"
        re.I),
}
_WEIGHT_TRIGGER = re.compile(r"\b(?:vekt(?:a|en)?|veide|veier|vog|veg)\b", re.I)
_WEIGHT_VALUE = re.compile(rf"\b(?:(mot|fra|til|te) )?({NUM})\s?(kg)?\b")
# A clock time as the note writes it ("kl. 08.30", "Kl. 08.30" opening a sentence).
CLOCK_TIME = re.compile(r"\bkl\. (\d{2})\.(\d{2})\b", re.IGNORECASE)
_FLUID = re.compile(r"\b(\d{2,4})\s?ml\b|\b(\d(?:,\d)?)\s?(?:liter|l)\b|"
                    r"\b(?:drukke[tn]?|drukki|drakk)\s(?:ca\.\s|rundt\s|bare\s|totalt\s)?"
                    r"(\d{3,4})\b(?!\s?\w)", re.I)
# a limit or a goal ("skal drikke minst 1,5 liter", "holde seg under 2 liter") is not what
# was drunk: 8 of 8 such amounts in the tuned gold are no intake
_LIMIT_BEFORE = re.compile(r"\b(?:mer enn|meir enn|maks\w*|inntil|høyst|høgst|opptil|minst|"
                           r"under)\s$", re.I)
# "væskerestriksjon på 1,5 liter", "drikkeplan med mål 1500 ml", "holde seg til 1,5 liter":
# a limit or a goal said in the amount's clause (19 of 19 such amounts in the tuned gold
# are not filed as intake)
_LIMIT_SAID = re.compile(r"restriksjon|begrens|avgrens|\bmål(?:et|sett\w*)?\b|"
                         r"\bh[oa]lde?\w* seg til\b|\boppmod", re.I)
_CLAUSE_START = re.compile(r".*(?:,|\bog\b|\bmen\b|\bså\b)", re.I | re.S)


def _clause_before(text: str, end: int) -> str:
    """The words before `end` back to the clause's start (a comma, "og", "men", "så")."""
    start = _CLAUSE_START.match(text, 0, end)
    return text[start.end() if start else 0:end]


# "fikk i seg 200 ml", "ga henne et glass saft, ca. 200 ml": a drink given or taken also
# without a drink verb (11 of 11 such amounts in the tuned gold are filed as intake)
_FLUID_CONTEXT = re.compile(r"\b(?:drukke[tn]?|drukki|drakk|drikk\w*|væske\w*|inntak\w*|drukke|"
                            r"i seg|saft|glass)\b", re.I)


def _without_times(text: str) -> str:
    # "Blodsukker kl. 16.00 var 5,8": the time is no value, and its dots end no sentence.
    text = CLOCK_TIME.sub(lambda m: "kl  " + "xx xx", text)
    # "Blodsukker hos han på rom 15 var 4,8": a room's number is no value either.
    return _ROOM.sub(lambda m: m.group(1) + "x" * len(m.group(2)), text)


_ROOM = re.compile(r"\b(rom(?:met)? )(\d+)\b", re.I)
# "ringjer om blodsukkeret er over 18", "ring lege ved temp over 38,5": a limit to act on,
# no value measured
_THRESHOLD = re.compile(r"\b(?:om|hvis|viss|dersom|ved)\s[\wæøå-]+\s(?:(?:er|blir|går|vert|"
                        r"kjem|kommer|stiger|stig)\s)?(?:opp\s|ned\s)?(?:over|under|høyere enn|"
                        r"høgare enn|lavere enn|lågare enn)\s$", re.I)


def find_vitals(text: str) -> list[Found]:
    found = []
    text = _without_times(text)
    for kind, pattern in _VITALS.items():
        for match in pattern.finditer(text):
            g = match.lastindex or 1  # the one group of the alternative that matched
            if any(f.start == match.start(g) for f in found) or \
                    _THRESHOLD.search(text, max(0, match.start(g) - 60), match.start(g)):
                continue  # read already as the second value of the one before, or a limit
            found.append(Found(kind, _dot(match.group(g)), match.start(g), match.end(g)))
            if kind == "vital.blood_pressure":  # "liggende 148/80, stående 120/68"
                found += _more_pressures(text, match.end(g))
            elif (then := _VALUE_AFTER.match(text, match.end(g))) is not None or (
                    kind == "vital.spo2" and (then := _SPO2_AGAIN.match(text, match.end(g)))
                    and 70 <= int(then.group(1)) <= 100):
                found.append(Found(kind, _dot(then.group(1)), then.start(1), then.end(1)))
    found += _pain_scores(text)
    found += _weights(text)
    found += _fluids(text)
    return found


def glucose_read_again(text: str, told: str, found: list[Found]) -> list[Found]:
    """A decimal said after the dictation measured the blood sugar is a new reading of it
    ("Ny måling kl. 03.00 var 6,1", "Kl. 04.20 var det 6,1", "5,4, og 10 minutt etter 7,0";
    the writers file 25 of 25 such values in the tuned gold), unless it has a unit, another
    measurement's name or is a value `found` already ("temp 37,2")."""
    if _OTHER_MEASURE.search(text):
        return []
    said_before = _GLUCOSE_SAID.search(told) is not None
    taken = {f.start for f in found}
    # the blood sugar named before the value: in an earlier sentence, or earlier in this one
    return [Found("vital.blood_glucose", _dot(m.group(1)), m.start(1), m.end(1))
            for m in _DECIMAL.finditer(_without_times(text)) if m.start(1) not in taken
            and 1 <= float(_dot(m.group(1))) <= 33
            and (said_before and m.start(1) > 0 or _GLUCOSE_SAID.search(text, 0, m.start(1)))]


def fluid_after_a_drink(text: str, told: str, found: list[Found]) -> list[Found]:
    """ "… og drakk to glass melk. Omtrent 400 ml.": an amount that opens its sentence right
    after a sentence about drinking is what was drunk (the sentence model cut it off; the
    writers file 4 of 4 such amounts in the tuned gold)."""
    opening = _AMOUNT_OPENS.match(text)
    if opening is None:  # (first: finding the last sentence scans all that was told)
        return []
    last = _LAST_SENTENCE.search(told)
    if last is None or not _FLUID_CONTEXT.search(last.group()) or \
            _PASSED.search(text) or any(f.type == "fluid_intake" for f in found):
        return []
    group = 1 if opening.group(1) else 2
    value = opening.group(1) or str(int(round(float(_dot(opening.group(2))) * 1000)))
    return [Found("fluid_intake", value, opening.start(group), opening.end(group))] \
        if int(value) >= 100 else []


_AMOUNT_OPENS = re.compile(r"(?:omtrent|ca\.|cirka|om lag|kring|rundt|nesten)\s+"
                           r"(?:(\d{2,4})\s?ml|(\d(?:,\d)?)\s?(?:liter|l))\b", re.I)
_LAST_SENTENCE = re.compile(r"[^.?!]*[.?!]?\s*$")
_PASSED = re.compile(r"\b(?:urin\w*|tiss\w*|diurese|posen|kateter\w*|oppkast|kasta|kastet)\b", re.I)


_GLUCOSE_SAID = re.compile(r"\b(?:blodsukker\w*|bs)\b", re.I)
_DECIMAL = re.compile(r"(?<![\d,.])(\d{1,2},\d)(?!\d|,\d)"
                      r"(?!\s?(?:%|[a-zæøå]*(?:mg|ml|kg|cm|mm|ie)\b|g\b|l\b|liter|grader|"
                      r"enhet\w*|tabl\w*|dråp\w*|år|uker|veker|dager|dagar))", re.I)
_OTHER_MEASURE = re.compile(r"\b(?:inr|hb|hemoglobin\w*|kalium|natrium|crp|kreatinin|laktat|"
                            r"temp\w*|feber\w*|vekt\w*|veide|veier|bmi|sår\w*)\b", re.I)


# "Metninga var 91 % før og 93 etterpå": the value after a dose is a second reading.
_VALUE_AFTER = re.compile(r"\s?%?,?\s(?:før,?\s)?og\s(?:var\s)?(\d{2,3}(?:,\d)?)\s?%?\s"
                          r"(?:(?:ein|en|ei|et|eit)\s(?:halvtime|time|kvarter)\s)?"
                          r"(?:etterpå|etter\b|seinare|senere|nå\b|no\b)", re.I)
# "metning 87 % uten oksygen og 91 % med 2 liter", "96 i hvile, 90 etter gåturen", "88 % på
# romluft, steg til 93 %": a second reading of the saturation (17 of 17 in the tuned gold)
_ROSE = r"(?:steg|steig|auka|økte|gikk\sopp|gjekk\sopp)\stil"
_SPO2_AGAIN = re.compile(
    rf"\s?%?[^.?!\d]{{0,30}}?(?:(?:\sog\s|,\s(?:og\s)?)(?:{_ROSE}\s)?|\s{_ROSE}\s)"
    r"(?:var\s)?(\d{2,3})\s?%?"
    r"(?=\s(?:med|etter|etterpå|under|i|på|ved|no|nå|før|utan|uten)\b|\s?[.,]|$)", re.I)
_MORE_PRESSURE = re.compile(r"[^\d.?!]{0,30}?\b(\d{2,3}/\d{2,3})\b")


def _more_pressures(text: str, end: int) -> list[Found]:
    out = []
    while (m := _MORE_PRESSURE.match(text, end)) is not None:
        out.append(Found("vital.blood_pressure", m.group(1), m.start(1), m.end(1)))
        end = m.end()
    return out


# … and the pains named on their own ("hodepine", "hovudverk", "tannpine")
_PAIN_WORDS = re.compile(r"\b(?:\w*smert\w*|vondt|vont|verk\w*|ubehag|nrs|vas|mob+id\w*|"
                         r"\w*pine|hovudverk|hodeverk|tannverk|øreverk|migrene)\b", re.I)
_SCORE = re.compile(r"\b(\d{1,2})\s?(?:av|/)\s?10\b")
# … and with no pain word, nothing counted after it ("2 av 10 tabletter i brettet")
_SCORE_ALONE = re.compile(r"\b(\d{1,2})\s?(?:av|/)\s?10\b"
                          r"(?!\s+(?!(?:og|men|nå|no|etter|da|då)\b)[a-zæøå])", re.I)
# A score said without "av 10": right after the pain word ("smerte 3", "smerten til om lag
# 6"), as the start of a change ("fra 8 til 3 av 10"), or a second score joined to one ("3 av
# 10 i ro og 6 når ho går"); never a number with a unit or a count after it.
_NOT_A_SCORE = r"(?!\s?(?:av|/)\s?10\b)(?!,\d)(?!\s?(?:%|[a-zæøå]*(?:mg|ml|kg|ie)\b|g\b|gram|" \
    r"dag|døgn|time|minutt|gang|gong|tablett|kapsl|dose|stk|uke|veke|år|ti\b))"
# Words that may stand between a pain word and its score ("smerten er til om lag 6", "en 4")
_BEFORE_SCORE = rf"(?:(?:{alternation(BEFORE_SCORE)})\s){{0,4}}"
_SCORE_NEXT = rf"\s{_BEFORE_SCORE}(\d{{1,2}})\b{_NOT_A_SCORE}"
# What follows a pain word that is scored, not a finding ("smerte 3", "smerten 2 av 10").
PAIN_SCORE_AFTER = re.compile(rf"{_SCORE_NEXT}|\s\d{{1,2}}\s?(?:av|/)\s?10\b", re.I)
# "smerte 3", and a score named by its scale: "NRS 3", "MOBID 0", "MOBID-2 skår 4".
_BARE_SCORE = re.compile(rf"\b(?:\w*smert\w*|nrs|vas|mob+id(?:-?2)?(?:\s\w*sk[åa]re?)?)"
                         rf"{_SCORE_NEXT}", re.I)
# "smerten var på 7 før og 3 etter", "VAS 4 i hvile og 7 ved bevegelse": a second bare score
# ("… og 3 en time etter": how long after, said before it)
_LATER = r"(?:(?:en|ein)\s(?:time|halvtime|kvarter)\s)?"
_SECOND_BARE = re.compile(rf"\b(?:\w*smert\w*|nrs|vas)\s{_BEFORE_SCORE}\d{{1,2}}\b"
                          rf"[^.?!\d]{{0,25}}?\bog\s(\d{{1,2}})\s{_LATER}"
                          rf"(?:{alternation(WHEN_SCORED)})\b", re.I)
# "smerten i kneet ved gange var 5 før og 2 etter": both scores, the pain word further back
_BEFORE_AND_AFTER = tuple(re.compile(
    rf"\b\w*smert\w*\b[^.?!\d]{{0,40}}?\b{first}\sfør\sog\s{second}\s{_LATER}"
    r"(?:etter|etterpå)\b", re.I)
    for first, second in ((r"(\d{1,2})", r"\d{1,2}"), (r"\d{1,2}", r"(\d{1,2})")))
_CHANGE_FROM = re.compile(r"\b(?:fra|frå)\s(\d{1,2})\stil\s\d{1,2}\s?(?:av|/)\s?10\b", re.I)
# "smerten gikk fra 7 til 2": a change of the pain said without "av 10" (6 of 6 in the gold)
_PAIN_FROM = r"\b(?:\w*smert\w*|vondt|vont)\b[^.?!\d]{0,40}?\b(?:fra|frå)\s"
_CHANGE_BARE = (
    re.compile(rf"{_PAIN_FROM}(\d{{1,2}})(?=\stil\s\d{{1,2}}\b{_NOT_A_SCORE})", re.I),
    re.compile(rf"{_PAIN_FROM}\d{{1,2}}\stil\s(\d{{1,2}})\b{_NOT_A_SCORE}", re.I))
# "smerta var nede i 3", "smerten hadde gått ned til 2": the pain's new score (16 of 16)
_DOWN_TO = re.compile(rf"\b\w*smert\w*\s(?:(?:{alternation(DOWN_VERBS)})\s)"
                      rf"{{0,2}}(?:nede|ned)\s(?:i|på|til)\s(\d{{1,2}})\b{_NOT_A_SCORE}", re.I)
# … joined by "og", set against it ("2 av 10 mot 7 før": 7 of 7 in the tuned gold, "men 3 i
# hvile") or after a comma ("6 av 10, i kvile 2"), not a count of a drug ("og tok 2 Paracet")
_SECOND_SCORE = re.compile(
    rf"\b\d{{1,2}}\s?(?:av|/)\s?10\b[^.?!\d]{{0,25}}?"
    rf"(?:\b(?:og|mot|men)\s|,\s(?:[a-zæøå]+\s){{0,2}})"
    rf"(\d{{1,2}})\b{_NOT_A_SCORE}(?-i:(?!\s[A-ZÆØÅ]))", re.I)


def _pain_scores(text: str) -> list[Found]:
    """ "smerte 6 av 10", "ryggsmertene er 3 av 10", "smerte 7 av 10 før og 3 av 10 etter":
    every score out of ten in a sentence about pain, wherever the pain word stands, and the
    scores said without "av 10" beside them."""
    text = _without_times(text)
    # "ved ni-tida sa ho det var fire av ti": a score out of ten needs no pain word (both
    # such sentences of the writers' gold file it); said without "av 10", it does.
    patterns = (_SCORE, _BARE_SCORE, _CHANGE_FROM, _SECOND_SCORE, _SECOND_BARE, _DOWN_TO,
                *_CHANGE_BARE, *_BEFORE_AND_AFTER) \
        if _PAIN_WORDS.search(text) \
        else (_SCORE_ALONE,)
    spans = {m.span(1) for pattern in patterns
             for m in pattern.finditer(text) if int(m.group(1)) <= 10}
    return [Found("pain_score", text[a:b], a, b) for a, b in sorted(spans)]


def _weights(text: str) -> list[Found]:
    trigger = _WEIGHT_TRIGGER.search(text)
    if not trigger and not _KILOS.search(text):
        return []
    candidates = []
    for match in _WEIGHT_VALUE.finditer(text, trigger.end() if trigger else 0):
        value = float(_dot(match.group(2)))
        if 20 <= value <= 250:
            candidates.append(match)
    # A weight has kg or a decimal; compared with one ("fra 58 til 56,5 kg", "… mot 63"), so
    # is a number that says from, to or against.
    weighed = [m for m in candidates if m.group(3) or "," in m.group(2)]
    if not weighed:
        return []
    return [Found("vital.weight", _dot(m.group(2)), m.start(2), m.end(2)) for m in candidates
            if m in weighed or m.group(1)]


_KILOS = re.compile(rf"\b{NUM}\s?kg\b")


def _fluids(text: str) -> list[Found]:
    if not _FLUID_CONTEXT.search(text):
        return []
    out = []
    for match in _FLUID.finditer(text):
        if _LIMIT_BEFORE.search(text, max(0, match.start() - 25), match.start()) or \
                _LIMIT_SAID.search(_clause_before(text, match.start())):
            continue  # "ikkje drikke mer enn 1,5 liter" is a limit, not what she drank
        if _PASSED.search(_clause_before(text, match.start())):
            continue  # "inntak 800 ml og diurese 1200 ml": what was passed is no intake
        if match.group(1) or match.group(3):
            value = match.group(1) or match.group(3)
        else:
            value = str(int(round(float(_dot(match.group(2))) * 1000)))
        if int(value) < 100:
            continue  # "Duphalac 15 ml", "skylte med 50 ml": no writer files under 100 ml
        out.append(Found("fluid_intake", value, match.start(), match.end()))
    return out


# "rundt midnatt", "ved midnatt": the writers file a time 00:00 and keep the words (31 of 33
# such dictations in dev and tune); "før midnatt" and "etter midnatt" name no time.
AT_MIDNIGHT = re.compile(r"(?<![\wæøå])(?:rundt|ved|omkring|kring|ca\.?|cirka|i)\s+"
                         r"midnatt(?:a|en)?(?![\wæøå])", re.IGNORECASE)


def find_times(text: str) -> list[Found]:
    found = [Found("time", f"{m.group(1)}:{m.group(2)}", m.start(), m.end())
             for m in CLOCK_TIME.finditer(text)]
    found += [Found("time", "00:00", m.start(), m.end()) for m in AT_MIDNIGHT.finditer(text)]
    return sorted(found, key=lambda f: f.start)


@lru_cache(maxsize=1)
def _drug_names() -> dict[str, str]:
    """Names as said → generic; a hyphenated brand may be said as two words ('Selo Zok'),
    and a name heard as two words may be written with a hyphen ('Selo-sokk')."""
    names = drug_names_as_heard()
    spaced = {name.replace("-", " "): generic for name, generic in names.items() if "-" in name}
    joined = {name.replace(" ", "-"): generic for name, generic in names.items()
              if name.count(" ") == 1}
    definite = {said: names[name] for said, name in drug_definite_forms().items()}
    return {**joined, **definite, **spaced, **names}


def find_medications(text: str) -> list[Found]:
    rules = medication_rules()
    drug_names = _drug_names()
    names = find_phrases(text, drug_names)
    dose_re = dose_pattern(tuple(rules["dose_units"]))
    route_re = phrase_pattern(tuple(rules["routes"]))
    out = []
    claimed = -1  # where the dose last given to a drug ends
    used: set[int] = set()  # where each dose given to a drug starts
    for k, match in enumerate(names):
        stop = names[k + 1].start() if k + 1 < len(names) else len(text)
        start = names[k - 1].end() if k > 0 else 0
        clause_end = _clause_end(text, match.end(), stop)
        after = dose_re.search(text, match.end(), clause_end)
        if after is not None and _dose_of_next(text, match.end(), after, stop, clause_end):
            after = None
        # "2 tabletter Pinex": the dose may come first, right before it, unless it is the
        # drug before's ("Metformin 500 mg og Selo-Zok"); said so, it outweighs a dose
        # told further on ("4 drag Ventoline kl. 07.00 og tok 3 drag til").
        before = [d for d in dose_re.finditer(
            text, _clause_start(text, max(start, claimed), match.start()), match.start())
            if len(text[d.end():match.start()].split()) <= 1]
        near = after is not None and len(text[match.end():after.start()].split()) <= 3
        dose = after if near or not before else before[-1]
        claimed = dose.end() if dose else claimed
        used.add(dose.start() if dose else -1)
        said = (part_of_a_tablet(text, dose) or dose_said(dose)) if dose else (
            half_said(text, match.start(), match.end(), clause_end) or
            tablets_counted(text, match.start()))
        route = route_re.search(text, match.end(), clause_end)
        out.append(Found(
            "medication", drug_names[match.group().lower()], match.start(), match.end(),
            dose=said,
            route=rules["routes"][route.group().lower()] if route else None,
            brand=match.group(),
        ))
    return out + _doses_said_again(text, out, used, dose_re)


# "maks 4 g i døgnet", "inntil 3 doser": a limit is no dose given; "2,5 mg, altså 1
# tablett", "1 g eller 2 tabletter": the same dose said again; "16 IE i stedet for 20 IE":
# the dose replaced, not given (the writers file only the one given, 4 of 4)
_NO_OTHER_DOSE = re.compile(r"\b(?:maks\w*|inntil|opptil|høyst|høgst|totalt|over|under|altså|"
                            r"altso|dvs\.?|det vil si|det vil seie|eller|i stedet for|"
                            r"i staden for|i steden for|istedenfor|istadenfor|heller enn)\s$",
                            re.I)


def _doses_said_again(text: str, drugs: list[Found], used: set[int],
                      dose_re: re.Pattern[str]) -> list[Found]:
    """ "Furix 40 mg i dag, og legen auka til 80 mg", "Marevan 1,25 mg på måndagar, elles
    2,5 mg": a dose with no name of its own, said after a drug given in the same unit, is
    another dose of that drug."""
    out = []
    for dose in dose_re.finditer(text):
        named = [d for d in drugs if d.end <= dose.start() and d.dose]
        if dose.start() not in used and named and (again := _another_dose(text, dose, named[-1])):
            out.append(again)
    return out


def dose_said_again(text: str, drug: Found | None) -> list[Found]:
    """ "Han har teke Furix 40 mg. Fastlegen auka dosen til 80 mg.": in a sentence that names
    no drug, a dose in the unit of the drug the sentence before ended with is another dose
    of it (10 of 11 such doses in the tuned gold)."""
    if drug is None or not drug.dose:
        return []
    doses = dose_pattern(dose_units()).finditer(text)
    return [again for dose in doses if (again := _another_dose(text, dose, drug))]


def _another_dose(text: str, dose: re.Match[str], drug: Found) -> Found | None:
    said = dose_said(dose)
    unit = said.split(" ", 1)[1]
    # "Burinex 1 mg i morges og 1 mg kl. 14.00" is one dose in the writers' gold (5 of 6);
    # "Kosar 50 mg" after "Marevan 2,5 mg" is a drug the lexicon does not know; "drukke
    # 700 ml" after "Duphalac 15 ml" is a drink
    if said == drug.dose or unit != drug.dose.split(" ", 1)[-1] or unit == "ml" or \
            _NAMED_RIGHT_BEFORE.search(text, 0, dose.start()) or \
            _NO_OTHER_DOSE.search(text, 0, dose.start()) or is_a_strength(text, dose.start()):
        return None
    return replace(drug, dose=said, start=dose.start(), end=dose.end())


_NAMED_RIGHT_BEFORE = re.compile(r"(?<=[\wæøå,] )[A-ZÆØÅ][\wæøå-]+\s$")


# "Bebuaren er på Selexid … Kveldsdosen på 200 mg vart gitt": a dose said of "the dose", in a
# sentence that names no drug, is the dose of the one drug named just before without one.
_DOSE_OF_IT = re.compile(r"(?<![\wæøå])[\wæøå]*dos(?:en|a)\s(?:(?:på|var|er|vart|ble|blei)\s)?",
                         re.IGNORECASE)


def dose_said_of_it(text: str) -> str | None:
    """The dose in "dosen på 200 mg", "kveldsdosa var 5 mg", if the sentence says one."""
    said = _DOSE_OF_IT.search(text)
    dose = said and dose_pattern(dose_units()).match(text, said.end())
    return dose_said(dose) if dose else None


def _dose_of_next(text: str, name_end: int, dose: re.Match[str], stop: int,
                  clause_end: int) -> bool:
    """"… med prednisolon, så tok han 40 mg prednisolon": a dose said right before the next
    drug name, words away from this one, is the next drug's ("Paracet 1 g Ibux" is not)."""
    return stop == clause_end and not text[dose.end():stop].strip() and \
        re.search(r"[\wæøå]", text[name_end:dose.start()]) is not None


# A period ends a clause only where a new sentence starts: not in "kl. 10.00", "ca. 2 cm".
_CLAUSE_MARK = re.compile(r"[;?!]|\.(?=\s+[A-ZÆØÅ]|\s*$)")


def _clause_end(text: str, start: int, stop: int) -> int:
    routes = [m.span() for m in WRITTEN_ROUTE.finditer(text, start, stop)]
    for end in _CLAUSE_MARK.finditer(text[start:stop]):
        at = start + end.start()
        if not any(a <= at < b for a, b in routes):  # the periods of "s.c." end no clause
            return at
    return stop


# a comma or semicolon that ends a clause, not the decimal comma of "0,5 mg Haldol"
_CLAUSE_CUT = re.compile(r";|,(?!(?<=\d,)\d)")


def _clause_start(text: str, lower: int, position: int) -> int:
    cuts = [m.end() for m in _CLAUSE_CUT.finditer(text, lower, position)]
    return cuts[-1] if cuts else lower
