"""What the fifteenth pass of issue 15 found missing, from three new independent writers
(tune18.jsonl). Every sentence here was written for the test; none is copied from a gold
split."""

import pytest

from structuring.pipeline import structure
from tests.note_helpers import findings, medications
from tests.note_helpers import spoken_alarms as _events, spoken_times as _times


def _pain(spoken: str) -> tuple[str, list[str]]:
    note = structure(spoken)
    return note.text, [e.value for e in note.entities if e.type == "pain_score"]


# --- self-corrections -------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, text, scores", [
    # a bare number after "X av ti" corrects the score, never the scale ("8 av 6" before)
    ("han angir smerte fem av ti eh nei vent fire", "Han angir smerte 4 av 10.", ["4"]),
    ("Smerte 7 av 10, eller nei, 6.", "Smerte 6 av 10.", ["6"]),
    ("ho seier smerten er tre av ti nei ho sa to då eg spurde att",
     "Ho seier smerten er 2 av 10 då eg spurde att.", ["2"]),
    # said again whole, as before
    ("smerte seks av ti nei vent fem av ti punktum", "Smerte 5 av 10.", ["5"]),
])
def test_a_bare_number_corrects_the_score_not_its_scale(spoken, text, scores):
    assert _pain(spoken) == (text, scores)


# --- times ------------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, times", [
    # "før" right at the time governs it: the clause's sleep words are the time's
    ("Han fekk Imovane klokka ti og sovna før elleve.", ["22:00", "23:00"]),
    ("hun sovnet først før klokka halv tolv", ["23:30"]),
    # "før" as a conjunction still ends the clause: no sleep cue for the dose
    ("Hun fikk Paracet klokka ti før hun sovnet.", ["10:00"]),
])
def test_sleep_before_an_hour_is_the_evening(spoken, times):
    assert _times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    # "ved firetida" in a sentence about the night is the night's, as "klokka fire" is
    ("Hun hadde hatt vondt i natt, og mannen hadde ringt oss ved firetida.", ["04:00"]),
    # … and by day where nothing tells the night
    ("Kona hadde ringt oss ved firetida.", ["16:00"]),
])
def test_an_about_hour_in_a_night_sentence(spoken, times):
    assert _times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    # "klokka H og M" with M no 12-hour clock says: the minutes (5 of 5 in the gold)
    ("Hun fikk insulin klokka åtte og femten i dag tidlig.", ["08:15"]),
    ("klokka sju og tjue i morges ringte hun på alarmen", ["07:20"]),
    # … but two hours a 12-hour clock says stay two times
    ("Tilsyn i natt klokka tolv, to og fire.", ["00:00", "02:00", "04:00"]),
])
def test_hour_and_minutes_joined_by_og(spoken, times):
    assert _times(spoken) == times


@pytest.mark.parametrize("spoken, times", [
    # a time its own morning or night cue placed carries the story on, as a 24-hour time does
    ("Alarmen gikk klokka ti over fem i morges. Vi ringte legevakta klokka halv seks, og "
     "ambulansen kom kvart over seks.", ["05:10", "05:30", "06:15"]),
    # … an evening cue does not: "i går kveld" in a morning visit
    ("Morgenbesøk. Hun la seg i går kveld klokka elleve. Hun fikk Marevan klokka åtte.",
     ["23:00", "08:00"]),
    # a first sentence about the evening ("har hatt ein uroleg kveld")
    ("Ho har hatt ein uroleg kveld. Ho fekk Oxynorm klokka ni og sovna rundt elleve.",
     ["21:00", "23:00"]),
    ("Han har hatt en rolig kveld. Besøk av sønnen til halv ti.", ["21:30"]),
])
def test_the_story_and_the_evening_carry_bare_hours(spoken, times):
    assert _times(spoken) == times


# --- welfare technology -------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, events", [
    # a generic "alarmen … igjen" in a new paragraph: the last device's next alarm
    ("Trygghetsalarmen ble utløst klokka elleve i kveld punktum vi kjørte ut punktum "
     "blodtrykk hundre og tretti over åtti punktum nytt avsnitt alarmen gikk igjen klokka "
     "kvart på tre punktum hun hadde kommet borti knappen punktum",
     [("trygghetsalarm", "alarm_utlost", "23:00"), ("trygghetsalarm", "alarm_utlost", "02:45")]),
    # a technical alarm told in a new paragraph, the device not named again
    ("trygghetsalarmen gikk kvart over elleve i kveld punktum hun hadde falt i gangen "
     "punktum nytt avsnitt klokka tjue på fire kom det teknisk alarm om at alarmen hadde "
     "mista forbindelsen punktum jeg ringte henne punktum",
     [("trygghetsalarm", "alarm_utlost", "23:15"),
      ("trygghetsalarm", "teknisk_alarm", "03:40")]),
])
def test_an_alarm_said_again_in_a_new_paragraph_is_the_same_device(spoken, events):
    assert _events(spoken) == events


@pytest.mark.parametrize("spoken, events", [
    # "og så igjen" between two times, the run-on sentence going on after them
    ("på rom åtte gikk sengesensoren kvart over ett og så igjen ti på tre første gangen "
     "ville hun på do",
     [("sengesensor", "ute_av_seng", "01:15"), ("sengesensor", "ute_av_seng", "02:50")]),
    # the device named again with "igjen" and its own time, even when it was false
    ("Dørsensoren gikk kl. 01.10. Han ble fulgt tilbake til rommet. Han var tørr. Kl. 04.30 "
     "gikk dørsensoren igjen, men det var nattevakta som gikk inn, så det var falsk alarm.",
     [("dorsensor", "dor_apnet", "01:10"), ("dorsensor", "dor_apnet", "04:30")]),
])
def test_the_same_device_going_off_again_is_a_new_alarm(spoken, events):
    assert _events(spoken) == events


@pytest.mark.parametrize("spoken, events", [
    # the user calling on her own safety alarm is the alarm, not staff's phone call
    ("Komfyrvakta slo av komfyren kl. 18.40, og hun ringte selv på trygghetsalarmen kl. "
     "18.45 fordi platene ikke virket.",
     [("komfyrvakt", "komfyr_avslatt", "18:40"), ("trygghetsalarm", "alarm_utlost", "18:45")]),
    ("Jeg ringte henne på trygghetsalarmen kl. 18.45.", []),
    # a device the user could not reach did not go off
    ("Han hadde falt ca. kl. 02.00 og nådde ikke trygghetsalarmen, som lå på stuebordet.", []),
])
def test_who_used_the_safety_alarm(spoken, events):
    assert _events(spoken) == events


@pytest.mark.parametrize("spoken", [
    # checked or tested, the room said between the device and the check
    "Sengesensoren på rom 12 ble testet klokka tre fordi den har falt ut to netter, den virket.",
    "Dørsensoren på rommet er sjekket og står på fra kl. 22.",
])
def test_a_device_checked_where_it_stands_is_no_alarm(spoken):
    assert _events(spoken) == []


@pytest.mark.parametrize("spoken, events", [
    # a round device named again in its own run-on sentence checks again
    ("kameratilsyn klokka eitt han låg og sov kameratilsyn klokka fire han sov framleis",
     [("digitalt_tilsyn", "tilsyn_utfort", "01:00"),
      ("digitalt_tilsyn", "tilsyn_utfort", "04:00")]),
    ("Digitalt tilsyn kl. 23.30 viste at hun sov, det samme ved tilsynet kl. 02.30.",
     [("digitalt_tilsyn", "tilsyn_utfort", "23:30"),
      ("digitalt_tilsyn", "tilsyn_utfort", "02:30")]),
])
def test_a_round_named_again_in_one_sentence_is_another_round(spoken, events):
    assert _events(spoken) == events


@pytest.mark.parametrize("spoken, events", [
    # what an e-lock reports in words of its own, without "ville ikke åpne"
    ("E-låsen ga teknisk feil da vi kom kl. 06.50, og vi fikk ikke låst opp med telefonen.",
     [("e_laas", "teknisk_alarm", "06:50")]),
    ("Kveldsbesøk kl. 21.10, men e-låsen ga feilmelding om lavt batteri.",
     [("e_laas", "teknisk_alarm", "21:10")]),
])
def test_an_e_lock_fault_in_its_own_words_is_an_alarm(spoken, events):
    assert _events(spoken) == events


# --- findings -----------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, found", [
    # pain said in the definite form with its place is filed indefinite (4 of 4 in the gold)
    ("Hun sier at smertene i kneet er mindre i dag, 3 av 10.", {("smerter i kneet", False)}),
    ("Ho seier smertene i skuldra er betre.", {("smerter i skuldra", False)}),
    # without a place it stays no finding, as the wounds' definite forms
    ("Smertene er borte etter Paracet.", set()),
    # a count before "trykk" makes it a dose, not pressure in the chest
    ("Fikk Nitrolingual to trykk under tunga kl. 21.15.", set()),
    ("Han kjente trykk i brystet.", {("trykk i brystet", False)}),
    # west-coast "kje" negates
    ("Ho har kje vondt i magen no.", {("vondt i magen", True)}),
    ("Han har kje feber.", {("feber", True)}),
])
def test_fifteenth_pass_findings(spoken, found):
    assert findings(spoken) == found


# --- the heading line ---------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, first", [
    # home care after the shift: the place said after it belongs to the heading line
    ("kveldsvakt hjemmetjenesten Vestby sør medisindispenseren varsla klokka fem",
     "Kveldsvakt hjemmetjenesten Vestby sør."),
    ("nattrapport heimetenesta Luster tryggleiksalarmen gjekk klokka to",
     "Nattrapport heimetenesta Luster."),
    ("nattevakt hjemmetjenesten vi hadde digitalt tilsyn klokka eitt",
     "Nattevakt hjemmetjenesten."),
    # a patient's name after the shift alone still starts the next sentence
    ("kveldsvakt Ragna Fjeld på rom 17 sengesensoren gikk klokka ti", "Kveldsvakt."),
])
def test_a_home_care_heading_keeps_its_place(spoken, first):
    assert structure(spoken).sentences[0].text == first


# --- medication ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, drugs", [
    # puffs under the tongue and a strip of eye ointment are doses
    ("Han fikk Nitrolingual to trykk under tunga klokka ti.", [("glyseroltrinitrat", "2 trykk")]),
    ("ho fekk Chloromycetin augesalve ei stripe i kvart auge", [("kloramfenikol", "1 stripe")]),
])
def test_puffs_and_strips_are_doses(spoken, drugs):
    assert medications(spoken) == drugs


def test_the_writers_tuned_on_are_trained_on():
    # tune19 (t19a, t19b) was only scored in this pass; both models learn from it since the
    # sixteenth pass (tests/test_sixteenth_pass.py checks the writers only scored now)
    from evaluation.structuring_train import training_rows

    writers = {row["id"].split("-")[0] for row in training_rows()}
    assert {"t18a", "t18b", "t18c", "t19a", "t19b"} <= writers
