"""Welfare-technology events: which device reported what, when, what staff did, false alarm.

A sentence naming a technology opens an event; the sentences after it in the same paragraph
(until another technology is named) tell the response and whether the alarm was false. Each
event becomes its own documentation entry with the national VKP alert code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from structuring.lexicon import find_phrases, has_phrase
from structuring.rules import load_rules

_TIME = re.compile(r"\bkl\. (\d{2})\.(\d{2})\b", re.IGNORECASE)


@dataclass
class EventDraft:
    technology: str
    sentences: list[int] = field(default_factory=list)


def _rules() -> dict:
    return load_rules("welfare_technology")


def technology_in(text: str) -> str | None:
    """The technology a sentence names first, if any."""
    best: tuple[int, str] | None = None
    for name, tech in _rules()["technologies"].items():
        for match in find_phrases(text, tech["triggers"], prefix=True):
            if best is None or match.start() < best[0]:
                best = (match.start(), name)
    return best[1] if best else None


def group_events(sentences: list[str], paragraphs: list[int],
                 headings: list[str | None] | None = None) -> list[EventDraft]:
    """Events in order; an event ends with its paragraph (or line) or at a new heading."""
    headings = headings or [None] * len(sentences)
    drafts: list[EventDraft] = []
    current: EventDraft | None = None
    for i, text in enumerate(sentences):
        tech = technology_in(text)
        if current is not None and (paragraphs[i] != paragraphs[current.sentences[-1]] or
                                    headings[i] != headings[current.sentences[0]]):
            current = None
        if tech is not None and (current is None or current.technology != tech):
            current = EventDraft(tech)
            drafts.append(current)
        if current is not None:
            current.sentences.append(i)
    return drafts


def describe(draft: EventDraft, sentences: list[str]) -> dict:
    rules = _rules()
    tech = rules["technologies"][draft.technology]
    texts = [sentences[i] for i in draft.sentences]
    joined = " ".join(texts)
    event = next((name for name, cues in tech["events"].items()
                  if cues and has_phrase(joined, cues)), tech["default_event"])
    return {
        "technology": draft.technology,
        "event": event,
        "time": _event_time(texts),
        "response": tuple(name for name, cues in rules["responses"].items()
                          if has_phrase(joined, cues)),
        "false_alarm": has_phrase(joined, rules["false_alarm_cues"]),
        "vkp_code": tech["vkp_codes"].get(event),
        "sentences": tuple(draft.sentences),
    }


def _event_time(texts: list[str]) -> str | None:
    for text in texts:
        match = _TIME.search(text)
        if match:
            return f"{match.group(1)}:{match.group(2)}"
    return None

