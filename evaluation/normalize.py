"""Text normalisation for scoring: small callables, one commented step per line.

`basic_normalize` only removes case and punctuation. `NorwegianNormalizer` also writes
numbers as words (38,5 → trettiåtte komma fem) and folds legal spelling variants
(data/spelling_variants.json), optionally bokmål/nynorsk pairs. Diacritics are kept: æ, ø and
å are letters in Norwegian (Whisper's BasicTextNormalizer would strip them).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_NOT_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:,\d+)?")
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])[.:]([0-5]\d)\b")


def basic_normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)  # one code point per letter (å, not a + ring)
    text = text.lower()  # Whisper's casing is not what we score
    text = _NOT_WORD.sub(" ", text)  # punctuation is scored separately, if at all
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1)
def _variants() -> dict:
    return json.loads(resources.files("evaluation").joinpath(
        "data/spelling_variants.json").read_text("utf-8"))


def _number_words(match: re.Match[str]) -> str:
    from num2words import num2words

    whole, _, decimals = match.group().replace(".", ",").partition(",")
    words = num2words(int(whole), lang="no")
    if decimals:  # decimals are read digit by digit after "komma"
        words += " komma " + " ".join(num2words(int(d), lang="no") for d in decimals)
    return f" {words} "


@dataclass(frozen=True)
class NorwegianNormalizer:
    fold_nynorsk: bool = False

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text).lower()
        text = text.replace("kl.", "klokka ")  # the written abbreviation is read out
        text = _CLOCK.sub(lambda m: f"{int(m.group(1))} {int(m.group(2)) or ''}", text)
        text = _NUMBER.sub(_number_words, text)  # 38,5 → trettiåtte komma fem
        text = _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip()
        table = dict(_variants()["variants"])
        if self.fold_nynorsk:
            table.update(_variants()["nynorsk"])
        return _fold(text, table)


def _fold(text: str, table: dict[str, str]) -> str:
    # Multi-word variants first ("en hundre"), then single words.
    for phrase in sorted((p for p in table if " " in p), key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", table[phrase], text)
    return " ".join(table.get(word, word) for word in text.split())


def wer(reference: str | list[str], hypothesis: str | list[str], normalizer=basic_normalize
        ) -> float:
    import jiwer

    return jiwer.wer(_norm_all(reference, normalizer), _norm_all(hypothesis, normalizer))


def cer(reference: str | list[str], hypothesis: str | list[str], normalizer=basic_normalize
        ) -> float:
    import jiwer

    return jiwer.cer(_norm_all(reference, normalizer), _norm_all(hypothesis, normalizer))


def _norm_all(text: str | list[str], normalizer) -> str | list[str]:
    return normalizer(text) if isinstance(text, str) else [normalizer(t) for t in text]
