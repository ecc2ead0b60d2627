"""Issue 15, thirtieth pass: behaviour found on the writers of tune62 and tune65, each
sentence written for the test (none copied from a gold file)."""

from __future__ import annotations

import pytest

from tests.gold_files import assert_never_learnt_from
from tests.note_helpers import spoken_times

# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, count, writers", [
    ("tune64.jsonl", 60, {"t64a", "t64b"}),
])
def test_the_writers_only_scored_this_pass_are_never_learnt_from(name, count, writers):
    # tune64 was only scored in this pass and is read by later ones; no model learns from it
    assert_never_learnt_from(name, count, writers, read_later=True)


# --- a whole night, or a first night, told first ------------------------------------------------

@pytest.mark.parametrize("spoken, times", [
    ("Ho sov godt hele natta. Ho var tørr ved stellet klokka seks.", ["06:00"]),
    ("første natt for ny beboer på rom fem punktum han ringte på klokka to punktum",
     ["02:00"]),
    ("Han har vore uroleg heile natta. Klokka halv tolv fekk han Sobril.", ["23:30"]),
])
def test_a_whole_night_told_first_makes_the_small_hours_the_nights(spoken, times):
    assert spoken_times(spoken) == times


def test_a_day_note_after_a_whole_night_keeps_its_day_hours():
    # "klokka ti" is no small hour: a morning nurse tells the night too
    assert spoken_times("Sov godt hele natta. Legen kom klokka ti.") == ["10:00"]


# --- what "huden rundt" is around ---------------------------------------------------------------

@pytest.mark.parametrize("spoken, finding", [
    ("Leggsåret er rent. Huden rundt er rød og varm.", ("rød og varm hud rundt såret", False)),
    ("Stomien er rosa og fin, men huden rundt er rød og sår.",
     ("rød og sår hud rundt stomien", False)),
    ("skifta bandasje ved innstikkstedet punktum huden rundt er rød punktum",
     ("rød hud rundt innstikkstedet", False)),
])
def test_the_skin_around_is_around_what_was_named(spoken, finding):
    from tests.note_helpers import findings

    assert finding in findings(spoken)


@pytest.mark.parametrize("spoken, finding", [
    # a degree word before the second state is not filed, as before the first
    ("Urinen er mørk og litt grumsete i dag.", ("mørk og grumsete urin", False)),
    ("kneet er hovent og noe varmt punktum", ("hovent og varmt kne", False)),
])
def test_a_degree_word_between_two_states_is_not_filed(spoken, finding):
    from tests.note_helpers import findings

    assert finding in findings(spoken)


def test_no_wound_is_filed_where_none_was_named():
    from tests.note_helpers import findings

    found = findings("Huden rundt er rød og litt hoven.")
    assert not any("såret" in value for value, _ in found)


# --- a word said twice in a row -----------------------------------------------------------------

@pytest.mark.parametrize("spoken, written", [
    ("han fikk et glass melk og og la seg igjen punktum",
     "Han fikk et glass melk og la seg igjen."),
    ("Hun hun sa at hun hadde vondt.", "Hun sa at hun hadde vondt."),
    ("vi har har starta med næringsdrikk punktum", "Vi har starta med næringsdrikk."),
])
def test_a_closed_class_word_said_twice_is_written_once(spoken, written):
    from structuring.pipeline import structure

    assert structure(spoken).text == written


@pytest.mark.parametrize("spoken, kept", [
    # the pronoun ends one clause and starts the next; the particle meets its preposition
    ("jeg ringte ho ho sa at det gikk bra", "ho ho"),
    ("vi lar lyset stå på på badet i natt punktum", "på på"),
    ("ho hadde ikkje høyreapparatet i i dag punktum", "i i"),
])
def test_a_word_that_may_stand_twice_is_kept(spoken, kept):
    from structuring.pipeline import structure

    assert kept in structure(spoken).text.lower().replace(".", "").replace(",", "")


# --- hours listed after one clock word ----------------------------------------------------------

@pytest.mark.parametrize("spoken, times", [
    # each "komma" between the hours is a comma, not a decimal
    ("han blir snudd klokka ti komma fjorten komma atten og tjueto komma og om natta klokka "
     "to punktum", ["10:00", "14:00", "18:00", "22:00", "02:00"]),
    # the list may end before "etter" and "som"
    ("Blodsukkeret blir målt klokka åtte, fjorten og tjueto etter ny ordinasjon.",
     ["08:00", "14:00", "22:00"]),
    ("Vi ser til ho klokka tolv, fjorten og seksten som avtalt med dottera.",
     ["12:00", "14:00", "16:00"]),
    # "eitt" in the list is the hour, not an article
    ("nattpatruljen var innom klokka tjuetre komma eitt og fire i natt punktum",
     ["23:00", "01:00", "04:00"]),
])
def test_hours_listed_after_a_clock_word_are_each_a_time(spoken, times):
    assert spoken_times(spoken) == times


@pytest.mark.parametrize("spoken, value", [
    # a measurement after the clock time keeps its decimals
    ("temperaturen klokka åtte komma trettiåtte komma fem punktum", "38.5"),
    ("klokka sju var temperaturen trettisju komma ni punktum", "37.9"),
])
def test_a_value_after_a_clock_time_keeps_its_decimals(spoken, value):
    from structuring.pipeline import structure

    assert value in [e.value for e in structure(spoken).entities if e.type == "vital.temperature"]


def test_an_article_after_a_clock_time_stays_an_article():
    from structuring.pipeline import structure

    assert structure("ga ho medisinen klokka åtte, ein halv time før frokost").text == \
        "Ga ho medisinen kl. 08.00, ein halv time før frokost."


# --- an evening and the night after it, told first ----------------------------------------------

@pytest.mark.parametrize("spoken, times", [
    ("bebuaren har vore meir forvirra enn vanleg i kveld og i natt ho har gått mykje på do "
     "temperaturen var trettiåtte komma ein klokka kvart på fire", ["03:45"]),
    ("Han har hatt vondt i ryggen i kveld og utover natta. Klokka ti fikk han Paracet. Klokka "
     "tre sov han.", ["22:00", "03:00"]),
])
def test_an_evening_and_night_told_first_reads_the_small_hours_as_the_nights(spoken, times):
    assert spoken_times(spoken) == times
