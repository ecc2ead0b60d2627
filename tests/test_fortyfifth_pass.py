"""Issue 15, forty-fifth pass: the writers of this pass's data, and what the rules learnt from
tune93 and tune96, each with sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from structuring.pipeline import structure
from tests.gold_files import assert_classifier_learns_from, assert_never_learnt_from
from tests.note_helpers import spoken_alarms, spoken_times

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune95.jsonl", 60, {"t95a", "t95b"}),
])
def test_the_writers_only_scored_this_pass_are_read_later(name, count, writers):
    # tune95 was only scored in this pass and is read by later ones (the forty-sixth)
    assert_never_learnt_from(name, count, writers, read_later=True)


def test_the_writers_read_this_pass_are_learnt_from():
    assert_classifier_learns_from({"tune93.jsonl", "tune96.jsonl"})


# --- the part of the day -----------------------------------------------------------------------


@pytest.mark.parametrize("spoken, expected", [
    # the evening medicines in a plan tell no evening visit
    ("skiftet Norspan plaster klokka ni punktum nytt avsnitt sønnen ringte komma vi avtalte at "
     "hun får med seg kveldsmedisinene i en dosett når hun reiser punktum", ["09:00"]),
    ("skiftet Norspan plaster klokka ni punktum nytt avsnitt hun tok kveldsmedisinene sine "
     "punktum", ["21:00"]),
])
def test_the_evening_medicines_in_a_plan_tell_no_evening(spoken, expected):
    assert spoken_times(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # a room and then the evening's care opens the note: the evening's hours
    ("Rom 7, kveldsstell. Under stellet halv ti sa han at han var svimmel.", ["21:30"]),
    # "i kveldinga" said first tells the evening
    ("i kveldinga var eg hjå brukaren og sette Insulatard tolv einingar klokka kvart over ni",
     ["21:15"]),
    # the day's activities are the day's, also in an evening report
    ("kveldsrapport punktum hun gikk på trening i gymsalen klokka halv ti punktum", ["09:30"]),
    ("Kveldsvakt. Han var med på gudstjenesten i kapellet klokka elleve.",
     ["11:00"]),
])
def test_the_part_of_the_day_from_the_visit_and_the_activity(spoken, expected):
    assert spoken_times(spoken) == expected


def test_a_time_corrected_with_its_minutes_after_og_is_replaced_whole():
    note = structure("dørsensoren varsla klokka to og ti i natt punktum eh nei rettelse klokka "
                     "to og tjue punktum")
    assert note.sentences[0].text == "Dørsensoren varsla kl. 02.20 i natt."
    assert [(e.technology, e.time) for e in note.events] == [("dorsensor", "02:20")]


@pytest.mark.parametrize("spoken, kept", [
    # after "og", a dose or "minutt" is no time's minutes: those words stay
    ("fekk Paracet klokka sju og fem milligram Oxynorm eh nei klokka åtte punktum", "og 5 mg"),
    ("sengesensoren gikk klokka tre og ti minutter etter sov hun eh nei klokka fire punktum",
     "og 10 minutter"),
])
def test_words_after_og_that_are_no_minutes_are_kept(spoken, kept):
    assert kept in structure(spoken).sentences[0].text


# --- welfare technology ------------------------------------------------------------------------


@pytest.mark.parametrize("spoken", [
    # no dose forgotten, and what the user does whenever it beeps
    "Medisindispenseren fungerer godt, og hun har ikke glemt noen doser siden sist.",
    "Dispenseren er fylt og fungerer, jeg forklarte henne hva hun gjør når den piper.",
    # the dispenser found empty at a visit: the doses were taken
    "Ved besøket klokka åtte var dispenseren tom, og han hadde spist frokost.",
    # a weak battery changed, its device named between
    "Batteriet i fallsensoren på rom to var nesten flatt og ble byttet klokka fire.",
])
def test_a_dispenser_working_emptied_or_explained_and_a_battery_changed_are_no_alarm(spoken):
    assert spoken_alarms(spoken) == []


@pytest.mark.parametrize("spoken, expected", [
    # "varsla ikkje teken dose": the dose not taken, at its time
    ("Dispenseren varsla ikkje teken dose klokka 14.00, og eg ringde han.",
     [("medisindispenser", "dose_ikke_tatt", "14:00")]),
    # empty of medicines is a fault
    ("Klokka ti var dispenseren tom for medisiner, jeg ringte apoteket.",
     [("medisindispenser", "teknisk_alarm", "10:00")]),
    # a safety alarm without power is its technical alarm
    ("klokka halv elleve varsla tryggleiksalarmen at han ikkje hadde straum punktum",
     [("trygghetsalarm", "teknisk_alarm", "10:30")]),
    # "e låsen" (an ASR slip) that did not work
    ("Kveldsbesøk kl. 21.10. E låsen på inngangsdøra fungerte ikke, så vi låste opp med nøkkel.",
     [("e_laas", "teknisk_alarm", "21:10")]),
    # two alarm times listed, the day said after them
    ("Medisindispenseren varslet ikke tatt dose klokka 13 og klokka 17 i dag. Jeg ringte "
     "henne begge gangene.", [("medisindispenser", "dose_ikke_tatt", "13:00"),
                              ("medisindispenser", "dose_ikke_tatt", "17:00")]),
    # ... or what was reported after them
    ("Medisindispenseren varsla klokka 08.00 og klokka 13.00 at dosane ikkje var tekne.",
     [("medisindispenser", "dose_ikke_tatt", "08:00"),
      ("medisindispenser", "dose_ikke_tatt", "13:00")]),
    # the story's sensor said again with its alarm
    ("Sengesensoren varslet klokka ett. Vi hjalp henne tilbake i seng. Klokka fire ga sensoren "
     "alarm igjen.", [("sengesensor", "ute_av_seng", "01:00"),
                      ("sengesensor", "ute_av_seng", "04:00")]),
])
def test_alarms_told_in_words_of_their_own(spoken, expected):
    assert spoken_alarms(spoken) == expected


def test_an_alarm_told_after_a_mention_of_its_device_keeps_its_time():
    # the device named first with no alarm; named again going off at a time
    assert spoken_alarms("dette gjeld han på rom tre som har GPS han gjekk ein tur etter "
                         "middag og gjekk seg bort GPS varsla at han var utanfor sona klokka "
                         "ti over fire vi fann han ved butikken") == [
        ("lokaliseringsteknologi", "utenfor_sone", "16:10")]


@pytest.mark.parametrize("spoken", [
    "Trygghetsalarmen varslet lavt batteri i går, og vi byttet batteriet da vi var der klokka "
    "11.15.",
    "tryggleiksalarmen har pipa om lågt batteri sidan i går kveld eg bytte batteriet klokka "
    "ti og testa alarmen",
])
def test_the_time_a_battery_was_changed_is_not_the_alarms(spoken):
    assert spoken_alarms(spoken) == [("trygghetsalarm", "teknisk_alarm", None)]


def test_the_nights_care_at_twelve_is_midnight():
    # turning and diapers at twelve are the night's (the writers: 90 of 90)
    assert spoken_times("Han vart snudd klokka tolv, klokka to og klokka fem etter snuplanen, "
                        "og bleia var våt kvar gong.") == ["00:00", "02:00", "05:00"]
