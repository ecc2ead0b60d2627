"""Issue 15, forty-first pass: what the rules learnt from tune85 and tune88, each with
sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_classifier_learns_from, assert_never_learnt_from
from tests.note_helpers import findings, spoken_alarms, spoken_times

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune87.jsonl", 60, {"t87a", "t87b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune87 was only scored in this pass and is read by later ones (the forty-second)
    assert_never_learnt_from(name, count, writers, read_later=True)


def test_the_writers_read_this_pass_are_learnt_from():
    assert_classifier_learns_from({"tune85.jsonl", "tune88.jsonl"})


# --- a morning dose named at one o'clock ----------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # the morning dose names which dose: an afternoon visit's one o'clock is 13.00
    ("ettermiddagsbesøk punktum dispenseren varsla klokka eitt at morgondosen ikkje var teken "
     "punktum", ["13:00"]),
    ("Ettermiddagsbesøk. Medisindispenseren varslet klokka to at morgendosen ikke var tatt ut.",
     ["14:00"]),
    # at a morning hour the dose is still a morning cue
    ("morgondosen vart gitt klokka sju punktum", ["07:00"]),
    # and the night stays the night's
    ("dørsensoren gikk klokka to i natt punktum", ["02:00"]),
])
def test_a_morning_dose_is_no_cue_for_the_small_hours(spoken, expected):
    assert spoken_times(spoken) == expected


# --- a state said as when or if is no finding -----------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("ho snakkar mest samisk når ho er sliten punktum", set()),
    ("Han snakker mest kvensk når han blir trøtt om kvelden.", set()),
    ("kona ringer legevakta om han blir forvirra i natt punktum", set()),
    # the state said of the patient stays a finding
    ("ho er sliten og snakkar mest samisk punktum", {("sliten", False)}),
    ("Han blir urolig om kvelden.", {("urolig", False)}),
])
def test_a_state_said_as_when_is_no_finding(spoken, expected):
    assert findings(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    ("huda i lyska er raud med kvitt belegg som kan vere sopp punktum", "sopp"),
    ("Eg har sendt melding til fastlegen om mogleg urinvegsinfeksjon.", "urinvegsinfeksjon"),
    ("Det er små prikker som ligner sopp.", "sopp"),
])
def test_what_it_may_be_is_no_finding(spoken, expected):
    assert not any(expected in value for value, _ in findings(spoken))


def test_what_it_looks_like_is_still_filed():
    # "ser ut som sopp" the writers file (16 of 21 such sentences)
    assert ("sopp", False) in findings("Huda er raud og fuktig. Det ser ut som sopp.")


# --- words the vocabulary lacked ----------------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("han seier han ikkje har ereksjon lenger punktum", ("ereksjon", True)),
    ("Ho er meir glømsk enn før.", ("glømsk", False)),
    ("Beinet har ingen forkorting.", ("forkorting", True)),
    ("Han hadde hjerteinfarkt for to år sidan.", ("hjerteinfarkt", False)),
])
def test_new_finding_words(spoken, expected):
    assert expected in findings(spoken)


# --- the device's parts named after it are no alarm -----------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # instruction: the dose named in the sentence after the device tells no missed dose
    ("Ho har fått ny medisindispenser. Eg viste ho korleis ho tek ut dosen.", []),
    ("Han har fått trygghetsalarm. Vi sjekket at batteriet var ladet.", []),
    # the next sentence saying the alarm still makes one
    ("Medisindispenseren til bruker. Dosen var ikke tatt ut kl. 08.00.",
     [("medisindispenser", "dose_ikke_tatt", "08:00")]),
    ("Sengesensoren på rom 4. Sensoren varsla kl. 02.00.",
     [("sengesensor", "ute_av_seng", "02:00")]),
])
def test_the_devices_parts_named_next_are_no_alarm(spoken, expected):
    assert spoken_alarms(spoken) == expected
