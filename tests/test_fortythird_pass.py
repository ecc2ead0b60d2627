"""Issue 15, forty-third pass: the writers of this pass's data, and what the rules learnt from
tune89 and tune92, each with sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_classifier_learns_from, assert_never_learnt_from
from tests.note_helpers import spoken_alarms, spoken_times

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune91.jsonl", 60, {"t91a", "t91b"}),
])
def test_the_writers_only_scored_this_pass_are_read_later(name, count, writers):
    # tune91 was only scored in this pass and is read by later ones (the forty-fourth)
    assert_never_learnt_from(name, count, writers, read_later=True)


def test_the_writers_read_this_pass_are_learnt_from():
    assert_classifier_learns_from({"tune89.jsonl", "tune92.jsonl"})


# --- the night's times ----------------------------------------------------------------------


@pytest.mark.parametrize("spoken, expected", [
    # a camera round told in its own sentence, the arrangement in the sentence before
    ("Beboer på rom fem har kameratilsyn om natta. Tilsyn via kamera klokka to og klokka fire, "
     "hun sov.", ["02:00", "04:00"]),
    # a night cue after hours listed each with "klokka" is the whole list's
    ("han ble snudd klokka elleve klokka tre og klokka seks i natt", ["23:00", "03:00", "06:00"]),
    ("Ho vart snudd klokka elleve, klokka tre og klokka seks i natt.",
     ["23:00", "03:00", "06:00"]),
    # "tolvtida" in a dictation that goes past midnight is midnight
    ("han var oppe og gikk i gangen før midnatt han fikk en kopp varm melk og ved tolvtida la "
     "han seg og sov", ["00:00"]),
])
def test_the_nights_times(spoken, expected):
    assert spoken_times(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # the list's cue stays with the list: a morning list is the morning's
    ("fikk Paracet klokka åtte og klokka elleve i formiddag", ["08:00", "11:00"]),
    # twelve o'clock by day stays noon where the night is not told
    ("ho åt middag ved tolvtida punktum", ["12:00"]),
])
def test_the_days_times_stay_by_day(spoken, expected):
    assert spoken_times(spoken) == expected


def test_staff_walking_a_round_in_person_is_no_digital_round():
    assert spoken_alarms("Digitalt tilsyn klokka ett og klokka tre, hun sov. Fysisk tilsyn "
                         "klokka fem, hun var våken.") == [
        ("digitalt_tilsyn", "tilsyn_utfort", "01:00"),
        ("digitalt_tilsyn", "tilsyn_utfort", "03:00")]


@pytest.mark.parametrize("spoken, expected", [
    # unrest from an hour that nothing else places is the evening's
    ("ho var uroleg frå om lag klokka ti og ropte på dottera", ["22:00"]),
    ("Han har vært urolig siden halv elleve og ropt på hjelp.", ["22:30"]),
    # the night's care in the small hours
    ("ved tilsyn klokka fire var bleia våt og ho fekk skift", ["04:00"]),
    ("Han ble snudd klokka to og lå godt.", ["02:00"]),
    # a time set off by commas belongs to the words before it
    ("Trygghetsalarmen ble utløst klokka 06.40. Senere på dagen, kvart over to, varslet "
     "fallsensoren på badet.", ["06:40", "14:15"]),
])
def test_unrest_night_care_and_a_time_set_off_by_commas(spoken, expected):
    assert spoken_times(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # unrest at a morning care, with no "frå": the morning's
    ("ho verka uroleg ved stell klokka sju så eg gav morfin", ["07:00"]),
    # after a time read by day, the day goes on
    ("Legen var her klokka fem i ettermiddag og startet antibiotika. Første dose ble gitt "
     "klokka halv seks ved tilsyn.", ["17:00", "17:30"]),
])
def test_unrest_and_care_by_day_stay_by_day(spoken, expected):
    assert spoken_times(spoken) == expected


def test_a_night_said_as_a_habit_sets_no_shift_and_no_story():
    # "klokka tre om natta" is when she is wont to wake, not where the visit's story is
    assert spoken_times("ho var nedstemt i dag og seier ho ligg vaken frå klokka tre om natta "
                        "ho fekk Sobril klokka halv to fordi ho var uroleg") == ["03:00", "13:30"]
    # said as the night told, the story goes on from it
    assert spoken_times("ho låg vaken frå klokka tre i natt ho fekk Sobril klokka halv fire "
                        "fordi ho var uroleg") == ["03:00", "03:30"]


# --- welfare technology ------------------------------------------------------------------------

@pytest.mark.parametrize("spoken", [
    "Byttet batteri på trygghetsalarmen og testet den, den fungerer.",
    "vi bytta batteriet i tryggleiksalarmen slik det står i planen og testa han mot "
    "alarmsentralen",
    "Batteriet i trygghetsalarmen hennes ble også byttet, og alarmen ble testet uten feil.",
])
def test_a_battery_changed_as_upkeep_is_no_alarm(spoken):
    assert spoken_alarms(spoken) == []


@pytest.mark.parametrize("spoken", [
    # it had failed: works again, or the fault told
    "Byttet batteri på trygghetsalarmen, og den fungerer igjen.",
    "Trygghetsalarmen hadde lavt batteri, så vi byttet batteri og testet den.",
    # (a battery changed with nothing else told is upkeep since the forty-fourth pass)
])
def test_a_battery_changed_after_a_fault_is_the_technical_alarm(spoken):
    assert spoken_alarms(spoken) == [("trygghetsalarm", "teknisk_alarm", None)]


def test_an_empty_bed_seen_on_a_camera_round_is_its_next_look():
    assert spoken_alarms("Kameratilsyn klokka 23.00, hun lå og sov. Klokka to var senga tom. "
                         "Nytt tilsyn 02.20, da lå hun i senga igjen.") == [
        ("digitalt_tilsyn", "tilsyn_utfort", "23:00"),
        ("digitalt_tilsyn", "tilsyn_utfort", "02:00"),
        ("digitalt_tilsyn", "tilsyn_utfort", "02:20")]


def test_a_later_alarm_of_another_kind_is_new_though_the_first_had_no_time():
    assert spoken_alarms("Medisindispenseren ga teknisk alarm i formiddag, rullen hadde satt seg "
                         "fast. Senere i dag varslet den at ettermiddagsdosen ikke var tatt, vi "
                         "ringte, og hun tok den mens vi var på telefonen.") == [
        ("medisindispenser", "teknisk_alarm", None),
        ("medisindispenser", "dose_ikke_tatt", None)]
    # told again with no "later", the story goes on
    assert spoken_alarms("Medisindispenseren ga teknisk alarm i formiddag, rullen hadde satt seg "
                         "fast. Den varslet at dosen ikke kom ut.") == [
        ("medisindispenser", "teknisk_alarm", None)]


@pytest.mark.parametrize("spoken", [
    "Eg forklarte ho at sengesensoren varslar når ho står opp.",
    "Dottera ringde. Jeg forklarte at det er digitalt tilsyn med kamera som bare brukes om natta.",
])
def test_a_device_explained_is_no_alarm(spoken):
    assert spoken_alarms(spoken) == []


@pytest.mark.parametrize("spoken", [
    "Vi sjekket også batteriet i trygghetsalarmen hans i dag, og det var fullt.",
    "Sengesensoren hadde ikkje vore kopla til ladaren, så eg sette den på lading og testa at "
    "den varslar på telefonen.",
])
def test_a_device_checked_or_charged_and_found_working_is_no_alarm(spoken):
    assert spoken_alarms(spoken) == []
