"""Issue 15, forty-second pass: the writers of this pass's data, and what the rules learnt from
tune87 and tune90, each with sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from structuring.pipeline import structure
from tests.gold_files import assert_classifier_learns_from, assert_never_learnt_from
from tests.note_helpers import findings, medications, spoken_alarms, spoken_times

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune89.jsonl", 60, {"t89a", "t89b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune89 was only scored in this pass and is read by later ones (the forty-third)
    assert_never_learnt_from(name, count, writers, read_later=True)


def test_the_writers_read_this_pass_are_learnt_from():
    assert_classifier_learns_from({"tune87.jsonl", "tune90.jsonl"})


# --- what a device would do is no alarm -------------------------------------------------------

@pytest.mark.parametrize("spoken", [
    # what the user may do, said as a plan or a condition
    "Hun har trygghetsalarmen på håndleddet. Vi snakket om at hun kan trykke på alarmen hvis "
    "hun blir utrygg.",
    "ho har fått tryggleiksalarm punktum ho veit at ho skal trykkje på knappen om ho fell punktum",
    # what the device does whenever, in the present
    "ho har sengesensor som varsler om ho står opp i natt og den er slått på punktum",
    "Han har dørsensor som varslar når døra går opp.",
    # checked, and found with power
    "Jeg sjekket medisindispenseren, den hadde strøm og riktige doser for neste uke.",
    # a round set up for later
    "digitalt nattilsyn er lagt inn klokka to punktum",
    # the next sentence says no fall, not an alarm of the device named before it
    "Hun har trygghetsalarmen på armen. Hun har ikke falt siden sist.",
])
def test_what_a_device_would_do_is_no_alarm(spoken):
    assert spoken_alarms(spoken) == []


@pytest.mark.parametrize("spoken, expected", [
    # what it did, in the past, is the alarm
    ("ho har sengesensor som varsla klokka tre i natt punktum",
     [("sengesensor", "ute_av_seng", "03:00")]),
    ("Trygghetsalarmen gikk klokka ti over tre i natt. Hun kan ikke huske at hun trykket.",
     [("trygghetsalarm", "alarm_utlost", "03:10")]),
    # a round named, its times in the next sentence: each is a round
    ("Digitalt tilsyn på rom ni i natt. Tilsyn klokka tolv, klokka to og klokka fire. "
     "Hun sov rolig.", [("digitalt_tilsyn", "tilsyn_utfort", "00:00"),
                        ("digitalt_tilsyn", "tilsyn_utfort", "02:00"),
                        ("digitalt_tilsyn", "tilsyn_utfort", "04:00")]),
])
def test_what_a_device_did_is_still_an_alarm(spoken, expected):
    assert spoken_alarms(spoken) == expected


# --- the part of the day: a room's alarm, a room's shift, the doctor's round --------------------

@pytest.mark.parametrize("spoken, expected", [
    # an alarm from a resident's room at one to four is the night's (and flagged)
    ("trygghetsalarmen fra rom sju gikk klokka tre punktum bruker satt i senga punktum", ["03:00"]),
    ("Klokka kvart på to kom det teknisk alarm fra snoralarmen på rom tolv om lavt batteri.",
     ["01:45"]),
    # without the room, or by day, the afternoon stays
    ("trygghetsalarmen gikk klokka tre punktum bruker satt i stolen punktum", ["15:00"]),
    ("Ettermiddagsbesøk. Trygghetsalarmen på rom sju gikk klokka tre.", ["15:00"]),
    # "Rom 17, kveld.": the room's number, then the shift
    ("rom sytten kveld punktum vi spelte joik for ho klokka ni punktum", ["21:00"]),
    ("Rom 4, natt. Hun fikk Paracet klokka to.", ["02:00"]),
    # the doctor's round is by day, also in a night report
    ("nattrapport punktum ho sov godt punktum tilsynslegen får beskjed på visitten klokka ti "
     "punktum", ["10:00"]),
])
def test_the_part_of_the_day_of_a_room_and_a_round(spoken, expected):
    assert spoken_times(spoken) == expected


def test_a_time_read_from_the_room_or_the_round_is_flagged():
    note = structure("trygghetsalarmen fra rom sju gikk klokka tre punktum")
    assert note.sentences[0].review


# --- words ---------------------------------------------------------------------------------------

def test_a_drug_heard_as_two_words_may_be_written_with_a_hyphen():
    assert medications("Ho tok Selo-sokk 50 milligram.") == [("metoprolol", "50 mg")]
    assert medications("Ho tok Selo sokk 50 milligram.") == [("metoprolol", "50 mg")]


@pytest.mark.parametrize("spoken, expected", [
    ("ingen rødhet rundt såret punktum", {("rødhet rundt såret", True)}),
    ("rødheten rundt såret er mindre punktum", {("rødhet rundt såret", False)}),
    ("ho har ankelødem punktum", {("ankelødem", False)}),
    ("han har norovirus punktum", {("norovirus", False)}),
])
def test_finding_words_of_this_pass(spoken, expected):
    assert findings(spoken) == expected


def test_an_alarm_told_right_after_another_has_no_time_of_its_own():
    assert spoken_alarms("dørsensoren hos bruker varslet klokka ti på seks i morges komma og like "
                         "etter kom varsel fra GPS-en om at han var utenfor sonen punktum") == [
        ("dorsensor", "dor_apnet", "05:50"), ("lokaliseringsteknologi", "utenfor_sone", None)]
    # with a time of its own, it keeps it
    assert spoken_alarms("Dørsensoren varslet klokka ti på seks. Like etter, klokka seks, kom "
                         "varsel fra GPS-en om at han var utenfor sonen.")[-1] == (
        "lokaliseringsteknologi", "utenfor_sone", "06:00")


@pytest.mark.parametrize("spoken, first", [
    # the place said between the shift and the room: the heading line ends after the room
    ("kveldsrapport Gratangen rom fire beboer kom tilbake fra permisjon klokka seks",
     "Kveldsrapport Gratangen rom 4."),
    ("natt Kvænangen rom sju beboer sov godt heile natta", "Natt Kvænangen rom 7."),
    ("Nattevakt Rom 4 hun sov godt", "Nattevakt Rom 4."),
])
def test_a_shift_place_and_room_said_first_is_the_heading_line(spoken, first):
    assert structure(spoken).sentences[0].text == first


def test_two_devices_tested_together_raise_no_alarm():
    assert spoken_alarms("Fallsensoren og tryggleiksalarmen er testa og verkar som dei skal, "
                         "ho har alarmen rundt halsen.") == []
    # a device tested, then one that went off
    assert spoken_alarms("Sengesensoren og dørsensoren ble sjekket. Dørsensoren varslet "
                         "klokka tre i natt.") == [("dorsensor", "dor_apnet", "03:00")]
