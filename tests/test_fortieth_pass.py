"""Issue 15, fortieth pass: what the rules learnt from tune83 and tune86, each with
sentences written for the test (no gold dictation is quoted)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_never_learnt_from
from tests.note_helpers import findings, medications, spoken_alarms, spoken_times, values

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune85.jsonl", 60, {"t85a", "t85b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune85 was only scored in this pass and is read by later ones (the forty-first)
    assert_never_learnt_from(name, count, writers, read_later=True)


def test_the_section_classifier_learns_from_every_writer_read():
    from evaluation.finding_phrases import ONLY_SCORED, TUNED_ON
    from evaluation.structuring_train import CLASSIFIER_WRITERS, senter_rows, training_rows

    learnt = {path.name for path in CLASSIFIER_WRITERS}
    assert {"tune83.jsonl", "tune86.jsonl"} <= learnt and not learnt & set(ONLY_SCORED)
    assert {name for name in TUNED_ON if int(name[4:-6]) >= 9} == learnt
    # the sentence models stay as built: tune20 and before
    writers = {row["id"].split("-")[0] for row in senter_rows(training_rows())}
    assert {"t20a", "t9a"} <= writers and not writers & {"t21a", "t86a"}


# --- staff walking is no device going off ------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # a new device shown to the user: "vi gikk gjennom" is staff, not the alarm going off
    ("ho har fått ny tryggleiksalarm komma og vi gikk gjennom korleis den verkar punktum", []),
    ("han har fått trygghetsalarm på armen komma og jeg gikk gjennom den med han punktum", []),
    # the device going off in the same sentence is still an alarm
    ("trygghetsalarmen gikk klokka ti over sju i kveld og vi gikk dit punktum",
     [("trygghetsalarm", "alarm_utlost", "19:10")]),
])
def test_staff_walking_is_no_alarm(spoken, expected):
    assert spoken_alarms(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    ("den elektroniske døra ville ikke åpne seg da vi kom kvart over åtte i kveld punktum",
     [("e_laas", "teknisk_alarm", "20:15")]),
    ("Den elektroniske døren låste seg ikke opp kl. 07.40, så vi brukte nøkkelboksen.",
     [("e_laas", "teknisk_alarm", "07:40")]),
])
def test_the_electronic_door_is_the_electronic_lock(spoken, expected):
    assert spoken_alarms(spoken) == expected


# --- nynorsk "har falle" -------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # denied alone: the noun, as most writers file it
    ("ho er ustø på beina men har ikkje falle denne veka punktum", {("fall", True)}),
    ("Han hadde ikkje falle, det var berre dyna som låg på golvet.", {("fall", True)}),
    # with a place it stays as said, as "falt på badet"
    ("ho hadde falle på kjøkkenet og kom seg ikkje opp att", {("falle på kjøkkenet", False)}),
    # an infinitive is a risk, not a fall
    ("dottera er redd ho skal falle i trappa", set()),
    ("ho kan falle på glatta", set()),
    ("ho er redd for å falle igjen", {("redd for å falle", False)}),
    # bokmål as before
    ("hun hadde ikke falt", {("falt", True)}),
])
def test_nynorsk_har_falle_is_a_fall(spoken, expected):
    assert {f for f in findings(spoken) if "fal" in f[0]} == expected


# --- brands the lexicon lacked ------------------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("ho fekk Laxoral tolv dropar i går kveld", [("natriumpikosulfat", "12 dropar")]),
    ("fikk Lioresal 10 mg klokka åtte", [("baklofen", "10 mg")]),
    ("Xalacom en dråpe i hvert øye", [("latanoprost/timolol", "1 dråpe")]),
    ("han fikk Sirdalud 2 mg mot spasmene", [("tizanidin", "2 mg")]),
    ("la på nytt Matrifen-plaster 12 mikrogram per time", [("fentanyl", "12 mikrogram/t")]),
])
def test_brands_on_the_norwegian_market_are_read(spoken, expected):
    assert medications(spoken) == expected


# --- times near midnight, awake at twelve, a bed by day ----------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # a story near midnight goes on into the night, up to five
    ("sengesensoren varsla klokka 23.40 punktum ho fekk skift klokka fire punktum",
     ["23:40", "04:00"]),
    ("Døralarmen gikk kl. 22.45. Han ble snudd klokka halv fem.", ["22:45", "04:30"]),
    # an evening report at nine still steps back to the afternoon after three
    ("Kveldsvakt. Kl. 21.00 fikk hun Paracet. Middag klokka fire.", ["21:00", "16:00"]),
])
def test_a_story_near_midnight_goes_on_into_the_night(spoken, expected):
    assert spoken_times(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    ("han var vaken då eg såg inn klokka halv eitt", ["00:30"]),
    ("Hun var våken klokka tolv og ville ha saft.", ["00:00"]),
])
def test_awake_at_twelve_is_midnight(spoken, expected):
    assert spoken_times(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # a day told first: the bed is where the medicine was given
    ("Morgonvakt. Ho fekk Paracet 1 g på senga klokka halv ni.", ["08:30"]),
    ("dagvakt punktum han satt på sengekanten klokka ti og var svimmel punktum", ["10:00"]),
    # a sleeping pill still tells the evening
    ("Morgonvakt. Nattevakta gav Imovane på senga klokka ti.", ["22:00"]),
    # no day told: the bed is still a cue of the night
    ("Fikk Paracet 1 g på senga klokka ni.", ["21:00"]),
])
def test_a_bed_on_a_day_report_is_no_evening(spoken, expected):
    assert spoken_times(spoken) == expected


# --- findings the vocabulary lacked, and a named pain with its score -----------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("ho er nedfor men har ingen sjølvmordstankar punktum", {("nedfor", False),
                                                               ("sjølvmordstankar", True)}),
    ("Han benekter selvmordstanker.", {("selvmordstanker", True)}),
    ("hun sier hun ikke har mørke tanker om kvelden", {("mørke tanker", True)}),
    ("Ho har inga ketonlukt, og blodsukkeret er 14.", {("ketonlukt", True)}),
    ("vekta er 71 kilo, ei vektauke på to kilo sidan sist", {("vektauke", False)}),
])
def test_findings_the_vocabulary_lacked(spoken, expected):
    assert findings(spoken) >= expected


@pytest.mark.parametrize("spoken, finding, score", [
    ("ho klaga på hovudverk fem av ti i kveld", ("hovudverk", False), ["5"]),
    ("Han har hodepine 3/10 og fikk Paracet.", ("hodepine", False), ["3"]),
])
def test_a_named_pain_with_its_score_is_both(spoken, finding, score):
    assert finding in findings(spoken)
    assert values(spoken, "pain_score") == score


def test_a_bare_pain_word_with_its_score_stays_the_score():
    assert findings("smerte fire av ti ved stell") == set()


def test_an_early_warning_score_is_circulation():
    from structuring.pipeline import structure

    note = structure("ho var slapp og varm punktum news ble fem punktum")
    assert [s.section for s in note.sentences][-1] == "respirasjon_sirkulasjon"


# --- devices: a linking-s split by the ASR, the pull-cord alarm, a round after a new paragraph ----

@pytest.mark.parametrize("spoken, expected", [
    ("sengs sensoren på rom fire varsla klokka ti over tre i natt punktum",
     [("sengesensor", "ute_av_seng", "03:10")]),
    ("Snoralarmen på badet ga teknisk alarm om lavt batteri kl. 10.15, batteriet er byttet.",
     [("trygghetsalarm", "teknisk_alarm", "10:15")]),
    ("kameratilsyn klokka 23.30 kolon ho sov punktum nytt tilsyn klokka 01.30 kolon ho sov "
     "punktum nytt avsnitt tilsyn klokka 04.30 kolon ho låg vaken og eg ringde ho punktum",
     [("digitalt_tilsyn", "tilsyn_utfort", "23:30"), ("digitalt_tilsyn", "tilsyn_utfort", "01:30"),
      ("digitalt_tilsyn", "tilsyn_utfort", "04:30")]),
])
def test_devices_the_rules_missed(spoken, expected):
    assert spoken_alarms(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # the user the caller: an alarm
    ("Ho ringde på tryggleiksalarmen kl. 21.40 og var redd.",
     [("trygghetsalarm", "alarm_utlost", "21:40")]),
    ("Kl. 23.05 ringte brukeren på trygghetsalarmen fordi han ikke fikk sove.",
     [("trygghetsalarm", "alarm_utlost", "23:05")]),
    # staff calling the user over the device: no alarm
    ("Jeg ringte bruker på trygghetsalarmen for å høre om alt var bra.", []),
    ("Kl. 14.00 ringte eg ho på tryggleiksalarmen.", []),
])
def test_the_user_calling_on_the_safety_alarm_is_an_alarm(spoken, expected):
    assert spoken_alarms(spoken) == expected
