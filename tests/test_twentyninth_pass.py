"""Issue 15, twenty-ninth pass: behaviour found on the writers of tune60 and tune63, each
sentence written for the test (none copied from a gold file)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_never_learnt_from
from tests.note_helpers import spoken_times

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune62.jsonl", 60, {"t62a", "t62b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune62 was only scored in this pass and is read by later ones; no model learns from it
    assert_never_learnt_from(name, count, writers, read_later=True)


# --- a night report goes on from its evening -----------------------------------------------------

@pytest.mark.parametrize("spoken, times", [
    # a story that starts in the evening: the next hour is shortly after, not the morning's
    ("Nattrapport. Bebuaren var uroleg frå klokka 20.10 og leita etter kona si. Han fekk "
     "Sobril klokka kvart på ni utan effekt.", ["20:10", "20:45"]),
    ("rapport fra natt punktum han ropte fra kl 19.45 punktum fikk paracet klokka kvart over "
     "åtte punktum", ["19:45", "20:15"]),
])
def test_a_night_report_goes_on_from_its_evening_story(spoken, times):
    assert spoken_times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    # the shift's own end: a night that has reached the small hours ends in the morning
    ("Nattrapport. Ho ringte på klokka 02.30 og fekk hjelp på do. Vi skifta på ho klokka "
     "sju.", ["02:30", "07:00"]),
    # an hour that would step back from the evening story is the shift's morning
    ("Nattrapport. Han var uroleg frå klokka 21.30. Klokka åtte sov han.", ["21:30", "08:00"]),
])
def test_a_night_report_away_from_its_evening_story_reads_as_before(spoken, times):
    assert spoken_times(spoken) == times


# --- a dose taken from the dispenser is no missed dose --------------------------------------------

@pytest.mark.parametrize("spoken", [
    "Medisindispenseren står i stova, og han hadde tatt ut morgendosen klokka åtte som avtalt.",
    "ho tok kveldsdosen klokka ni komma og dispenseren registrerte uttaket punktum",
    "Dispenseren er i orden, kveldsdosen var tatt ut klokka 20.10.",
])
def test_a_dose_taken_as_it_should_be_opens_no_event(spoken):
    from tests.note_helpers import spoken_alarms

    assert spoken_alarms(spoken) == []


@pytest.mark.parametrize("spoken, alarm", [
    ("Dispenseren: han hadde ikkje teke ut kveldsdosen klokka ni.",
     ("medisindispenser", "dose_ikke_tatt", "21:00")),
    ("Medisindispenseren pep klokka åtte, og han tok dosen da vi ringte.",
     ("medisindispenser", "dose_ikke_tatt", "08:00")),
    ("medisindispenseren varsla kl 14.00 at dosen itte var tatt ut punktum",
     ("medisindispenser", "dose_ikke_tatt", "14:00")),
])
def test_a_dose_not_taken_still_opens_its_event(spoken, alarm):
    from tests.note_helpers import spoken_alarms

    assert alarm in spoken_alarms(spoken)


# --- a word an ASR split in three -----------------------------------------------------------------

@pytest.mark.parametrize("spoken, drug", [
    ("han fekk i mo vane sju komma fem milligram klokka ti i kveld", ("zopiklon", "7.5 mg")),
    ("Hun fikk para ce tamol ett gram.", ("paracetamol", "1 g")),
])
def test_a_drug_name_split_in_three_is_read(spoken, drug):
    from tests.note_helpers import medications

    assert drug in medications(spoken)


def test_a_device_split_in_three_is_filed_under_welfare_technology():
    from structuring.pipeline import structure

    note = structure("trygg hets alarmen ble testet og den virker")
    assert [s.section for s in note.sentences] == ["velferdsteknologi"]
    assert note.sentences[0].text.startswith("Trygghetsalarmen")


# --- two times told as a pair, the second on the 24-hour clock --------------------------------

@pytest.mark.parametrize("spoken, times", [
    # on an evening visit: the first of the pair comes before the second
    ("Kveldsbesøk klokka 20.30. Ho hadde tatt Paralgin forte to ganger i dag, klokka ni og "
     "klokka seksten.", ["20:30", "09:00", "16:00"]),
    ("kveldsvakt punktum han fekk Paracet klokka åtte og klokka tjue punktum", ["08:00", "20:00"]),
    ("Kveldsvakt. Ho fikk Sobril klokka elleve og klokka 18.30.", ["11:00", "18:30"]),
])
def test_the_first_of_a_pair_comes_before_the_second(spoken, times):
    assert spoken_times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    # a cue of its own still decides, and a pair in order needs no turning
    ("Kveldsvakt. Sobril klokka ti i kveld og klokka fjorten i morgon.", ["22:00", "14:00"]),
    ("Nattevakt. Han ringte på klokka elleve og klokka 23.30.", ["23:00", "23:30"]),
])
def test_a_pair_with_its_own_cue_or_in_order_reads_as_before(spoken, times):
    assert spoken_times(spoken) == times


# --- findings: where on the body, what was or was not in the urine --------------------------

@pytest.mark.parametrize("spoken, finding", [
    # a place on the body the lists lacked
    ("Han hadde et lite kutt over høyre øyebryn etter fallet.", ("kutt over høyre øyebryn", False)),
    ("ho har sår hud under brysta punktum", ("sår hud under brysta", False)),
    ("Det er knatrelyder over venstre lunge.", ("knatrelyder over venstre lunge", False)),
    ("Huden på hoftekammen var rød.", ("rød hud på hoftekammen", False)),
    # a red area, as a flekk is
    ("Ved stellet såg eg eit raudt område på venstre hofte.",
     ("raudt område på venstre hofte", False)),
    # blood or grit looked for in the urine: one finding, filed with the urine
    ("Urinen i posen var lys, ingen blod eller grums.", ("blod eller grums i urinen", True)),
    ("urinen er klar komma og det er ingen grums punktum", ("grums i urinen", True)),
    # blood seen in it: the same, not denied
    ("Urinen er rosa med litt blod i dag.", ("blod i urinen", False)),
    # a sore looked for in the mouth
    ("munnstell kvar time punktum munnen er fuktig men utan sår punktum", ("sår i munnen", True)),
    # two kinds said of one phlegm: one finding, as said
    ("Han hoster opp grønt, seigt slim.", ("grønt, seigt slim", False)),
    ("ho hostar opp gult og seigt slim punktum", ("gult og seigt slim", False)),
    # … but how much of it is not its kind
    ("Det er mye gulgrønt sekret frå såret.", ("gulgrønt sekret frå såret", False)),
    # a sore said not to be there, after another state of the skin: the sore, alone
    ("Huden under brystene er rød, men ikke sår.", ("sår", True)),
    # incontinent for what, as filed
    ("Hun har vært inkontinent for urin i natt.", ("inkontinent for urin", False)),
    # what the sore place looked like, said of it with "det"
    ("Han klaga over vondt i venstre håndledd, og det var hovent og blått.",
     ("hovent og blått håndledd", False)),
    ("vondt i høyre stortå komma den er rød og varm punktum", ("rød og varm stortå", False)),
    ("ho har vondt i høgre kne komma smerte fire av ti komma og det er varmt punktum",
     ("varmt kne", False)),
])
def test_a_finding_keeps_its_place(spoken, finding):
    from tests.note_helpers import findings

    assert finding in findings(spoken)


@pytest.mark.parametrize("spoken, finding", [
    # blood with a place of its own is filed by the place rules, as before
    ("Han har hatt hard avføring med litt blod på papiret.", ("blod i avføringen", False)),
    # a nosebleed's "ikke blod nå" names nothing it was looked for in
    ("Neseblødningen stoppa, det er ikke blod nå.", ("blod i urinen", True)),
    # a sore is looked for in the mouth only
    ("Urinen var klar og lys, ingen sår.", ("sår i urinen", True)),
    # warm feet at a foot check are the normal state
    ("Ved fotkontroll var føttene varme og fine.", ("varme føtter", False)),
    # "det" of a place that is not neuter is no state of it
    ("Han har vondt i ankelen, og det var hovent.", ("hovent ankel", False)),
    # who the patient is, and a wound's normal course, are no findings
    ("kveldsbesøk hos bruker med KOLS punktum han var i fin form", ("kols", False)),
    ("Skifta bandasje på leggsåret, lite sekret.", ("sekret", False)),
])
def test_blood_with_a_place_of_its_own_or_none_is_not_filed_in_the_urine(spoken, finding):
    from tests.note_helpers import findings

    assert finding not in findings(spoken)


# --- a line that only says which visit this is -------------------------------------------------

@pytest.mark.parametrize("spoken", [
    # the meal in its name is no meal told
    "Middagsbesøk kl. 12.30. Ho hadde ete lite.",
    "Lunsjbesøk klokka halv ett. Han var i fin form.",
    # as before
    "nattevakt avdeling tre rom fire punktum han sov godt punktum",
    "Ekstra besøk hos bruker kl. 15.00. Hun var blid.",
])
def test_a_visit_line_is_filed_under_annet(spoken):
    from structuring.pipeline import structure

    assert structure(spoken).sentences[0].section == "annet"


@pytest.mark.parametrize("spoken, section", [
    # the visit's care says where it belongs, and staff telling something is no visit line
    ("Besøk kl. 10.00 for sårstell på venstre legg.", "hud_vev_saar"),
    ("Nattevakt sier hun snorket hele natta.", "smerte_sovn_velvaere"),
])
def test_a_visit_line_with_its_purpose_is_filed_by_it(spoken, section):
    from structuring.pipeline import structure

    assert structure(spoken).sentences[0].section == section


# --- when staff got in is no time of the alarm -------------------------------------------------

@pytest.mark.parametrize("spoken, alarm", [
    ("E-låsen på ytterdøra ville ikkje opne seg med appen. Vi tok ut batteriet, sette det inn "
     "att og kom inn kl. 23.40.", ("e_laas", "teknisk_alarm", None)),
    ("medisindispenseren ga teknisk feilmelding i løpet av dagen punktum je kjørte dit og var "
     "der klokka to punktum", ("medisindispenser", "teknisk_alarm", None)),
])
def test_when_staff_got_in_is_no_time_of_the_alarm(spoken, alarm):
    from tests.note_helpers import spoken_alarms

    assert spoken_alarms(spoken) == [alarm]


@pytest.mark.parametrize("spoken, alarm", [
    # the sentence after tells the alarm's own time
    ("Medisindispenseren varsla at kveldsdosen ikkje var teken ut. Det var kl. 20.10.",
     ("medisindispenser", "dose_ikke_tatt", "20:10")),
    ("Dørsensoren på rom 4 varsla. Kl. 02.15 i natt.", ("dorsensor", "dor_apnet", "02:15")),
])
def test_the_next_sentence_still_gives_the_alarm_its_time(spoken, alarm):
    from tests.note_helpers import spoken_alarms

    assert spoken_alarms(spoken) == [alarm]
