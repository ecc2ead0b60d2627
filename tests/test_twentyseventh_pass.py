"""What the twenty-seventh pass of issue 15 found, reading tune57.jsonl (only scored until
this pass) and tune59.jsonl (new). Every sentence here was written for the test; none is
copied from a gold split."""

import pytest

from structuring.pipeline import structure
from tests.gold_files import assert_never_learnt_from
from tests.note_helpers import findings, medications, spoken_times

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune58.jsonl", 60, {"t58a", "t58b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune58 was only scored in this pass and is read by later ones; no model learns from it
    assert_never_learnt_from(name, count, writers, read_later=True)


# --- two states of one thing joined by "eller" are one finding ----------------------------------

@pytest.mark.parametrize("spoken, finding", [
    ("hofta var vond men beinet var ikkje forkorta eller utoverrotert punktum",
     "forkorta eller utoverrotert bein"),
    ("Beinet hans er ikke forkortet eller utadrotert.", "forkortet eller utadrotert bein"),
    ("kneet er ikkje hovent eller varmt punktum", "hovent eller varmt kne"),
    ("han hostar men har ikkje gult eller grønt slim punktum", "gult eller grønt slim"),
    ("Ingen hoven eller rød ankel.", "hoven eller rød ankel"),
])
def test_two_states_of_one_thing_joined_by_eller_are_one_finding(spoken, finding):
    assert (finding, True) in findings(spoken)


@pytest.mark.parametrize("spoken, expected", [
    # the guards: "og" as before, a colour denied after another, two symptoms stay two
    ("huden på armen er tørr og flassete punktum", {("tørr og flassete hud på armen", False)}),
    ("Han hostar opp kvitt slim, ikkje gult.", {("kvitt slim", False), ("gult slim", True)}),
])
def test_what_was_one_finding_or_two_stays_so(spoken, expected):
    assert expected <= findings(spoken)


def test_two_symptoms_joined_by_eller_stay_two():
    assert {("hevelse", True), ("rødme mellom tærne", True)} <= \
        findings("føttene ble sjekka komma ingen hevelse eller rødme mellom tærne punktum")


# --- a schedule of hours ------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, expected", [
    ("Madopar skal gis klokka sju elleve femten og nitten punktum",
     ["07:00", "11:00", "15:00", "19:00"]),
    ("ho skal ha Sifrol null komma sju milligram klokka sju komma femten og tjueto punktum",
     ["07:00", "15:00", "22:00"]),
    ("han får Paracet klokka seks tolv og atten punktum",
     ["06:00", "12:00", "18:00"]),
    ("nattevakt punktum ho vart snudd klokka elleve ett tre og fem punktum",
     ["23:00", "01:00", "03:00", "05:00"]),
])
def test_hours_said_as_a_schedule_are_each_an_hour(spoken, expected):
    assert spoken_times(spoken) == expected


def test_a_schedule_is_written_as_a_list():
    text = structure("Madopar skal gis klokka sju elleve femten og nitten punktum").text
    assert "kl. 07.00, kl. 11.00, kl. 15.00 og kl. 19.00" in text


@pytest.mark.parametrize("spoken, expected", [
    # the guards: a time with its minutes, minutes after "og", two hours joined by "og"
    ("klokka ni femten sto han opp punktum", ["09:15"]),
    ("klokka åtte og tjuefem kom hun hjem punktum", ["08:25"]),
    ("eg var hos han klokka sju og tjue punktum", ["07:20"]),
    ("ho fekk Paracet klokka ti og to punktum", ["10:00", "14:00"]),
    ("klokka sju tretti fikk hun insulin og klokka tolv lunsj punktum", ["07:30", "12:00"]),
    ("næringsdrikk klokka 10 og 14 punktum", ["10:00", "14:00"]),
])
def test_a_time_and_its_minutes_are_no_schedule(spoken, expected):
    assert spoken_times(spoken) == expected


# --- drug names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spoken, drug", [
    ("ho fekk Kaleorid 750 milligram til frukost punktum", ("kaliumklorid", "750 mg")),
    ("legen starta Tamiflu 75 milligram to gonger dagleg punktum", ("oseltamivir", "75 mg")),
])
def test_more_brands_are_known(spoken, drug):
    assert drug in medications(spoken)


@pytest.mark.parametrize("spoken", [
    "puls hundre og to komma mettningen var nittiseks prosent punktum",
    "Blodtrykk 118/72, puls 84, meting 96 %.",
])
def test_saturation_misspelt_by_the_asr_is_still_saturation(spoken):
    spo2 = [e.value for e in structure(spoken).entities if e.type == "vital.spo2"]
    assert spo2 == ["96"]


# --- a blood pressure said "på" -----------------------------------------------------------------

def _pressures(spoken: str) -> list[str]:
    return [e.value for e in structure(spoken).entities if e.type == "vital.blood_pressure"]


@pytest.mark.parametrize("spoken, expected", [
    ("blodtrykk hundre og tretti på åtti komma puls sytti punktum", ["130/80"]),
    ("blodtrykket låg på hundre og førti på åttifem punktum", ["140/85"]),
    ("trykket var hundre og femti over nitti i dag punktum", ["150/90"]),
])
def test_a_blood_pressure_said_with_paa_or_as_trykket(spoken, expected):
    assert _pressures(spoken) == expected


def test_paa_is_still_a_time_where_no_blood_pressure_is_named():
    note = structure("hun trykket på alarmknappen klokka ti på ni punktum")
    assert [e.value for e in note.entities if e.type == "time"] == ["08:50"]
    assert _pressures("han gikk hundre og tjue på seksti sekunder punktum") == []


def test_a_schedule_of_any_length_is_read_without_recursion():
    # bad input loses nothing: a list of thousands of hours is walked, not recursed into
    from structuring.clock_times import schedule_goes_on
    from structuring.tokens import Tok, _rules

    hours = [h for _ in range(500) for h in range(1, 13)]
    tokens = [t for h in hours for t in (Tok(str(h), value=h, kind="number"),
                                         Tok(",", kind="punct"))][:-1]
    tokens[-2:-1] = [Tok("og")]
    assert schedule_goes_on(tokens, 0, 0, False, _rules())
