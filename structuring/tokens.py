"""The words of a dictation as tokens, and the vocabulary every pass reads them with.

Shared by the passes from spoken to written form (`structuring.spoken`,
`structuring.spoken_numbers`, `structuring.clock_times`, `structuring.daypart`): a `Tok` is
one word or mark on its way to its written form, `_rules()` the vocabulary loaded once from
`data/spoken_forms.json` (number words, units, clock words, voice commands, fillers, …),
`data/sections.json` and `data/medications.json`. It is its own module so that the number,
clock-time and self-correction passes can share one token and a few small predicates ("is
this a number word?", "is this a clock word?") without importing each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from structuring.lexicon import drug_names_as_heard
from structuring.rules import load_rules

LINE, PARAGRAPH = "<LINE>", "<PARAGRAPH>"
_SENTENCE_END = {".", "?", "!"}
_PUNCT = {".", ",", ":", ";", "?", "!", "–"}
# Written abbreviations ("kl. 08.00", "ca. 900 ml" in Whisper's text) are one token, so
# their period ends no sentence.
_ABBREVIATIONS = r"(?:kl|ca|evt|pga|dvs|mht|iflg|bl\.a|f\.eks|nr|stk)\.(?=\s)"
# Routes as written ("2,5 mg s.c.") are one token too; "mikrogram/time", "og/eller" keep
# their slash.
_ROUTES = r"(?:s\.c|i\.v|i\.m|p\.o|s\.l)\.(?![\wæøå])"
WRITTEN_ROUTE = re.compile(rf"(?i:{_ROUTES})")
# "17. mai", "3. etasje", "2. dose": a number with a period before a lower-case month or
# ordinal noun is an ordinal, as Whisper writes it, and ends no sentence.
_ORDINAL_NOUNS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
                  "september", "oktober", "november", "desember", "juledag", "påskedag",
                  "pinsedag", "nyttårsdag", "etasje", "etg", "dose", "klasse", "plass")
_ORDINAL_DATE = rf"(?:[1-9]|[12]\d|3[01])\.(?=\s(?:{'|'.join(_ORDINAL_NOUNS)})\b)"
_TOKEN = re.compile(rf"(?i:{_ABBREVIATIONS})|(?i:{_ROUTES})|{_ORDINAL_DATE}|\d+(?:[.,:/]\d+)*"
                    r"|[\w][\w'-]*(?:/[\w][\w'-]*)*|[.,:;?!–]|%")  # Whisper writes "92 %"


@dataclass
class Tok:
    """A word or mark on its way from spoken to written form."""

    text: str
    value: float | None = None  # a parsed number
    decimals: str | None = None  # digits after the decimal comma, as spoken
    digits: bool = False  # written as digits (decided by context)
    kind: str = "word"  # word | punct | number | time | unit | heading | break

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass
class _Rules:
    commands: dict[str, str]
    headings: dict[str, str]  # spoken alias → section key
    heading_words: set[str]
    fillers: set[str]
    stutter_words: set[str]  # written once where said twice in a row ("og og")
    corrections: list[list[str]]
    numbers: dict[str, int]
    tens: dict[str, int]
    units_of_tens: dict[str, int]
    hundred: set[str]
    thousand: set[str]
    articles: set[str]
    numbers_also_words: set[str]  # "elva": a number only at a clock word or before a unit
    articles_before_units: set[str]  # "et", "eit": one only right before a dose unit
    dose_units: set[str]  # "gram", "milligram" …: the units "et gram" is a dose of
    units: dict[str, str]
    count_words: set[str]
    numeric_context: set[str]
    replacements: dict[str, str]
    clock_words: set[str]
    evening: set[str]
    afternoon: set[str]
    night: set[str]
    sleep: set[str]
    morning: set[str]
    morning_doses: set[str] = field(default_factory=set)  # "morgondosen": which dose, not when
    daytime: set[str] = field(default_factory=set)
    cue_stems: dict[str, tuple[str, ...]] = field(default_factory=dict)
    not_cues: set[str] = field(default_factory=set)
    clause_words: set[str] = field(default_factory=set)
    shift_cues: dict[str, list[str]] = field(default_factory=dict)
    shift_statements: dict[str, list[str]] = field(default_factory=dict)
    guarded_corrections: set[str] = field(default_factory=set)
    corrections_between_values: set[str] = field(default_factory=set)
    shift_openings: dict[str, list[str]] = field(default_factory=dict)
    shift_headers: set[str] = field(default_factory=set)
    night_devices: tuple[str, ...] = ()
    room_alarms: tuple[str, ...] = ()
    day_rounds: tuple[str, ...] = ()
    unrest: tuple[str, ...] = ()  # "uroleg frå klokka elleve": 23.00
    told_once: set[str] = field(default_factory=set)  # "varsla klokka seks om morgonen"
    shift_header_goes_on: set[str] = field(default_factory=set)
    shift_header_units: tuple[str, ...] = ()  # word stems of a care unit: "rehabilitering…"
    home_care_units: tuple[str, ...] = ()  # "hjemmetjenesten Leknes": a place follows
    parts_of_town: set[str] = field(default_factory=set)  # "Karmøy nord"
    span_starts: set[str] = field(default_factory=set)  # "fra", "frå": a span of hours
    span_gap: set[str] = field(default_factory=set)  # "i går kveld" between a span's times
    value_follows: set[str] = field(default_factory=set)  # "crp": its value comes next
    never_ends: set[str] = field(default_factory=set)  # "å", "og": no sentence ends on it
    opens: set[str] = field(default_factory=set)  # "ellers": a sentence starts on it
    measurements: set[str] = field(default_factory=set)  # "temperatur": may open a sentence
    not_span_after: set[str] = field(default_factory=set)  # "av", "ganger": values, not hours
    drugs: set[str] = field(default_factory=set)
    drug_phrases: tuple[tuple[str, ...], ...] = ()  # "paralgin forte": longest first
    clock_stems: set[str] = field(default_factory=set)  # "kl." and "kl" alike
    subjects: set[str] = field(default_factory=set)  # a new clause after a time
    bare_hour_after: set[str] = field(default_factory=set)  # "ved elleve", "rundt eitt"
    bare_hour_before: set[str] = field(default_factory=set)
    score_words: set[str] = field(default_factory=set)  # "MOBID en": a score of 1
    numbered_nouns: set[str] = field(default_factory=set)  # "rom ein": room 1
    slept_until: set[str] = field(default_factory=set)  # "sov til sju"
    slept_from: set[str] = field(default_factory=set)  # "sov fra fire"
    care_in_bed: set[str] = field(default_factory=set)  # "stell i senga": no sleep cue
    bed_words: set[str] = field(default_factory=set)  # "på senga": where, not that she slept
    evening_told_first: tuple[str, ...] = ()  # "i kveld" in the first sentence
    evening_and_night_told: tuple[str, ...] = ()  # "… i kveld og i natt"
    morning_told_first: tuple[str, ...] = ()  # "ved morgenstellet" in the first sentence
    # the second half of a visit word: a visit's opening line, a new visit in a dictation
    visit_opening_line: tuple[str, ...] = ()  # "kveldsbesøk", "nattrapport"
    new_visit: tuple[str, ...] = ()  # "På kveldsbesøket …", "morrastell …"
    plans_ahead: tuple[str, ...] = ()  # "skal … i kveld" tells a plan, not the shift
    night_told_first: tuple[str, ...] = ()  # "i natt" in the first sentence
    night_told_anywhere: tuple[str, ...] = ()  # "heile natta", "sovna att": the night
    evening_medicines_told: tuple[str, ...] = ()  # "kveldsmedisinene": an evening visit
    night_and_day: tuple[str, ...] = ()  # "i natt og i dag": not the night alone
    evening_all_along: tuple[str, ...] = ()  # "uroleg heile kvelden" in the first sentence
    rest_of_the_night: tuple[str, ...] = ()  # "sov resten av natta": a night's report
    asleep_now: tuple[str, ...] = ()  # "… ho søv no." at its end: written at bedtime or night
    sleep_phrases: tuple[str, ...] = ()  # "la seg klokka ti": evening or night
    waking: set[str] = field(default_factory=set)  # "vekte han halv sju": 06.30
    awake: set[str] = field(default_factory=set)  # "var vaken klokka eitt": 01.00
    rounds: set[str] = field(default_factory=set)  # "ved runden klokka to": 02.00
    reported: set[str] = field(default_factory=set)  # "nattevakta sa at …": a day note
    call_bell: set[str] = field(default_factory=set)  # "ringte på klokka to": the night
    not_call_bell: set[str] = field(default_factory=set)  # "ringte på telefonen"
    until: set[str] = field(default_factory=set)  # "sov til sju": when the night ended
    night_since: set[str] = field(default_factory=set)  # "sidan i natt": a day note
    span_approximately: tuple[tuple[str, ...], ...] = ()  # "til om lag halv tre"
    another_day: set[str] = field(default_factory=set)  # "på søndag klokka ett"
    day_names: set[str] = field(default_factory=set)  # "klokka elleve på søndag": by day
    night_words: set[str] = field(default_factory=set)  # "i natt", not "nattverd"
    night_care: set[str] = field(default_factory=set)  # "ved tilsyn klokka tre": 03.00
    list_ends_before: set[str] = field(default_factory=set)  # "klokka ett, tre og fem hos"
    room_heading_shifts: set[str] = field(default_factory=set)  # "kveldsvakt rom sju …"
    room_words: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.clock_stems = {w.rstrip(".") for w in self.clock_words}


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    forms = load_rules("spoken_forms")
    drugs = drug_names_as_heard()
    sections = load_rules("sections")
    headings = {alias: s["key"] for template in sections["templates"].values()
                for s in template for alias in [s["key"], *s["aliases"]]}
    t = forms["time"]
    return _Rules(
        commands=forms["voice_commands"], headings=headings,
        heading_words=set(forms["heading_command"]), fillers=set(forms["fillers"]),
        stutter_words=set(forms["stutter_words"]),
        # Longest cue first: "nei vent det var" before "nei vent".
        corrections=sorted((c.split() for c in forms["corrections"]), key=len, reverse=True),
        numbers=forms["numbers"],
        tens=forms["tens"], units_of_tens=forms["units_of_tens"],
        hundred=set(forms["hundred"]), thousand=set(forms["thousand"]),
        articles=set(forms["articles_as_one"]), units=forms["units"],
        numbers_also_words=set(forms["numbers_also_words"]),
        articles_before_units=set(forms["articles_before_units"]),
        dose_units=set(forms["dose_units"]),
        count_words=set(forms["count_words"]), numeric_context=set(forms["numeric_context"]),
        replacements=forms["written_unit_replacements"], clock_words=set(t["clock_words"]),
        evening=set(t["evening_cues"]), afternoon=set(t["afternoon_cues"]),
        night=set(t["night_cues"]),
        sleep=set(t["sleep_cues"]), morning=set(t["morning_cues"]),
        morning_doses=set(t["morning_doses"]),
        daytime=set(t["daytime_cues"]),
        cue_stems={k: tuple(v) for k, v in t["cue_stems"].items()}, not_cues=set(t["not_cues"]),
        clause_words=set(t["clause_words"]), shift_cues=t["shift_cues"],
        shift_statements=t["shift_statements"],
        subjects=set(t["subject_pronouns"]),
        bare_hour_after=set(t["bare_hour_after"]), bare_hour_before=set(t["bare_hour_before"]),
        score_words=set(forms["score_words"]), numbered_nouns=set(forms["numbered_nouns"]),
        slept_until=set(t["slept_until"]), slept_from=set(t["slept_from"]),
        care_in_bed=set(t["care_in_bed"]), bed_words=set(t["bed_words"]),
        evening_told_first=tuple(t["evening_told_first"]), plans_ahead=tuple(t["plans_ahead"]),
        morning_told_first=tuple(t["morning_told_first"]),
        evening_and_night_told=tuple(t["evening_and_night_told"]),
        visit_opening_line=tuple(t["visit_words"]["opening_line"]),
        new_visit=tuple(t["visit_words"]["new_visit"]),
        night_told_first=tuple(t["night_told_first"]), night_since=set(t["night_since"]),
        night_told_anywhere=tuple(t["night_told_anywhere"]),
        evening_medicines_told=tuple(t["evening_medicines_told"]),
        night_and_day=tuple(t["night_and_day"]),
        evening_all_along=tuple(t["evening_all_along"]),
        rest_of_the_night=tuple(t["rest_of_the_night"]), asleep_now=tuple(t["asleep_now"]),
        sleep_phrases=tuple(t["sleep_phrases"]),
        waking=set(t["waking_words"]), awake=set(t["awake_words"]),
        rounds=set(t["round_words"]), reported=set(t["reported_speech"]),
        call_bell=set(t["call_bell_verbs"]), not_call_bell=set(t["not_call_bell"]),
        until=set(t["until_words"]),
        another_day=set(t["another_day"]), list_ends_before=set(t["list_ends_before"]),
        room_heading_shifts=set(t["room_heading_shifts"]), room_words=set(t["room_words"]),
        day_names=set(t["day_names"]), night_words=set(t["night_words"]),
        night_care=set(t["night_care_words"]),
        span_approximately=tuple(sorted((tuple(a.split()) for a in t["span_approximately"]),
                                        key=len, reverse=True)),
        guarded_corrections=set(forms["corrections_needing_a_value"]),
        corrections_between_values=set(forms["corrections_between_values"]),
        shift_openings=t["shift_openings"], shift_headers=set(t["shift_headers"]),
        night_devices=tuple(t["night_devices"]), room_alarms=tuple(t["room_alarms"]),
        day_rounds=tuple(t["day_rounds"]), unrest=tuple(t["unrest_words"]),
        told_once=set(t["told_once"]),
        shift_header_goes_on=set(t["shift_header_goes_on"]),
        shift_header_units=tuple(t["shift_header_units"]),
        home_care_units=tuple(t["home_care_units"]), parts_of_town=set(t["parts_of_town"]),
        span_starts=set(t["span_starts"]), not_span_after=set(t["not_span_after"]),
        span_gap=set(t["span_gap"]),
        value_follows=set(forms["value_follows"]),
        never_ends=set(forms["never_ends_a_sentence"]), opens=set(forms["opens_a_sentence"]),
        measurements=set(forms["measurement_opens_a_sentence"]),
        drugs={name for name in drugs if " " not in name},
        drug_phrases=tuple(sorted((tuple(name.split()) for name in drugs if " " in name),
                                  key=len, reverse=True)),
    )


def _split(spoken: str) -> list[Tok]:
    out = []
    for match in _TOKEN.finditer(spoken):
        text = match.group()
        out.append(Tok(text, kind="punct" if text in _PUNCT else "word"))
    return out


def _compound(word: str, rules: _Rules) -> int | None:
    if word in rules.numbers:
        return rules.numbers[word]
    for tens_word, tens in rules.tens.items():
        if word.startswith(tens_word):
            rest = word[len(tens_word):]
            if rest in rules.units_of_tens:
                return tens + rules.units_of_tens[rest]
    for hundred_word in rules.hundred:
        # Joined as written and as ASR sometimes joins it: "femhundre", "tohundreogfemti",
        # "hundreogførti".
        head, found, rest = word.partition(hundred_word)
        if not found or word == hundred_word:
            continue
        times = rules.numbers.get(head) if head else 1
        rest = rest.removeprefix("og")
        sub = _compound(rest, rules) if rest else 0
        if times is not None and 1 <= times <= 19 and sub is not None and sub < 100:
            return times * 100 + sub
    return None


def _is_numberish(tok: Tok | None, rules: _Rules) -> bool:
    if tok is None:
        return False
    return tok.text[0].isdigit() or _compound(tok.lower, rules) is not None \
        or tok.lower in rules.hundred or tok.lower in rules.thousand


# A time written with digits, "8.30", "23.40" or "07:15" (the hour not checked)
DIGIT_TIME = re.compile(r"\d{1,2}[.:]\d{2}")


def unended(tokens: list[Tok]) -> list[Tok]:
    """The tokens without the marks that end them, to join another sentence on."""
    kept = list(tokens)
    while kept and kept[-1].kind == "punct":
        kept.pop()
    return kept


def _is_clock(tok: Tok, rules: _Rules) -> bool:
    return tok.lower.rstrip(".") in rules.clock_stems


def _leads_to_an_hour(tok: Tok, rules: _Rules) -> bool:
    """A word after which a number is the hour of a clock time: "klokka", "over", "på", "halv"."""
    return tok.lower in ("over", "på", "halv") or _is_clock(tok, rules)


def _hour_of_a_time(said: list[Tok], rules: _Rules) -> bool:
    """Whether the last word said is the hour of a clock time ("… over sju", "klokka åtte").
    "over" and "på" lead to an hour only after its minutes ("ti på to"): "en bolus på to
    komma fem milligram" is a dose."""
    if len(said) < 2 or not _leads_to_an_hour(said[-2], rules):
        return False
    return said[-2].lower not in ("over", "på") or (len(said) > 2 and (
        _is_numberish(said[-3], rules) or said[-3].lower == "kvart"))


def _ends_a_bare_hour(tokens: list[Tok], i: int, rules: _Rules) -> bool:
    """Whether what follows word i lets it be an hour said without "klokka" ("ved elleve og
    …", "rundt eitt."): the end, a mark, or a word of `bare_hour_before`."""
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if any(t.lower.startswith(("minutt", "timer", "timar")) for t in tokens[i + 1:i + 4]):
        return False  # "pustar rundt ti i minuttet", "var der fem og tjue minutt": how long
    if after is not None and after.kind == "number" and after.decimals is None and \
            after.value is not None and 10 <= after.value < 60:
        after = tokens[i + 2] if i + 2 < len(tokens) else None  # "var der to førtifem."
    return after is None or after.kind == "punct" or after.lower in rules.bare_hour_before


def drop_fillers(tokens: list[Tok], rules: _Rules) -> list[Tok]:
    """Fillers ("eh") dropped, with the commas a writer set around one ("ba om, eh,
    nevrologisk observasjon"; one stays before a new clause: "i dusjen, eh, han måtte");
    words said again after a filler written once ("han var eh han var uroleg", "to komma
    åtte eh to komma åtte"); a closed-class word said twice in a row written once ("og og",
    "hun hun"; data: stutter_words)."""
    kept: list[Tok] = []
    skip = False
    for i, t in enumerate(tokens):
        if skip:
            skip = False
        elif t.lower in rules.fillers:
            kept = kept[:len(kept) - said_again_after(kept, tokens, i + 1, rules)]
            if kept and kept[-1].text == "," and i + 1 < len(tokens) and tokens[i + 1].text == ",":
                skip = True
                if not (i + 2 < len(tokens) and tokens[i + 2].lower in rules.subjects):
                    kept.pop()
        else:
            kept.append(t)
    return [t for i, t in enumerate(kept) if not (
        i and t.lower in rules.stutter_words and kept[i - 1].lower == t.lower)]


def said_again_after(said: list[Tok], tokens: list[Tok], start: int, rules: _Rules) -> int:
    """How many words at the end of `said` are said again, word for word, from `start` on —
    one to three words, no mark among them ("ringte eh ringte en en tre": one). A pronoun
    alone may end one sentence and open the next ("står framfor ho eh ho sette mat …")."""
    for k in (3, 2, 1):
        again = tokens[start:start + k]
        if len(said) >= k and len(again) == k and all(t.kind == "word" for t in again) and \
                [t.lower for t in said[-k:]] == [t.lower for t in again] and \
                not (k == 1 and again[0].lower in rules.subjects):
            return k
    return 0


def about_said_before(tokens: list[Tok], end: int, rules: _Rules) -> int:
    """How many words right before `end` say "about" (`span_approximately`: "rundt",
    "om lag", "sånn cirka"), the longest such phrase; 0 when none."""
    for about in rules.span_approximately:
        n = len(about)
        if end >= n and tuple(t.lower for t in tokens[end - n:end]) == about:
            return n
    return 0


def slept_before(tokens: list[Tok], k: int, rules: _Rules) -> bool:
    """Whether a sleep or waking word (`slept_from`) stands before the "fra" at `k`, with at
    most four words and no mark or number between: "sov fra", "sov godt heile natta frå",
    "sov sitjande i senga frå" — not "sov resten av natta bortsett fra"."""
    for j in range(k - 1, max(-1, k - 6), -1):
        tok = tokens[j]
        if tok.lower in rules.slept_from:
            return True
        if tok.kind != "word" or tok.lower in _NOT_FROM or _is_numberish(tok, rules):
            return False
    return False


_NOT_FROM = frozenset({"bortsett", "unntatt", "unntak", "og", "men"})
