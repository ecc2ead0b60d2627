"""Matching lexicon phrases in written Norwegian text: whole words, lower case, longest first."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from structuring.rules import load_rules


def alternation(words: Iterable[str]) -> str:
    """A regex alternative of the words as written, longest first (built once per list)."""
    return _alternation_of(tuple(words))


@lru_cache(maxsize=64)
def _alternation_of(words: tuple[str, ...]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


@lru_cache(maxsize=64)
def phrase_pattern(phrases: tuple[str, ...], prefix: bool = False) -> re.Pattern[str]:
    """One regex matching any phrase as whole words; `prefix` lets the last word run on."""
    body = _trie(sorted({p.lower() for p in phrases}))
    tail = r"[\wæøå-]*" if prefix else r"(?![\wæøå])"
    return re.compile(rf"(?<![\wæøå-])(?:{body}){tail}", re.IGNORECASE)


def _trie(phrases: list[str]) -> str:
    """The phrases as one regex trie. Same matches as "longest first" alternation (at each
    character the branches differ, and ending a phrase is tried after going on), but the
    regex engine takes one branch per character instead of trying every phrase at every
    position: matching the keyword lists was a fifth of the structuring time."""
    tree: dict = {}
    for phrase in phrases:
        node = tree
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(tree)


def _branches(node: dict) -> str:
    ends = "" in node
    parts = [re.escape(char) + _branches(child) for char, child in node.items() if char]
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 and not ends else "(?:" + "|".join(parts) + ")"
    return body + "?" if ends else body


def find_phrases(text: str, phrases: Iterable[str], prefix: bool = False
                 ) -> list[re.Match[str]]:
    return list(_pattern_of(phrases, prefix).finditer(text))


def has_phrase(text: str, phrases: Iterable[str], prefix: bool = False) -> bool:
    return _pattern_of(phrases, prefix).search(text) is not None


class IdentityCache:
    """What was derived from a long-lived rule object (a phrase list, a dict of commands),
    keyed by the object's identity: the rule files are loaded once and asked about for every
    sentence, and hashing a tuple of a few hundred phrases on each call cost more than the
    match itself. Each entry holds its object, so an id cannot be reused while cached; rule
    objects are never changed in place after loading. Callers that build a new object per
    call do not grow it past `limit`."""

    def __init__(self, limit: int = 512) -> None:
        self._items: dict[tuple, tuple[object, object]] = {}
        self._limit = limit

    def get(self, owner: object, *key: object) -> object | None:
        hit = self._items.get((id(owner), *key))
        return hit[1] if hit is not None and hit[0] is owner else None

    def put(self, owner: object, value: object, *key: object) -> None:
        if len(self._items) > self._limit:
            self._items.clear()
        self._items[(id(owner), *key)] = (owner, value)


_PATTERNS = IdentityCache()


def _pattern_of(phrases: Iterable[str], prefix: bool) -> re.Pattern[str]:
    if not isinstance(phrases, (list, tuple, frozenset)):
        return phrase_pattern(tuple(phrases), prefix)
    pattern = _PATTERNS.get(phrases, prefix)
    if pattern is None:
        pattern = phrase_pattern(tuple(phrases), prefix)
        _PATTERNS.put(phrases, pattern, prefix)
    return pattern


def as_heard(names: dict[str, str], not_heard_as: Iterable[str] = ()) -> dict[str, str]:
    """Drug names with the spellings an ASR writes for them as heard, as Norwegian writes
    the sound: "x" as "ks" ("Burineks", "Oksynorm"), "c" as "k" or "s", "ph" as "f"
    ("Glukofag", "Diklosil", "Dormikum"), a consonant after a short vowel doubled or a double
    one single ("Remmeron", "Humalogg", "Apocilin"), a silent final "e" dropped. A spelling
    two drugs share, or one of `not_heard_as` (ordinary words), is no drug."""
    heard: dict[str, str] = {}
    shared: set[str] = set()
    for name, generic in names.items():
        for spelling in _heard_spellings(name):
            if names.get(spelling, heard.get(spelling, generic)) != generic:
                shared.add(spelling)
            heard.setdefault(spelling, generic)
    excluded = shared | set(not_heard_as)
    return {**{k: v for k, v in heard.items() if k not in excluded}, **names}


@lru_cache(maxsize=1)
def drug_names_as_heard() -> dict[str, str]:
    """The medication rule file's names with their heard spellings, built once for both the
    spoken-form pass (self-corrections of a drug) and the entity pass."""
    rules = load_rules("medications")
    return as_heard(rules["names"], rules["not_heard_as"])


@lru_cache(maxsize=1)
def drug_written_forms() -> dict[str, str]:
    """Each one-word drug name and heard spelling → the name as a journal writes it: a brand
    as its maker does ('OxyNorm', 'Selo-Zok'; otherwise capitalised, 'Paracet' also for the
    heard 'paraset'), a substance in lower case ('metformin'), as the writers' gold does
    (Paracet 621 of 623, OxyNorm 151 of 162). A spelling two names share keeps its form."""
    rules = load_rules("medications")
    names, written = rules["names"], rules["written_forms"]

    def form(name: str) -> str:
        generic = names[name]
        if name in written:
            return written[name]
        # a substance, or a spelling of it ("morphine", "apixaban"), in lower case
        substance = generic == name or generic in _heard_spellings(name) or \
            name in _heard_spellings(generic)
        return name if substance else name.capitalize()

    heard = drug_names_as_heard()
    listed = {name: form(name) for name in names}
    out: dict[str, str] = {}
    shared: set[str] = set()
    for name, written_as in listed.items():
        # "selozok" for "selo-zok"; names listed as an ASR misspells them ("dufalak") too
        spellings = (_heard_spellings(name) | {name.replace("-", "")}) & heard.keys()
        for spelling in spellings - {name}:
            if out.setdefault(spelling, written_as) != written_as:
                shared.add(spelling)
    # a listed name is written as listed: respelt only where `written_forms` says
    return {**{k: v for k, v in out.items() if k not in shared}, **listed}


@lru_cache(maxsize=1)
def drug_definite_forms() -> dict[str, str]:
    """ "hadde satt Lantusen sjøl", "etter OxyNormen": each listed name of five letters or
    more in the definite form → the name (7 of 7 such words in the writers' gold are the
    drug; none is another Norwegian word)."""
    names = load_rules("medications")["names"]
    return {(name + "n" if name.endswith("e") else name + "en"): name
            for name in names if len(name) >= 5 and name.isalpha()}


def written_drug(word: str) -> str | None:
    """A drug name (lower case) as a journal writes it, in the definite form too ("OxyNormen");
    None for any other word."""
    forms = drug_written_forms()
    if word in forms:
        return forms[word]
    name = drug_definite_forms().get(word)
    return forms[name] + word[len(name):] if name else None


def drug_one_letter_off(word: str) -> str | None:
    """ "setralin", "eliqis", "fyrix" said right before a dose: the one drug name (or heard
    spelling) a letter away — one left out, added, changed or two swapped — or None where
    there is none, or several drugs are. Only for words of six letters or more, and not for
    `not_heard_as` (ordinary words)."""
    if len(word) < 6 or not word.isalpha() or word in _not_heard_as():
        return None
    forms = drug_written_forms()
    index = _names_by_deletion()
    candidates = set(index.get(word, ()))
    for variant in _deletions(word):
        candidates.update(index.get(variant, ()))
    near = {name for name in candidates if _one_letter_off(word, name)}
    generics = {drug_names_as_heard()[name] for name in near}
    return min(near, key=lambda name: (forms[name], name)) if len(generics) == 1 else None


LONG_NAME_APART = 8  # letters a joined name needs to be read a letter off a drug name


def drug_said_apart(first: str, second: str) -> str | None:
    """ "So mac førti milligram", "med formin fem hundre milligram": two words said right
    before a dose that together are a drug name, or one a letter off (eight letters or more),
    where neither is a drug alone; the name (a key of `drug_written_forms`) or None. Left
    apart, the dose went to the drug named before it ("Albyl-E 75 mg, So mac 40 mg" gave
    acetylsalisylsyre 40 mg)."""
    if not (first.isalpha() and second.isalpha()) or written_drug(first) or written_drug(second):
        return None
    said = first + second
    if said in drug_written_forms():
        return said
    # a letter off only for long names: "han tok" is a letter off "pantok"
    return drug_one_letter_off(said) if len(said) >= LONG_NAME_APART else None


@lru_cache(maxsize=1)
def _not_heard_as() -> frozenset[str]:
    return frozenset(load_rules("medications")["not_heard_as"])


@lru_cache(maxsize=1)
def _names_by_deletion() -> dict[str, tuple[str, ...]]:
    """Each drug name (five letters or more) under itself and under every spelling with one of
    its letters left out. A word a letter off a name shares a key with it: the word itself
    (a letter left out), one of its own deletions (a letter added, or changed or two
    swapped), so only those few names are compared instead of every name of about its length
    (6 ms a word before)."""
    out: dict[str, list[str]] = {}
    for name in drug_written_forms():
        if name.isalpha() and len(name) >= 5:
            for key in {name, *_deletions(name)}:
                out.setdefault(key, []).append(name)
    return {key: tuple(names) for key, names in out.items()}


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_letter_off(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and
                                  a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


_VOWELS = frozenset("aeiouyæøå")

# How Norwegian writes a letter's sound; an ASR may write some of them and keep others
# ("Sipralex": the "c" as heard, the "x" as written).
_SOUNDS = ((r"ck", "k"), (r"ph", "f"), (r"qu", "kv"), (r"qu", "qv"), (r"th", "t"), (r"^x", "s"),
           (r"c(?=[eiy])", "s"), (r"c(?![eiy])", "k"), (r"z", "s"), (r"x", "ks"),
           (r"(?<=[aeiouy])d$", "t"),  # "Selexit": a final d after a vowel heard as t
           (r"ou", "u"))  # "Tujeo": a French ou is a Norwegian u


def _sounded(name: str, every: bool = False) -> set[str]:
    """The spellings of `name` with any of `_SOUNDS` written as heard (with `every`, only
    the one with all of them)."""
    spellings = {name}
    for pattern, sound in _SOUNDS:
        changed = {re.sub(pattern, sound, s) for s in spellings}
        spellings = changed if every else spellings | changed
    return spellings


@lru_cache(maxsize=None)
def _heard_spellings(name: str) -> frozenset[str]:
    if len(name) < 5:
        return frozenset()
    sounded = _sounded(name)
    written = _sounded(name, every=True).pop()
    out = {name, *sounded}
    if not name.isalpha():  # "pinex forte", "selo-zok": the sounds only
        return frozenset(out - {name})
    for base in (name, written):
        # a Norwegian "o" is often said [u], and the ASR writes either letter for either
        # sound ("lantos", "robinol", "madupar", "imuvane")
        out |= {base.replace(a, b) for a, b in (("o", "u"), ("u", "o")) if a in base}
        for i in range(1, len(base)):
            if base[i] in _VOWELS:
                continue
            if base[i] == base[i - 1]:
                out.add(base[:i] + base[i + 1:])  # "apocilin"
            elif base[i - 1] in _VOWELS and (i + 1 == len(base) or base[i + 1] in _VOWELS):
                out.add(base[:i + 1] + base[i:])  # "remmeron", "humalogg"
        if base.endswith("e") and len(base) >= 7:
            out.add(base[:-1])  # "glukofag"
        elif base.endswith(("in", "on", "id", "ol")) and len(base) >= 7:
            out.add(base + "e")  # "amlodipine", "kaleoride": the English spelling
    return frozenset(out - {name})
