"""Issue 15, fifth pass: what a new batch of independent writers showed — compounds the ASR
split, shifts named by a compound, a device alarming again, symptoms with their occasion.
Every sentence here is written for this file (none from the gold sets)."""

from __future__ import annotations

import pytest

from structuring.compounds import joined
from structuring.note import StructuredNote
from structuring.pipeline import structure


def times(note: StructuredNote) -> list[str]:
    return [e.value for e in note.entities if e.type == "time"]


def alarms(note: StructuredNote) -> list[tuple[str, str, str | None]]:
    return [(e.technology, e.event, e.time) for e in note.events]


# --- compounds the ASR wrote as two words --------------------------------------------------

@pytest.mark.parametrize("first, second, compound", [
    ("trygghets", "alarmen", "trygghetsalarmen"),
    ("dør", "sensoren", "dørsensoren"),
    ("e", "låsen", "e-låsen"),
    ("Komfyr", "vakta", "Komfyrvakta"),
    ("medisin", "dispenseren", "medisindispenseren"),
    ("høre", "apparatet", "høreapparatet"),
])
def test_a_split_device_or_care_word_is_joined(first, second, compound):
    assert joined(first, second) == compound


@pytest.mark.parametrize("first, second", [
    ("la", "det"),          # 'ladet' is an alarm word, 'la det' two words
    ("raud", "men"),        # a symptom and a conjunction
    ("under", "armen"),     # a place, not 'underarmen'
    ("etter", "middag"),    # after dinner, said as two words on purpose
    ("høyre", "apparatet"),  # a misheard word is not a split compound
])
def test_ordinary_word_pairs_stay_apart(first, second):
    assert joined(first, second) is None


def test_a_split_device_name_still_opens_its_alarm_and_is_filed_joined():
    note = structure("trygghets alarmen til Randi gikk klokka kvart over ti i kveld punktum "
                     "jeg ringte henne punktum")
    assert alarms(note) == [("trygghetsalarm", "alarm_utlost", "22:15")]
    assert note.sentences[0].text.startswith("Trygghetsalarmen til Randi")


# --- shifts and parts of the day -------------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("nattpatruljen hos Eilif punktum han ringte på klokka halv tre og var tørst punktum",
     "02:30"),
    ("kveldsrunden på avdeling B punktum Gerd fikk Imovane klokka ti punktum", "22:00"),
])
def test_a_first_word_made_on_a_shift_word_names_the_shift(spoken, expected):
    assert expected in times(structure(spoken))


def test_a_first_word_that_is_furniture_names_no_shift():
    note = structure("nattbordet var ryddet punktum hun fikk Paracet klokka ni punktum")
    assert times(note) == ["09:00"]


@pytest.mark.parametrize("spoken, expected", [
    ("på morrabesøket klokka åtte var ho oppe og kledd punktum", "08:00"),
    ("i morran klokka sju ringte ho på punktum", "07:00"),
])
def test_trondersk_morning_compounds_are_morning(spoken, expected):
    assert times(structure(spoken)) == [expected]


def test_i_morra_is_tomorrow_not_a_morning_cue():
    note = structure("kveldsbesøk punktum datteren kommer i morra klokka sju punktum")
    assert times(note) == ["19:00"]


def test_a_night_cue_some_words_before_the_time_in_unpunctuated_speech():
    note = structure("i natt varsla dørsensoren på rom fire klokka halv to Torstein stod "
                     "i gangen med jakka på")
    assert "01:30" in times(note)


# --- alarms ------------------------------------------------------------------------------

def test_the_device_named_again_with_a_new_alarm_and_its_own_time_is_a_new_event():
    note = structure("Medisindispenseren til Oddny ga teknisk alarm klokka 06.55. Jeg satte "
                     "i ledningen og startet den på nytt. Ved lunsjtid varslet dispenseren "
                     "igjen, klokka 13, at middagsdosen ikke var tatt ut. Jeg ringte henne.")
    assert alarms(note) == [("medisindispenser", "teknisk_alarm", "06:55"),
                            ("medisindispenser", "dose_ikke_tatt", "13:00")]


def test_the_device_named_again_for_what_was_done_is_still_the_same_alarm():
    note = structure("Medisindispenseren til Oddny varslet klokka 08.10 at dosen ikke var "
                     "tatt. Jeg ringte henne. Dispenseren ble tilbakestilt klokka 08.30.")
    assert alarms(note) == [("medisindispenser", "dose_ikke_tatt", "08:10")]
