"""What the eighteenth pass of issue 15 found missing, from three new independent writers
(tune25.jsonl) and two only scored until this pass (tune23.jsonl). Every sentence here was
written for the test; none is copied from a gold split."""

import json
from pathlib import Path

import pytest

from structuring.pipeline import structure
from tests.note_helpers import spoken_alarms, spoken_times

GOLD = Path(__file__).resolve().parents[1] / "evaluation" / "data" / "structuring"


# --- welfare technology -------------------------------------------------------------------------

def test_an_alarm_referred_back_to_with_before_is_no_new_alarm():
    # "før alarmen gikk": the time is of the dose taken before it (was a second, missed dose)
    spoken = ("Medisindispenseren ga teknisk alarm klokka 12.10 fordi batteriet var lavt. "
              "Hun hadde tatt ut lunsjdosen klokka tolv, før alarmen gikk.")
    assert spoken_alarms(spoken) == [("medisindispenser", "teknisk_alarm", "12:10")]


@pytest.mark.parametrize("spoken", [
    # switched off, or to be switched off, for a night
    "kveldsbesøk klokka sju brukeren ba oss slå av kameraet i natt fordi dattera sover over",
    "Etter avtale med sønnen er nattkameraet slått av fra i kveld.",
    # a check said with "at"
    "Før jeg gikk sjekka jeg at fallsensoren lyste grønt.",
    # asked for or wished for
    "Sønnen spurte om vi kan bruke kamera om natta fordi hun har falt før.",
    "Dattera lurer på om hun kan få en alarm med fallsensor, vi tar det opp med kontoret.",
])
def test_a_device_switched_off_checked_or_asked_for_raised_no_alarm(spoken):
    assert spoken_alarms(spoken) == []


def test_a_new_alarm_at_a_time_with_its_night_is_one_even_when_the_phone_is_named():
    # The sentence model cut "klokka kvart over fire | i natt": the time lost its night
    # (16.15), and "svarte ikke på telefonen" hid the second alarm.
    spoken = ("dørsensoren hos brukeren varslet klokka ti på tolv i går kveld jeg ringte og han "
              "sa han bare skulle hente avisa og gikk inn igjen klokka kvart over fire i natt "
              "varslet den igjen og han svarte ikke på telefonen vi kjørte ut og fant ham i "
              "hagen")
    assert spoken_alarms(spoken) == [("dorsensor", "dor_apnet", "23:50"),
                                     ("dorsensor", "dor_apnet", "04:15")]
    texts = [s.text for s in structure(spoken).sentences]
    assert "Kl. 04.15 i natt varslet den igjen og han svarte ikke på telefonen." in texts


def test_a_call_on_the_phone_is_still_no_new_alarm():
    spoken = ("Trygghetsalarmen gikk klokka 21.10, hun hadde trykket ved en feil. "
              "Klokka 22.00 ringte hun igjen, denne gangen på telefonen.")
    assert [event for _, event, _ in spoken_alarms(spoken)] == ["alarm_utlost"]


def test_a_round_introduced_without_a_time_is_timed_by_the_next_sentence():
    spoken = ("Digitalt tilsyn på rom 9 i natt. Klokka halv eitt låg ho på ryggen og sov, "
              "ingen tiltak. Tilsyn att klokka tre, då sov ho framleis.")
    assert spoken_alarms(spoken) == [("digitalt_tilsyn", "tilsyn_utfort", "00:30"),
                                     ("digitalt_tilsyn", "tilsyn_utfort", "03:00")]


def test_a_technical_alarm_said_after_the_first_alarm_is_its_own_event_without_a_time():
    spoken = ("Medisindispenseren varsla klokka ett at lunsjdosen ikke var tatt. Jeg ringte og "
              "hun hadde tatt den. Etterpå kom det teknisk alarm om at den hadde mista "
              "forbindelsen.")
    assert spoken_alarms(spoken) == [("medisindispenser", "dose_ikke_tatt", "13:00"),
                                     ("medisindispenser", "teknisk_alarm", None)]


@pytest.mark.parametrize("spoken", [
    "Bruker vil itte ha kamera i stua, hu sier at da føler a seg overvåka.",
    "Ho har sovna no, men ho syns kameraet er ekkelt når ho er vaken.",
    "Fallsensoren på gamle rom er slått av, og ny sensor er montert på rom 10.",
])
def test_a_device_refused_disliked_or_switched_off_where_it_stood_raised_no_alarm(spoken):
    assert spoken_alarms(spoken) == []


def test_a_camera_look_at_its_own_time_after_another_alarm_is_a_round():
    spoken = ("natt på skjerma eining døralarmen på rom fire gjekk klokka ti over tolv han stod "
              "i gangen med jakka på og lét seg følgje tilbake vi såg til han på kameraet "
              "klokka tre og han sov")
    assert spoken_alarms(spoken) == [("dorsensor", "dor_apnet", "00:10"),
                                     ("digitalt_tilsyn", "tilsyn_utfort", "03:00")]


def test_a_camera_look_within_another_alarms_story_is_how_staff_looked():
    spoken = ("Sengesensoren varsla kl. 01.55. Kameraet viste at ho sat på golvet ved senga, "
              "så vi køyrde ut og var der kl. 02.15.")
    assert spoken_alarms(spoken) == [("sengesensor", "ute_av_seng", "01:55")]


def test_a_fault_on_the_safety_alarm_is_the_alarm_not_a_call_over_it():
    spoken = ("Alarmsentralen meldte fra om teknisk feil på trygghetsalarmen til brukeren. Det "
              "var rundt halv elleve i formiddag. Alarmen hadde mista kontakten med basen.")
    note = structure(spoken)
    assert [e.technology for e in note.events] == ["trygghetsalarm"]
    assert note.sentences[0].section == "velferdsteknologi"


@pytest.mark.parametrize("spoken, expected", [
    # the door going again, the user out again: the door sensor's next alarm
    ("natt dørsensoren på rom tre gikk tjue på ett beboer var på vei ut med veska si og ble "
     "med tilbake døra gikk igjen kvart over to da sto ho i døråpninga",
     [("dorsensor", "dor_apnet", "00:40"), ("dorsensor", "dor_apnet", "02:15")]),
    ("nattrapport døralarmen på rom sju gjekk klokka ti over to i natt han stod i gangen og "
     "la seg att kvart på fire var han ute att same dør",
     [("dorsensor", "dor_apnet", "02:10"), ("dorsensor", "dor_apnet", "03:45")]),
])
def test_the_door_going_again_is_a_new_alarm(spoken, expected):
    assert spoken_alarms(spoken) == expected


@pytest.mark.parametrize("spoken", [
    # "sonen" is the son in nynorsk, not the GPS zone
    "Samtale med brukar og sonen om tryggleiksalarm. Han har tryggleiksalarm frå før, men "
    "ber han ikkje alltid. Sonen er uroleg fordi han går aleine i skogen.",
    # charged, not an alarm
    "GPS-klokka hadde gått tom for strøm, så je satte den til lading og testa at den viste "
    "posisjon på kartet.",
    # gone through with the user
    "Eg gikk gjennom dispenseren med henne igjen, og hun klarte å ta ut dosen sjøl.",
    # the alarm word in the next sentence is talked about
    "Hun har trygghetsalarm, men bruker den ikke om natta. Vi snakka om at alarmen kan "
    "ligge på nattbordet.",
])
def test_a_device_owned_charged_or_gone_through_raised_no_alarm(spoken):
    assert spoken_alarms(spoken) == []


def test_a_camera_that_dropped_out_is_no_round():
    spoken = ("Nattevakt. Digitalt tilsyn klokka 23 på rom 4, han sov. Kameraet på rommet falt "
              "ut rundt tre, så resten av natta gikk vi vanlige runder.")
    assert spoken_alarms(spoken) == [("digitalt_tilsyn", "tilsyn_utfort", "23:00")]


def test_an_alarm_with_no_time_of_its_own_takes_the_time_said_right_before_it():
    # unpunctuated: the model cut "ingen tiltak halv fem | fallsensoren gikk …"
    spoken = ("nattrapport avdeling to digitalt tilsyn på rom fire klokka ett han sov rolig "
              "ingen tiltak halv fem fallsensoren gikk på rom sju men han hadde ikke falt det "
              "var falsk alarm jeg tilbakestilte sensoren")
    assert ("fallsensor", "fall_registrert", "04:30") in spoken_alarms(spoken)


@pytest.mark.parametrize("spoken", [
    # a decimal's last word is no hour
    "temperatur trettisju komma fire fallsensoren utløste alarm i ettermiddag men hun hadde "
    "bare mista ei pute på golvet",
    # the device's upkeep, not an alarm
    "ho sovna i stolen rundt sju fallsensoren er slått av til leverandøren har skifta han ut",
])
def test_no_time_moves_to_a_device_told_without_an_alarm(spoken):
    assert all(time is None or time not in ("04:00", "07:00", "19:00")
               for _, _, time in spoken_alarms(spoken))
    assert not structure(spoken).sentences[-1].text.startswith(("Fire", "Rundt", "Kl."))


# --- sections -----------------------------------------------------------------------------------

def test_applying_right_after_a_device_is_named_is_the_devices_record():
    note = structure("Dattera spurte om hun kan få trygghetsalarm. Je har sendt søknad til "
                     "tildelingskontoret.")
    assert [s.section for s in note.sentences] == ["velferdsteknologi"] * 2


# --- clock times --------------------------------------------------------------------------------

def test_small_hours_in_a_sentence_about_the_nights_are_the_nights():
    # "dei siste nettene": 02.00–05.00, not 14.00–17.00
    assert spoken_times("ho har sove dårleg dei siste nettene og ligg vaken frå to til fem "
                        "punktum") == ["02:00", "05:00"]


def test_the_story_goes_on_from_the_time_a_sleep_ended():
    # "våken til rundt fem" after "sov til ti over ett": 05.00, not 17.00
    assert spoken_times("han sovna rundt klokka ni i går kveld og sov til ti over ett "
                        "deretter var han vaken til rundt fem punktum") == \
        ["21:00", "01:10", "05:00"]


@pytest.mark.parametrize("spoken, expected", [
    # the evening care or bedtime told first names the evening: later hours are p.m.
    ("ho var uklar og uroleg ved kveldsstellet punktum ho fekk Paracet eitt gram klokka ti "
     "punktum", ["22:00"]),
    ("han klaga over vondt i kneet ved leggetid punktum fekk Paracet eitt gram halv ti "
     "punktum", ["21:30"]),
])
def test_evening_care_told_first_names_the_evening(spoken, expected):
    assert spoken_times(spoken) == expected


@pytest.mark.parametrize("spoken, expected", [
    # "og ti", and "og fem" after a later hour, are the minutes (was 07.00 and 17.00)
    ("dispenseren ga teknisk alarm klokka sju og fem i morges punktum", ["07:05"]),
    ("rallinga starta klokka tolv og ti i natt punktum", ["00:10"]),
    ("appen viste teknisk feil klokka ni og ti punktum", ["09:10"]),
    # … while a list of hours goes forwards
    ("munnstell klokka to og fem i natt punktum", ["02:00", "05:00"]),
])
def test_an_hour_and_ten_or_five_before_it_is_the_minutes(spoken, expected):
    assert spoken_times(spoken) == expected


def test_a_night_slept_until_a_morning_hour_ends_in_the_morning_in_an_evening_report():
    # the first time (23.15) made the shift the evening: "sov til klokka seks" was 18.00
    assert spoken_times("Klokka 23.15 varsla dørsensoren. Han la seg ved midnatt og sov til "
                        "klokka seks.") == ["23:15", "00:00", "06:00"]  # "ved midnatt": 00.00


def test_the_story_goes_on_from_a_small_hour_of_the_night():
    # "våken fra halv tre til fem" in the night, then a dose "klokka tre": 03.00, not 15.00
    assert spoken_times("han sov dårlig i natt og var våken fra halv tre til fem han sier det "
                        "er smertene i ryggen fikk Oxynorm fem milligram klokka tre") == \
        ["02:30", "05:00", "03:00"]


def test_since_a_time_is_the_most_recent_such_time_before_the_visit():
    assert spoken_times("kveldsbesøk klokka sju punktum han hadde ikke spist siden klokka tolv "
                        "punktum") == ["19:00", "12:00"]


# --- sentences ----------------------------------------------------------------------------------

@pytest.mark.parametrize("said, last", [
    ("legevakta sa vi skulle følgje med medan eg var der", "medan"),  # a subjunction
    ("fallsensoren på samme rom gikk klokka ti over to", "samme"),  # before its noun
])
def test_no_sentence_is_cut_after_a_word_that_needs_what_follows(said, last):
    from structuring.sentence_cuts import _may_start
    from structuring.tokens import _rules

    words = said.split()
    assert not _may_start(words, words.index(last) + 1, _rules())


@pytest.mark.parametrize("spoken, heading", [
    ("kveldsvakt rom sju blodsukker før kvelds var fjorten komma to", "Kveldsvakt rom 7."),
    ("natt rom seksten dørsensoren varsla klokka tjue over tre", "Natt rom 16."),
    ("dagvakt rom to ny madrass kom i dag", "Dagvakt rom 2."),
    # a name said with the room goes with it
    ("nattrapport rom fem Åse Lid ho sov godt", "Nattrapport rom 5 Åse Lid."),
])
def test_a_shift_said_with_its_room_is_the_heading_line(spoken, heading):
    # was "Kveldsvakt." and "Rom 7 blodsukker før kvelds var 14,2."
    assert structure(spoken).sentences[0].text == heading


def test_a_shift_and_room_the_nurse_ends_herself_stays_as_said():
    note = structure("kveldsvakt rom sju punktum blodsukker fjorten komma to punktum")
    assert [s.text for s in note.sentences] == ["Kveldsvakt rom 7.", "Blodsukker 14,2."]


def test_a_cut_after_a_word_that_opens_sentences_goes_before_it():
    from structuring.sentence_cuts import _cut_at
    from structuring.tokens import _rules

    words = "blåmerke som hu ittj vet ka kommer fra ellers ingen blødninger".split()
    assert _cut_at(words, words.index("ellers") + 1, _rules()) == words.index("ellers")


# --- data ---------------------------------------------------------------------------------------

def test_the_writers_only_scored_this_pass_are_never_learnt_from():
    # tune27 (t27a, t27b) was only scored in this pass: no model learns from it and the
    # derived finding phrases do not come from it (the nineteenth pass reads it for rules).
    # tune23, tune25 and tune26 (tune26 scored unchanged by this pass's first changes, then
    # read) are tuned on by the rules from this pass.
    # (the section classifier learns from it since the fortieth pass, the sentence models not)
    from evaluation.finding_phrases import tuned_on_rows
    from evaluation.structuring_train import senter_rows, training_rows

    trained = {row["spoken"] for row in senter_rows(training_rows())}
    rows = [json.loads(line) for line in (GOLD / "tune27.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == 60 and not trained & {row["spoken"] for row in rows}
    # since the thirty-fifth pass the finding phrases are derived from every writer read
    derived = {row["id"].split("-")[0] for row in tuned_on_rows()}
    assert {"t23a", "t23b", "t25a", "t25b", "t25c", "t26a", "t26b", "t27a", "t27b"} <= derived
