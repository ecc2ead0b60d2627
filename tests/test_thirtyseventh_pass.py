"""Issue 15, thirty-seventh pass: what the rules learnt from tune76 and tune79, each with
sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from structuring.pipeline import structure
from tests.gold_files import assert_never_learnt_from
from tests.note_helpers import medications, spoken_alarms, spoken_times, values

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune78.jsonl", 60, {"t78a", "t78b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune78 was only scored in this pass and is read by later ones; no model learns from it
    assert_never_learnt_from(name, count, writers, read_later=True)


# --- clock times: "natt til i dag" is the night -------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("natt til i dag klokka to varsla sengesensoren på rom fire punktum",
     [("sengesensor", "ute_av_seng", "02:00")]),
    ("Tryggleiksalarmen gjekk natta te i dag klokka halv fire.",
     [("trygghetsalarm", "alarm_utlost", "03:30")]),
])
def test_the_night_before_today_is_a_night(spoken, expected):
    assert spoken_alarms(spoken) == expected


def test_a_time_in_the_night_before_today_is_no_afternoon():
    # was 14.00, and not even flagged: "i dag" right before the time read as daytime
    assert spoken_times("Natt til i dag klokka to fikk han Paracet ett gram.") == ["02:00"]
    assert spoken_times("natt til i dag rundt klokka fire gikk alarmen") == ["04:00"]
    assert spoken_times("natt til i dag ved firetida sto ho i gangen") == ["04:00"]
    # "i dag" alone at the time is still the day
    assert spoken_times("I dag klokka to var det møte om nattilsynet.") == ["14:00"]


# --- self-corrections: "eg meinte", "eller altså" -----------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("hun får Aricept ti milligram eller altså fem milligram om kvelden",
     [("donepezil", "5 mg")]),
    ("eg sette OxyNorm to komma fem milligram subkutant eh eg meinte fem milligram subkutant",
     [("oksykodon", "5 mg")]),
    ("han hadde gløymt å ta Insulatard eg meinte Tresiba i går kveld",
     [("insulin degludek", None)]),
    ("ho fekk Movicol jeg mente Laxoberal ti dråper", [("natriumpikosulfat", "10 dråper")]),
])
def test_i_meant_corrects_the_value_before_it(spoken, expected):
    assert medications(spoken) == expected


def test_rather_corrects_the_value():
    assert values("metninga var nittiein eller rettare sagt nittito prosent", "vital.spo2") == \
        ["92"]


def test_sorry_corrects_the_dose():
    # the 5 mg was kept as the dose given: "beklager" was no correction cue
    assert medications("fikk Oxynorm fem milligram nei beklager ti milligram") == \
        [("oksykodon", "10 mg")]


def test_a_dose_said_again_in_other_words_is_one_dose():
    # "altså" restates a dose (the writers file the strength), it gives no second one
    assert medications("Ho fekk Marevan 2,5 mg, altså 1 tablett.") == [("warfarin", "2.5 mg")]
    # … also in the same unit: one dose, whichever the nurse meant
    assert len(medications("Ho fekk Marevan 2 tablettar, altså 1,5 tablett.")) == 1


def test_sorry_with_no_value_after_it_is_kept():
    assert structure("jeg beklager at vi kom sent punktum").text == "Jeg beklager at vi kom sent."


def test_i_meant_with_no_value_on_both_sides_is_an_opinion():
    note = structure("eg meinte at ho burde drikke meir punktum")
    assert note.text == "Eg meinte at ho burde drikke meir."
    assert "eller altså samboeren" in structure(
        "han gikk tur med kona eller altså samboeren punktum").text


# --- decimals said as tens ----------------------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # the tens and the unit of the decimals said as two words: 3,75 mg, not 5 mg
    ("ho fekk Imovane tre komma sytti fem milligram", [("zopiklon", "3.75 mg")]),
    ("ho fekk Imovane tre komma sjuetti fem milligram", [("zopiklon", "3.75 mg")]),
    ("Marevan en komma tjue fem milligram i kveld", [("warfarin", "1.25 mg")]),
    # "to komma femti" is 2,5
    ("Marevan to komma femti milligram", [("warfarin", "2.5 mg")]),
])
def test_decimals_said_as_tens_and_units(spoken, expected):
    assert medications(spoken) == expected


def test_decimals_said_as_tens_keep_the_value():
    # "sju komma tjue" was read as 7,20 and filed as a blood sugar of 7
    assert values("blodsukker sju komma tjue før frokost", "vital.blood_glucose") == ["7.2"]
    # a tens that counts minutes after "komma" is no decimal: the comma was spoken
    assert structure("metning nittitre komma tjue minutter etter var den nittiseks punktum"
                     ).text == "Metning 93, 20 minutter etter var den 96."


# --- a dose said again, with no name of its own ---------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("Legen har redusert Marevan til 1,25 mg på mandager og torsdager, ellers 2,5 mg.",
     [("warfarin", "1.25 mg"), ("warfarin", "2.5 mg")]),
    ("Hun tar Furix 20 mg om morgenen, og legen har i dag økt til 40 mg.",
     [("furosemid", "20 mg"), ("furosemid", "40 mg")]),
    ("Ho har fått Burinex 2 mg i dag tidleg og 1 mg kl. 14.00.",
     [("bumetanid", "2 mg"), ("bumetanid", "1 mg")]),
    # the next sentence, naming no drug, changes the dose
    ("Han har teke Furix 40 mg i dag tidleg. Eg ringde fastlegen som auka dosen til 80 mg.",
     [("furosemid", "40 mg"), ("furosemid", "80 mg")]),
    # a limit is no dose given, nor is the same dose in another unit, the same dose again,
    # a drink after a syrup, or the dose of a drug the lexicon does not know
    ("Paracet 1 g, maks 4 g i døgnet.", [("paracetamol", "1 g")]),
    ("Hun fikk Furix 40 mg, det vil si 2 tabletter.", [("furosemid", "40 mg")]),
    ("Han har tatt Burinex 1 mg i morges og 1 mg kl. 14.00.", [("bumetanid", "1 mg")]),
    ("Fikk Duphalac 15 ml. Har drukket 700 ml i dag.", [("laktulose", "15 ml")]),
    ("Dosetten hadde Marevan 2,5 mg, Kosar 50 mg og Sobril 10 mg.",
     [("warfarin", "2.5 mg"), ("oksazepam", "10 mg")]),
])
def test_a_dose_said_again_is_the_drugs_before_it(spoken, expected):
    assert medications(spoken) == expected


# --- camera rounds: "sov hver gang", "og igjen kl." ----------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # "every time" after the rounds' times is each of them, no routine (was no event at all)
    ("Digitalt tilsyn kl. 23.00, kl. 01.00 og kl. 03.00, sov hver gang.",
     ["23:00", "01:00", "03:00"]),
    # a round "and again" at a time of its own
    ("Digitalt tilsyn via kamera vart utført kl. 23.30 og igjen kl. 02.00. Ho sov.",
     ["23:30", "02:00"]),
    ("Kameratilsyn kl. 23.30 og att kl. 02.00, sov.", ["23:30", "02:00"]),
])
def test_camera_rounds_listed_together(spoken, expected):
    assert [time for _, _, time in spoken_alarms(spoken)] == expected


def test_every_time_before_the_time_is_still_a_routine():
    assert spoken_alarms("Hun bruker trygghetsalarmen hver gang hun dusjer kl. 10.") == []


# --- half a tablet, and more than one -------------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("Marevan halv tablett i kveld", [("warfarin", "0.5 tablett")]),
    ("fikk ei halv tablett Sobril mot uro", [("oksazepam", "0.5 tablett")]),
    # a tablet and a half is more than one tablet
    ("Marevan en og en halv tablett i kveld", [("warfarin", "1.5 tabletter")]),
    ("Paracet 1 tablett", [("paracetamol", "1 tablett")]),
])
def test_half_a_tablet_and_more(spoken, expected):
    assert medications(spoken) == expected


def test_a_door_contact_is_a_door_sensor():
    assert spoken_alarms("dørkontakten varsla klokka tre i natt") == \
        [("dorsensor", "dor_apnet", "03:00")]


# --- a day part said first starts a sentence -----------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("eg minte ho på å ha alarmen på handleddet og ikkje under puta i dag tidleg klokka åtte "
     "var ho trøytt men i godt humør",
     ["Eg minte ho på å ha alarmen på handleddet og ikkje under puta.",
      "I dag tidleg kl. 08.00 var ho trøytt men i godt humør."]),
])
def test_a_day_part_said_first_opens_a_sentence(spoken, expected):
    assert [s.text for s in structure(spoken).sentences] == expected


def test_the_day_part_of_a_clock_time_stays_with_it():
    note = structure("jeg ringte og han sa han bare skulle se etter posten og gikk inn igjen "
                     "klokka kvart over fire i natt varslet den igjen og han svarte ikke")
    assert not any(s.text.startswith("I natt") for s in note.sentences)
    assert spoken_alarms("dørsensoren varsla klokka to punktum han gikk inn igjen klokka kvart "
                         "over fire i natt varslet den igjen")[-1][2] == "04:15"


# --- pain scores: "en fire", a second score said with when ---------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # "en" before the score is its article: the score was filed as 1
    ("han sier smerten er en fire", ["4"]),
    ("hun anga smerte til en seks", ["6"]),
    # a second score joined by "og" and said with when it was scored
    ("smerten var på sju før og tre etter", ["7", "3"]),
    ("VAS fire i hvile og sju ved bevegelse", ["4", "7"]),
    # a count after "og" is no score
    ("smerte fem og tre dager siden hadde hun vondt", ["5"]),
])
def test_pain_scores_said_with_an_article_or_a_second_score(spoken, expected):
    assert values(spoken, "pain_score") == expected


def test_what_was_passed_is_no_intake():
    # the output after the intake was filed as a second intake of 1200 ml
    assert values("inntak 800 ml og diurese 1200 ml", "fluid_intake") == ["800"]
    assert values("hun har drukket 1200 ml og tisset 600 ml", "fluid_intake") == ["1200"]


# --- a measure said twice with no correction cue is the nurse's to check -------------------------

@pytest.mark.parametrize("spoken", [
    "temperaturen var trettiåtte eh trettisju komma åtte",
    "vekt sekstien komma fire eller sekstien komma seks",
])
def test_a_measure_said_twice_is_flagged(spoken):
    note = structure(spoken)
    assert [s.review for s in note.sentences] == [True]


def test_two_measures_said_apart_are_not_flagged_for_it():
    note = structure("Vekt 64,3 kg mot 65,1 kg forrige uke.")
    assert [s.review for s in note.sentences] == [False]
