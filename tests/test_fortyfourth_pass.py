"""Issue 15, forty-fourth pass: the writers of this pass's data, and what the rules learnt from
tune91 and tune94, each with sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_classifier_learns_from, assert_never_learnt_from
from tests.note_helpers import spoken_alarms, spoken_times

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune93.jsonl", 60, {"t93a", "t93b"}),
])
def test_the_writers_only_scored_this_pass_are_read_later(name, count, writers):
    # tune93 was only scored in this pass and is read by later ones (the forty-fifth)
    assert_never_learnt_from(name, count, writers, read_later=True)


def test_the_writers_read_this_pass_are_learnt_from():
    assert_classifier_learns_from({"tune91.jsonl", "tune94.jsonl"})


# --- the story's times -------------------------------------------------------------------------


@pytest.mark.parametrize("spoken, expected", [
    # a past-tense verb tells one occasion, not a habit: the story goes on from it
    ("tryggleiksalarmen gjekk klokka kvart over fem om morgonen punktum vi ringde og køyrde "
     "ut og var der klokka halv seks punktum", ["05:15", "05:30"]),
    # a habit still sets no story
    ("han seier han vaknar klokka fire om natta og får ikkje sove att punktum han fekk "
     "Paracet klokka to", ["04:00", "14:00"]),
])
def test_a_time_told_om_morgonen_is_one_occasion_after_a_past_tense_verb(spoken, expected):
    assert spoken_times(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # tonight's story goes on from a time said "i kveld" in a sentence before
    ("Rom tolv, korttidsopphold. Han øver på å bruke medisindispenser før han reiser hjem. "
     "Dispenseren varslet klokka sju i kveld at dosen ikke var tatt. Jeg gikk inn til ham. Han "
     "tok dosen selv klokka tjue over sju.", ["19:00", "19:20"]),
    ("beboer på rom fire har hatt vondt i ryggen etter turen i dag punktum hun fikk Paracet to "
     "tabletter klokka sju i kveld punktum klokka halv ni var smerten tre av ti punktum",
     ["19:00", "20:30"]),
    # yesterday evening's does not: a morning visit's doses are the morning's
    ("morgenbesøk punktum kona fortalte at han la seg klokka ti i går kveld punktum han fikk "
     "Paracet klokka halv ni punktum", ["22:00", "08:30"]),
])
def test_tonights_story_goes_on_from_a_time_said_i_kveld(spoken, expected):
    assert spoken_times(spoken) == expected


def test_an_hour_said_about_is_corrected_whole():
    assert spoken_times("Nattrapport. Dørsensoren gikk ved tretida, eh, rettelse, kvart over "
                        "fire, og hun sto i gangen.") == ["04:15"]


# --- welfare technology ------------------------------------------------------------------------


@pytest.mark.parametrize("spoken", [
    # a battery changed with nothing that says the device went off is upkeep
    "Batteriet i fallsensoren ble byttet i formiddag.",
    "Byttet batteri på trygghetsalarmen.",
    # a device explained, or tested and alarming as it should
    "vi har forklart ham at dørsensoren varsler oss når han går ut punktum",
    "tryggleiksalarmen er lada og testa og han varsla som han skulle",
])
def test_upkeep_and_explanations_are_no_alarm(spoken):
    assert spoken_alarms(spoken) == []


def test_a_battery_changed_after_its_alarm_stays_that_alarms_response():
    assert spoken_alarms("Trygghetsalarmen varslet lavt batteri klokka to i natt. Byttet "
                         "batteri på den i morges.") == [("trygghetsalarm", "teknisk_alarm",
                                                          "02:00")]


def test_the_e_lock_heard_as_e_losen_is_the_e_lock():
    assert spoken_alarms("E-losen på ytterdøra ga feilmelding klokka sju i morges, og vi kom "
                         "ikke inn.") == [("e_laas", "teknisk_alarm", "07:00")]


@pytest.mark.parametrize("spoken", [
    # a round said as a routine, and a device used at home before, tell no event
    "Han gjekk og la seg klokka ti, og nattevakta følgjer han med digitalt tilsyn kvar time i "
    "natt.",
    "hjemme brukte hun medisindispenser fra hjemmetjenesten klokka tolv den er levert tilbake",
])
def test_a_round_as_a_routine_and_a_device_used_before_are_no_event(spoken):
    assert spoken_alarms(spoken) == []


def test_rounds_named_on_a_line_of_their_own_are_the_rounds_told_after():
    assert spoken_alarms("Digitalt tilsyn på rom 4 i natt. Ho har avtale om tilsyn med kamera "
                         "i staden for at vi opnar døra. Tilsyn klokka eitt og klokka tre, "
                         "ho sov.") == [("digitalt_tilsyn", "tilsyn_utfort", "01:00"),
                                        ("digitalt_tilsyn", "tilsyn_utfort", "03:00")]
    # named in a sentence that tells of them, not a line of their own: no round
    assert spoken_alarms("Kona vil ikkje at me skal bruke kamera om natta, så me går tilsyn "
                         "kvar andre time. Ved tilsyn klokka eitt og tre sov han.") == []


@pytest.mark.parametrize("spoken", [
    # a lid or door not closed is the dispenser's fault, not a missed dose
    "medisindispenseren hennar har pipa heile morgonen sa ho punktum eg fann at lokket ikkje "
    "var lukka ordentleg og lukka det punktum",
    # "dispanseren", an ASR slip, is the dispenser
    "Vi fikk teknisk alarm fra medisin dispanseren hos bruker i formiddag, og jeg startet den "
    "på nytt.",
])
def test_a_dispenser_left_open_is_its_technical_alarm(spoken):
    assert spoken_alarms(spoken) == [("medisindispenser", "teknisk_alarm", None)]
