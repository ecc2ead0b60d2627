"""Text normalisation for scoring: a small callable, one commented step per line.

Basic for now (case, punctuation, whitespace); the evaluation harness extends it with
number words and spelling variants. Diacritics are kept: æ, ø and å are letters in Norwegian.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def basic_normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)  # one code point per letter (å, not a + ring)
    text = text.lower()  # Whisper's casing is not what we score
    text = _NOT_WORD.sub(" ", text)  # punctuation is scored separately, if at all
    return _SPACES.sub(" ", text).strip()


def wer(reference: str | list[str], hypothesis: str | list[str]) -> float:
    import jiwer

    return jiwer.wer(_norm_all(reference), _norm_all(hypothesis))


def cer(reference: str | list[str], hypothesis: str | list[str]) -> float:
    import jiwer

    return jiwer.cer(_norm_all(reference), _norm_all(hypothesis))


def _norm_all(text: str | list[str]) -> str | list[str]:
    return basic_normalize(text) if isinstance(text, str) else [basic_normalize(t) for t in text]
