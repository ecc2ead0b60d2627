"""A device named without an alarm: talked about ("spør om dørsensor"), checked ("sjekka at
fallsensoren lyste grønt"), or kept — switched off, refilled, charged ("sengesensoren var
slått av i natt"). `structuring.events` opens no event for such a mention; the phrases are
data (`welfare_technology.json`: device_discussed_after, device_checked_after,
device_checked_said_after, device_off_after, device_maintenance,
device_wear_reminded, battery_changed)."""

from __future__ import annotations

import re
from functools import lru_cache

from structuring.alarm_responses import any_false_alarm_cue
from structuring.alarm_words import TIME, as_happened, without_tests
from structuring.devices import (STAFF_WALKED, all_event_cues, event_cues, technologies_in,
                                 went_off_phrases, without_staff_leaving)
from structuring.lexicon import alternation, has_phrase
from structuring.rules import load_rules


def _rules() -> dict:
    return load_rules("welfare_technology")


def _talked_about(text: str, start: int, key: str = "device_discussed_after") -> bool:
    """ "Elbjørg spør om dørsensor": the device is talked about, no alarm went off."""
    before = text[:start].lower().split()
    # "vi testet den nye fallsensoren", "eg testa òg fallsensoren": what is said of the
    # device is said before its article, adjective or an "also"
    while len(before) > 1 and before[-1] in _DESCRIBING:
        before.pop()
    if before[-1:] == ["neste"] and has_phrase(text, _looked()):
        return False  # "ved neste kamerarunde kl. 02.00 satt ho oppe": the round, told
    return any(" ".join(before[-n:]) in _rules()[key] for n in (1, 2, 3, 4) if len(before) >= n)


_WHENEVER = frozenset({"når", "hvis", "dersom", "viss"})


def _whenever(text: str, start: int) -> bool:
    """ "opplæring i å ta ut dosen når dispenseren piper": what to do whenever the device
    goes off (a present-tense verb after it), not an alarm that went off."""
    before = text[:start].lower().split()
    after = [word.strip(".,;:!?") for word in text[start:].lower().split()[1:2]]
    return bool(before) and before[-1] in _WHENEVER and bool(after) and \
        (after[0].endswith(("er", "ar")) or after[0] in ("pip", "går", "gjeng"))


@lru_cache(maxsize=1)
def _looked() -> tuple[str, ...]:
    """What a round saw ("satt", "låg", "sov"): a next round told, not planned."""
    return (*_rules()["seen_in_a_round"], *_rules()["asleep_words"])


_DESCRIBING = frozenset({"den", "det", "dei", "de", "nye", "nya", "gamle", "gamla", "òg",
                         "også", "au", "en", "ein", "ei", "et", "eit", "ny", "nytt"})


def _first_of_joined(text: str, start: int) -> int:
    """ "om dei kan få komfyrvakt og GPS": where the first of devices joined by "og" or
    "eller" begins, so that what is said of it is said of both."""
    for position, _ in reversed(technologies_in(text[:start])):
        if re.fullmatch(r"[\wæøå-]+\s+(?:og|eller)\s+", text[position:start], re.IGNORECASE):
            return _first_of_joined(text, position)
    return start


def _only_checked(tech: str, i: int, sentences: list[str], start: int) -> bool:
    """ "Sjekket også trygghetsalarmen, den funker": a check, unless the sentence or the
    next says what the device reported ("… morgendosen var ikke tatt")."""
    # "testa eg sengesensoren og døralarmen": what is said of the first is said of both
    joined = _first_of_joined(sentences[i], start)
    if not (_talked_about(sentences[i], joined, "device_checked_after") or
            _checked_after(tech, sentences[i], start)):
        return False
    if _talked_about(sentences[i], joined, "device_tested_before") or \
            _said_after(tech, sentences[i], start, "device_tested_said_after"):
        return True  # "vi testa trygghetsalarmen, ho trykte på knappen": pressed on purpose
    cues = all_event_cues(tech)
    return not cues or not any(has_phrase(text, cues) for text in sentences[i:i + 2])


def _checked_after(tech: str, text: str, start: int) -> bool:
    """ "Sengesensoren vart sjekka": the check said after the device's name."""
    return _said_after(tech, text, start, "device_checked_said_after")


def _said_after(tech: str, text: str, start: int, key: str) -> bool:
    """Whether one of the phrases of data `key` follows the device's name at `start`."""
    return _said_after_pattern(tech, key).match(text, start) is not None


@lru_cache(maxsize=None)
def _said_after_pattern(tech: str, key: str) -> re.Pattern[str]:
    rules = _rules()
    # "Sengesensoren på rom 9 ble testet", "fallsensoren over senga vart sjekka": where
    # the device is, or what it is for ("kameraet for digitalt tilsyn på rom 15"), may stand
    # between
    where = r"(?:(?:på|i|hos|til|for|over|ved|under)\s+[\wæøå]+(?:\s+[\wæøå]+)?(?:\s+\d+)?\s+){0,2}"
    # "dispenseren hans må settes på pause": whose it is may stand there too
    where += r"(?:(?:hans|hennes|hennar|hanses)\s+)?"
    # "Fallsensoren vart òg testa", "sengesensoren står fortsatt avslått": an "also" or a
    # "still" may stand in the phrase
    also = r"(?:òg|også|au|ogso|fortsatt|framleis|fremdeles|enno|ennå)\s+"
    # "Fallsensoren og tryggleiksalarmen er testa": what is said of both is said of each
    joined = r"(?:(?:og|eller)\s+[\wæøå-]+\s+)?"
    # "nattkameraet er slått av": the trigger's word may go on (definite forms)
    return re.compile(rf"(?:{alternation(rules['technologies'][tech]['triggers'])})[\wæøå]*"
                      rf"\s+{joined}{where}"
                      rf"(?:{alternation(rules[key])}|{_also_inside(rules[key], also)})"
                      rf"(?![\wæøå]){_NOT_WHAT_IT_SWITCHED}", re.IGNORECASE)


# "komfyrvakta hos bruker hadde slått av straumen": what the stove guard switched off
# follows; the guard did it, it was not switched off
_NOT_WHAT_IT_SWITCHED = r"(?!\s+(?:straumen|strømmen|komfyren|kokeplat\w*|platen\w*))"


def _also_inside(phrases: list[str], also: str) -> str:
    """ "vart sjekka" said "vart òg sjekka": the phrases of two words or more with an "also"
    after their first word."""
    two = [p.split(" ", 1) for p in phrases if " " in p]
    return "|".join(rf"{re.escape(a)}\s+{also}{re.escape(b)}" for a, b in two) or "(?!)"


def _only_kept(tech: str, text: str, start: int) -> bool:
    """ "Medisindispenseren ble fylt på klokka ti", "sengesensoren var slått av i natt": the
    device's upkeep or state, told with nothing that says it went off."""
    rules = _rules()
    if _said_after(tech, text, start, "device_off_after") or _off_said_of_it(tech, text, start):
        return True
    if _dose_taken(tech, text):
        return True
    if "teknisk_alarm" not in event_cues(tech) and \
            has_phrase(text, rules["device_fault"]):
        return True  # "fallsensoren pep for lavt batteri": no fall, its upkeep
    if _battery_upkeep(tech, text):
        return True
    if not has_phrase(text, _upkeep()):
        return False
    # "den varsler som den skal" is upkeep said with an alarm word: not what went off;
    # "det lyste grønt, så ingen feil": a fault said not to be there is none either.
    rest = " ".join(part for part in re.split(_maintenance_pattern(),
                                              without_staff_leaving(text)) if part)
    # "… viste ham hvordan han trykker på knappen når det piper": whenever, not what happened
    # "slo på sengesensoren … og testet at den varslet på telefonen": the test went off
    return _nothing_else_went_off(tech, _NOT_THERE.sub("", as_happened(without_tests(rest))),
                                  text)


def _nothing_else_went_off(tech: str, rest: str, text: str) -> bool:
    """What is left of `text` once its upkeep is struck (`rest`) says nothing went off, and
    `text` tells no false alarm."""
    return not has_phrase(rest, went_off_phrases(tech)) and \
        not has_phrase(text, any_false_alarm_cue())


def _dose_taken(tech: str, text: str) -> bool:
    """ "Ho tok dosen kl. 09.05, og dispenseren registrerte uttaket": a dose taken as it
    should be, with nothing else that says the dispenser went off, is no missed dose."""
    if "dose_ikke_tatt" not in event_cues(tech):
        return False
    rest = _dose_taken_pattern().sub(" ", text)
    # "jeg gikk inn og viste henne …, og dosen ble tatt ut": staff walking, no alarm going off
    rest = STAFF_WALKED.sub(" ", rest)
    return rest != text and _nothing_else_went_off(tech, rest, text)


@lru_cache(maxsize=1)
def _dose_taken_pattern() -> re.Pattern[str]:
    rules = _rules()
    dose = r"[\wæøå]*dos(?:en|a|e|ene|ane)"
    # "ho hadde ikkje teke ut dosen", "ho tok itte dosen": not taken
    not_said = "".join(rf"(?<!{word}\s)" for word in rules["no_alarm_negations"]
                       if " " not in word)
    return re.compile(rf"(?<![\wæøå]){not_said}(?:"
                      rf"(?:{alternation(tuple(rules['dose_taken']))})\s+{dose}"
                      rf"|{dose}\s+(?:{alternation(tuple(rules['dose_taken_after']))})"
                      # "dispenseren var tom": the doses taken, not "tom for medisin"
                      rf"|(?:{alternation(tuple(rules['dose_taken_said']))})"
                      rf"(?!\s+for(?![\wæøå])))(?![\wæøå])",
                      re.IGNORECASE)


def _battery_upkeep(tech: str, text: str) -> bool:
    """ "Byttet batteri på trygghetsalarmen og testet den", "batteriet i sengesensoren vart
    bytt i kveld": a battery changed — not the device working again ("no verkar han") —
    with nothing else that says it went off (data: battery_changed, works_again)."""
    rules = _rules()
    found = _battery_changed().search(text)
    if found is None or has_phrase(text, tuple(rules["works_again"])):
        return False
    rest = _NOT_THERE.sub("", text[:found.start()] + " " + text[found.end():])
    return _nothing_else_went_off(tech, rest, text)


def battery_changes(text: str) -> list[re.Match[str]]:
    """Where `text` says a battery was changed ("byttet batteri", "batteriet … ble bytta")."""
    return list(_battery_changed().finditer(text))


@lru_cache(maxsize=1)
def _battery_changed() -> re.Pattern[str]:
    """ "byttet batteri", and "batteriet i alarmen hans ble også byttet" (its device between)."""
    rules = _rules()
    also = r"(?:\s+(?:også|òg|au))?"
    after = "|".join(re.escape(aux) + also + r"\s+" + re.escape(verb)
                     for aux, verb in (p.split(" ", 1) for p in rules["battery_changed_after"]))
    # "skifta kollegaen min batteri", "bytta vi batteriet": who changed it may stand between
    verbs = alternation(tuple({p.split(" ")[0] for p in rules["battery_changed"]}))
    return re.compile(rf"(?<![\wæøå])(?:(?:{alternation(tuple(rules['battery_changed']))})"
                      rf"|(?:{verbs})(?:\s+[\wæøå]+){{1,3}}?\s+batteri[\wæøå]*"
                      rf"|batteri[\wæøå]*(?:\s+[\wæøå-]+){{0,10}}?\s+(?:{after}))(?![\wæøå])",
                      re.IGNORECASE)


def _off_said_of_it(tech: str, text: str, start: int) -> bool:
    """ "Sengesensoren er lada og ligg klar, men … så han er slått av", "… og sensoren er slått
    av": the device, named before or in the sentence before, said to be off — with no time
    and nothing else that says it went off."""
    found = _off_of_it_pattern().search(text, start)
    if found is None or TIME.search(text):
        return False
    rest = text[:found.start()] + text[found.end():]
    return not has_phrase(rest, went_off_phrases(tech))


@lru_cache(maxsize=1)
def _off_of_it_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![\wæøå])(?:{alternation(_IT)})\s+"
                      rf"(?:{alternation(tuple(_rules()['device_off_after']))})(?![\wæøå])",
                      re.IGNORECASE)


_NOT_THERE = re.compile(r"(?<![\wæøå])(?:ingen|ikke|ikkje|itte|itj|uten|utan)\s+"
                        r"(?:noen\s+|nokon\s+)?"
                        r"(?:feil|feilmelding|alarm|varsel|glemt|glømt|gløymt)\w*",
                        re.IGNORECASE)

_IT = ("han", "ho", "hun", "den", "sensoren", "sensorane", "sensorene")


@lru_cache(maxsize=1)
def _upkeep() -> tuple[str, ...]:
    # "eg minte ho på å ha han på armen": a reminder to wear it is its use, not an alarm
    return (*_rules()["device_maintenance"], *_rules()["device_wear_reminded"])


@lru_cache(maxsize=1)
def _maintenance_pattern() -> re.Pattern[str]:
    # ("… satt på lading før eg gikk": staff leaving is struck before, as no alarm either)
    words = _upkeep()
    return re.compile(rf"(?<![\wæøå])(?:{alternation(words)})(?![\wæøå])", re.IGNORECASE)
