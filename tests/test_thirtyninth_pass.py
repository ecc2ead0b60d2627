"""Issue 15, thirty-ninth pass: what the rules learnt from tune80 and tune84, each with
sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_never_learnt_from
from tests.note_helpers import findings, medications, spoken_alarms, spoken_times, values

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune83.jsonl", 60, {"t83a", "t83b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune83 was only scored in this pass and is read by later ones (the fortieth)
    assert_never_learnt_from(name, count, writers, read_later=True)


# --- the night told anywhere in the dictation -----------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # "sovna att" at the end: the small hours before it are the night's
    ("ho ropte på hjelp klokka tjue over to og hadde vondt punktum ho fekk OxyNorm klokka "
     "halv tre punktum ho sovna att kvart over fire punktum", ["02:20", "02:30", "04:15"]),
    # "heile natta" in the last sentence
    ("Klokka eitt var ho uroleg. Klokka to pusta ho rolegare. Dottera sat hjå ho heile natta.",
     ["01:00", "02:00"]),
    ("han ringte på klokka ti over tre og ville på do punktum han sovnet igjen etterpå punktum",
     ["03:10"]),
    ("bleia var våt ved stellet klokka to punktum i løpet av natta drakk han lite punktum",
     ["02:00"]),
])
def test_the_night_told_anywhere_makes_the_small_hours_the_nights(spoken, expected):
    assert spoken_times(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # a day told: the opening, a time of the day before it, or no night word at all
    ("Morgenstell klokka åtte. Han har sove heile natta. Klokka to kom legen.",
     ["08:00", "14:00"]),
    ("Besøk klokka elleve. Klokka to ringte dattera. Han sovna att etter lunsj.",
     ["11:00", "14:00"]),
    ("Klokka to kom fysioterapeuten. Han sov godt i natt.", ["14:00"]),
])
def test_a_day_told_or_no_night_said_keeps_the_day(spoken, expected):
    assert spoken_times(spoken) == expected


# --- a drug name said in two pieces right before its dose -----------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # left apart, the dose went to the drug named before it: acetylsalisylsyre 40 mg
    ("ga Albyl-E syttifem milligram komma So mac førti milligram punktum",
     [("acetylsalisylsyre", "75 mg"), ("pantoprazol", "40 mg")]),
    # a letter off a long name: "med formin" for metformin
    ("fekk Lipitor tjue milligram og med formin fem hundre milligram punktum",
     [("atorvastatin", "20 mg"), ("metformin", "500 mg")]),
    ("Ho fekk rispe dal null komma fem milligram.", [("risperidon", "0.5 mg")]),
])
def test_a_drug_name_said_in_two_pieces_before_its_dose_is_that_drug(spoken, expected):
    assert medications(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # two ordinary words a letter off a short name ("han tok" / Pantoc) stay words
    ("han tok to drag Ventoline punktum", [("salbutamol", "2 drag")]),
    ("ga Paracet ett gram og han tok to tabletter til punktum", [("paracetamol", "1 g")]),
    # no dose after them: the two words are not joined
    ("han spurte om So mac i dag punktum", []),
])
def test_ordinary_words_before_a_dose_stay_words(spoken, expected):
    assert medications(spoken) == expected


# --- a night sensor's small hour on an evening's report -------------------------------------------

def test_a_night_sensors_small_hour_on_an_evenings_report_is_the_night_after_it():
    spoken = ("han ville høyre joik i kveld komma så vi sette på radioen punktum "
              "sengesensoren varsla fem over to komma han sat på sengekanten punktum")
    assert spoken_alarms(spoken) == [("sengesensor", "ute_av_seng", "02:05")]


def test_an_evenings_small_hour_without_a_night_sensor_stays_as_it_was():
    # "i kveld" told first and no sensor: the evening shift's reading (14.00) is kept
    assert spoken_times("han var urolig i kveld punktum klokka to ringte dattera punktum") \
        == ["14:00"]


# --- "null" as the hour: the 24-hour clock, never noon --------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("digitalt nattilsyn klokka null null tretti ho sov", ["00:30"]),  # was 00.00
    ("tilsyn klokka null tretti punktum", ["00:30"]),  # was 12.30
    ("klokka null null fem ringte ho på", ["00:05"]),
    ("klokka null ti var ho vaken punktum", ["00:10"]),
])
def test_null_as_the_hour_is_past_midnight(spoken, expected):
    assert spoken_times(spoken) == expected


def test_a_digit_by_digit_morning_hour_after_null_stays_the_morning():
    assert spoken_times("klokka null fem tretti var ho vaken punktum") == ["05:30"]


# --- no alarm of another device in the same sentence ----------------------------------------------

@pytest.mark.parametrize("spoken", [
    "Ved kameratilsyn klokka to sov hun, og sengesensoren har ikke varslet i natt.",
    "Digitalt tilsyn klokka to, ingen varsler fra sengesensoren.",
])
def test_no_alarm_of_another_device_keeps_the_round(spoken):
    assert spoken_alarms(spoken) == [("digitalt_tilsyn", "tilsyn_utfort", "02:00")]


@pytest.mark.parametrize("spoken", [
    "Sengesensoren har ikke varslet i natt.",
    "Digitalt tilsyn er ikkje gjort, kameraet har ikkje varsla.",
])
def test_no_alarm_of_the_device_itself_is_still_no_event(spoken):
    assert spoken_alarms(spoken) == []


# --- a test after a technical alarm is no alarm of the user's -------------------------------------

_LOW_BATTERY = ("trygghetsalarmen sendte teknisk alarm om lavt batteri klokka ett og tjuefem i "
                "natt punktum ")


@pytest.mark.parametrize("then", [
    "jeg byttet batteri i armbåndet klokka to og testet at alarmen gikk fram punktum",
    "vi testa at den gjekk fram klokka to punktum",
])
def test_testing_the_device_after_its_technical_alarm_is_no_new_alarm(then):
    assert spoken_alarms(_LOW_BATTERY + then) == [("trygghetsalarm", "teknisk_alarm", "01:25")]


def test_the_user_pressing_after_a_technical_alarm_is_still_a_new_alarm():
    assert spoken_alarms(_LOW_BATTERY + "Klokka tjue over tre trykte ho på alarmen og sa ho "
                         "hadde vondt punktum") == [("trygghetsalarm", "teknisk_alarm", "01:25"),
                                                    ("trygghetsalarm", "alarm_utlost", "03:20")]


# --- a blood sugar read again, followed by a clause comma -----------------------------------------

def test_a_blood_sugar_read_again_before_a_clause_comma_is_kept():
    spoken = ("blodsukker var to komma åtte punktum ny måling klokka halv to var fem komma en "
              "komma og klokka to var den seks komma tre punktum")
    assert values(spoken, "vital.blood_glucose") == ["2.8", "5.1", "6.3"]


def test_a_list_of_decimals_written_together_is_no_reading():
    assert values("Blodsukker 6,2. Versjon 5,1,2 av skjemaet.", "vital.blood_glucose") == ["6.2"]


# --- a second pain score after a spoken comma -----------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("smerte i hofta fire av ti ved gange komma to i hvile punktum", ["4", "2"]),
    ("smerta i kneet sju av ti når ho går komma to i kvile punktum", ["7", "2"]),
])
def test_a_second_score_after_a_spoken_comma(spoken, expected):
    assert values(spoken, "pain_score") == expected


@pytest.mark.parametrize("spoken, expected", [
    # a decimal, not two scores; and a count of hours after the comma
    ("smerte fire av ti komma to timer etter var den to punktum", ["4"]),
    ("temp trettisju komma to i natt punktum", []),
])
def test_numbers_after_a_comma_that_are_no_second_score(spoken, expected):
    assert values(spoken, "pain_score") == expected


# --- staff calling the user back is no new alarm --------------------------------------------------

_PRESSED = ("trygghetsalarmen gikk hos bruker klokka ett og tjue i natt punktum han sa i alarmen "
            "at han hadde vondt punktum ")


@pytest.mark.parametrize("then", [
    "vi ringte han opp igjen og kjørte ut og var der klokka ett førti punktum",
    "eg ringde ho att og køyrde ut klokka ett førti punktum",
])
def test_staff_calling_back_is_no_new_alarm(then):
    assert spoken_alarms(_PRESSED + then) == [("trygghetsalarm", "alarm_utlost", "01:20")]


def test_the_user_calling_again_is_a_new_alarm():
    assert spoken_alarms(_PRESSED + "Klokka to ringte hun igjen og ville ha hjelp på do.") == \
        [("trygghetsalarm", "alarm_utlost", "01:20"), ("trygghetsalarm", "alarm_utlost", "02:00")]


# --- denied after it was asked, and checklist answers after a colon -------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # asked about and denied: the question's finding is absent
    ("Eg spurde direkte om ho har tankar om å ta livet sitt, og det avkrefta ho.",
     {("tankar om å ta livet sitt", True)}),
    ("Vi spurte om hun hadde kvalme, det benektet hun.", {("kvalme", True)}),
    ("Smerter: ingen.", {("smerter", True)}),
    ("Kvalme: nei.", {("kvalme", True)}),
    ("Tanker om å skade seg sjøl avkrefter hun tydelig.",
     {("tanker om å skade seg sjøl", True)}),
])
def test_a_finding_asked_about_and_denied_is_absent(spoken, expected):
    assert findings(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # asked about and answered yes, or the answer tells something else
    ("Jeg spurte om han hadde smerter, og han sa han hadde vondt i kneet.",
     {("smerter", False), ("vondt i kneet", False)}),
    ("Smerter: ingen bedring.", {("smerter", False)}),
])
def test_a_finding_asked_about_and_not_denied_stays(spoken, expected):
    assert findings(spoken) == expected


# --- the evening medicines named anywhere: an evening's visit ----------------------------------------

def test_the_evening_medicines_named_later_make_an_uncued_morning_hour_the_evenings():
    spoken = ("trygghetsalarmen hos bruker gikk tjuefem på elleve punktum han hadde kommet borti "
              "knappen punktum han fikk kveldsmedisinene ved besøket punktum")
    assert spoken_alarms(spoken) == [("trygghetsalarm", "alarm_utlost", "22:35")]


@pytest.mark.parametrize("spoken, expected", [
    # a day told, or a time of the day before it: the morning stays
    ("Morgenstell klokka åtte. Kveldsmedisinene står klare i dosetten.", ["08:00"]),
    ("Besøk klokka to. Legen kom klokka ti. Kveldsmedisinene er endra.", ["14:00", "10:00"]),
])
def test_the_evening_medicines_named_in_a_day_note_keep_the_day(spoken, expected):
    assert spoken_times(spoken) == expected
