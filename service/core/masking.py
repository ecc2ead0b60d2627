"""National ID numbers masked in every text the service stores or returns.

Transcripts are masked as they leave the recogniser (segments and their words), so the
stored draft, the live stream and the OpenAI endpoint never carry an ID; responses pass
through `masked_json` again as a second line, because a nurse's edit or an older row may hold
one. No original is kept: nothing in Dikta needs the number (the EPJ identifies the patient).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from structuring.privacy import MASK, mask_national_ids


def masked_transcript(transcript):
    """The transcript with IDs masked in each segment's text and the words that spoke it."""
    segments = []
    for segment in transcript.segments:
        text = mask_national_ids(segment.text)
        if text == segment.text:
            segments.append(segment)
            continue
        words = tuple(replace(w, text=_masked_word(w.text)) for w in segment.words)
        segments.append(replace(segment, text=text, words=words))
    return replace(transcript, segments=tuple(segments))


def _masked_word(word: str) -> str:
    # Within a segment that spoke an ID, every digit group is part of it or near it.
    digits = sum(c.isdigit() for c in word)
    return word if not digits else (" " if word.startswith(" ") else "") + MASK[:digits]


def masked_json(value: Any) -> Any:
    """`value` (a note, a dict of texts) with IDs masked in every string."""
    if isinstance(value, str):
        return mask_national_ids(value)
    if isinstance(value, dict):
        return {k: masked_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked_json(v) for v in value]
    return value
