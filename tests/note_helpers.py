"""What the structuring tests read off a note: its clock times, alarms, findings and drugs."""

from __future__ import annotations

from structuring import finding_filter
from structuring.note import StructuredNote
from structuring.pipeline import structure


def times(note: StructuredNote) -> list[str]:
    return [e.value for e in note.entities if e.type == "time"]


def alarms(note: StructuredNote) -> list[tuple[str, str, str | None]]:
    return [(e.technology, e.event, e.time) for e in note.events]


def spoken_times(spoken: str) -> list[str]:
    """The clock times of the note a dictation gives."""
    return times(structure(spoken))


def spoken_alarms(spoken: str) -> list[tuple[str, str, str | None]]:
    """The (technology, event, time) of each alarm of the note a dictation gives."""
    return alarms(structure(spoken))


def findings(spoken: str) -> set[tuple[str, bool]]:
    """The findings the rules find (the finding filter, a statistical model tested on its own
    in tests/test_finding_filter.py, would leave some out)."""
    with finding_filter.disabled():
        return {(e.value, bool(e.negated)) for e in structure(spoken).entities
                if e.type == "finding"}


def medications(spoken: str) -> list[tuple[str, str | None]]:
    return [(e.value, e.dose) for e in structure(spoken).entities if e.type == "medication"]


def values(spoken: str, kind: str) -> list[str]:
    """The values of one type of entity ("fluid_intake", "pain_score") in a dictation's note."""
    return [e.value for e in structure(spoken).entities if e.type == kind]
