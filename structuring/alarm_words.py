"""Whether a sentence of an alarm's story tells a new alarm or none: said again at a time
of its own ("varsla igjen kl. 03.00", "gikk den igjen", "ringte hun igjen"), counted
("Andre gongen kl. 19.45"), or denied ("ingen nye varsel", "har ikke gitt noen varsler").
The words are data (`data/welfare_technology.json`); `structuring.events` decides which
story a sentence belongs to.
"""

from __future__ import annotations

import re
from functools import lru_cache

from structuring.alarm_responses import tells_response
from structuring.devices import is_round, technologies_in
from structuring.entities import CLOCK_TIME
from structuring.lexicon import alternation, find_phrases, has_phrase
from structuring.rules import load_rules

TIME = CLOCK_TIME


def _rules() -> dict:
    return load_rules("welfare_technology")


def counted_again(text: str) -> bool:
    """ "Andre gongen kl. 19.45, same greia.", "… tilbakestilte sensoren tredje gangen var
    ved kl. 03.00": the story's next alarm, counted, with its time."""
    return TIME.search(text) is not None and (
        _counted_pattern().match(text) is not None or
        _counted_at_time_pattern().search(text) is not None)


@lru_cache(maxsize=1)
def _counted_at_time_pattern() -> re.Pattern[str]:
    # mid-sentence (a run-on stream): the count right before its time
    return re.compile(rf"(?<![\wæøå])(?:{alternation(_rules()['counted_again'])})\s+"
                      rf"(?:(?:var|va|ved|klokka)\s+){{0,2}}{TIME.pattern}", re.IGNORECASE)


@lru_cache(maxsize=1)
def _counted_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?:(?:og|så|den)\s+)?(?:{alternation(_rules()['counted_again'])})"
                      rf"(?![\wæøå])", re.IGNORECASE)


@lru_cache(maxsize=1)
def went_off_it() -> tuple[str, ...]:
    """ "klokka fem over tre gikk den igjen", "slo den av igjen", "ga sensoren alarm igjen":
    an alarm verb, "den" or "sensoren" (the device of the story) and "igjen" right after —
    not "katten gikk den veien igjen"."""
    return _went_off_again(" den") + _went_off_again(" sensoren")


@lru_cache(maxsize=4)
def _went_off_again(subject: str = "") -> tuple[str, ...]:
    """An alarm verb and "igjen", with `subject` after the verb (before a particle: "slo den
    av igjen"): "gikk igjen", "gikk den igjen"."""
    rules = _rules()
    verbs = [(verb, "") for verb in rules["alarm_verbs"]]
    if subject:
        verbs += [(verb, f" {particle}") for verb, particle in
                  (v.split(" ", 1) for v in rules["alarm_verbs"] if " " in v)]
    # nynorsk "att" right after the verb is "again" ("dørsensoren gjekk att kl. 01.55")
    return tuple(f"{verb}{subject}{particle} {again}"
                 for verb, particle in verbs for again in (*rules["again_words"], "att"))


def went_off_named_again(tech: str, text: str) -> bool:
    """ "Klokka halv to gjekk fallsensoren att", "varsla sengesensoren igjen kl. 03.00": an
    alarm verb, the device's name and "again" (nynorsk "att" too), with a time."""
    return TIME.search(text) is not None and _named_again_pattern(tech).search(text) is not None


@lru_cache(maxsize=None)
def _named_again_pattern(tech: str) -> re.Pattern[str]:
    rules = _rules()
    verbs = alternation(tuple(rules["alarm_verbs"]) + tuple(rules["new_alarm_words"]))
    device = alternation(tuple(rules["technologies"][tech]["triggers"]))
    again = alternation(tuple(rules["again_words"]) + ("att",))
    return re.compile(rf"(?<![\wæøå])(?:{verbs})\s+(?:{device})[\wæøå-]*\s+(?:{again})(?![\wæøå])",
                      re.IGNORECASE)


@lru_cache(maxsize=None)
def again_verbs(tech: str) -> tuple[str, ...]:
    """ "ringte hun igjen", "ho trykte igjen": the user raising this device's alarm, the
    user the verb's subject (one tuple per technology, so that `has_phrase` finds its
    pattern cached)."""
    rules = _rules()["technologies"][tech]
    verbs, subjects = rules.get("again_verbs", ()), rules.get("again_subjects", ())
    return tuple(phrase for verb in verbs for who in subjects
                 for phrase in (f"{verb} {who}", f"{who} {verb}"))


def tells_new_alarm(text: str) -> bool:
    """An alarm word and a time of its own, and not what staff did ("vi varslet sønnen igjen
    kl. 04.00") — unless the sentence opens with the alarm ("Ny alarm fra sengesensoren
    02.15, … og eg fulgte henne tilbake til senga": the response is the new alarm's)."""
    said = find_phrases(text, _rules()["new_alarm_words"])
    return TIME.search(text) is not None and bool(said) and \
        (_opens_its_clause(text, said[0].start()) or not tells_response(text)) \
        and not says_no_alarm(text) and not has_phrase(text, _rules()["someone_notified"])


def _opens_its_clause(text: str, start: int) -> bool:
    """The alarm word at `start` opens its sentence, or a clause of its own with its time
    before it ("Je ringte a to ganger, og kl. 08.30 kom det ny varsling …")."""
    if _OPENING.fullmatch(text, 0, start):
        return True
    begins = [m.end() for m in _CLAUSE_OPENS.finditer(text, 0, start)]
    return bool(begins) and _OPENING.fullmatch(text, begins[-1], start) is not None and \
        TIME.search(text, begins[-1], start) is not None


_CLAUSE_OPENS = re.compile(r",\s*(?:og\s+|men\s+|så\s+)?|\s(?:og|men|så)\s", re.IGNORECASE)


# what may stand before an alarm word that opens its sentence: "Kl. 02.15 ny alarm …",
# "Kl. 04.15 i natt varslet den igjen …", "Kvart over fire kom det ein ny varsling …"
_OPENING = re.compile(r"(?:\s|[\d.:,]|kl\.?|klokka|i natt|i kveld|om natta|om natten|"
                      r"kom det(?:\s+(?:en|ein|et|eit))?)*", re.IGNORECASE)


def says_no_alarm(text: str) -> bool:
    """ "sengesensoren varsla ikkje meir i natt", "ingen nye varsel": no alarm went off."""
    return _no_alarm_pattern().search(text) is not None


def tested_that_it_goes_off(text: str) -> bool:
    """ "byttet batteri klokka to og testet at alarmen gikk fram": staff tested the device
    (data: device_tested_before), no alarm of the user's."""
    return _tested_that().search(text) is not None


@lru_cache(maxsize=1)
def _tested_that() -> re.Pattern[str]:
    tested = alternation(tuple(_rules()["device_tested_before"]))
    return re.compile(rf"(?<![\wæøå])(?:{tested})\s+(?:at|om)\s+(?:den|han|ho|hun|[\wæøå-]*"
                      rf"(?:alarm|sensor|klokk|armbånd|armband)[\wæøå]*)(?![\wæøå])",
                      re.IGNORECASE)


def without_tests(text: str) -> str:
    """`text` without the clauses in which staff tested that a device goes off ("slo på
    sengesensoren og testet at den varslet på telefonen")."""
    return _tested_clause().sub(" ", text)


@lru_cache(maxsize=1)
def _tested_clause() -> re.Pattern[str]:
    return re.compile(_tested_that().pattern + r"[^,.;!?]*", re.IGNORECASE)


_CLAUSE_END = re.compile(r",|\.(?:\s|$)|\s(?:og|men)\s")


def says_no_alarm_of(technology: str, text: str) -> bool:
    """`says_no_alarm`, unless the clause that says it names other devices and not this one:
    "Ved kameratilsyn klokka to sov hun, og sengesensoren har ikke varslet i natt" tells
    the camera round, and no alarm of the bed sensor."""
    found = _no_alarm_pattern().search(text)
    if found is None:
        return False
    start = max(text.rfind(",", 0, found.start()), text.rfind(" og ", 0, found.start()))
    end = _CLAUSE_END.search(text, found.end())
    named = {name for _, name in technologies_in(text[start + 1:end.start() if end else None])}
    return not named or technology in named


@lru_cache(maxsize=1)
def _no_alarm_pattern() -> re.Pattern[str]:
    rules = _rules()
    alarm = alternation(rules["no_alarm_words"])
    negation = alternation(rules["no_alarm_negations"])
    # "har ikke gitt noen varsler siden sist"
    given = r"(?:(?:gitt|gjeve|gitte|hatt|vore|vært)\s+)?(?:(?:noen|nokon|noko|noe)\s+)?"
    # "trygghetsalarmen gikk ikke i natt", "sensoren har ikkje gått av": the device, not a
    # person ("hun gikk ikke på do"), said not to go off — not "gikk ikke fram" (a fault)
    device_went = rf"[\wæøå]*(?:alarm|sensor)[\wæøå]*\s+(?:(?:gikk|gjekk)\s+(?:{negation})|" \
        rf"(?:har|hadde)\s+(?:{negation})\s+gått)(?!\s+(?:fram|frem|gjennom|inn))"
    # "… utløst alarmen ikke noe fall": "ikke noe" denies what follows it, not the alarm;
    # "varsla ikkje teken dose" tells the dose not taken
    denied_after = r"(?!\s+(?:noe|noko|noen|nokon|tatt|teke|teken|henta|hentet)(?![\wæøå]))"
    # "trykket ikke på trygghetsalarmen da hun falt": the verb before its negation
    not_pressed = rf"(?:trykket|trykte|trykka|trykt)\s+(?:{negation})\s+på"
    return re.compile(rf"(?<![\wæøå])(?:(?:{alarm})\s+(?:{negation}){denied_after}|"
                      rf"(?:{negation})\s+{given}"
                      rf"(?:nye?\s+|fleire\s+|flere\s+|meir\s+|mer\s+)?(?:{alarm})|"
                      rf"{not_pressed}|{device_went})(?![\wæøå])", re.IGNORECASE)


def alarmed_again(text: str) -> bool:
    """ "Sengesensoren varsla igjen kl. 03.00, men det var falsk alarm", "sengesensoren
    gikk igjen kl. 04.45": said to go off again, at its own time, whatever staff then did."""
    return again_at_its_time(text) and (has_phrase(text, _rules()["new_alarm_words"]) or
                                         has_phrase(text, _went_off_again())) or \
        _counted_at_time_pattern().search(text) is not None



def again_at_its_time(text: str) -> bool:
    """ "igjen", "på nytt" with a time of its own, and not "varsla ikkje igjen" nor
    "dispenseren gikk igjen etter omstart" (it works again)."""
    return TIME.search(text) is not None and \
        has_phrase(_PERSON_AGAIN.sub(" ", text), _rules()["again_words"]) and \
        not says_no_alarm(text) and _WORKS_AGAIN.search(text) is None


# "hun la seg igjen klokka halv fem, og sensoren registrerte at …": the person again, not
# the device
_PERSON_AGAIN = re.compile(r"(?<![\wæøå])(?:(?:la|lagt|legger|legg|lå|låg)\s+(?:seg|sæ|se)"
                           r"(?:\s+ned)?|sovna|sovnet|sovner|sovnar|"
                           # "vi ringte han opp igjen": staff calling back (not "Kvart over
                           # åtte ringte hun igjen": the user's new call)
                           r"(?:vi|me|eg|jeg|je|æ)\s+(?:ringte|ringde|ringa)\s+(?:han|ham|ho|hun|"
                           r"henne|bruker\w*|brukar\w*)(?:\s+opp)?)\s+(?:igjen|att)(?![\wæøå])",
                           re.IGNORECASE)


# "dispenseren gikk igjen etter omstart", "den virka att som normalt": running, not alarming
_WORKS_AGAIN = re.compile(r"(?<![\wæøå])(?:igjen|att|på nytt)\s+(?:etter\s+(?:en\s+|ein\s+)?"
                          r"(?:omstart|restart)|som\s+(?:normalt|vanleg|vanlig))", re.IGNORECASE)


# "hver gang", "kvar gong": every one of the times said before it
_EVERY_TIME = frozenset({"hver gang", "kvar gong", "hver gong", "kvar gang"})


def a_routine(text: str) -> bool:
    """A time of a routine or a plan ("ved ti hver kveld", "skal slås på kl. 22"), but not
    "tilsyn kl. 23.00, kl. 01.00 og kl. 03.00, sov hver gang": every time after the times
    said is each of those rounds."""
    times = list(TIME.finditer(text))
    return any(not (m.group().lower() in _EVERY_TIME and times and m.start() > times[-1].end())
               for m in find_phrases(text, _rules()["routine_words"]))


def as_happened(text: str) -> str:
    """The sentence without what staff or the user would do ("… og vet at han skal ringe 113
    om det blir verre", "vi snakka om at ho kan trykke på alarmen", data: response_as_a_plan)
    and without what a device does whenever ("sengesensor som varsler om ho står opp"), each
    to the end of its clause: what is left tells what happened."""
    return _described().sub("", _planned().sub("", text))


@lru_cache(maxsize=1)
def _planned() -> re.Pattern[str]:
    plans = alternation(tuple(_rules()["response_as_a_plan"]))
    return re.compile(rf"(?<![\wæøå])(?:{plans})\s[^,.;]*", re.IGNORECASE)


@lru_cache(maxsize=1)
def _described() -> re.Pattern[str]:
    # "som" and a verb in the present ("som varsler", "som varslar", "som piper"): what the
    # device does, not what it did ("sensoren som varsla kl. 03.00" is the alarm)
    # ... and "når det piper", "viss han varslar": what is done whenever it goes off
    return re.compile(r"(?<![\wæøå])(?:som\s+(?!har(?![\wæøå]))"
                      r"(?:[\wæøå]+(?:er|ar)|går|gjeng|gir|gjev)|(?:når|hvis|viss|dersom)\s+"
                      r"(?:[\wæøå]+\s+)?(?:piper|varsler|varslar|ringer|ringjer|går|gjeng))"
                      r"(?![\wæøå])[^,.;]*", re.IGNORECASE)


def rounds_named_before(i: int, sentences: list[str], paragraphs: list[int]
                        ) -> tuple[str, int] | None:
    """A round technology, and where, named with no time earlier in sentence i's paragraph
    on a short line of its own ("Digitalt tilsyn i natt på rom 14."), not in a sentence that
    tells of it ("… vil ikkje at me skal bruke kamera om natta …")."""
    for j in range(i - 1, -1, -1):
        if paragraphs[j] != paragraphs[i]:
            return None
        rounds = [tech for _, tech in technologies_in(sentences[j]) if is_round(tech)]
        if rounds and TIME.search(sentences[j]) is None and \
                len(sentences[j].split()) <= ROUNDS_NAMED_WORDS:
            return rounds[0], j
    return None


ROUNDS_NAMED_WORDS = 8
