"""Issue 15, fourth pass: clock times and alarm stories as independent writers dictate them.
Every sentence here is written for this file (none from the gold sets)."""

from __future__ import annotations

import pytest

from structuring import events
from structuring.note import StructuredNote
from structuring.pipeline import structure
from structuring.spoken import to_written
from tests.note_helpers import alarms, times




# --- the shift and the half of the day ---------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # The first word names the shift, as a heading would.
    ("natt punktum Sverre på rom fire ringte på klokka to og ville ha vatn punktum", "02:00"),
    ("eh natt Sverre rom fire sengesensoren gikk klokka ti over tolv punktum", "00:10"),
    ("kveld punktum Ruth fikk Paracet ett gram klokka åtte punktum", "20:00"),
])
def test_a_dictation_opening_with_the_shift_reads_bare_times_in_it(spoken, expected):
    assert expected in times(structure(spoken))


def test_natt_later_in_a_day_note_is_no_shift():
    note = structure("morgenbesøk punktum hun sov godt i natt punktum fikk Paracet ett gram "
                     "klokka ni punktum")
    assert times(note) == ["09:00"]


def test_the_cue_nearest_the_time_wins_over_one_further_on():
    note = structure("han hadde tatt Furix klokka fem i går ettermiddag i stedet for om "
                     "morgenen punktum")
    assert times(note) == ["17:00"]


@pytest.mark.parametrize("spoken, expected", [
    ("morgonbesøk klokka åtte punktum", "08:00"),  # nynorsk compound
    ("morrastell hos Jon klokka sju punktum", "07:00"),  # dialect compound
    ("kveldsrunda klokka ni punktum", "21:00"),
])
def test_cue_stems_cover_compounds_in_any_spelling(spoken, expected):
    assert times(structure(spoken)) == [expected]


def test_a_stem_exception_is_no_cue():
    from structuring import daypart
    from structuring.spoken import _rules

    assert daypart.daypart(["nattbordet"], _rules()) is None  # furniture
    assert daypart.daypart(["morgendagen"], _rules()) is None  # tomorrow
    assert daypart.daypart(["nattrunden"], _rules()) == "night"


# --- how times are said ------------------------------------------------------------------------

def test_a_written_24_hour_time_needs_no_klokka():
    note = structure("Trygghetsalarmen meldte feil 02.40 i natt.")
    assert times(note) == ["02:40"] and "kl. 02.40" in note.sentences[0].text


def test_a_measurement_is_not_read_as_a_time():
    note = structure("Blodsukker 12.30 før lunsj.")
    assert times(note) == [] and "12.30" in note.sentences[0].text


@pytest.mark.parametrize("spoken, expected, text", [
    ("dispenseren varslet ved tjuetiden punktum", "20:00", "ca. kl. 20.00"),
    ("nattevakt punktum sengesensoren gikk ved eittida punktum", "01:00", "ca. kl. 01.00"),
    ("kveldsvakt punktum han sovna rundt titida punktum", "22:00", "ca. kl. 22.00"),
])
def test_about_an_hour_is_a_time_written_with_ca(spoken, expected, text):
    note = structure(spoken)
    assert times(note) == [expected] and text in " ".join(s.text for s in note.sentences)


def test_tida_alone_is_no_time():
    assert times(structure("hun har det travelt hele tida punktum")) == []


def test_the_end_of_a_span_of_time_is_a_time():
    assert times(structure("hun sov fra klokka to til seks i natt punktum")) == \
        ["02:00", "06:00"]


# --- self-corrections with a bare "nei" ---------------------------------------------------------

def test_nei_between_two_times_corrects_the_first():
    text = " ".join(s.text for s in to_written(
        "kveldsvakt punktum ga Imovane klokka ti eh nei halv elleve punktum"))
    assert "kl. 22.30" in text and "22.00" not in text


def test_nei_between_two_numbers_corrects_the_first():
    text = " ".join(s.text for s in to_written("smerte sju nei fem av ti punktum"))
    assert "5 av 10" in text and "7" not in text


def test_nei_as_an_answer_is_kept():
    text = " ".join(s.text for s in to_written(
        "spurte om hun ville ha mat nei hun ville ikke ha noe punktum"))
    assert "nei hun ville ikke" in text.lower()


# --- alarm stories -----------------------------------------------------------------------------

def test_each_digital_round_is_its_own_event():
    note = structure("nattevakt punktum digitalt tilsyn klokka ett og klokka tre komma han "
                     "sov punktum digitalt tilsyn klokka fem viste at han var våken punktum")
    assert [e[2] for e in alarms(note)] == ["01:00", "03:00", "05:00"]


def test_a_device_named_again_for_what_was_done_continues_its_alarm():
    note = structure("sengesensoren varslet klokka to i natt punktum ho sto ved døra punktum "
                     "nytt avsnitt sengesensoren ble tilbakestilt klokka halv tre punktum")
    assert alarms(note) == [("sengesensor", "ute_av_seng", "02:00")]
    assert "tilbakestilte_utstyr" in note.events[0].response


def test_a_new_alarm_from_the_same_device_told_without_naming_it():
    note = structure("Medisindispenseren ga teknisk alarm kl. 10.15 om lavt batteri. "
                     "Jeg satte den i laderen. Kl. 13.00 kom det varsel om at "
                     "middagsdosen ikke var tatt. Jeg ringte henne.")
    assert alarms(note) == [("medisindispenser", "teknisk_alarm", "10:15"),
                            ("medisindispenser", "dose_ikke_tatt", "13:00")]


def test_the_safety_alarm_used_as_a_phone_is_no_alarm():
    note = structure("Dørsensoren varslet kl. 23.20. Jeg ringte henne på trygghetsalarmen, "
                     "og hun sa hun skulle ut med søpla.")
    assert [e[0] for e in alarms(note)] == ["dorsensor"]


def test_a_device_mentioned_without_anything_happening_is_no_alarm():
    note = structure("Vi har søkt om komfyrvakt til ham, og sønnen hjelper med montering.")
    assert alarms(note) == []


def test_the_alarm_sentence_says_which_event_before_the_rest_of_the_story():
    note = structure("Medisindispenseren varslet kl. 12.00 at dosen ikke var tatt ut. "
                     "Hun hadde ikke hørt den. Jeg byttet batteriet i høreapparatet hennes.")
    assert alarms(note) == [("medisindispenser", "dose_ikke_tatt", "12:00")]


def test_what_the_alarm_found_and_what_was_done_are_velferdsteknologi_the_rest_its_own():
    note = structure("Fallsensoren gikk kl. 03.10. Hun satt på gulvet ved senga. "
                     "Jeg hjalp henne opp og tilbakestilte sensoren. "
                     "Hun hadde en rift på leggen som ble vasket og dekket med plaster.")
    sections = [s.section for s in note.sentences]
    assert sections[:3] == ["velferdsteknologi"] * 3
    assert sections[3] == "hud_vev_saar"


def test_group_events_directly_for_a_device_told_one_sentence_later():
    sentences = ["Komfyrvakta hos Arne.", "Slo av komfyren kl. 16.40."]
    (draft,) = events.group_events(sentences, [0, 0])
    assert events.describe(draft, sentences)["time"] == "16:40"


@pytest.mark.parametrize("spoken, expected", [
    ("middagsbesøk hos Aslaug klokka tolv punktum", "12:00"),  # noon, not midnight
    ("i ettermiddag klokka to ringte dottera punktum", "14:00"),
    ("kveldsvakt punktum i kveld klokka tolv sov hun punktum", "00:00"),
])
def test_dinner_time_and_afternoon_are_after_noon_and_twelve_is_noon(spoken, expected):
    assert times(structure(spoken))[0] == expected


def test_an_alarm_time_is_the_one_nearest_its_device_in_a_run_on_sentence():
    note = structure("ho fekk morgondosen klokka 08.00 medan eg var der klokka 11.45 kom det "
                     "teknisk alarm frå tryggleiksalarmen om lågt batteri")
    assert ("trygghetsalarm", "teknisk_alarm", "11:45") in alarms(note)


# --- self-corrections inside lists of doses and values ---------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    # The number said right before the cue is the one corrected, not an earlier dose.
    ("dosen inneholdt Eliquis fem milligram og Selo-Zok femti eh nei tjuefem milligram punktum",
     "Dosen inneholdt Eliquis 5 mg og Selo-Zok 25 mg."),
    ("ga Humalog fire enheter og Lantus tjue nei unnskyld tjueto enheter subkutant punktum",
     "Ga Humalog 4 IE og Lantus 22 IE subkutant."),
    # The "nei" and the commas leading into a cue are not kept.
    ("Vekt 52,6, nei, unnskyld, 51,6 kilo.", "Vekt 51,6 kg."),
    ("Han fikk Paracet 1 gram klokken 01.30, nei, rettelse, klokken 01.35.",
     "Han fikk Paracet 1 g kl. 01.35."),
    # A blood pressure corrected whole.
    ("stående hundre og tjue over sytti rettelse hundre og tjue over sekstiåtte punktum",
     "Stående 120/68."),
    # Thousands are numbers too.
    ("væskeinntak cirka tusen unnskyld tusen to hundre milliliter punktum",
     "Væskeinntak ca. 1200 ml."),
    # A clock time right before the cue is not the value corrected.
    ("tok to drag Ventoline klokka sju nei vent det var fire drag punktum",
     "Tok 4 drag Ventoline kl. 07.00."),
])
def test_a_correction_replaces_the_value_it_corrects(spoken, expected):
    assert " ".join(s.text for s in to_written(spoken)) == expected


def test_a_shifted_time_is_counted_and_whether_the_nurse_is_asked_to_check_it():
    from evaluation.structuring import score_structuring

    gold = [{"id": "x", "spoken": "", "entities": [{"type": "time", "value": "20:30"}],
             "events": [], "sentences": [{"text": "Gav Paracet 1 g kl. 20.30.",
                                          "section": "legemidler"}]}]
    unsure = structure("gav Paracet ett gram klokka halv ni punktum")  # no cue: flagged
    assert times(unsure) == ["08:30"] and unsure.sentences[0].review
    scores = score_structuring(gold, [unsure])
    assert scores.times_shifted_12h == 1 and scores.times_shifted_12h_unflagged == 0
    sure = structure("gav Paracet ett gram klokka halv ni i morges punktum")  # a cue: not flagged
    scores = score_structuring(gold, [sure])
    assert scores.times_shifted_12h == 1 and scores.times_shifted_12h_unflagged == 1


@pytest.mark.parametrize("spoken, expected", [
    ("kveldsvakt punktum ho var på dagsenteret frå klokka tolv til tre i dag punktum",
     ["12:00", "15:00"]),  # "i dag": daytime, though the shift is the evening
    ("morgenbesøk punktum hun hadde feber i dag tidlig klokka fem punktum", ["05:00"]),
    ("han spiste suppe til middag klokka halv ett punktum", ["12:30"]),  # not 00.30
    ("kveldsbesøk punktum ho vil ha hjelp til å legge seg halv ti i morra punktum", ["21:30"]),
    ("GPS-alarmen til Tormod punktum gikk klokka tolv i natt punktum vi fant han ved kirka "
     "tjue over tolv punktum", ["00:00", "00:20"]),  # the opening's time sets the shift
])
def test_day_words_dinner_half_past_twelve_and_tomorrow_in_dialect(spoken, expected):
    assert times(structure(spoken)) == expected


def test_no_sentence_cut_between_a_cue_and_its_clock_time():
    from structuring.sentence_cuts import _may_start
    from structuring.spoken import _rules

    words = "han fekk morgonmedisinen klokka åtte Albyl-E".lower().split()
    assert not _may_start(words, 3, _rules())  # "morgonmedisinen | klokka åtte"
    assert _may_start("han sov godt klokka åtte".split(), 3, _rules())  # no cue: may cut
