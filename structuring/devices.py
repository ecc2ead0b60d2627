"""Which welfare-technology device a sentence names, and the words of what each device
reports (split out of `structuring.events`, fourteenth pass of issue 15): a device's name
(not where it is used as a phone: "ringte henne på trygghetsalarmen"), its event cues in
every negation a nurse says, and a device named only as where a dose came from.
"""

from __future__ import annotations

import re
from functools import lru_cache

from structuring.lexicon import find_phrases, has_phrase, phrase_pattern
from structuring.rules import load_rules


def _rules() -> dict:
    return load_rules("welfare_technology")


def without_staff_leaving(text: str) -> str:
    """The sentence with staff leaving or walking struck ("da vi gikk", "før eg gjekk", "vi
    gikk gjennom hvordan den virker"): what staff did is no alarm of a device named with
    it, nor its upkeep."""
    return STAFF_WALKED.sub("", _staff_leaving().sub("", text))


# staff as the subject of "gikk": "vi gikk gjennom …", "eg gjekk inn", not the device going off
STAFF_WALKED = re.compile(r"\b(?:jeg|eg|vi|me|æ|e|je)\s+(?:gikk|gjekk)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _staff_leaving() -> re.Pattern[str]:
    return phrase_pattern(tuple(_rules()["staff_leaving"]))


def technology_in(text: str) -> str | None:
    """The technology a sentence names first, if any."""
    found = technologies_in(text)
    return found[0][1] if found else None


def technologies_in(text: str) -> list[tuple[int, str]]:
    """(position, technology) of each technology named, in order; a name said again right
    after itself counts once."""
    return list(_technologies_in(text))


@lru_cache(maxsize=256)  # the event grouping asks of each sentence several times
def _technologies_in(text: str) -> tuple[tuple[int, str], ...]:
    found = sorted((match.start(), name) for name, tech in _rules()["technologies"].items()
                   for match in find_phrases(text, tech["triggers"], prefix=True)
                   if not _used_as_phone(text, match.start(), tech))
    out: list[tuple[int, str]] = []
    for position, name in found:
        if not out or out[-1][1] != name:
            out.append((position, name))
    return tuple(out)


@lru_cache(maxsize=None)
def event_cues(tech: str) -> dict[str, tuple[str, ...]]:
    """A device's event cues, each negated cue in every negation a nurse says: "ikke var
    tatt" is also "itte var tatt", "ikkje var tatt", "itj var tatt", "ville ikke åpne" also
    "ville itte åpne" (the data lists a cue once, in any of them)."""
    negations = [n for n in _rules()["no_alarm_negations"] if " " not in n and n != "ingen"]
    out = {}
    for event, cues in _rules()["technologies"][tech]["events"].items():
        forms = []
        for cue in cues:
            words = cue.split()
            # "ville ikke åpne" is also "ville itte åpne": the negation anywhere in the cue
            at = next((k for k, word in enumerate(words) if word in negations), None)
            if at is not None:
                forms += [" ".join([*words[:at], n, *words[at + 1:]]) for n in negations]
            else:
                forms.append(cue)
        out[event] = tuple(dict.fromkeys(forms))
    return out


@lru_cache(maxsize=None)
def all_event_cues(tech: str) -> tuple[str, ...]:
    return tuple(cue for cues in event_cues(tech).values() for cue in cues)


def is_round(tech: str) -> bool:
    """A technology whose every check is its own event (digital night rounds)."""
    return bool(_rules()["technologies"][tech].get("one_event_per_time"))


def tells_applied_for(text: str) -> bool:
    """ "Je har sendt søknad til tildelingskontoret": applying for something (data:
    applied_for), said right after a device is named, is applying for the device."""
    return has_phrase(text, _rules()["applied_for"])


def names_a_device(text: str) -> bool:
    """A device named for itself, not as where a dose came from ("tok morgondosen frå
    Pilly"; "påfylling av medisindispenseren" is the device's)."""
    gives_a_dose = _DOSE_WORD.search(text) is not None
    return any(not (gives_a_dose and dose_taken_from(tech, text, p))
               for p, tech in technologies_in(text))


# a dose or a medicine, not the device's own name ("medisindispenseren", "medisinroboten")
_DOSE_WORD = re.compile(r"(?<![\wæøå])(?![\wæøå]*(?:dispenser|robot))"
                        r"(?:[\wæøå]*dos[ae]n?|medisin[\wæøå]*|tablett[\wæøå]*)(?![\wæøå])",
                        re.IGNORECASE)


def dose_taken_from(tech: str, text: str, start: int) -> bool:
    """ "Fikk Eliquis 5 mg fra dispenseren kl. 08.00": where a dose came from, no alarm."""
    rules = _rules()
    before = text[:start].lower().split()
    if not before or before[-1] not in rules["technologies"][tech].get("dose_source_after", ()):
        return False
    return not has_phrase(text, went_off_phrases(tech))


@lru_cache(maxsize=None)
def went_off_phrases(tech: str) -> tuple[str, ...]:
    """What says a device went off: an alarm word for a new alarm, an alarm verb, one of its
    event cues (one tuple per technology, so that `has_phrase` finds its pattern cached)."""
    rules = _rules()
    return (*rules["new_alarm_words"], *rules["alarm_verbs"], *all_event_cues(tech))


def _used_as_phone(text: str, start: int, tech: dict) -> bool:
    """ "Jeg ringte henne på trygghetsalarmen": the device as a phone, not an alarm ("trykte
    ho på tryggleiksalarmen" is the alarm)."""
    before = text[:start].lower().split()
    pressed = set(tech.get("pressed_before", ()))
    # "teknisk feil på trygghetsalarmen": the device's own fault, not a call over it
    own_part = len(before) > 1 and before[-2] in _rules()["part_of_the_device"]
    # "nattevakta ble ringt opp via trygghetsalarmen": the user called staff, an alarm
    called = any(" ".join(before[-1 - n:-1]) in tech.get("staff_called_before", ())
                 for n in (2, 3))
    clause = _clause_before(before[:-1])
    return bool(before) and before[-1] in tech.get("used_as_phone_after", ()) and \
        not pressed.intersection(clause) and not own_part and not called and \
        not _user_called(clause[::-1], tech)


_STAFF = frozenset({"jeg", "eg", "vi", "me", "æ", "je"})


def _user_called(clause: list[str], tech: dict) -> bool:
    """ "Hun ringte på trygghetsalarmen", "Klokka ti ringte bruker på …": the user the caller
    (right before the verb, or right after it with no staff said before), an alarm — not
    "Jeg ringte bruker på trygghetsalarmen"."""
    callers = tech.get("callers", ())
    for k, word in enumerate(clause):
        if word in tech.get("call_verbs", ()) and (
                k and clause[k - 1] in callers or
                clause[k + 1:k + 2] and clause[k + 1] in callers and
                not _STAFF.intersection(clause[:k])):
            return True
    return False


_CLAUSE_ENDS = frozenset({"og", "men", "så", "da", "mens"})
PRESSED_REACH = 6  # "trykket beboeren på rom 9 på trygghetsalarmen": the user said between


def _clause_before(words: list[str]) -> list[str]:
    """Up to PRESSED_REACH words before, back to where their clause begins."""
    out: list[str] = []
    for word in reversed(words[-PRESSED_REACH:]):
        if word in _CLAUSE_ENDS or word.endswith((",", ".")):
            break
        out.append(word)
    return out
