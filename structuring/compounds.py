"""Compounds an ASR wrote as two words ("trygghets alarmen", "dør sensoren", "e låsen").

Norwegian writes compounds as one word; speech recognisers often split them, and then the
device, symptom or time cue they name goes unseen by every later rule. Two neighbouring
words are joined only when the joined word is a device name or alarm word the rule files
already know, or a care word listed in `spoken_forms.json` `compounds`, so ordinary word
pairs stay as they were said.
"""

from __future__ import annotations

from functools import lru_cache

from structuring.lexicon import drug_names_as_heard
from structuring.rules import load_rules

# Endings a known word may take once joined ("medisindispenser" + "en").
_ENDINGS = ("en", "et", "a", "ene", "ane", "er", "ar", "")


@lru_cache(maxsize=1)
def known_compounds() -> frozenset[str]:
    """The words a split compound may be joined into, as written ('e-lås'): every device
    name and alarm word, and the care words listed in `spoken_forms.json`. Symptoms, places
    and time cues are left out on purpose: 'raud men', 'under armen' are ordinary words."""
    care = load_rules("spoken_forms")["compounds"]
    return _device_words() | frozenset(w.lower() for w in care if " " not in w.strip())


@lru_cache(maxsize=1)
def _device_words() -> frozenset[str]:
    """Device names and alarm words, one word each ('døralarm', 'sengesensoren', 'e-lås')."""
    welfare = load_rules("welfare_technology")
    words = set(welfare["alarm_words"])
    for technology in welfare["technologies"].values():
        words |= set(technology["triggers"])
    return frozenset(w.lower() for w in words if " " not in w.strip())


def unhyphenated(word: str) -> str | None:
    """ "dør-alarmen" → "døralarmen": a device written with a hyphen an ASR put in, which
    goes unseen as it does said apart. Only devices: "Norspan-plasteret" and "Albyl-E"
    are written so."""
    first, _, second = word.partition("-")
    compound = joined(first, second) if "-" not in second else None
    if compound is None or "-" in compound:
        return None
    lower = compound.lower()
    stems = [lower[:len(lower) - len(e)] for e in _ENDINGS if lower.endswith(e)]
    return compound if _device_words().intersection(stems) else None


@lru_cache(maxsize=1)
def _unhyphenated() -> frozenset[str]:
    return frozenset(w.replace("-", "") for w in known_compounds())


@lru_cache(maxsize=1)
def _hyphen_prefixes() -> frozenset[str]:
    """First parts written with a hyphen ('e-lås', 'gps-klokke'), and any single letter."""
    return frozenset(w.split("-")[0] for w in known_compounds() if "-" in w) | set(
        "abcdefghijklmnopqrstuvwxyzæøå")


@lru_cache(maxsize=1)
def _drug_names() -> dict[str, str]:
    """Drug names of six letters or more, with the spellings an ASR writes for them as
    heard ('paraset' for Paracet), each with its substance: an ASR splits a brand it does
    not know ('robin ul', 'lipi tor', 'para set') and the drug goes unseen."""
    # Hyphenated brands said apart ("Albyl E") are read as they are (`entities._drug_names`).
    return {n: generic for n, generic in drug_names_as_heard().items()
            if len(n) >= 6 and not set(n) & set(" -")}


# A determiner that never stands before a definite noun: "ikke noe fall sensoren er
# tilbakestilt" is "ikke noe fall. Sensoren …", not "noe fallsensoren" (not "kvar": in
# nynorsk also "where", "veit ikkje kvar dør sensoren er").
_INDEFINITE_BEFORE = frozenset({"noe", "noen", "noko", "nokon", "ingen", "inga",
                                "en", "ei", "et", "ein", "eit", "hver"})
_DEFINITE = ("en", "et", "a", "ene", "ane")


def joined(first: str, second: str, before: str = "") -> str | None:
    """The compound two words said apart make, or None when they are two words (also when
    the word `before` them is a determiner and the compound would be definite)."""
    if first.isalpha() and second.isalpha() and (first + second).lower() in _drug_names():
        name = (first + second).lower()
        # A brand is a name and written with a capital ('Lipitor'); a substance is not.
        return name.capitalize() if _drug_names()[name] != name else name
    if not (first.isalpha() and second.isalpha()) or len(second) < 4:
        return None  # 'la det' is no 'ladet'
    lower = (first + second).lower()
    endings = [e for e in _ENDINGS
               if lower.endswith(e) and lower[:len(lower) - len(e)] in _unhyphenated()]
    if not endings or before.lower() in _INDEFINITE_BEFORE and endings[0] in _DEFINITE:
        return None
    # 'e låsen' → 'e-låsen', 'gps klokka' → 'gps-klokka'
    return f"{first}-{second}" if first.lower() in _hyphen_prefixes() else first + second
