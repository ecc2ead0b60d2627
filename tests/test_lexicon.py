"""A tenant's lexicon: hotwords for Whisper and near-miss correction after it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evaluation.asr_eval import medical_terms
from pipelines import orthography
from pipelines.asr import Transcriber, TranscriptionOptions
from pipelines.audio import SAMPLE_RATE_HZ, Audio
from pipelines.lexicon import HOTWORD_CHARS, TermCorrector, hotwords, phonetic_key, read_lexicon
from tests.test_asr import _FakeModel
from tests.needs import need_word_lists

ROOT = Path(__file__).resolve().parents[1]
LEXICON = ROOT / "evaluation" / "data" / "lexicon_hjemmetjeneste.txt"


@pytest.fixture(autouse=True, scope="module")
def _word_lists():
    need_word_lists()  # the system file itself, not orthography.available()


@pytest.fixture(scope="module")
def corrector() -> TermCorrector:
    return TermCorrector(read_lexicon(LEXICON), orthography.any_norwegian_words())


def test_spellings_that_sound_alike_share_a_key():
    assert phonetic_key("Parasett") == phonetic_key("Paracet") == phonetic_key("paraset")
    assert phonetic_key("Xarelto") == phonetic_key("ksarelto")


@pytest.mark.parametrize("heard, fixed", [
    ("Hun fikk en tablett par akett i dag.", "Hun fikk en tablett Paracet i dag."),
    ("Han står på Marivan.", "Han står på Marevan."),
    ("Fikk Lantos 20 enheter.", "Fikk Lantus 20 enheter."),
    ("Hun tok Furiks i morges.", "Hun tok Furix i morges."),
    ("Ga Imovan til natten.", "Ga Imovane til natten."),
])
def test_near_misses_of_lexicon_terms_are_fixed(corrector, heard, fixed):
    text, corrections = corrector.correct(heard)
    assert text == fixed and len(corrections) == 1 and corrections[0].similarity >= 0.8


@pytest.mark.parametrize("text", [
    "Pasienten sov godt og spiste frokost.",  # ordinary words
    "Medisindispenseren varslet, og fallsensoren ble testet.",  # terms with endings
    "Hun fikk Paracet og Albyl E.",  # terms as written
    "Ragnhild ringte Kolbjørn i går.",  # names not near any term
])
def test_ordinary_words_names_and_inflected_terms_are_left_alone(corrector, text):
    assert corrector.correct(text) == (text, [])


def test_an_ambiguous_near_miss_is_left_alone():
    both = TermCorrector(["Pinex", "Pinox"], orthography.any_norwegian_words())
    assert both.correct("Hun fikk Pinax.") == ("Hun fikk Pinax.", [])
    one = TermCorrector(["Pinex"], orthography.any_norwegian_words())
    assert one.correct("Hun fikk Pinax.")[0] == "Hun fikk Pinex."


def test_correct_clinical_text_is_never_rewritten():
    """The hand-written gold dictations spell every drug right: nothing may change."""
    corrector = TermCorrector(medical_terms(), orthography.any_norwegian_words())
    rewritten, words = [], 0
    for name in ("own.jsonl", "heldout.jsonl"):
        for line in (ROOT / "tests" / "fixtures" / "structuring" / name).read_text().splitlines():
            spoken = json.loads(line)["spoken"]
            words += len(spoken.split())
            rewritten += corrector.correct(spoken)[1]
    assert words > 500 and rewritten == []


def test_hotwords_fit_whisper_prompt_and_keep_the_order():
    terms = read_lexicon(LEXICON)
    words = hotwords(terms, "Dikta")
    assert words.startswith("Dikta, Paracet, Pinex, Marevan")
    assert len(words) <= HOTWORD_CHARS
    assert hotwords([], None) is None


def test_lexicon_file_comments_blanks_and_duplicates(tmp_path):
    path = tmp_path / "terms.txt"
    path.write_text("# drugs\nParacet\n\nparacet  # again\n  Pinex   forte \n")
    assert read_lexicon(path) == ("Paracet", "Pinex forte")
    with pytest.raises(ValueError, match="no lexicon file"):
        read_lexicon(tmp_path / "missing.txt")


class _RecordingModel(_FakeModel):
    def transcribe(self, audio, **kwargs):
        self.kwargs = kwargs
        return super().transcribe(audio, **kwargs)


def test_transcriber_sends_hotwords_and_corrects_segments():
    audio = Audio(np.full(SAMPLE_RATE_HZ, 0.1, dtype=np.float32), "wav", "pcm_s16le")
    model = _RecordingModel([" Hun fikk par akett og Marivan."])
    options = TranscriptionOptions(vad=None, lexicon=("Paracet", "Marevan"),
                                   lexicon_hotwords=True)
    assert Transcriber(model, options).transcribe(audio).text == "Hun fikk Paracet og Marevan."
    assert model.kwargs["hotwords"] == "Paracet, Marevan"
    plain = Transcriber(model, TranscriptionOptions(
        vad=None, lexicon=("Paracet",), lexicon_correction=False))  # hotwords off by default
    assert plain.transcribe(audio).text == "Hun fikk par akett og Marivan."
    assert model.kwargs["hotwords"] is None
