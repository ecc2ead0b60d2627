"""Danish/Swedish spellings from Whisper become Norwegian, only where the word list says so."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines import orthography
from pipelines.asr import Transcriber, TranscriptionOptions
from pipelines.audio import SAMPLE_RATE_HZ, Audio
from tests.test_asr import _FakeModel
from tests.needs import need_word_lists


@pytest.fixture(autouse=True, scope="module")
def _word_lists():
    need_word_lists()  # the system file itself, not orthography.available()


@pytest.mark.parametrize("danish, norwegian", [
    ("kalder", "kaller"), ("håb", "håp"), ("tillid", "tillit"),
    ("nationalitet", "nasjonalitet"), ("placeres", "plasseres"), ("Hej", "Hei"),
    ("hjælpe", "hjelpe"), ("dricker", "drikker"), ("corona", "korona"),
])
def test_danish_forms_become_norwegian(danish, norwegian):
    assert orthography.correct(danish) == norwegian


@pytest.mark.parametrize("word", ["pasienten", "Marevan", "Furix", "Ragnhild", "sov", "natt",
                                  "blodtrykket", "NovoRapid", "Sobril"])
def test_norwegian_words_names_and_drugs_are_left_alone(word):
    assert orthography.correct(word) == word


def test_case_and_punctuation_are_kept():
    assert orthography.correct("Han KALDER, og håb.") == "Han KALLER, og håp."


def test_the_pipeline_corrects_segments_unless_told_not_to():
    audio = Audio(np.full(SAMPLE_RATE_HZ, 0.1, dtype=np.float32), "wav", "pcm_s16le")
    model = _FakeModel([" Han kalder på hjælp."])
    fixed = Transcriber(model, TranscriptionOptions(vad=None)).transcribe(audio).text
    kept = Transcriber(model, TranscriptionOptions(vad=None, orthography="none")
                       ).transcribe(audio).text
    assert (fixed, kept) == ("Han kaller på hjelp.", "Han kalder på hjælp.")


def test_available_agrees_with_the_installed_word_lists():
    # The word lists are there (checked above, directly): the product must see them too,
    # or every transcript silently keeps Whisper's Danish spellings.
    assert orthography.available("bokmaal") and orthography.available("nynorsk")
