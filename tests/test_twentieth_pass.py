"""What the twentieth pass of issue 15 found missing, from writers only scored until this
pass (tune29.jsonl) and new ones (tune37.jsonl, tune38.jsonl). Every sentence here was written
for the test; none is copied from a gold split."""

import pytest

from structuring.pipeline import structure
from tests.gold_files import assert_never_learnt_from
from tests.note_helpers import findings, medications, spoken_alarms, spoken_times, times

# --- data ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, count, writers", [
    ("tune36.jsonl", 60, {"t36a", "t36b"}),
    ("tune43.jsonl", 90, {"t43a", "t43b", "t43c"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune36 and tune43 were only scored in the twentieth pass (tune43 at its last rule
    # change, as a check on all of them); the twenty-first pass reads them, but neither model
    # learns from them (the finding phrases come from them since the thirty-fifth pass)
    assert_never_learnt_from(name, count, writers, read_later=True)


# --- clock times --------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("nattevakt punktum ho sovna rundt midnatt og sov til seks punktum", ["00:00", "06:00"]),
    ("Han fekk Paracet ved midnatt og sov etterpå.", ["00:00"]),
    ("hun var urolig fra ca midnatt punktum", ["00:00"]),
])
def test_about_midnight_is_a_time_kept_in_the_nurses_words(spoken, expected):
    # the writers file 00:00 for "rundt midnatt" and keep the words in the text
    note = structure(spoken)
    assert times(note) == expected
    assert "midnatt" in note.text


@pytest.mark.parametrize("spoken", [
    "hun la seg før midnatt punktum",
    "Han var vaken til etter midnatt.",
])
def test_before_or_after_midnight_names_no_time(spoken):
    assert spoken_times(spoken) == []


@pytest.mark.parametrize("spoken, expected", [
    # the old time's part of the day stands between it and "nei" (was both times kept)
    ("GPS-en ga varsel klokka 23.10 i går kveld, eh nei, 23.40. Han svarte ikke.",
     "GPS-en ga varsel kl. 23.40 i går kveld."),
    ("gps ga varsel klokka ti over elleve i går kveld eh nei klokka tjue på tolv punktum",
     "Gps ga varsel kl. 23.40 i går kveld."),
    ("Hun fikk Paracet klokka 08.10 i dag tidlig, nei, 08.40.",
     "Hun fikk Paracet kl. 08.40 i dag tidlig."),
])
def test_a_time_corrected_after_its_part_of_the_day_with_a_bare_nei(spoken, expected):
    assert structure(spoken).sentences[0].text == expected


def test_a_bare_nei_after_a_part_of_the_day_is_still_an_answer_without_a_value():
    note = structure("Hun sovna klokka ti i kveld, nei, hun ville ikke ha mer.")
    assert note.sentences[0].text == "Hun sovna kl. 22.00 i kveld, nei, hun ville ikke ha mer."


# --- welfare technology -------------------------------------------------------------------------

@pytest.mark.parametrize("spoken", [
    # the device said to be off by a pronoun, later in the sentence
    "sengesensoren er lada og ligg klar komma men ho ønskjer ikkje at han blir brukt enno "
    "komma så han er slått av punktum",
    # … or in the next sentence, by "sensoren"
    "ho ba sjølv om at sengesensoren skulle slåast av i natt fordi ho synest det er ekkelt "
    "punktum det er avklart med sjukepleiaren og sensoren er slått av punktum",
    # a dose dispensed and taken
    "medisindispenseren hadde gitt ut morgondosen klokka sju og ho hadde teke han punktum",
    # the device the user wants to be rid of, at a visit's time
    "middagsbesøk klokka eitt ho sa at ho vil sleppa medisindispenseren fordi ho synest han "
    "pip for mykje",
    # checked, with where it hangs between
    "Fallsensoren over senga vart sjekka klokka fem og står på.",
    # put in place ("satt inn"), as "montert"
    "Vi har i stedet satt inn ei sengematte med alarm, den e testa og virker.",
])
def test_a_device_kept_or_talked_about_is_no_alarm(spoken):
    assert spoken_alarms(spoken) == []


def test_a_device_silenced_after_its_alarm_keeps_the_alarm():
    assert spoken_alarms("Sengesensoren varsla klokka to, han sto ved døra. Eg fulgte han "
                         "tilbake og sensoren er slått av no.") == \
        [("sengesensor", "ute_av_seng", "02:00")]


def test_the_alarm_bracelet_is_the_safety_alarm():
    spoken = ("natt på avdeling to dørsensoren på rom ni gjekk fem over eitt og han stod ute i "
              "korridoren eg fekk han med tilbake klokka ti over fire kom det teknisk varsel frå "
              "alarmarmbandet hans om lågt batteri eg bytte batteriet")
    assert spoken_alarms(spoken) == [("dorsensor", "dor_apnet", "01:05"),
                                     ("trygghetsalarm", "teknisk_alarm", "04:10")]


def test_a_camera_round_named_with_a_hyphen_in_another_alarms_story_is_a_round():
    spoken = ("Nattrapport. Sengesensoren varslet tjue over ett, han sto ved vinduet. Eg fulgte "
              "han på do. Kamera-tilsyn klokka tre, han lå og sov på ryggen, ingen tiltak.")
    assert spoken_alarms(spoken) == [("sengesensor", "ute_av_seng", "01:20"),
                                     ("digitalt_tilsyn", "tilsyn_utfort", "03:00")]


@pytest.mark.parametrize("spoken, expected", [
    ("Dørsensoren på rom 12 varsla rundt midnatt. Ho fekk Sobril 10 mg klokka tjue over tolv "
     "etter behovslista. Ho sovna rundt halv to.", ["00:00", "00:20", "01:30"]),
    ("ho var veldig urolig fra rundt midnatt punktum ho fikk Haldol null komma fem milligram "
     "klokka ett punktum", ["00:00", "01:00"]),
])
def test_the_story_goes_on_from_about_midnight(spoken, expected):
    # was 12.20 and 13.00: nothing said which half of the day after a midnight in words
    assert spoken_times(spoken) == expected


def test_a_day_visit_is_by_day_after_a_night_round():
    # "ved dagbesøket klokka elleve" after a camera round at 02.35 was 23.00
    assert spoken_times("Nattlig digitalt tilsyn klokka 02.35 viste at han satt i stolen. Ved "
                        "dagbesøket klokka elleve var han ustelt.") == ["02:35", "11:00"]


def test_an_alarms_times_listed_with_their_part_of_the_day_are_one_event_each():
    spoken = ("Sengesensoren gikk klokka 22.50 i går kveld klokka 23.30 og klokka 01.15 men "
              "hver gang lå han i senga og sov.")
    assert [t for _, _, t in spoken_alarms(spoken)] == ["22:50", "23:30", "01:15"]


def test_a_device_also_tested_is_no_alarm():
    spoken = ("Tryggleiksalarmen gav teknisk alarm klokka 14.20 om lågt batteri. Eg bytte "
              "batteriet. Fallsensoren vart òg testa, han reagerte som han skulle.")
    assert spoken_alarms(spoken) == [("trygghetsalarm", "teknisk_alarm", "14:20")]


def test_the_user_pressing_by_mistake_after_a_technical_alarm_is_a_new_alarm():
    spoken = ("Alarmsentralen meldte om teknisk alarm på trygghetsalarmen klokka 14.05, den "
              "hadde mista forbindelsen. Æ kom dit klokka halv tre og satte i stikkontakten. "
              "Alt virka. Ho trykte på alarmen ved en feil klokka ti over sju i kveld, og sa "
              "til sentralen at alt va bra.")
    assert spoken_alarms(spoken) == [("trygghetsalarm", "teknisk_alarm", "14:05"),
                                     ("trygghetsalarm", "alarm_utlost", "19:10")]


# --- sections -----------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken", [
    "Hun var med på sangstund med barnehagen i formiddag og smilte og klappet.",
    "Beboer på rom 11 var med på allsang i kantina i formiddag og sang med på alle versene.",
])
def test_singing_together_is_the_social_life(spoken):
    # a sing-along with others is filed as social life by the writers (13 of 13), a hymn
    # or a prayer as spiritual
    assert structure(spoken).sentences[0].section == "sosialt_miljo"


# --- findings -----------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("Det er rubor og varme rundt såret.", ("rubor og varme rundt såret", False)),
    ("Han hadde ikke nakkestivhet eller synsforstyrrelser.", ("nakkestivhet", True)),
    ("Han hadde ikke nakkestivhet eller synsforstyrrelser.", ("synsforstyrrelser", True)),
    ("Ingen utoverrotasjon av beinet.", ("utoverrotasjon", True)),
    ("Han er dyspneisk ved minste anstrengelse.", ("dyspneisk", False)),
    ("klokka kvart på eitt var ho uroleg og surklete punktum", ("surklete", False)),
])
def test_clinical_words_nurses_dictate_are_findings(spoken, expected):
    assert expected in findings(spoken)


def test_a_night_round_opened_after_a_spoken_heading_is_the_nights():
    # "overskrift velferdsteknologi" first hid "nattlig": "halv ett" was 12.30
    assert spoken_times("overskrift velferdsteknologi nattlig digitalt tilsyn via kamera "
                        "punktum klokka halv ett lå hun og sov på siden punktum") == ["00:30"]


@pytest.mark.parametrize("spoken", [
    "Kl. 14.20 fekk vaktsentralen melding om at tryggleiksalarmen hadde mista samband.",
    "Trygghetsalarmen meldte om tapt forbindelse klokka 10.20 i dag.",
])
def test_a_safety_alarm_that_lost_its_connection_is_its_technical_alarm(spoken):
    assert [e for _, e, _ in spoken_alarms(spoken)] == ["teknisk_alarm"]


def test_a_device_checked_with_the_speaker_after_the_verb_is_no_alarm():
    assert spoken_alarms("Kveldsbesøk ca. klokka seks, sjekka je komfyrvakten og den lyste "
                         "grønt og virka som den skulle.") == []


@pytest.mark.parametrize("spoken, expected", [
    ("Ho fekk Paracet ett gram klokka ni i kveld for hodepine, og sa klokka halv ti at det "
     "va borte.", ["21:00", "21:30"]),
    ("tryggleiksalarmen gjekk tre gonger i kveld klokka sju kvart på ni og ti over ti kvar "
     "gong ringde eg ho opp att", ["19:00", "20:45", "22:10"]),
])
def test_a_sentence_goes_on_from_its_evening_time(spoken, expected):
    assert spoken_times(spoken) == expected


def test_the_next_sentence_after_an_evening_time_is_read_on_its_own():
    # the tune gold (the issue's own example) files 09.30 here, with no cue of its own
    assert spoken_times("hjemmebesøk punktum datteren var på besøk i ettermiddag punktum "
                        "satte Insulatard tolv enheter klokka ni i kveld punktum fikk Paracet "
                        "ett gram klokka halv ti punktum") == ["21:00", "09:30"]


@pytest.mark.parametrize("spoken, expected", [
    ("Hun hadde smerteuttrykk ved stell.", ("smerteuttrykk ved stell", False)),
    ("Han var ikke nedkjølt, temp 36,5.", ("nedkjølt", True)),
    ("Hun er ikke dyspnoisk i hvile.", ("dyspnoisk i hvile", True)),
    ("Han hoster opp ekspektorat.", ("ekspektorat", False)),
])
def test_clinical_words_of_a_clinical_writer_are_findings(spoken, expected):
    assert expected in findings(spoken)


def test_a_time_and_how_the_user_sat_in_a_rounds_story_is_the_next_look():
    spoken = ("digitalt tilsyn på rom to i natt etter planen. halv ett lå hun og sov på siden, "
              "ingen tiltak. kvart over to satt hun oppe i senga og ropte på mora si. jeg gikk "
              "inn og satt hos henne. tilsyn klokka fire viste at hun sov igjen.")
    assert [t for _, _, t in spoken_alarms(spoken)] == ["00:30", "02:15", "04:00"]


def test_awake_and_ringing_in_a_rounds_story_is_no_look():
    spoken = ("På rom 10 ble det gjort digitalt tilsyn klokka ett og klokka tre. Ho sov rolig "
              "begge gangene, ingen tiltak. Klokka fem va ho våken og ringte på.")
    assert [t for _, _, t in spoken_alarms(spoken)] == ["01:00", "03:00"]


# --- clinical values ----------------------------------------------------------------------------

@pytest.mark.parametrize("spoken", [
    "ho fikk Paracet et gram halv elleve punktum",
    "ho fekk Paracet eit gram ein time etter var smerten tre punktum",
])
def test_a_dose_said_with_et_or_eit_keeps_its_dose(spoken):
    # "et gram" left the dose out of the note and the entity (patient safety)
    assert ("paracetamol", "1 g") in medications(spoken)


@pytest.mark.parametrize("spoken, kept", [
    ("det gikk over etter et minutt punktum", "Det gikk over etter et minutt."),
    ("eg la på et plaster punktum", "Eg la på et plaster."),
])
def test_et_before_anything_but_a_unit_is_the_article(spoken, kept):
    assert structure(spoken).sentences[0].text == kept


# --- scoring ------------------------------------------------------------------------------------

def test_a_value_pairs_only_with_the_gold_of_its_own_dictation():
    # a corpus-wide count let an alarm missed in one dictation be matched by a spurious one in
    # another: here both are errors
    from evaluation.structuring import score_structuring

    spoken = ["sengesensoren varsla i natt punktum", "han sov godt punktum"]
    gold = [{"spoken": spoken[0], "sentences": [], "entities": [], "events": []},
            {"spoken": spoken[1], "sentences": [], "entities": [],
             "events": [{"technology": "sengesensor", "event": "ute_av_seng", "time": None,
                         "response": [], "false_alarm": False}]}]
    notes = [structure(text) for text in spoken]
    assert [e.technology for e in notes[0].events] == ["sengesensor"]
    scores = score_structuring(gold, notes)
    assert (scores.event.tp, scores.event.fp, scores.event.fn) == (0, 1, 1)


def test_eit_kilo_of_weight_lost_stays_as_said():
    # the writer files "Ho har gått ned eit kilo sidan sist" (tune39), not "1 kg"
    assert structure("ho har gått ned eit kilo sidan sist punktum").sentences[0].text == \
        "Ho har gått ned eit kilo sidan sist."
