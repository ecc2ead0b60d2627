"""Where the sentence model's cuts go in a stretch the nurse did not punctuate.

The model (`structuring.segmenter`) proposes sentence starts; these rules check them: no cut
after a clock word, a value's name or a word no sentence ends on, none inside a phrase the
welfare-technology rules read; a cut that would part a time from its "i natt" goes before
the time; and an alarm told with no time of its own takes the time the model left at the end
of the sentence before it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from structuring import daypart
from structuring.clock_times import hour_said_about
from structuring.devices import event_cues, is_round, technologies_in
from structuring.lexicon import has_phrase
from structuring.rules import load_rules
from structuring.self_corrections import corrects_a_value
from structuring.tokens import DIGIT_TIME, Tok, _is_numberish, _Rules


# Words that say when, not what: a clock time with these and one more word is no sentence
# (a measurement is: "temperatur 36,8" stays).
_TIME_WORDS = {"halv", "kvart", "over", "på", "i", "ca", "ca.", "cirka", "rundt", "ved"}


def _may_start(lowered: list[str], i: int, rules: _Rules) -> bool:
    if lowered[i - 1].rstrip(".") in rules.clock_stems or lowered[i - 1] in rules.never_ends:
        return False  # "klokka | ti", "lurte på om han vil | ha": the sentence goes on
    if lowered[i] in ("på", "over") and i + 1 < len(lowered) and \
            _is_hour_word(lowered[i + 1], rules) and \
            (_is_hour_word(lowered[i - 1], rules) or lowered[i - 1] in ("kvart", "tjue")):
        return False  # "følgde han attende ti | på eitt varsla …": one time
    if corrects_a_value(lowered, i, rules):
        return False  # "midazolam ett komma fem | nei to komma fem": one value, corrected
    if lowered[i - 1] in rules.value_follows or " ".join(lowered[max(0, i - 2):i]) in \
            rules.value_follows:
        return False  # "crp | i dag var nittisju", "om lag | tusen": the value comes next
    if lowered[i].rstrip(".") in rules.clock_stems and daypart.daypart([lowered[i - 1]], rules) \
            and not (i > 1 and lowered[i - 2] in daypart.WHOLE):
        # "fekk morgonmedisinen | klokka åtte": the cue is the time's own ("satt hos ho hele
        # kvelden | klokka ti på fire": a whole evening is no time's cue)
        return False
    for length, phrases in _kept_phrases().items():
        for back in range(1, length):
            if i - back >= 0 and tuple(lowered[i - back:i - back + length]) in phrases:
                return False
    return True


def _cut_at(lowered: list[str], i: int, rules: _Rules) -> int | None:
    """Where a cut the sentence model proposes before word i goes: there, nowhere, before a
    word that opens sentences ("ellers"), or — where the cut would part a time from its
    "i natt" — before the time."""
    if lowered[i - 1] in rules.opens and i > 1 and _may_start(lowered, i - 1, rules):
        return i - 1  # "… kommer fra | ellers ingen blødninger"
    if _verb_before_its_device(lowered, i, rules):
        # "sovna igjen og så i firetida gikk | fallsensoren": the verb's subject follows it
        start = i - 1
        while start > 0 and (_said_time_word(lowered[start - 1], rules) or
                             lowered[start - 1].endswith(_ABOUT_HOUR_ENDINGS)):
            start -= 1
        while start > 1 and lowered[start - 1] in rules.opens and lowered[start - 2] == "og":
            start -= 2  # "… og så i firetida gikk fallsensoren"
        return start if 0 < start < i - 1 and _may_start(lowered, start, rules) else None
    if not _daypart_after_hour(lowered, i, rules):
        return i if _may_start(lowered, i, rules) else None
    start = i - 1  # "gikk inn igjen | klokka kvart over fire i natt varsla den igjen"
    while start > 0 and (lowered[start - 1] in _TIME_WORDS or lowered[start - 1] in rules.numbers
                         or lowered[start - 1].rstrip(".") in rules.clock_stems):
        start -= 1
    return start if 0 < start < i - 1 and _may_start(lowered, start, rules) else None


_ABOUT_HOUR_ENDINGS = ("tida", "tiden", "tia")  # "i firetida", "ved ni-tiden"


def _verb_before_its_device(lowered: list[str], i: int, rules: _Rules) -> bool:
    """A cut between an alarm verb said after a time and the device that follows it."""
    if i < 2 or lowered[i - 1] not in _alarm_verbs():
        return False
    before = lowered[i - 2]
    return (_said_time_word(before, rules) or before.endswith(_ABOUT_HOUR_ENDINGS)) and \
        any(p == 0 for p, _ in technologies_in(" ".join(lowered[i:i + 3])))


def _alarm_keeps_its_time(lowered: list[str], starts: list[int], rules: _Rules) -> list[int]:
    """ "… ingen tiltak halv fem | fallsensoren gikk på rom elleve …": an alarm told with no
    time of its own, right after a time the model left at the end of the sentence before,
    is that time's; the cut goes before the time."""
    out = list(starts)
    for k in range(len(starts) - 1, 0, -1):  # from the end: a time moved on is not its own
        start = starts[k]
        part = lowered[start:out[k + 1] if k + 1 < len(out) else len(lowered)]
        opening = [tech for p, tech in technologies_in(" ".join(part[:2])) if p == 0]
        # a round ("digitalt tilsyn på rom ni han sov") is told by its name alone
        said = " ".join(part[:6])
        if not opening or _has_own_time(part, rules) or has_phrase(said, _upkeep_words()) or \
                not (has_phrase(said, _alarm_verbs()) or is_round(opening[0])):
            continue
        time_start = start
        while time_start > starts[k - 1] + 1 and _said_time_word(lowered[time_start - 1], rules):
            time_start -= 1
        moved = lowered[time_start:start]
        # "klokka to", "halv fem", "rundt tre" — not "trettisju komma fire"
        if moved and lowered[time_start - 1] != "komma" and \
                any(_is_hour_word(w, rules) for w in moved) and \
                any(w.rstrip(".") in rules.clock_stems or w in _TIME_WORDS for w in moved):
            out[k] = time_start
    return out


def fronted_times(lowered: list[str], rules: _Rules) -> list[int]:
    """ "… lå han i senga og sov | klokka to var senga tom": a clock time said first, a
    finite verb and then the subject (Norwegian puts the verb second) starts a sentence the
    model may not see; not where the time belongs to the words before it ("sov til klokka
    fem", "første gong klokka sju", "på skjermbesøket klokka ett sa ho")."""
    out = []
    for j, word in enumerate(lowered):
        if j < 2 or word.rstrip(".") not in rules.clock_stems or \
                lowered[j - 1] in _TIME_GOVERNED_BY or lowered[j - 1] in rules.clause_words or \
                lowered[j - 2] in _TIME_GOVERNED_BY:
            continue
        k = j + 1
        while k < len(lowered) and k - j <= 4 and (_said_time_word(lowered[k], rules) or
                                                  DIGIT_TIME.fullmatch(lowered[k])):
            k += 1
        if k == j + 1 or k + 1 >= len(lowered) or lowered[k] not in _FRONTED_VERBS:
            continue
        subject = lowered[k + 1]
        if subject in rules.subjects or subject in ("det", "den") or \
                (lowered[k] in _COPULAS and subject.endswith(("a", "en", "et"))):
            out.append(j)
    return out


# When a day part said first is ("i dag tidleg var temperaturen …", "om kvelden sov ho …")
_FRONTED_DAYPARTS = (("i", "dag", "tidleg"), ("i", "dag", "tidlig"), ("i", "går", "kveld"),
                     ("i", "går", "kvell"), ("i", "morges"), ("i", "kveld"), ("i", "natt"),
                     ("i", "ettermiddag"), ("i", "formiddag"), ("om", "morgonen"),
                     ("om", "morgenen"), ("om", "kvelden"), ("om", "natta"), ("om", "natten"))


def fronted_dayparts(lowered: list[str], rules: _Rules) -> list[int]:
    """ "… under puta | i dag tidleg klokka åtte var ho trøytt": a day part said first, maybe
    with its clock time, then a finite verb and its subject, starts a sentence as a fronted
    clock time does (`fronted_times`)."""
    out = []
    for j in range(2, len(lowered)):
        if lowered[j] not in ("i", "om"):
            continue  # every day part listed opens so
        said = next((p for p in _FRONTED_DAYPARTS if tuple(lowered[j:j + len(p)]) == p), None)
        before = lowered[j - 1]
        # "klokka ti over to i natt | varsla den igjen": the day part is the time's before it
        if said is None or before in rules.clause_words or before in _TIME_GOVERNED_BY or \
                _said_time_word(before, rules) or DIGIT_TIME.fullmatch(before) or \
                before.endswith(_ABOUT_HOUR_ENDINGS) or _numberish_word(before, rules):
            continue
        k = j + len(said)
        if k < len(lowered) and lowered[k].rstrip(".") in rules.clock_stems:
            k += 1
            while k < len(lowered) and (_said_time_word(lowered[k], rules) or
                                        DIGIT_TIME.fullmatch(lowered[k])):
                k += 1
        if k + 1 < len(lowered) and lowered[k] in _FRONTED_VERBS and (
                lowered[k + 1] in rules.subjects or lowered[k + 1] in ("det", "den") or
                (lowered[k] in _COPULAS and lowered[k + 1].endswith(("a", "en", "et")))):
            out.append(j)
    return out


def visit_time_ends(lowered: list[str], rules: _Rules) -> list[int]:
    """ "kveldsbesøk klokka kvart på ni ho satt i stua …": a visit or shift told first with
    its clock time is the note's opening line, as the writers file it ("Kveldsbesøk kl.
    20.45.", 195 of 195 under annet); where a subject, or a word and a finite verb, follows
    the time, the story starts a sentence of its own."""
    if not lowered or not any(stem in lowered[0] for stem in rules.visit_opening_line):
        return []
    j = next((k for k in range(1, min(len(lowered), 7))
              if lowered[k].rstrip(".") in rules.clock_stems), None)
    if j is None:
        return []
    k = j + 1
    while k < len(lowered) and k - j <= 4 and (_said_time_word(lowered[k], rules) or
                                              DIGIT_TIME.fullmatch(lowered[k])):
        k += 1
    while k > j + 1 and lowered[k - 1] in _TIME_WORDS and not _is_hour_word(lowered[k - 1], rules):
        k -= 1  # "klokka halv elleve i | kveld fekk vi varsel": "i kveld" is the time's
    if k == j + 1 or k + 1 >= len(lowered):
        return []
    said, then = lowered[k], lowered[k + 1]
    if said in rules.subjects or (then in _FRONTED_VERBS and said not in _TIME_GOVERNED_BY and
                                  said not in rules.clause_words and said != "og"):
        return [k]
    return []


def measurement_starts(lowered: list[str], rules: _Rules) -> list[int]:
    """ "ingen blod i urinen | temperatur trettisju komma fem": a measurement named with its
    value close after it, said after a clause that ended on neither a value nor a word that
    leads on to it ("målte | blodtrykk", "lavt | blodsukker"), starts a sentence. Vital signs
    in a row ("metning nittito prosent respirasjonsfrekvens atten") stay one sentence."""
    out = []
    for j in range(2, len(lowered)):
        before = lowered[j - 1]
        if lowered[j] not in rules.measurements or \
                not any(_numberish_word(w, rules) for w in lowered[j + 1:j + 5]):
            continue
        if _numberish_word(before, rules) or before in rules.units or \
                before in rules.measurements or before in rules.value_follows or \
                before in rules.never_ends or before in _LEADS_TO_A_MEASUREMENT:
            continue
        out.append(j)
    return out


def _numberish_word(word: str, rules: _Rules) -> bool:
    return _is_numberish(Tok(word), rules)  # "92", "nittifem", "hundre"


# Words after which a measurement's name goes on the sentence: "målte blodtrykk",
# "lavt blodsukker", "sjekka blodsukkeret på sensoren", "tok temp"
_LEADS_TO_A_MEASUREMENT = frozenset({
    "på", "i", "med", "før", "etter", "til", "te", "av", "om", "ved", "under", "over", "for",
    "var", "va", "er", "e", "sin", "sitt", "hans", "hennes", "hennar", "målte", "måla",
    "målt", "sjekka", "sjekket", "sjekk", "kontrollerte", "tok", "tatt", "teke", "høyt", "høgt",
    "lavt", "lågt", "normalt", "stabilt", "godt", "fint", "ny", "nytt", "ei", "en", "ein",
    "et", "eit", "ingen", "ikke", "ikkje", "itte", "ta", "måle", "sjekke", "hadde", "har",
    "ekstra"})


def device_after_heading(lowered: list[str], rules: _Rules, reach: int = 8) -> int | None:
    """ "nattevakt på skjerma eining i Mosjøen | sengesensoren på rom 6 varsla …",
    "kveldsvakt rapport for … | gps-klokka hans varsla": a shift heading that goes on to its
    unit, room or patient ends where a device is named within `reach` words (what the device
    did is the story, not the heading)."""
    if len(lowered) < 4 or lowered[0] not in rules.shift_headers or \
            lowered[1] not in rules.shift_header_goes_on:
        return None
    for k in range(3, min(len(lowered), reach + 1)):
        if lowered[k - 1] in _LEADS_TO_A_DEVICE or lowered[k - 1] in rules.shift_header_goes_on:
            continue  # "… på kamera", "rapport for dørsensor…": the heading's own words
        if any(p == 0 for p, _ in technologies_in(" ".join(lowered[k:k + 3]))):
            return k
    return None


_LEADS_TO_A_DEVICE = frozenset({"med", "om", "har", "hadde", "sin", "si", "sitt", "hans",
                                "hennes", "hennar", "en", "ein", "ei", "et", "eit", "nytt",
                                "ny", "nye"})


# Words before "klokka" that the time belongs to: "til klokka fem", "første gong klokka sju"
_TIME_GOVERNED_BY = frozenset({
    "til", "te", "frå", "fra", "før", "etter", "ved", "rundt", "innan", "innen", "mellom",
    "sidan", "siden", "sia", "kom", "om", "i", "på", "under", "fram", "kvar", "hver",
    "gang", "gangen", "gong", "gongen", "ganger", "gonger"})
# Finite verbs a nurse's story puts right after a time ("klokka tre ropa ho")
_FRONTED_VERBS = frozenset({
    "var", "va", "vart", "ble", "blei", "er", "e", "sov", "søv", "lå", "låg", "satt", "sat",
    "sto", "stod", "kom", "gikk", "gjekk", "ringte", "ringde", "ropte", "ropa", "vakna",
    "våkna", "vaknet", "våknet", "varsla", "varslet", "fikk", "fekk", "hadde", "ga", "gav",
    "sa", "klaga", "klagde", "spurte", "trykte", "trykket", "trykka", "hørte", "høyrde",
    "fant", "fann", "tok", "målte", "gjorde", "skulle", "ville", "måtte", "kunne", "sovna",
    "sovnet", "ringer", "kjem", "kommer", "slutta", "sluttet", "begynte", "byrja", "døde",
    "døydde", "datt", "falt", "ramla"})
_COPULAS = frozenset({"var", "va", "vart", "ble", "blei", "er", "e"})


def _has_own_time(part: list[str], rules: _Rules) -> bool:
    """A clock time said in `part`: a clock word, "halv", "kvart", or an hour after "ved",
    "rundt", "over" or "på" ("på rom elleve" is a room)."""
    return any(w.rstrip(".") in rules.clock_stems or w in ("halv", "kvart") or
               (i and part[i - 1] in ("ved", "rundt", "over", "på") and _is_hour_word(w, rules))
               for i, w in enumerate(part))


def time_alone(lowered: list[str], rules: _Rules) -> bool:
    """ "kvart på elleve i kveld", "Kl. 8.30.", "ved tolvtida": a piece that says a clock
    time and nothing else is no sentence of its own (no gold sentence of 4200 dictations is
    one; the writers file it with the sentence it belongs to)."""
    words = [w for w in lowered if w not in _MARKS]
    return bool(words) and any(_names_an_hour(w, rules) for w in words) and \
        all(_said_time_word(w, rules) or _names_an_hour(w, rules) or w in _PART_OF_DAY
            for w in words)


def opens_with_its_verb(lowered: list[str], rules: _Rules) -> bool:
    """ "ringte hu på og ville på do": a finite verb then its subject, the word order of a
    sentence whose time was said first ("kvart over tolv | ringte hu på")."""
    return len(lowered) > 1 and lowered[0] in _FRONTED_VERBS and lowered[1] in rules.subjects


def _names_an_hour(word: str, rules: _Rules) -> bool:
    return DIGIT_TIME.fullmatch(word) is not None or _is_hour_word(word, rules) or \
        hour_said_about(word, rules) is not None  # "tolvtida", "ni-tiden"


_MARKS = frozenset({".", ",", "?", "!", ":", ";"})
_WHEN_WORDS = frozenset({"går", "dag", "morgen", "kveld", "natt", "tidlig", "tidleg", "seint",
                         "sent"})
# the part of the day as such; not a visit, dose or meal named by it ("kveldsbesøk kl. 20.30"
# is the note's opening line, "kveldsdosen kl. 21" a dose)
_PART_OF_DAY = _WHEN_WORDS | {
    "morges", "morgest", "morgon", "morgonen", "morgenen", "morra", "morres", "mårrå", "dagen",
    "formiddag", "formiddagen", "ettermiddag", "ettermiddagen", "kvelden", "kvell", "kvæld",
    "natta", "natten", "midnatt"}


def _said_time_word(word: str, rules: _Rules) -> bool:
    # "tjue" as in "tjue over fire"; the other minutes ("fem", "ti") are hour words as well
    return word in _TIME_WORDS or word.rstrip(".") in rules.clock_stems or \
        _is_hour_word(word, rules) or word == "tjue"


def _is_hour_word(word: str, rules: _Rules) -> bool:
    return _HOUR_DIGITS.fullmatch(word) is not None or \
        (word not in ("en", "ei", "ein") and 1 <= rules.numbers.get(word, 0) <= 12)


@lru_cache(maxsize=1)
def _upkeep_words() -> tuple[str, ...]:
    welfare = load_rules("welfare_technology")
    return (*welfare["device_off_after"], *welfare["device_maintenance"])


@lru_cache(maxsize=1)
def _alarm_verbs() -> tuple[str, ...]:
    welfare = load_rules("welfare_technology")
    return (*welfare["alarm_verbs"], *welfare["new_alarm_words"])


_HOUR_DIGITS = re.compile(r"(?:[1-9]|1[0-2])(?:[.:][0-5]\d)?")


def _daypart_after_hour(lowered: list[str], i: int, rules: _Rules) -> bool:
    """ "… gikk inn igjen klokka kvart over fire i natt varslet den igjen": a part of the
    day said right after an hour ("i natt", "i kveld", "om natta") is that hour's."""
    if lowered[i] not in ("i", "om") or i + 1 >= len(lowered):
        return False
    return _is_hour_word(lowered[i - 1], rules) and \
        daypart.daypart([lowered[i + 1]], rules) not in (None, "daytime")


@lru_cache(maxsize=1)
def _kept_phrases() -> dict[int, set[tuple[str, ...]]]:
    """Multi-word phrases the welfare-technology rules match (a cut inside one loses it)."""
    rules = load_rules("welfare_technology")
    phrases = list(rules["false_alarm_cues"]) + rules["fall_false_alarm_cues"]["cues"]
    for name, tech in rules["technologies"].items():
        phrases += tech["triggers"]
        for cues in event_cues(name).values():
            phrases += cues
    for cues in rules["responses"].values():
        phrases += cues
    out: dict[int, set[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(phrase.lower().split())
        if len(words) > 1:
            out.setdefault(len(words), set()).add(words)
    return out
