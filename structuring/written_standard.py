"""Notes in the tenant's written standard (språkloven): bokmål or nynorsk, via Apertium.

The structuring rules are written in bokmål, so a note is always structured in bokmål and
then translated sentence by sentence with Debian's `apertium-nno-nob` (rule-based, offline,
deterministic). Unknown words — names, drugs, dialect forms — pass through unchanged.
Entity values stay in their canonical form: they are codes for the EPJ, not prose.
A note that cannot be translated (Apertium missing or failing) stays in bokmål with a
warning; the nurse still gets her note.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from structuring.errors import DiktaError
from structuring.note import StructuredNote
from structuring.rules import load_rules

# Written standard → (language code, Apertium mode from bokmål). "nynorsk" is the
# e-infinitive most municipalities write today; "nynorsk-a" the a-infinitive.
STANDARDS: dict[str, tuple[str, str | None]] = {
    "bokmaal": ("nb", None),
    "nynorsk": ("nn", "nob-nno_e"),
    "nynorsk-a": ("nn", "nob-nno"),
}
TO_BOKMAAL = "nno-nob"
MODES_DIR = Path("/usr/share/apertium/modes")


class TranslationError(DiktaError, RuntimeError):
    """Apertium is missing or did not give one line back for each line sent."""


def check_standard(standard: str) -> str:
    if standard not in STANDARDS:
        raise ValueError(f"unknown written standard '{standard}' "
                         f"(choose from {', '.join(STANDARDS)})")
    return standard


def available(mode: str) -> bool:
    return shutil.which("apertium") is not None and (MODES_DIR / f"{mode}.mode").is_file()


def translate_lines(lines: list[str], mode: str, keep: frozenset[str] = frozenset(),
                    timeout_s: float = 60.0) -> list[str]:
    """Translate each line on its own (one Apertium run); words in `keep` pass unchanged."""
    if not available(mode):
        raise TranslationError(f"Apertium mode '{mode}' is not installed "
                               "(Debian package apertium-nno-nob)")
    # One sentence per line; a stray newline inside a sentence would shift every line after.
    flat = [" ".join(line.split()) for line in lines]
    filled = [line for line in flat if line]
    if not filled:
        return flat
    kept: list[str] = []
    masked = [_mask(line, keep, kept) for line in filled]
    try:
        done = subprocess.run(["apertium", "-u", "-f", "html", mode],
                              input="\n".join(masked) + "\n", capture_output=True,
                              text=True, timeout=timeout_s, check=True)
    except (subprocess.SubprocessError, OSError) as exc:
        raise TranslationError(f"Apertium {mode} failed ({type(exc).__name__})") from exc
    out = done.stdout.strip("\n").split("\n")
    if len(out) != len(filled):
        raise TranslationError(f"Apertium {mode} returned {len(out)} lines for {len(filled)}")
    translated = iter(_unmask(line, kept) for line in out)
    return [next(translated) if line else "" for line in flat]


# Kept words travel as empty HTML tags, which Apertium passes through untouched.
_KEPT_TAG = re.compile(r'<w n="(\d+)"\s*(?:/>|>\s*</w>)')
_TOKEN = re.compile(r"[\wÆØÅæøå]+|[^\w\s]+|\s+")


def _mask(line: str, keep: frozenset[str], kept: list[str]) -> str:
    parts = []
    for token in _TOKEN.findall(line):
        if token.lower() in keep:
            kept.append(token)
            parts.append(f'<w n="{len(kept) - 1}"/>')
        else:
            parts.append(html.escape(token, quote=False))
    return "".join(parts)


def _unmask(line: str, kept: list[str]) -> str:
    return html.unescape(_KEPT_TAG.sub(lambda m: kept[int(m.group(1))], line)).strip()


@lru_cache(maxsize=1)
def spoken_data_words() -> frozenset[str]:
    """Numbers, units and clock words as nurses say them: Apertium would read some of them
    as other words ("åtte" as a verb), and the spoken-form rules know both standards."""
    forms = load_rules("spoken_forms")
    articles = set(forms["articles_as_one"])  # "ein tablett" should become "en tablett"
    words = {w for w in forms["numbers"] if w not in articles} | set(forms["tens"])
    words |= set(forms["units"])  # "gram" would become "gramme"
    words |= set(forms["hundred"]) | set(forms["thousand"])
    for key in ("clock_words", "half", "quarter"):
        words |= {w for w in forms["time"].get(key, ()) if w.isalpha()}
    return frozenset(w.lower() for w in words)


def to_bokmaal(text: str) -> str:
    """Nynorsk dictation text → bokmål, so the bokmål structuring rules can read it."""
    try:
        return "\n".join(translate_lines(text.split("\n"), TO_BOKMAAL, spoken_data_words()))
    except TranslationError:
        return text  # the rules still find numbers, drugs and many shared words


def in_written_standard(note: StructuredNote, standard: str) -> StructuredNote:
    """The note with its sentences in `standard`; unchanged for bokmål."""
    language, mode = STANDARDS[check_standard(standard)]
    if mode is None:
        return replace(note, language=language)
    try:
        texts = translate_lines([s.text for s in note.sentences], mode)
    except TranslationError as exc:
        return replace(note, language="nb",
                       warnings=note.warnings + (f"nynorsk unavailable, note in bokmål: {exc}",))
    sentences = tuple(replace(s, text=text) for text, s in zip(texts, note.sentences))
    return replace(note, sentences=sentences, language=language)


def write_note(text: str, *, template: str | None = None, language: str = "nb",
               standard: str | None = None, recorded_at=None) -> StructuredNote:
    """Structure `text` (written in `language`) into a note in `standard`.

    No standard: the note keeps the dictation's language (a nynorsk dictation gives a
    nynorsk note), as a language-neutral municipality would have it.
    """
    from structuring.pipeline import structure

    target = standard or ("nynorsk" if language == "nn" else "bokmaal")
    bokmaal = to_bokmaal(text) if language == "nn" else text
    return in_written_standard(structure(bokmaal, template=template, language="nb",
                                         recorded_at=recorded_at), target)
