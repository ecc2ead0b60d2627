"""Issue 15, thirty-fifth pass: what the rules learnt from tune72 and tune75, each with
sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_never_learnt_from
from tests.note_helpers import findings, medications, spoken_alarms, spoken_times

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune74.jsonl", 60, {"t74a", "t74b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune74 was only scored in this pass and is read by later ones; no model learns from it
    assert_never_learnt_from(name, count, writers, read_later=True)


# --- alarms: who pressed, a dose taken, the person lying down again, whenever, the locator ------

@pytest.mark.parametrize("spoken, expected", [
    # the user named between the verb and the alarm still pressed it
    ("Klokka ti på elleve i kveld trykket beboeren på rom 4 på trygghetsalarmen fordi han "
     "var kvalm.", [("trygghetsalarm", "alarm_utlost", "22:50")]),
    ("Kvart over tre i natt trykte bebuaren på rom 12 på tryggleiksalarmen.",
     [("trygghetsalarm", "alarm_utlost", "03:15")]),
    # staff calling the user over the alarm is no alarm of its own
    ("Jeg ringte henne på trygghetsalarmen klokka ti for å høre hvordan det gikk.", []),
])
def test_a_user_named_between_the_verb_and_the_alarm_still_pressed_it(spoken, expected):
    assert spoken_alarms(spoken) == expected


def test_a_dose_taken_after_staff_walked_in_is_no_second_alarm():
    spoken = ("Dispenseren varslet klokka ni at morgendosen ikke var tatt ut. Han hørte ikke "
              "pipingen. Jeg gikk inn og viste ham igjen hvordan han trykker på knappen, og "
              "dosen ble tatt ut kl. 09.15.")
    assert spoken_alarms(spoken) == [("medisindispenser", "dose_ikke_tatt", "09:00")]


def test_a_second_missed_dose_said_again_is_still_an_alarm():
    spoken = ("Dispenseren varslet klokka ni at morgendosen ikke var tatt ut, og jeg ringte "
              "ham. Klokka ett varslet den igjen at lunsjdosen ikke var tatt.")
    assert spoken_alarms(spoken) == [("medisindispenser", "dose_ikke_tatt", "09:00"),
                                     ("medisindispenser", "dose_ikke_tatt", "13:00")]


def test_the_person_lying_down_again_is_no_new_alarm_of_the_sensor():
    spoken = ("Sengesensoren varslet kvart over to i natt at han ikke var kommet tilbake i "
              "senga. Jeg ringte ham. Han la seg igjen klokka tre, og sensoren registrerte at "
              "han ble liggende.")
    assert spoken_alarms(spoken) == [("sengesensor", "ute_av_seng", "02:15")]


def test_the_sensor_going_off_again_is_still_a_new_alarm():
    spoken = ("Sengesensoren varslet kvart over to i natt, og jeg hjalp ham tilbake i senga. "
              "Sensoren varslet igjen klokka tre.")
    assert spoken_alarms(spoken) == [("sengesensor", "ute_av_seng", "02:15"),
                                     ("sengesensor", "ute_av_seng", "03:00")]


@pytest.mark.parametrize("spoken, expected", [
    # what to do whenever the device goes off is no alarm
    ("Brukeren fikk opplæring i å ta ut dosen når dispenseren piper.", []),
    ("Ho veit no kva ho skal gjere viss tryggleiksalarmen ringjer.", []),
    # "når" with a past alarm is one
    ("Da dispenseren varslet klokka åtte, tok han dosen med en gang.",
     [("medisindispenser", "dose_ikke_tatt", "08:00")]),
])
def test_whenever_the_device_goes_off_is_no_alarm(spoken, expected):
    assert spoken_alarms(spoken) == expected


def test_the_locator_used_in_a_door_alarm_story_is_no_alarm_of_its_own():
    spoken = ("Døralarmen hos bruker varslet ti på fire i ettermiddag. Han svarte ikke på "
              "telefonen. GPS-en viste at han gikk mot butikken, så jeg ringte sønnen. Sønnen "
              "fant ham der kvart over fire.")
    assert [a[0] for a in spoken_alarms(spoken)] == ["dorsensor"]


def test_the_locator_alarm_alone_is_still_an_alarm():
    spoken = "GPS-en varslet klokka fire i ettermiddag at hun hadde gått ut av sona."
    assert spoken_alarms(spoken) == [("lokaliseringsteknologi", "utenfor_sone", "16:00")]


# --- findings: two places joined by "eller", reduced feeling -----------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("Hun har rødme i lyskene eller under brystene.",
     {("rødme i lyskene eller under brystene", False)}),
    ("Han har ikke vondt i ryggen eller i flankene.", {("vondt i ryggen eller i flankene", True)}),
    ("Ingen smerter ut i armen eller kjeven.", {("smerter ut i armen eller kjeven", True)}),
    ("Ingen blødning frå nase eller tannkjøt.", {("blødning frå nase eller tannkjøt", True)}),
    # "siden" is "since", not the side
    ("Han har hatt vondt i hofta siden i går.", {("vondt i hofta", False)}),
])
def test_two_places_joined_by_eller_are_one_finding(spoken, expected):
    assert findings(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    ("Ho kjenner lite i føttene.", {("kjenner lite i føttene", False)}),
    ("Han kjenner ikkje så godt i tærne på venstre fot.",
     {("kjenner ikkje så godt i tærne på venstre fot", False)}),
    # without a place it is no finding: "kjenner lite til rutinene"
    ("Den nye vikaren kjenner lite til rutinene.", set()),
])
def test_reduced_feeling_in_a_body_part_is_a_finding(spoken, expected):
    assert findings(spoken) == expected


# --- clock times: the small hours of a night said in an evening report ----------------------------

def test_the_small_hours_said_with_the_night_stay_the_night_on_an_evening_report():
    spoken = ("Kveldsvakta ringte bruker klokka ti i går kveld fordi dispenseren varslet. "
              "I dag tidlig kom morgendosen klokka åtte. Bruker sier at hun sov dårlig i natt "
              "og var oppe ved tre-tida.")
    assert spoken_times(spoken)[-1] == "03:00"


# --- drugs: brands the lexicon lacked, a dose said of "the dose" ----------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("Hun fikk Glytrin 0,4 mg under tunga.", [("glyseroltrinitrat", "0.4 mg")]),
    ("Han står på Entresto to ganger daglig.", [("sakubitril/valsartan", None)]),
    ("Ho fekk Oxascand 10 mg til natta.", [("oksazepam", "10 mg")]),
    ("Han tok Naprosyn 250 mg mot smertene.", [("naproksen", "250 mg")]),
])
def test_brands_the_lexicon_lacked(spoken, expected):
    assert medications(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # the dose said of "the dose" in the next sentence is the undosed drug's
    ("Han er på andre dagen med Selexid mot urinveisinfeksjon. Kveldsdosen på 200 mg ble "
     "gitt kl. 20.00.", [("pivmecillinam", "200 mg")]),
    ("Ho står på Marevan. Dosa er 2,5 mg i dag.", [("warfarin", "2.5 mg")]),
    # two drugs named before: whose dose it is stays unsaid
    ("Hun fikk Paracet og Ibux. Dosen var 1 g.", [("paracetamol", None), ("ibuprofen", None)]),
    # a drug already dosed keeps its own dose
    ("Han fikk Paracet 1 g. Dosen på 500 mg ble gitt kl. 14.00.", [("paracetamol", "1 g")]),
])
def test_a_dose_said_of_the_dose_is_the_drug_named_before(spoken, expected):
    assert medications(spoken) == expected


# --- camera rounds: a round's log line --------------------------------------------------------

def test_a_rounds_log_line_asleep_again_is_the_next_round():
    spoken = ("digitalt tilsyn i natt punktum klokka ett kolon sov punktum klokka tre kolon "
              "satt på sengekanten komma jeg ringte ham punktum ny linje klokka fem kolon sov "
              "igjen punktum")
    assert [a[2] for a in spoken_alarms(spoken)] == ["01:00", "03:00", "05:00"]


def test_asleep_again_after_a_round_is_still_its_story():
    spoken = ("Kamerarunde klokka tre i natt: hun satt oppe, og jeg ringte henne. Klokka fire "
              "sov hun igjen.")
    assert [a[2] for a in spoken_alarms(spoken)] == ["03:00"]


# --- findings: seeing and hearing poorly, with the aid and the situation -----------------------

@pytest.mark.parametrize("spoken, expected", [
    ("Han ser dårlig uten briller.", {("ser dårlig uten briller", False)}),
    ("Ho høyrer dårleg utan høyreapparatet.", {("høyrer dårleg utan høyreapparatet", False)}),
    ("Hun ser dårlig på nært hold.", {("ser dårlig på nært hold", False)}),
    ("Han hører dårlig i telefonen.", {("hører dårlig i telefonen", False)}),
    # the aid belongs only to seeing and hearing
    ("Han har vondt i magen uten mat.", {("vondt i magen", False)}),
])
def test_seeing_and_hearing_keep_the_aid_and_the_situation(spoken, expected):
    assert findings(spoken) == expected


# --- alarms: a pattern over nights, a device asked for, one kept or covered --------------------

@pytest.mark.parametrize("spoken, expected", [
    ("Sengesensoren har gitt mange varsler de siste nettene når han snur seg, så vi har "
     "snakket om å justere følsomheten.", []),
    ("Vi har bedt om at det settes opp en sengesensor, så vi blir varslet før hun går.", []),
    ("Fallsensoren i stua var dekket av et teppe, så jeg forklarte at den må ha fri sikt.", []),
    ("Sengesensoren følger med i flyttinga til ny leilighet.", []),
    ("Fra neste uke får hun digitalt tilsyn om natta.", []),
    # a night's own alarm, with its time, is still one
    ("Sengesensoren varslet klokka tre i natt, som den har gjort de siste nettene.",
     [("sengesensor", "ute_av_seng", "03:00")]),
])
def test_a_device_talked_about_or_kept_is_no_alarm(spoken, expected):
    assert spoken_alarms(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    ("Ho har urinvegsinfeksjon og får Selexid.", {("urinvegsinfeksjon", False)}),
    ("Hurtigtesten for influensa var positiv.", {("influensa", False)}),
    ("Han har atrieflimmer og bruker Eliquis.", {("atrieflimmer", False)}),
])
def test_infections_and_atrial_fibrillation_said_in_either_standard_are_findings(spoken, expected):
    assert findings(spoken) == expected
