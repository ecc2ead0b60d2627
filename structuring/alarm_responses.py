"""What staff did about a welfare-technology alarm, read from the words of its story: the
responses of `welfare_technology.json` (called the user, a home visit, reset the device …),
who was contacted (a contact verb and a person, or the person and a passive: "ringte
dottera", "legen ble varslet"), and whether the alarm was false. Split out of
`structuring.events`, which finds the events and uses these to tell a story's end and its
record."""

from __future__ import annotations

import re
from functools import lru_cache

from structuring.lexicon import has_phrase
from structuring.rules import load_rules


def _rules() -> dict:
    return load_rules("welfare_technology")


def tells_response(text: str) -> bool:
    """Whether a sentence tells what staff did about an alarm (or that it was false)."""
    return bool(_named(text)) or has_phrase(text, any_false_alarm_cue())


def _named(text: str, only: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The responses the words of `text` name (of `only`, if given), in the data's order."""
    return tuple(name for name, cues in _rules()["responses"].items()
                 if (only is None or name in only) and
                 (has_phrase(text, cues) or contacted(text, name)))


CONTACT_RESPONSES = ("kontaktet_lege", "kontaktet_parorende", "ringte_113")


def tells_contact(text: str) -> bool:
    return bool(_named(text, CONTACT_RESPONSES))


@lru_cache(maxsize=1)
def any_false_alarm_cue() -> tuple[str, ...]:
    """Every false-alarm cue, the fall ones included: a sentence saying one is about the alarm."""
    rules = _rules()
    return tuple(rules["false_alarm_cues"] + rules["fall_false_alarm_cues"]["cues"])


def is_false_alarm(technology: str, story: str) -> bool:
    rules = _rules()
    fall = rules["fall_false_alarm_cues"]
    return has_phrase(story, rules["false_alarm_cues"]) or (
        technology in fall["technologies"] and has_phrase(story, fall["cues"]))


# A name between the verb and the person: "ringte Aud, kona hans", "ringde Kari Dale, dottera".
_NAME = r"(?:\s+(?-i:[A-ZÆØÅ])[\wæøå-]+){0,2},?"


@lru_cache(maxsize=1)
def _contact_patterns() -> dict[str, re.Pattern[str]]:
    """Per response, "verb person" or "person [possessive] passive" (response_contacts)."""
    contacts = _rules()["response_contacts"]
    alt = lambda words: "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    verbs, passives, owners = alt(contacts["verbs"]), alt(contacts["passives"]), \
        alt(contacts["possessives"])
    out = {}
    for name, persons in contacts["persons"].items():
        who = alt(persons)
        out[name] = re.compile(
            rf"(?<![\wæøå])(?:(?:{verbs}){_NAME}\s+(?:{who})|(?:{who})(?:\s+(?:{owners}))?\s+"
            rf"(?:{passives}))(?![\wæøå])", re.IGNORECASE)
    return out


def responses(technology: str, story: str, later: str, false_alarm: bool,
              told_over: int) -> tuple[str, ...]:
    """What staff did about one alarm: the responses its story's words tell (`story`; the
    contacts also from the sentences after it, `later`). Where the words tell none, what
    the writers file for such an alarm (data: response_when_untold): a bed or door sensor
    with its story told over several sentences (`told_over`) had staff go to the user and
    guide them (veiledet_bruker, 145 of 159 and 121 of 127 such alarms in the tuned gold);
    a camera round needed nothing (ingen_tiltak, 213 of 302) unless staff went in; a false
    alarm nothing (53 of 106); a missed dose, a call to the user (20 of 20)."""
    told = set(_named(story)) | set(_named(later, CONTACT_RESPONSES))
    return tuple(name for name in _rules()["responses"] if name in told) or \
        _untold(technology, story, false_alarm, told_over)


def _untold(technology: str, story: str, false_alarm: bool, told_over: int) -> tuple[str, ...]:
    untold = _rules()["response_when_untold"]
    if false_alarm:
        return ("ingen_tiltak",)
    default = untold["technologies"].get(technology)
    if default is None or told_over < untold["sentences"].get(technology, 1):
        return ()
    if has_phrase(story, untold["staff_went_in"]):
        return ("veiledet_bruker",)  # "kameraet viste … eg gjekk inn og hjelpte ho på do"
    return (default,)


def contacted(text: str, response: str) -> bool:
    pattern = _contact_patterns().get(response)
    return pattern is not None and pattern.search(text) is not None
