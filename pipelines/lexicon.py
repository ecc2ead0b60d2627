"""A tenant's own vocabulary (drug names, local places, staff words) in decoding and after it.

Two steps, both without training:
1. *Biasing* (opt-in): the terms go to Whisper as hotwords, so decoding leans towards them.
   It raises term recall a lot, but on poorly heard audio Whisper continues the list and
   writes terms nobody said, so it is off unless the operator turns it on.
2. *Near-miss correction* (always, where a lexicon is set): a word (or two or three words run together: "par akett") that is
   not a Norwegian word and sounds almost like exactly one lexicon term is rewritten to it.
   "Sounds like" is edit distance between phonetic keys (`data/lexicon_matching.json`); a
   rewrite needs a close match *and* a clear margin over the next-best term, so ordinary
   words and ambiguous mishearings are left as Whisper wrote them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rapidfuzz.distance import Levenshtein

# Whisper's prompt holds at most 223 tokens; Norwegian drug names take 2–4 tokens each.
HOTWORD_CHARS = 600
_WORD = re.compile(r"[A-Za-zÆØÅæøåÉéÖöÄäÜü]+(?:-[A-Za-zÆØÅæøå]+)*")


def read_lexicon(path: Path) -> tuple[str, ...]:
    """Terms from a text file, one per line, `#` comments; first lines go first to decoding."""
    if not path.is_file():
        raise ValueError(f"no lexicon file: {path}")
    return _read_lexicon(path.resolve(), path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _read_lexicon(path: Path, _mtime_ns: int) -> tuple[str, ...]:
    # Read again only when the file changes: the service-wide lexicon is read per dictation.
    lines = path.read_text("utf-8").splitlines()
    return clean_terms(line.split("#", 1)[0] for line in lines)


def clean_terms(terms: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for term in terms:
        term = " ".join(term.split())
        if len(term) >= 2 and term.lower() not in seen:
            seen[term.lower()] = term
    return tuple(seen.values())


def hotwords(terms: Sequence[str], base: str | None = None) -> str | None:
    """The hotword string for Whisper: the configured hotwords, then terms while they fit."""
    parts = [base] if base else []
    used = len(base or "")
    for term in terms:
        if used + len(term) + 2 > HOTWORD_CHARS:
            break
        parts.append(term)
        used += len(term) + 2
    return ", ".join(parts) or None


@lru_cache(maxsize=1)
def _matching() -> dict:
    return json.loads(resources.files("pipelines").joinpath(
        "data/lexicon_matching.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _phonetic_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p), r) for p, r in _matching()["phonetic_rules"])


_DOUBLE = re.compile(r"([^aeiouyæøå])\1+")


def phonetic_key(text: str) -> str:
    key = re.sub(r"[^\wæøå]", "", text.lower())
    for pattern, replacement in _phonetic_rules():
        key = pattern.sub(replacement, key)
    return _DOUBLE.sub(r"\1", key)


@dataclass(frozen=True)
class TermCorrection:
    heard: str
    term: str
    similarity: float


@dataclass(frozen=True)
class _Term:
    written: str
    key: str


class TermCorrector:
    """Rewrites near misses of lexicon terms; see the module docstring for the rule."""

    def __init__(self, terms: Sequence[str], known_words: frozenset[str], *,
                 min_similarity: float = 0.8, margin: float = 0.1, max_words: int = 3,
                 min_chars: int = 5) -> None:
        self.terms = [_Term(t, phonetic_key(t)) for t in clean_terms(terms)]
        self.exact = {_plain(t.written) for t in self.terms}
        self.exact_words = {w for t in self.exact for w in t.split()}
        self.known = known_words
        self.min_similarity, self.margin = min_similarity, margin
        self.max_words, self.min_chars = max_words, min_chars

    def correct(self, text: str) -> tuple[str, list[TermCorrection]]:
        if not self.known or not self.terms:
            return text, []  # without a word list no word can be shown to be a near miss
        words = list(_WORD.finditer(text))
        out, done, position, i = [], [], 0, 0
        while i < len(words):
            found = self._best_span(text, words, i)
            if found is None:
                i += 1
                continue
            n, match = found
            start, end = words[i].start(), words[i + n - 1].end()
            heard = text[start:end]
            out.append(text[position:start] + _cased(match.term, heard))
            done.append(TermCorrection(heard, match.term, match.similarity))
            position, i = end, i + n
        return "".join(out) + text[position:], done

    def _best_span(self, text: str, words: list[re.Match[str]], i: int
                   ) -> tuple[int, TermCorrection] | None:
        """The closest match starting at word i over one to `max_words` words."""
        best = None
        for n in range(1, min(self.max_words, len(words) - i) + 1):
            span = words[i:i + n]
            if span[-1].group().lower() in self.exact_words:
                break  # a word that is (part of) a term as written is never rewritten
            match = self._match([w.group() for w in span]) if self._adjacent(text, span) \
                else None
            if match and (best is None or match.similarity > best[1].similarity):
                best = (n, match)
        return best

    def _inflected(self, joined: str, term: _Term) -> bool:
        """"fallsensoren", "metninga", "insulinpenn": the term with an ending or as the
        first part of a compound is that term already."""
        stem = _plain(term.written).replace(" ", "")
        if not joined.startswith(stem) or joined == stem:
            return False
        rest = joined[len(stem):]
        return rest in _matching()["endings"] or rest in self.known

    @staticmethod
    def _adjacent(text: str, span: list[re.Match[str]]) -> bool:
        # Words of one mishearing are separated by spaces only, never by punctuation.
        return all(text[a.end():b.start()].isspace() for a, b in zip(span, span[1:]))

    def _match(self, heard: list[str]) -> TermCorrection | None:
        phrase = _plain(" ".join(heard))
        joined = phrase.replace(" ", "")
        if phrase in self.exact or len(joined) < self.min_chars:
            return None
        # A known word is an ordinary word; words run together need an unknown one among them.
        if all(w.lower() in self.known for w in heard):
            return None
        key = phonetic_key(phrase)
        if any(self._inflected(joined, t) for t in self.terms):
            return None
        candidates = [t for t in self.terms if abs(len(t.key) - len(key)) <= 3]
        scored = sorted(((Levenshtein.normalized_similarity(key, t.key), t)
                         for t in candidates),
                        key=lambda pair: -pair[0])
        if not scored or scored[0][0] < self.min_similarity:
            return None
        best, term = scored[0]
        runner_up = next((s for s, t in scored[1:] if t.key != term.key), 0.0)
        if best - runner_up < self.margin:
            return None
        return TermCorrection(phrase, term.written, round(best, 3))


@lru_cache(maxsize=32)
def corrector_for(terms: tuple[str, ...]) -> TermCorrector:
    """One corrector per lexicon, built once: every dictation of a tenant uses the same."""
    from pipelines.orthography import any_norwegian_words

    return TermCorrector(terms, any_norwegian_words())


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[-\s]+", " ", text.lower()).split())


def _cased(term: str, heard: str) -> str:
    if term.islower() and heard[:1].isupper():
        return term[0].upper() + term[1:]
    return term
