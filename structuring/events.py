"""Welfare-technology events: which device reported what, when, what staff did, false alarm.

A sentence naming a technology opens an event; the sentences after it in the same paragraph
(until another technology is named) tell the response and whether the alarm was false. Each
event becomes its own documentation entry with the national VKP alert code.

Issue 15 (unpunctuated speech, where one "sentence" may tell two stories): a second
technology named later in a sentence opens its own event there; an event's time is the one
told with its alarm — in the sentence naming the technology (the time nearest the name
when that sentence names several), else in the sentence right after it — never a time from
further on in the story (a dose given later is not the alarm's time).

A story goes on past `ny linje` when the sentence after it tells what staff did (a response,
a contact "ringte dottera", a false-alarm cue) and names no other technology: nurses often
start the response on a new line. `nytt avsnitt` or a new heading still ends it. Who was
contacted (doctor, next of kin, 113) is read on to the next technology named: "nytt avsnitt
jeg ringte legevakta" after a fall is the fall's response, the sentence filed by its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from structuring.alarm_responses import (
    any_false_alarm_cue,
    is_false_alarm,
    responses,
    tells_contact,
    tells_response,
)
from structuring import alarm_words as said
from structuring import event_times
from structuring.devices import (all_event_cues, dose_taken_from, event_cues, is_round,
                                 technologies_in, without_staff_leaving)
from structuring.device_mentions import (_dose_taken, _first_of_joined, _only_checked, _only_kept,
                                        _talked_about, _whenever)
from structuring.entities import AT_MIDNIGHT
from structuring.lexicon import alternation, find_phrases, has_phrase, phrase_pattern
from structuring.rules import load_rules

_TIME = said.TIME
# a time as written at a round: "kl. 03.00", "ca. kl. 03.00", "ved kl. 03.00"
_ROUND_TIME = r"(?:ca\.\s*|ved\s+)?kl\. \d{2}\.\d{2}"
_OPENS_WITH_TIME = re.compile(_ROUND_TIME, re.IGNORECASE)
_LOG_LINE = re.compile(_ROUND_TIME + r":", re.IGNORECASE)


@dataclass
class EventDraft:
    technology: str
    sentences: list[int] = field(default_factory=list)
    mention: int = 0  # where the first sentence names the technology
    # Later sentences, past the story's end, that only add who was contacted about it.
    contacts: list[int] = field(default_factory=list)


def midnight_as_a_time(sentences: list[str]) -> list[str]:
    """ "digitalt tilsyn rundt midnatt og kl. 03.00", "gikk ved midnatt og igjen kl. 03.25":
    midnight is a time an alarm or round is told at like any other (its position decides
    whose it is); the note keeps the words, the events read it as kl. 00.00."""
    return [AT_MIDNIGHT.sub("kl. 00.00", text) for text in sentences]


def _rules() -> dict:
    return load_rules("welfare_technology")


@lru_cache(maxsize=1)
def _mistake_pattern() -> re.Pattern[str]:
    """Words that sound like a fault and are none: the user's mistake, a user not reached."""
    return phrase_pattern(tuple(_rules()["pressed_by_mistake"] + _rules()["person_not_reached"]))


def about_the_alarm(text: str) -> bool:
    """Whether a sentence in an alarm's story is about the alarm: what staff did, the
    device, or a false alarm — not the clinical content the story also tells."""
    return tells_response(text) or bool(technologies_in(text)) or \
        has_phrase(text, _rules()["alarm_words"])


def group_events(sentences: list[str], blocks: list[int],
                 headings: list[str | None] | None = None,
                 paragraphs: list[int] | None = None) -> list[EventDraft]:
    """Events in order; an event ends with its line or paragraph or at a new heading — but
    a response told right after `ny linje` (same paragraph) still belongs to it."""
    sentences = midnight_as_a_time(sentences)
    headings = headings or [None] * len(sentences)
    paragraphs = paragraphs or blocks
    drafts: list[EventDraft] = []
    current: EventDraft | None = None
    for i, text in enumerate(sentences):
        if current is not None:
            last = current.sentences[-1]
            if blocks[i] != blocks[last] or headings[i] != headings[current.sentences[0]]:
                goes_on = paragraphs[i] == paragraphs[last] and \
                    headings[i] in (None, headings[current.sentences[0]]) and \
                    not technologies_in(text) and tells_response(text)
                if not goes_on:
                    current = None
        named = technologies_in(text)
        for position, tech in named:
            if _seen_through(tech, text, position, named, current):
                continue
            found = _event_for(tech, position, i, sentences, current, drafts)
            if found is None:
                continue  # "vi har bestilt medisindispenser": the device, no alarm
            current = found
            if not current.sentences or current.sentences[-1] != i:
                current.sentences.append(i)
        current = _new_alarm_untold(i, sentences, paragraphs, current, drafts) or \
            _next_round_untold(i, sentences, paragraphs, current, drafts) or current
        if current is not None and (not current.sentences or current.sentences[-1] != i):
            current.sentences.append(i)
        elif current is None and drafts and i > drafts[-1].sentences[-1] and \
                tells_contact(text):
            drafts[-1].contacts.append(i)
    return drafts


def _seen_through(tech: str, text: str, position: int, named: list[tuple[int, str]],
                  current: EventDraft | None) -> bool:
    """ "Sengesensoren varslet 23.40, på kamera så vi at …": a camera named in another
    device's story is how staff looked, not a round of its own (data `seen_through`)."""
    words = _rules()["technologies"][tech].get("seen_through", ())
    # "Kamera-tilsyn klokka tre" is the round's name, not a look in another story
    if not words or not re.match(rf"(?:{alternation(tuple(words))})(?![\wæøå-])",
                                 text[position:], re.IGNORECASE):
        return False
    # "… lot seg følge tilbake. Vi så til han på kameraet kl. 03.00": a look timed by its
    # own time, said right after the camera, is a round
    return any(other != tech for _, other in named) or \
        (current is not None and current.technology != tech and
         not _timed_look(tech).search(text))


@lru_cache(maxsize=None)
def _timed_look(tech: str) -> re.Pattern[str]:
    words = alternation(tuple(_rules()["technologies"][tech].get("seen_through", ())))
    return re.compile(rf"(?<![\wæøå])(?:{words})\s+{_ROUND_TIME}", re.IGNORECASE)


def _event_for(tech: str, position: int, i: int, sentences: list[str],
               current: EventDraft | None, drafts: list[EventDraft]) -> EventDraft | None:
    """The event a device named in sentence i belongs to: the story going on, an earlier
    alarm of the same device it follows up, a new alarm (appended to `drafts`) — or none."""
    text = sentences[i]
    fault = _fault_after_alarm(tech, sentences, i, current)
    if _alarm_said_at_last(tech, position, i, sentences, current):
        current.sentences, current.mention = [], position
        return current
    if current is not None and current.technology == tech and not fault and \
            not _new_round(tech, text, current, i) and \
            not _named_alarm_again(text, current, i, sentences) and \
            not (current.sentences[0] != i and _set_off_after_fault(current, sentences, i)):
        return current
    earlier = next((d for d in reversed(drafts) if d.technology == tech), None)
    if earlier is not None and not fault and _follows_up(tech, text) and \
            not said.alarmed_again(text) and \
            not said.tells_new_alarm(text) and not said.went_off_named_again(tech, text) and \
            not _set_off_after_fault(earlier, sentences, i):
        return earlier  # "sengesensoren ble tilbakestilt": the same alarm
    # "Medisindispenseren. Gav alarm kl. 07.10." — the next sentence must say the alarm; a
    # time, a call ("… Sønnen ble ringt kl. 08.30.") or the device's parts ("… Eg viste ho
    # korleis ho tek ut dosen") tell nothing about it. "Eg fylte medisindispenseren. … ingen
    # varsel i loggen": the next sentence says none; "Dørsensoren blir slått på klokka ti som
    # vanlig. Sønnen ringte …": a routine, no alarm.
    nxt = sentences[i + 1] if i + 1 < len(sentences) else ""
    told_next = bool(nxt) and not technologies_in(nxt) and not said.a_routine(text) and \
        not said.a_routine(nxt) and (
            _alarm_told(tech, nxt, story_nouns=False) and not said.says_no_alarm(nxt) or
            # "Digitalt tilsyn på rom 14 i natt. Kl. 00.30 sov ho på sida …": the first round
            is_round(tech) and (_OPENS_WITH_TIME.match(nxt) or _round_named(tech).match(nxt)))
    if not (_tells_an_alarm(tech, text) or told_next) or said.says_no_alarm_of(tech, text) or \
            _talked_about(text, _first_of_joined(text, position)) or \
            _talked_about(text, position, "device_out_of_reach") or _whenever(text, position) or \
            _TIME.search(text) is None and has_phrase(text, _rules()["habitual_words"]) or \
            dose_taken_from(tech, text, position) or \
            _only_checked(tech, i, sentences, position) or _only_kept(tech, text, position) or \
            (told_next and not _tells_an_alarm(tech, text) and _only_kept(tech, nxt, 0)):
        return None  # "Dørsensoren. Fikk nytt batteri i dag, den varsler som den skal.
    drafts.append(EventDraft(tech, mention=position))
    return drafts[-1]


def _alarm_said_at_last(tech: str, position: int, i: int, sentences: list[str],
                        current: EventDraft | None) -> bool:
    """ "… som har GPS … gjekk seg vekk | GPS varsla … klokka tjuefem over tre": a story
    opened by a mention with no alarm nor time; the alarm is told where it goes off at one."""
    return current is not None and current.technology == tech and \
        current.sentences[0] != i and _event_time(current, sentences) is None and \
        not _tells_an_alarm(tech, sentences[current.sentences[0]]) and \
        _TIME.search(sentences[i], position) is not None and \
        _alarm_told(tech, sentences[i][position:])


def _alarm_told(tech: str, text: str, story_nouns: bool = True) -> bool:
    """An alarm phrase that is not talked about ("Vi snakka om at alarmen kan ligge på
    nattbordet" tells no alarm of the device named before it)."""
    happened = said.as_happened(text)  # "hun kan trykke på alarmen hvis …": a plan
    found = find_phrases(happened, _alarm_phrases(tech, story_nouns))
    return bool(found) and not _talked_about(happened, found[0].start())


def _new_alarm_untold(i: int, sentences: list[str], paragraphs: list[int],
                      current: EventDraft | None, drafts: list[EventDraft]
                      ) -> EventDraft | None:
    """ "Kl. 14.00 kom det varsel om at ettermiddagsdosen ikke var tatt": the same device as
    the story (or the paragraph's last alarm), a new alarm, told without naming the device
    again. Only once the first alarm has its time: until then the sentence tells that."""
    told = current if current is not None else \
        (drafts[-1] if drafts and (paragraphs[i] == paragraphs[drafts[-1].sentences[-1]] or
                                   _names_what_it_reports(drafts[-1].technology, sentences[i]) or
                                   # "Nytt avsnitt. Alarmen gikk igjen kl. 02.30."
                                   find_phrases(sentences[i], _rules()["again_words"]))
         else None)
    told = _the_sensor_said(sentences[i], told, drafts)
    # "ringte han igjen, denne gangen på telefonen": a call, not the alarm
    later = told is not None and _later_other_alarm(told, sentences, i)
    if told is None or told.sentences[-1] == i or \
            _event_time(told, sentences) is None and not later or \
            find_phrases(sentences[i], _rules()["by_phone"]) and \
            not said.tells_new_alarm(sentences[i]) and not later or \
            find_phrases(sentences[i], _rules()["alarm_told_before"]) or \
            not (later or _alarms_again(told.technology, sentences[i]) or
                 _set_off_after_fault(told, sentences, i) or
                 _fault_after_alarm(told.technology, sentences, i, told)):
        return None
    # The new alarm's time is the one nearest its words ("ringte kvart over fire | klokka
    # fem over seks kom det nytt varsel"), not the sentence's first.
    alarm_said = find_phrases(sentences[i], _rules()["new_alarm_words"]) or \
        find_phrases(sentences[i], _rules()["again_words"])
    drafts.append(EventDraft(told.technology, mention=alarm_said[0].start() if alarm_said else 0))
    return drafts[-1]


def _later_other_alarm(told: EventDraft, sentences: list[str], i: int) -> bool:
    """ "… ga teknisk alarm i formiddag. Senere i dag varslet den at middagsdosen ikke var
    tatt": told as later, an alarm of another kind is new though the first had no time."""
    if not find_phrases(sentences[i], _rules()["later_words"]) or \
            not has_phrase(sentences[i], (*_rules()["new_alarm_words"], *_rules()["alarm_verbs"])):
        return False
    return _names_another_event(told.technology, sentences[i], _event_name(told, sentences))


def _the_sensor_said(text: str, told: EventDraft | None,
                     drafts: list[EventDraft]) -> EventDraft | None:
    """ "Sengesensoren varsla … digitalt tilsyn kvart over ett … Klokka tre varsla sensoren
    igjen": "sensoren" is the last sensor's, not the camera round's story it is told in."""
    if told is None or _is_sensor(told.technology) or \
            not has_phrase(text, ("sensor", "sensoren", "sensorar", "sensorer")):
        return told
    return next((d for d in reversed(drafts) if _is_sensor(d.technology)), told)


def _is_sensor(tech: str) -> bool:
    return any("sensor" in trigger for trigger in _rules()["technologies"][tech]["triggers"])


def _names_what_it_reports(tech: str, text: str) -> bool:
    """ "Nytt avsnitt. Klokka åtte varsla han at morgendosen itj va tatt.", "… kom det teknisk
    alarm om at alarmen hadde mista forbindelsen": what the device reports, said in words of
    its own (a cue of two words or more), tells its next alarm also in a new paragraph."""
    return any(has_phrase(text, tuple(c for c in cues if " " in c))
               for event, cues in event_cues(tech).items() if cues)


def _fault_after_alarm(tech: str, sentences: list[str], i: int,
                       current: EventDraft | None) -> bool:
    """ "Falsk alarm, ingen tiltak. Klokka åtte kom det teknisk varsel om lågt batteri frå
    alarmen": after the device's alarm with its time, a fault at a time of its own is the
    device's next event, its technical alarm (the converse of `_set_off_after_fault`)."""
    text = sentences[i]
    # "Etterpå kom det teknisk alarm om at den var frakobla": said to be a technical
    # alarm, it is one also with no time of its own
    said_technical = has_phrase(text, _rules()["technical_alarm_said"]) or \
        has_phrase(text, _rules()["fault_beeped"])  # "… har pipa om lågt batteri i natt"
    if current is None or current.technology != tech or current.sentences[0] == i or \
            (_TIME.search(text) is None and not said_technical) or \
            _event_time(current, sentences) is None or "teknisk_alarm" not in event_cues(tech):
        return False
    return has_phrase(text, _rules()["device_fault"]) and \
        _event_name(current, sentences) != "teknisk_alarm"


def _set_off_after_fault(told: EventDraft, sentences: list[str], i: int) -> bool:
    """ "… gav teknisk alarm om lågt batteri fem på tolv. Klokka tjue over tre trykte ho på
    alarmen …": after a technical alarm, the user's own alarm at its own time is new."""
    text = sentences[i]
    # "Ho trykte på alarmen ved en feil kl. 19.10" names its device by the pressing
    if _TIME.search(text) is None or said.tested_that_it_goes_off(text) or \
            any(tech != told.technology for _, tech in technologies_in(text)) or \
            _event_name(told, sentences) != "teknisk_alarm":
        return False
    # the alarm named ("trykte ho på alarmen"), not a dose given after a dispenser's fault
    return has_phrase(text, _rules()["alarm_words"]) and \
        _names_another_event(told.technology, text, "teknisk_alarm")


def _names_another_event(tech: str, text: str, name: str) -> bool:
    """Whether `text` says one of the device's events other than `name` (its cues)."""
    return any(has_phrase(text, words) for event, words in event_cues(tech).items()
               if event != name and words)


def _next_round_untold(i: int, sentences: list[str], paragraphs: list[int],
                       current: EventDraft | None, drafts: list[EventDraft]
                       ) -> EventDraft | None:
    """ "Digitalt tilsyn kl. 01.00 … ingen tiltak. Nytt tilsyn kl. 03.00 …": a round
    technology's next check, told by a round word and a time without naming the device."""
    if current is None and drafts and (paragraphs[i] == paragraphs[drafts[-1].sentences[-1]]
                                       or _round_named(drafts[-1].technology).search(sentences[i])):
        current = drafts[-1]  # "ingen tiltak. ny linje tilsyn klokka tre: …", a new paragraph too
    if current is None and not drafts:
        # "Digitalt tilsyn på rom 9 i natt. … Tilsyn kl. 00.00 og kl. 02.00, sov": the rounds
        # named first with no time of their own; the naming sentence opens no event itself
        named = said.rounds_named_before(i, sentences, paragraphs)
        current = EventDraft(named[0], sentences=[named[1]]) if named else None  # not kept
    in_a_round = current is not None and is_round(current.technology)
    if current is not None and not is_round(current.technology):
        # "Tilsyn kl. 01.00: sov. Kl. 02.35 varsla sengesensoren … Tilsyn kl. 04.00: …"
        current = next((d for d in reversed(drafts) if is_round(d.technology)), current)
    if current is None or not is_round(current.technology) or current.sentences[-1] == i or \
            technologies_in(sentences[i]) or _TIME.search(sentences[i]) is None or \
            said.a_routine(sentences[i]):  # "Tilsyn skal gjøres kl. 23.00 og 01.00": a plan
        return None
    words = _rules()["technologies"][current.technology].get("round_words", [])
    # "… ingen tiltak. Kl. 03.00 låg ho og sov": a time and the user asleep, told right in
    # a round's story, is its next look
    seen = tuple(_rules()["asleep_words"] + _rules()["seen_in_a_round"])
    # ("sov ho igjen" is after the story, but a round's log line is not: "Kl. 05.00: sov igjen")
    asleep = in_a_round and _OPENS_WITH_TIME.match(sentences[i]) is not None and \
        has_phrase(sentences[i], seen) and \
        (not find_phrases(sentences[i], _rules()["again_words"]) or
         _LOG_LINE.match(sentences[i]) is not None)
    # "… sov begge gangene, fysisk tilsyn kl. 05.00": staff's own round is not the device's
    in_person = _rules()["technologies"][current.technology].get("in_person_rounds", ())
    own = phrase_pattern(tuple(in_person)).sub("", sentences[i]) if in_person else sentences[i]
    if not (has_phrase(own, tuple(words)) or asleep):
        return None
    drafts.append(EventDraft(current.technology))
    return drafts[-1]


@lru_cache(maxsize=None)
def _round_named(tech: str) -> re.Pattern[str]:
    """A round's own time: its device or round word right before it ("tilsynet kl. 03.00")."""
    device = _rules()["technologies"][tech]
    words = alternation((*device["triggers"], *device.get("round_words", ())))
    return re.compile(rf"(?<![\wæøå])(?:{words})\s+(?:ca\.\s*|ved\s+)?(?=kl\. \d{{2}}\.\d{{2}})",
                      re.IGNORECASE)


def _tells_an_alarm(tech: str, text: str) -> bool:
    """A sentence naming a device opens an event only when it tells that something
    happened: a time (not of a routine or a plan: "ved ti hver kveld", "skal slås på kl.
    22"), an alarm word or verb, one of the device's event cues, what staff did or a false
    alarm."""
    routine = said.a_routine(text)
    happened = said.as_happened(text)
    if routine and is_round(tech) and not tells_response(happened):
        return False  # "nattevakta følgjer han med digitalt tilsyn kvar time i natt": a plan
    timed = _TIME.search(text) is not None and not routine
    # "Ho sov godt da vi gikk, og trygghetsalarmen satt på armen": staff leaving is no alarm
    return timed or has_phrase(without_staff_leaving(happened), _alarm_phrases(tech)) or \
        tells_response(happened)


@lru_cache(maxsize=None)
def _alarm_phrases(tech: str, story_nouns: bool = True) -> tuple[str, ...]:
    """Every phrase that tells a device went off; without `story_nouns`, not its parts."""
    rules = _rules()
    phrases = (*rules["alarm_words"], *rules["new_alarm_words"], *rules["alarm_verbs"],
               *all_event_cues(tech), *any_false_alarm_cue())
    # the next sentence's "har ikke falt siden sist" tells no alarm of a device named before it
    left_out = () if story_nouns else (*rules["story_nouns"],
                                       *rules["fall_false_alarm_cues"]["cues"])
    return tuple(p for p in phrases if p not in left_out)


def _alarms_again(tech: str, text: str) -> bool:
    """A sentence in a story that tells a new alarm at its own time: an alarm word
    ("varsel", "teknisk alarm") and a time, or "sensoren gjekk på nytt kl. 01.00", and it
    names no technology."""
    rules = _rules()
    pressed = said.again_verbs(tech)
    went_off_again = said.again_at_its_time(text) and (
        has_phrase(text, rules["alarm_words"]) and has_phrase(text, rules["alarm_verbs"]) or
        has_phrase(text, said.went_off_it()) or
        # "varsla igjen", but not "vi varslet sønnen igjen": staff notifying someone
        has_phrase(text, rules["new_alarm_words"]) and not tells_contact(text) or
        bool(pressed) and has_phrase(text, pressed))
    # "viste henne igjen hvordan …, og dosen ble tatt ut kl. 08.20": the dose taken, no alarm
    return not technologies_in(text) and not _dose_taken(tech, text) and \
        (said.tells_new_alarm(text) or went_off_again or said.counted_again(text))


def _named_alarm_again(text: str, current: EventDraft, i: int, sentences: list[str]) -> bool:
    """ "Ved lunsjtid varslet dispenseren igjen, kl. 13.00": the device named again with an
    alarm word and a time of its own, after its first alarm had its time, is a new alarm."""
    # "Han trykket på alarmen igjen kl. 02.15": the user pressed again, at a time of its own
    pressed = said.again_verbs(current.technology)
    return current.sentences[0] != i and _event_time(current, sentences) is not None and \
        (said.tells_new_alarm(text) or said.alarmed_again(text) or
         said.went_off_named_again(current.technology, text) or
         bool(pressed) and said.again_at_its_time(text) and has_phrase(text, pressed))


def _new_round(tech: str, text: str, current: EventDraft, i: int) -> bool:
    # "Digitalt tilsyn kl. 04.00 …" after "digitalt tilsyn kl. 00.30": another round.
    return is_round(tech) and current.sentences[0] != i and _TIME.search(text) is not None


def _follows_up(tech: str, text: str) -> bool:
    """A technology named again later, without a new alarm of its own: the sentence tells
    what was done ("ble tilbakestilt kl. 02.30") or names no time ("er testa og fungerer")."""
    if is_round(tech):
        return _TIME.search(text) is None
    return _TIME.search(text) is None or tells_response(text)


def describe_all(drafts: list[EventDraft], sentences: list[str]) -> list[dict]:
    """Each draft described; a round technology checked at several times in one sentence
    ("digitalt tilsyn kl. 00.30 og kl. 02.30") gives one event per time."""
    sentences = midnight_as_a_time(sentences)
    out: list[dict] = []
    for draft in drafts:
        event = describe(draft, sentences)
        times = _times_told(draft, sentences)
        for one in [{**event, "time": t} for t in times] if len(times) > 1 else [event]:
            # "Digitalt tilsyn kl. 01.00 og kl. 04.00. … Tilsynet på rom 7 viste kl. 04.00
            # …": the same device, event and minute told again is the same event.
            same = next((e for e in out if one["time"] and _key(e) == _key(one)), None)
            if same is None:
                out.append(one)
            else:
                same["sentences"] = tuple(sorted({*same["sentences"], *one["sentences"]}))
                same["response"] = tuple(dict.fromkeys((*same["response"], *one["response"])))
    # "Han har digitalt tilsyn med kamera om natta. Tilsyn kl. 23.00: sov …": the rounds are
    # the timed ones; the sentence that introduced them is no round of its own.
    timed = {e["technology"] for e in out if e["time"] and is_round(e["technology"])}
    return [e for e in out if e["time"] or e["technology"] not in timed]


def _key(event: dict) -> tuple:
    return event["technology"], event["event"], event["time"]


def _times_told(draft: EventDraft, sentences: list[str]) -> list[str]:
    """The times one told alarm stands for (`structuring.event_times`), up to the next
    device named in its sentence."""
    first = sentences[draft.sentences[0]]
    rounds = is_round(draft.technology)
    # a round device named again in the same sentence checks again ("kameratilsyn kl. 01.00
    # han sov kameratilsyn kl. 04.00"): only another device ends what it stands for
    later = [p for p, tech in technologies_in(first) if p > draft.mention and
             not (rounds and tech == draft.technology)]
    end = later[0] if later else len(first)
    if rounds:
        return event_times.round_times(first, draft.mention, end, _round_named(draft.technology))
    story = [sentences[i] for i in draft.sentences]
    counted = len(story) > 1 and has_phrase(first, tuple(_rules()["counted_alarms"]))
    return (event_times.counted_times(story) if counted else []) or \
        (event_times.alarm_times(first, draft.mention, end)
         if _tells_an_alarm(draft.technology, first) else [])


def _event_name(draft: EventDraft, sentences: list[str]) -> str:
    """What the alarm was: its own sentence says; the rest of the story only if it does not
    ("… ga teknisk alarm" stays technical though the dose was later not taken)."""
    # "han hadde trykka feil" is the user's mistake, not the device's fault ("feil")
    texts = [_mistake_pattern().sub(" ", sentences[i]) for i in draft.sentences]
    return next((name for text in (texts[0], " ".join(texts))
                 for name, cues in event_cues(draft.technology).items()
                 if cues and has_phrase(text, cues)),
                _rules()["technologies"][draft.technology]["default_event"])


def describe(draft: EventDraft, sentences: list[str]) -> dict:
    rules = _rules()
    tech = rules["technologies"][draft.technology]
    joined = " ".join(sentences[i] for i in draft.sentences)
    later = " ".join(sentences[i] for i in draft.contacts)
    event = _event_name(draft, sentences)
    false_alarm = is_false_alarm(draft.technology, joined)
    return {
        "technology": draft.technology,
        "event": event,
        "time": _event_time(draft, sentences),
        "response": responses(draft.technology, joined, later, false_alarm,
                              len(draft.sentences)),
        "false_alarm": false_alarm,
        "vkp_code": tech["vkp_codes"].get(event),
        "sentences": tuple(draft.sentences),
    }


def _event_time(draft: EventDraft, sentences: list[str]) -> str | None:
    return event_times.event_time(draft.technology, draft.sentences, draft.mention, sentences)
