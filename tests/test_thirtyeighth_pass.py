"""Issue 15, thirty-eighth pass: what the rules learnt from tune78 and tune81, each with
sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from structuring.pipeline import structure

from tests.gold_files import assert_never_learnt_from
from tests.note_helpers import medications, spoken_alarms, spoken_times, values

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune80.jsonl", 60, {"t80a", "t80b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune80 was only scored in this pass and is read by later ones (the thirty-ninth)
    assert_never_learnt_from(name, count, writers, read_later=True)


# --- pain scores: a second score further on, "før og … etter", "om lag" ---------------------------

@pytest.mark.parametrize("spoken, expected", [
    # the second score said after the first one's when ("når ho går i trappa og to i kvile")
    ("smerten er på fem når han går i trappa og to i ro punktum", ["5", "2"]),
    ("Ho seier smerta er sju når ho hostar kraftig og tre i kvile.", ["7", "3"]),
    # "… og to en time etter": how long after, said before "etter"
    ("smerte åtte før og tre en time etter punktum", ["8", "3"]),
    ("Smerta var seks før og to ein halvtime etter.", ["6", "2"]),
    # the pain word with a place before its score, "før og … etter"
    ("smerten i kneet ved gange var fem før og to etter punktum", ["5", "2"]),
    # four words between the pain word and its score
    ("smerta var no om lag fire punktum", ["4"]),
])
def test_a_second_pain_score_further_on(spoken, expected):
    assert values(spoken, "pain_score") == expected


@pytest.mark.parametrize("spoken", [
    "hun har hatt smerter i to dager før og tre netter etter operasjonen punktum",
    "han tok to tabletter før og en etter maten mot smertene punktum",
    "smerten er på fem og han fikk to Paracet punktum",
])
def test_counts_near_a_pain_word_are_no_second_score(spoken):
    assert values(spoken, "pain_score") in ([], ["5"])


# --- a clock time run into a blood pressure ----------------------------------------------------

@pytest.mark.parametrize("spoken, time, pressure", [
    # was a pressure of 470/100 with no time: "klokka fire" is the hour, 170/100 the pressure
    ("blodtrykk klokka fire hundre og sytti over hundre komma puls åtti punktum",
     "16:00", "170/100"),
    ("vi målte blodtrykket klokka seks hundre over seksti punktum", "18:00", "100/60"),
])
def test_an_hour_said_right_before_a_pressure_is_no_hundreds(spoken, time, pressure):
    note = structure(spoken)
    assert [e.value for e in note.entities if e.type == "vital.blood_pressure"] == [pressure]
    assert [e.value for e in note.entities if e.type == "time"] == [time]


def test_hundreds_after_a_clock_word_without_a_pressure_stay_one_number():
    assert values("klokka to hundre milliliter over i posen punktum", "vital.blood_pressure") == []
    assert "200 ml" in structure("klokka to hundre milliliter over i posen punktum").text


# --- a part of a tablet of a strength ------------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # was 40 mg: the strength filed as the dose, twice what he gets
    ("Legen halverte Furix så han skal ha en halv tablett på førti milligram.",
     [("furosemid", "20 mg")]),
    ("Ho fekk Sobril ei halv tablett à ti milligram ved behov punktum", [("oksazepam", "5 mg")]),
    ("Marevan ein og ein halv tablett på to komma fem milligram i kveld punktum",
     [("warfarin", "3.75 mg")]),
    # whole tablets keep the count said; the strength is no dose of its own
    ("Gav Paracet to tabletter à fem hundre milligram punktum", [("paracetamol", "2 tabletter")]),
    ("Ho fekk Marevan 1,5 tablett.", [("warfarin", "1.5 tabletter")]),
])
def test_a_part_of_a_tablet_is_that_part_of_its_strength(spoken, expected):
    assert medications(spoken) == expected


# --- welfare technology: rounds planned, the alarm on the wristband -------------------------------

@pytest.mark.parametrize("spoken", [
    "Digitalt tilsyn skal gjerast klokka eitt og klokka tre punktum",
    "Kameratilsyn skal utføres kl. 23.00 og kl. 02.00.",
    # the round word in the next sentence, the device named before it
    "Digitalt tilsyn på rom fire er avtalt med dattera. Tilsyn skal gjøres klokka 23, 01 og 03.",
])
def test_rounds_planned_are_no_rounds_done(spoken):
    assert spoken_alarms(spoken) == []


def test_rounds_done_are_still_rounds():
    assert spoken_alarms("Digitalt tilsyn ble gjort klokka 23, 01 og 03, sov hver gang.") == [
        ("digitalt_tilsyn", "tilsyn_utfort", t) for t in ("23:00", "01:00", "03:00")]


def test_the_alarm_on_the_wristband_is_the_safety_alarm():
    assert spoken_alarms("beboer utløste alarmen på armbåndet klokka halv åtte punktum") == [
        ("trygghetsalarm", "alarm_utlost", "07:30")]
    assert spoken_alarms("minte ho på å ha alarmen på armbåndet punktum") == []


# --- speed without a change of output ----------------------------------------------------------

def test_a_drug_name_a_letter_off_is_found_by_its_deletions_as_by_comparing_every_name():
    # the index of one-letter deletions (6 ms a word before) finds what the comparison of
    # every drug name of about the word's length found, for words made a letter off
    from structuring import lexicon

    forms = lexicon.drug_written_forms()
    names = [n for n in forms if n.isalpha() and len(n) >= 5]
    by_length: dict[int, list[str]] = {}
    for name in names:
        by_length.setdefault(len(name), []).append(name)

    def by_comparing(word: str) -> str | None:
        if word in lexicon._not_heard_as():
            return None  # "kalium" is no Valium
        near = {n for size in (len(word) - 1, len(word), len(word) + 1)
                for n in by_length.get(size, ()) if lexicon._one_letter_off(word, n)}
        generics = {lexicon.drug_names_as_heard()[n] for n in near}
        return min(near, key=lambda n: (forms[n], n)) if len(generics) == 1 else None

    words = set()
    for name in names[::150]:
        for k in range(len(name)):
            words |= {name[:k] + name[k + 1:], name[:k] + "e" + name[k:],
                      name[:k] + "a" + name[k + 1:], name[:k] + name[k + 2:k + 3] +
                      name[k + 1:k + 2] + name[k + 3:]}
    words = {w for w in words if len(w) >= 6 and w.isalpha()} | {"kalium", "setralin"}
    assert len(words) > 300
    assert [lexicon.drug_one_letter_off(w) for w in sorted(words)] == \
        [by_comparing(w) for w in sorted(words)]


def test_the_sentence_models_run_on_one_blas_thread():
    # OpenBLAS's threads woke for every small matrix and, with both cores busy, waited for
    # one: 93 ms instead of 15 for 76 words
    from threadpoolctl import threadpool_info

    from structuring import segmenter

    assert segmenter.available()
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert blas and all(lib["num_threads"] == 1 for lib in blas)


# --- a limit to act on is no value measured -----------------------------------------------------

@pytest.mark.parametrize("spoken, kind", [
    # was a blood sugar of 18 in a note that measured none
    ("sonen ringjer oss om blodsukkeret er over atten punktum", "vital.blood_glucose"),
    ("Ring lege hvis blodsukkeret blir under fire.", "vital.blood_glucose"),
    ("Ring legevakt ved temp over 38,5.", "vital.temperature"),
])
def test_a_limit_to_act_on_is_no_measurement(spoken, kind):
    assert values(spoken, kind) == []


@pytest.mark.parametrize("spoken, kind, expected", [
    ("om morgenen var blodsukkeret over ti punktum", "vital.blood_glucose", ["10"]),
    ("Blodsukker 14,2, ring lege om det går over 20.", "vital.blood_glucose", ["14.2"]),
    ("Temperaturen var 38,4 ved måling i kveld.", "vital.temperature", ["38.4"]),
])
def test_values_measured_beside_a_limit_stay(spoken, kind, expected):
    assert values(spoken, kind) == expected


def test_what_the_stove_guard_switched_off_is_its_alarm():
    # "hos bruker hadde" was read as where the guard is, and "slått av" as the guard off
    assert spoken_alarms("komfyrvakta hos bruker hadde slått av straumen klokka fem i "
                         "ettermiddag punktum") == [("komfyrvakt", "komfyr_avslatt", "17:00")]
    assert spoken_alarms("komfyrvakta hos bruker er slått av punktum") == []


# --- the night told first in other words ---------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # were 14.00 and 13.00: the night told first, in words the rules did not know
    ("Gjennom natta var ho urolig. Klokka to sto ho i gangen.", ["02:00"]),
    ("Denne natta var han urolig. Han fikk Sobril klokka ett.", ["01:00"]),
    ("Notat fra natta. Hun fikk Sobril klokka ett.", ["01:00"]),
    ("Ho har sove dårleg siste natt. Klokka tre ringde ho på.", ["03:00"]),
    # the day told too: the day's hours stay the day's
    ("Han har hatt feber gjennom natta og i dag. Klokka to var temp 38.", ["14:00"]),
])
def test_the_night_told_first_in_other_words(spoken, expected):
    assert spoken_times(spoken) == expected


# --- a temperature said without "komma", or with a dot --------------------------------------------

@pytest.mark.parametrize("spoken, expected, written", [
    ("temp trettisju åtte punktum", ["37.8"], "Temp 37,8."),
    ("temperaturen var trettiåtte fem i kveld punktum", ["38.5"], "Temperaturen var 38,5 i kveld."),
    ("Feber trettiåtte sju klokka åtte.", ["38.7"], None),
    # a dot with one digit after it is a decimal (a time has two)
    ("Temperaturen var 38.4 i kveld.", ["38.4"], "Temperaturen var 38,4 i kveld."),
])
def test_a_temperature_said_without_a_decimal_comma(spoken, expected, written):
    note = structure(spoken)
    assert [e.value for e in note.entities if e.type == "vital.temperature"] == expected
    assert written is None or note.text == written


def test_a_number_after_a_temperature_with_a_unit_is_no_tenth():
    assert values("temp trettisju to tabletter Paracet punktum", "vital.temperature") == []
    assert spoken_times("Temperaturen 37,5 kl. 21.30.") == ["21:30"]


# --- a log line's time and what follows its colon; a note "frå natta" ---------------------------

@pytest.mark.parametrize("spoken, expected", [
    # was 10.00: the evening word after the time's colon is the time's own
    ("klokka ti kolon kveldsmedisiner delt ut punktum", ["22:00"]),
    ("Klokka åtte: frokost, hun spiste godt. Klokka ti: kveldsmat.", ["08:00", "22:00"]),
    ("Kl. 10: hun fikk morgenmedisinene.", ["10:00"]),
    # was 14.00: a short message from the night, told first
    ("Kort beskjed frå natta. Bebuar på rom 3 har hatt feber, 38,6 klokka to.", ["02:00"]),
])
def test_the_words_after_a_log_lines_colon_and_a_message_from_the_night(spoken, expected):
    assert spoken_times(spoken) == expected


def test_an_hour_opening_a_log_line_with_a_colon_is_its_time():
    # was "To: rom 3 sover." with no time
    spoken = ("kvart over ett kolon rom tre ringte på punktum ny linje to kolon rom tre sover "
              "punktum ny linje seks kolon alle sov ved siste runde punktum")
    assert spoken_times(spoken) == ["01:15", "02:00", "06:00"]
    assert spoken_times("Han fikk to tabletter: en Paracet og en Ibux.") == []
