"""File each sentence under a journal section (funksjonsområde, or ISBAR for handovers).

Keywords come from `data/sections.json`. A sentence takes the section with the most keyword
hits, helped by what was found in it (a dose → legemidler, a vital sign → respirasjon …);
a sentence with no hit continues the topic of the sentence before it in the same paragraph,
and the first one falls back to `annet` — nothing is ever dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from structuring.lexicon import find_phrases
from structuring.rules import load_rules

# What an entity or event found in a sentence says about its section (funksjonsområder).
ENTITY_HINTS = {
    "medication": ("legemidler", 3.0),
    "vital.blood_pressure": ("respirasjon_sirkulasjon", 2.0),
    "vital.pulse": ("respirasjon_sirkulasjon", 2.0),
    "vital.temperature": ("respirasjon_sirkulasjon", 2.0),
    "vital.spo2": ("respirasjon_sirkulasjon", 2.0),
    "vital.respiratory_rate": ("respirasjon_sirkulasjon", 2.0),
    "vital.blood_glucose": ("ernaering_vaeske", 2.0),
    "vital.weight": ("ernaering_vaeske", 1.0),
    "fluid_intake": ("ernaering_vaeske", 2.0),
    "pain_score": ("smerte_sovn_velvaere", 2.0),
    "event": ("velferdsteknologi", 3.0),
    "event_followup": ("velferdsteknologi", 1.5),
}


@dataclass(frozen=True)
class SectionInfo:
    key: str
    title: str
    title_nn: str
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]


def template(name: str | None = None) -> list[SectionInfo]:
    rules = _rules()
    name = name or rules["default_template"]
    if name not in rules["templates"]:
        raise ValueError(f"unknown section template '{name}' "
                         f"(choose from {', '.join(rules['templates'])})")
    return [SectionInfo(s["key"], s["title"], s.get("title_nn", s["title"]),
                        tuple(s["aliases"]), tuple(s["keywords"]))
            for s in rules["templates"][name]]


def fallback_section() -> str:
    return _rules()["fallback_section"]


def _rules() -> dict:
    return load_rules("sections", required=("default_template", "fallback_section", "templates"))


def score_sentence(text: str, sections: list[SectionInfo], hints: list[str]) -> dict[str, float]:
    padded = f" {text.lower()} "
    scores: dict[str, float] = {}
    for section in sections:
        # A keyword written with a trailing space is a whole word ("gå "), others are stems.
        words = [k.strip() for k in section.keywords if k.endswith(" ")]
        stems = [k for k in section.keywords if not k.endswith(" ")]
        hits = (find_phrases(padded, words) if words else []) + \
            (find_phrases(padded, stems, prefix=True) if stems else [])
        # A hit on a longer phrase ("urolig natt") says more than one on a single word.
        scores[section.key] = float(sum(len(h.group().split()) for h in hits))
    keys = {s.key for s in sections}
    for hint in hints:
        key, weight = ENTITY_HINTS.get(hint, (None, 0.0))
        if key in keys:
            scores[key] += weight
    return scores


def assign_sections(texts: list[str], headings: list[str | None], paragraphs: list[int],
                    hints: list[list[str]], template_name: str | None = None) -> list[str]:
    sections = template(template_name)
    keys = {s.key for s in sections}
    fallback = fallback_section() if fallback_section() in keys else sections[-1].key
    assigned: list[str] = []
    for i, text in enumerate(texts):
        if headings[i] in keys:
            assigned.append(headings[i])
            continue
        scores = score_sentence(text, sections, hints[i])
        best = max(scores, key=lambda k: scores[k])
        if scores[best] > 0:
            assigned.append(best)
        elif i > 0 and paragraphs[i] == paragraphs[i - 1]:
            assigned.append(assigned[-1])
        else:
            assigned.append(fallback)
    return assigned
