"""Issue 15, twenty-eighth pass: behaviour found on the writers of tune58 and tune61, each
sentence written for the test (none copied from a gold file)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_never_learnt_from
from tests.note_helpers import spoken_times

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune60.jsonl", 60, {"t60a", "t60b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune60 was only scored in this pass and is read by later ones; no model learns from it
    assert_never_learnt_from(name, count, writers, read_later=True)


# --- a device kept, not gone off: no event --------------------------------------------------------

@pytest.mark.parametrize("spoken", [
    # not worn: it hung where it is kept
    # a reminder to wear it
    "eg minte ho på å ha tryggleiksalarmen på seg punktum",
    "Hun hadde ikke trygghetsalarmen på seg, vi minnet henne på å ha den på armen.",
    "Trygghetsalarmen henger på kroken ved døra, vi minnet ham på å bruke den.",
    # off for a while, with the reason
    "sengesensoren hennes har vært avslått siden helga fordi den ga mange falske alarmer punktum",
    "Fallsensoren hadde vore slått av sidan i går fordi ho hadde gitt mange feilalarmar.",
    # upkeep and a test: it sounds as it should
    "Dispenseren ble fylt opp og testet i dag, den piper som den skal.",
])
def test_a_device_kept_or_tested_opens_no_event(spoken):
    from tests.note_helpers import spoken_alarms

    assert spoken_alarms(spoken) == []


@pytest.mark.parametrize("spoken, alarm", [
    ("sengesensoren varsla klokka to i natt at ho var ute av senga punktum",
     ("sengesensor", "ute_av_seng", "02:00")),
    ("Trygghetsalarmen ble utløst kl. 14.10, han hadde falt på badet.",
     ("trygghetsalarm", "alarm_utlost", "14:10")),
    ("Trygghetsalarmen ble utløst kl. 14.10, vi minnet henne på å ha den på armen.",
     ("trygghetsalarm", "alarm_utlost", "14:10")),
])
def test_a_device_that_went_off_still_opens_its_event(spoken, alarm):
    from tests.note_helpers import spoken_alarms

    assert alarm in spoken_alarms(spoken)


# --- a dictation that opens with last night ------------------------------------------------------

@pytest.mark.parametrize("spoken, times", [
    # the night's first hours: "halv tolv" after "uroleg i natt" is 23.30, and the story goes on
    ("Ho har vore uroleg i natt og ropt mykje. Klokka halv tolv fekk ho Sobril ti milligram, "
     "og klokka to sov ho.", ["23:30", "02:00"]),
    ("han har hatt vondt i magen i natt punktum klokka elleve fikk han paracet ett gram punktum",
     ["23:00"]),
    # a one-line heading first: the night is told in the sentence after it
    ("Morgenrapport. Han har sovet dårlig i natt. Han fikk Imovane klokka elleve i går kveld "
     "og lå våken fra to til fem.", ["23:00", "02:00", "05:00"]),
])
def test_a_dictation_that_opens_with_last_night_reads_its_hours_in_the_night(spoken, times):
    assert spoken_times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    # a visit by day that tells last night: the hours are the day's
    ("Besøk på formiddagen, ho har hatt vondt i hofta i natt. Eg ringde fastlegen klokka "
     "elleve.", ["11:00"]),
    # the time said before the night: not the night's
    ("Dispenseren varsla ti på elleve, det var straumbrot i natt. Eg var der klokka elleve.",
     ["10:50", "11:00"]),
    ("Besøk klokka tolv. Han har hatt vondt i ryggen i natt. Klokka to fikk han Paracet.",
     ["12:00", "14:00"]),
])
def test_a_day_that_tells_last_night_keeps_its_hours(spoken, times):
    assert spoken_times(spoken) == times


# --- a schedule listed with commas -------------------------------------------------------------

@pytest.mark.parametrize("spoken, times", [
    # on an evening report, or after a time past noon: the schedule still starts in the morning
    ("Kveldsvakt. Ho får Paracet ett gram klokka sju, femten og tjuetre.",
     ["07:00", "15:00", "23:00"]),
    ("Dispenseren varsla klokka 16.20. Han har doser klokka ni, sytten og tjueein.",
     ["16:20", "09:00", "17:00", "21:00"]),
])
def test_a_schedule_listed_with_commas_starts_in_the_morning(spoken, times):
    assert spoken_times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    # "tolv" is no sure afternoon: the evening's rounds
    ("kveldsvakt punktum tilsyn klokka ni komma tolv og to punktum", ["21:00", "00:00", "02:00"]),
    # a time, then another clause
    ("Kveldsvakt. Han fikk Paracet klokka ni, og 14.10 kom dattera.", ["21:00", "14:10"]),
])
def test_a_list_that_is_no_schedule_reads_as_before(spoken, times):
    assert spoken_times(spoken) == times


# --- a phrase as filed, in the other written standard --------------------------------------------

@pytest.mark.parametrize("spoken, finding", [
    ("Han var blek og klam da vi kom inn.", "blek og klam"),
    ("Ved undersøkelse myk mage og ingen smerter.", "myk mage"),
    ("Det var lukt frå såret i dag.", "lukt frå såret"),
])
def test_a_phrase_as_filed_is_found_in_either_written_standard(spoken, finding):
    from tests.note_helpers import findings

    assert (finding, False) in findings(spoken)


# --- nosebleeds, death rattle, chills and clots are circulation and breathing -------------------

@pytest.mark.parametrize("spoken", [
    "Han har hatt neseblod i ein halvtime i kveld.",
    "Ekstra besøk klokka ti fordi han ringte og hadde neseblod.",
    "Kveldsbesøk kl. 20.10, ho hadde hatt neseblødning i ettermiddag.",
    "Ekstra tilsyn fordi det blødde fra høyre nesebor.",
    "Legen kom og tok EKG.",
    "Det er ralling når han puster ut.",
    "Ho hadde frostriar og skalv i heile kroppen.",
    "Legen mistenker blodpropp i leggen.",
])
def test_a_sentence_about_circulation_or_breathing_is_filed_there(spoken):
    from structuring.pipeline import structure

    assert [s.section for s in structure(spoken).sentences] == ["respirasjon_sirkulasjon"]


@pytest.mark.parametrize("spoken, section", [
    ("Han har time på psykiatrisk poliklinikk på fredag.", "kunnskap_psykisk"),
    ("Vi sat hos han til han fekk roe seg.", "kunnskap_psykisk"),
    ("Dottera følgjer ho til øyelegen neste veke.", "kommunikasjon_sanser"),
    # guards: filed so before, still so
    ("Vi las fadervår saman før ho sovna.", "andelig_kulturelt"),
    ("Ho har hatt svie ved vasslating sidan i går.", "eliminasjon"),
    ("Urinstiks viste nitritt.", "eliminasjon"),
    ("Ho vil gjerne ha besøksvenn frå frivilligsentralen.", "sosialt_miljo"),
])
def test_a_sentence_is_filed_by_the_word_that_tells_its_section(spoken, section):
    from structuring.pipeline import structure

    assert [s.section for s in structure(spoken).sentences] == [section]
