"""The scoring normaliser, specified by a table."""

from __future__ import annotations

import pytest

from evaluation.normalize import NorwegianNormalizer, basic_normalize


@pytest.mark.parametrize("text, expected", [
    ("Blodtrykk 140/90, puls 76.", "blodtrykk hundre og førti nitti puls syttiseks"),
    ("Temperatur 38,5", "temperatur trettiåtte komma fem"),
    ("kl. 08.30", "klokka åtte tretti"),
    ("klokka 14:00", "klokka fjorten"),
    ("Klokken sju", "klokka sju"),
    ("syv tabletter", "sju tabletter"),
    ("Ærlig, østlandsk: å!", "ærlig østlandsk å"),
    ("Han fekk 2 tabletter", "han fekk to tabletter"),
])
def test_norwegian_normalizer(text, expected):
    assert NorwegianNormalizer()(text) == expected


def test_nynorsk_folding_is_optional():
    assert NorwegianNormalizer()("Eg har ikkje") == "eg har ikkje"
    assert NorwegianNormalizer(fold_nynorsk=True)("Eg har ikkje") == "jeg har ikke"


def test_basic_normalize_keeps_diacritics():
    assert basic_normalize("Å, Ø og Æ.") == "å ø og æ"
