"""Notes in the tenant's written standard: bokmål or nynorsk through Apertium (språkloven)."""

from __future__ import annotations

import pytest

from structuring import written_standard
from structuring.export import to_fhir, to_text
from structuring.sections import template
from structuring.written_standard import in_written_standard, to_bokmaal, write_note
from tests.needs import need_apertium


@pytest.fixture(autouse=True, scope="module")
def _apertium():
    need_apertium()  # the binary and mode file, not written_standard.available()


DICTATION = ("Hun ønsker ikke frokost og vil ligge i sengen. Fikk Paracet 1 gram klokka åtte. "
             "Blodtrykk 130 over 80.")


def test_bokmaal_dictation_becomes_a_nynorsk_note_with_the_same_facts():
    bokmaal = write_note(DICTATION, standard="bokmaal")
    nynorsk = write_note(DICTATION, standard="nynorsk")
    assert nynorsk.language == "nn" and bokmaal.language == "nb"
    assert "Ho ønskjer ikkje frukost" in nynorsk.text
    assert "vil liggje i senga" in nynorsk.text  # e-infinitive
    assert "1 g kl." in nynorsk.text and "130/80" in nynorsk.text
    # Same sentences, sections and entities: only the prose changes.
    assert [s.section for s in nynorsk.sentences] == [s.section for s in bokmaal.sentences]
    assert nynorsk.entities == bokmaal.entities and nynorsk.events == bokmaal.events
    text = to_text(nynorsk)
    # Every section the note has is headed by its nynorsk title ("Legemiddel", not
    # "Legemidler"); which section the first sentence goes to is the classifier's call.
    titles = {s.key: s.title_nn for s in template()}
    assert all(f"{titles[s.section]}:" in text for s in nynorsk.sentences)
    assert "Legemiddel:" in text and "Legemidler:" not in text
    assert to_fhir(nynorsk)["entry"][0]["resource"]["language"] == "nn"


def test_a_infinitive_nynorsk_is_a_choice():
    assert "vil liggja i senga" in write_note(DICTATION, standard="nynorsk-a").text


def test_nynorsk_dictation_keeps_its_numbers_on_the_way_to_bokmaal():
    spoken = "Ho ønskjer ikkje frukost. Fekk to tablettar Paracet klokka åtte."
    assert to_bokmaal(spoken).startswith("Hun ønsker ikke frokost.")
    note = write_note(spoken, language="nn", standard="bokmaal")
    assert note.language == "nb"
    assert "2 tabletter Paracet kl." in note.text  # "åtte" is not read as the verb "eigde"
    as_dictated = write_note(spoken, language="nn")
    assert as_dictated.language == "nn" and "2 tablettar" in as_dictated.text


def test_names_and_unknown_words_pass_unchanged():
    note = in_written_standard(write_note("Kari Nordmann fikk Xarelto 15 mg. Hun er glad."),
                               "nynorsk")
    assert "Kari Nordmann fekk Xarelto 15 mg." in note.text and "*" not in note.text


def test_without_apertium_the_note_stays_bokmaal_with_a_warning(monkeypatch, tmp_path):
    monkeypatch.setattr(written_standard, "MODES_DIR", tmp_path)
    note = write_note(DICTATION, standard="nynorsk")
    assert note.language == "nb" and "Hun ønsker ikke frokost" in note.text
    assert any("nynorsk unavailable" in w for w in note.warnings)


def test_unknown_standard_is_refused():
    with pytest.raises(ValueError, match="unknown written standard"):
        write_note(DICTATION, standard="riksmaal")


def test_available_agrees_with_the_installed_apertium():
    # Apertium is there (checked above, directly): the product must see it too, or nynorsk
    # tenants silently get bokmål notes.
    assert written_standard.available("nob-nno_e")
