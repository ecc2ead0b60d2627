"""Issue 15, forty-sixth pass: the writers of this pass's data, and what the rules learnt from
tune95 and tune98, each with sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from structuring.pipeline import structure
from tests.gold_files import assert_classifier_learns_from, assert_never_learnt_from
from tests.note_helpers import medications, spoken_alarms, spoken_times

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune97.jsonl", 60, {"t97a", "t97b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune97 is only scored: no rule is derived from it, no model learns from it
    assert_never_learnt_from(name, count, writers)


def test_the_writers_read_this_pass_are_learnt_from():
    assert_classifier_learns_from({"tune95.jsonl", "tune98.jsonl"}, only_scored={"tune97.jsonl"})


# --- the night and the bedtime a dictation tells ------------------------------------------------


@pytest.mark.parametrize("spoken, expected", [
    # the rest of the night told by the night's staff, with no shift named
    ("Rom 4. Han er døende og pusten er ujevn. Fikk morfin 5 mg subkutant klokka halv elleve "
     "og Midazolam klokka kvart på tolv. Vi snudde han klokka tre. Han var rolig resten av "
     "natta.", ["22:30", "23:45", "03:00"]),
    # a day's opening says more than what a relative said of the night
    ("Morgenbesøk hos bruker. Jeg ringte fastlegen klokka ni. Kona har ikke sovet resten av "
     "natta.", ["09:00"]),
    # "ho søv no" closing the note: written at bedtime
    ("Rom 3. Ho trykte på alarmen klokka ti over ni fordi ho ville på do. Klokka halv elleve "
     "fekk ho Sobril. Ho søv no.", ["21:10", "22:30"]),
    ("Formiddagsbesøk. Ho fekk Paracet klokka ti. Ho søv no.", ["10:00"]),
])
def test_the_rest_of_the_night_and_asleep_now_tell_the_hours(spoken, expected):
    assert spoken_times(spoken) == expected


# --- welfare technology -------------------------------------------------------------------------


@pytest.mark.parametrize("spoken, expected", [
    # two times listed after "først", the first with its part of the day said
    ("Medisindispenseren har varslet to ganger i dag, først klokka ni i morgest og så klokka "
     "fjorten. Dosen var ikke tatt ut.", [("medisindispenser", "dose_ikke_tatt", "09:00"),
                                          ("medisindispenser", "dose_ikke_tatt", "14:00")]),
    # a device written with a hyphen is seen as written together
    ("Nattevakt. Dør-alarmen gikk klokka ti over tolv, men det var falsk alarm.",
     [("dorsensor", "dor_apnet", "00:10")]),
    # a new alarm told in a clause of its own, its time before it, after what staff did
    ("Dispenseren varslet klokka åtte at morgendosen ikke var tatt ut. Jeg ringte henne to "
     "ganger men hun svarte ikke, og klokka halv ni kom det nytt varsel så jeg kjørte innom.",
     [("medisindispenser", "dose_ikke_tatt", "08:00"),
      ("medisindispenser", "dose_ikke_tatt", "08:30")]),
    # pressed again ("att") at a time of its own
    ("Kveldsvakt. Bebuaren trykte på tryggleiksalarmen klokka åtte fordi ho hadde vondt. Ho "
     "trykte att klokka halv elleve fordi ho ikkje fekk sove.",
     [("trygghetsalarm", "alarm_utlost", "20:00"), ("trygghetsalarm", "alarm_utlost", "22:30")]),
])
def test_alarms_told_in_words_of_their_own(spoken, expected):
    assert spoken_alarms(spoken) == expected


@pytest.mark.parametrize("spoken", [
    # switched on, and tested that it goes off
    "Kveldsstell. Slo på sengesensoren klokka kvart på ti da hun hadde lagt seg, og testet at "
    "den varslet på telefonen. Den virket.",
    # a battery changed by someone named between
    "Nattevakt. På kveldsbesøket klokka kvart over ti skifta kollegaen min batteri på "
    "trygghetsalarmen, og vi testa at den fungerte.",
    "Kveldsvakt. Bytta vi batteriet på trygghetsalarmen klokka ni.",
    # a device's schedule and its placing
    "Sengesensoren står på fra klokka 22.",
    "Sengematta ble lagt i senga klokka 21.",
    "Dispenseren er satt til å varsle klokka 08 og 15.",
    "Alarmtida på dispenseren er flytta til klokka ni.",
    # not pressed, the verb before its negation
    "Hun trykket ikke på trygghetsalarmen da hun falt klokka 14.",
])
def test_a_device_switched_on_or_its_battery_changed_is_no_alarm(spoken):
    assert spoken_alarms(spoken) == []


def test_a_drug_written_with_a_hyphen_stays_so():
    note = structure("Norspan-plasteret ble byttet i dag, og dør-alarmen er testet.")
    assert note.sentences[0].text == "Norspan-plasteret ble byttet i dag, og døralarmen er testet."


@pytest.mark.parametrize("spoken, expected", [
    # names of the devices in use in Norwegian municipalities that the writers never said
    ("Medisinautomaten varslet klokka 14.00 at dosen ikke var tatt ut. Jeg ringte bruker.",
     [("medisindispenser", "dose_ikke_tatt", "14:00")]),
    ("Komfyralarmen gikk klokka 17.30, og komfyren ble slått av.",
     [("komfyrvakt", "komfyr_avslatt", "17:30")]),
    ("Nattevakt. Dørvarsleren gikk klokka tre, han sto i gangen.",
     [("dorsensor", "dor_apnet", "03:00")]),
    ("Sengevarslinga gikk klokka to i natt, ho sat på sengekanten.",
     [("sengesensor", "ute_av_seng", "02:00")]),
    ("Videotilsyn klokka 02.00, han sov.", [("digitalt_tilsyn", "tilsyn_utfort", "02:00")]),
    ("Han trykket på trygghetsknappen klokka 14.10 fordi han hadde falt.",
     [("trygghetsalarm", "alarm_utlost", "14:10")]),
    ("Fallmelderen varslet klokka 03.10, hun lå på gulvet.",
     [("fallsensor", "fall_registrert", "03:10")]),
])
def test_devices_by_other_names(spoken, expected):
    assert spoken_alarms(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # an hour written on the 24-hour clock, then "og" and an evening hour: two doses
    ("Ga Paracet klokka 08 og 20.", ["08:00", "20:00"]),
    ("Ga Paracet kl. 08 og 15.", ["08:00", "15:00"]),
    # said in words, "og tjue" is the minutes (the writers: 5 of 5)
    ("Ga Paracet klokka åtte og tjue.", ["08:20"]),
])
def test_two_hours_of_the_24_hour_clock_are_two_times(spoken, expected):
    assert spoken_times(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # the dose replaced is not given
    ("Ga Furix 40 mg i stedet for 20 mg.", [("furosemid", "40 mg")]),
    ("Ho fekk Lantus 16 einingar i kveld i staden for 20 einingar.",
     [("insulin glargin", "16 IE")]),
    # a dose changed is another dose of the drug
    ("Ga Furix 40 mg, og legen auka til 80 mg.", [("furosemid", "40 mg"), ("furosemid", "80 mg")]),
])
def test_a_dose_given_instead_of_another(spoken, expected):
    assert medications(spoken) == expected
