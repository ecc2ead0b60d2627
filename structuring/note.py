"""The structured note: what a dictation becomes, ready for the EPJ (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SCHEMA_VERSION = "1.1"  # 1.1: sentence confidence and review (issue 15)


@dataclass(frozen=True)
class NoteSentence:
    text: str
    section: str
    paragraph: int = 0
    confidence: float = 1.0  # how sure the section (and any clock time) is, 0–1
    review: bool = False  # the nurse should check this sentence (section or time unsure)


@dataclass(frozen=True)
class ClinicalEntity:
    """A clinically relevant value: vital, medication, finding, time … (see FORMAT.md)."""

    type: str
    value: str
    sentence: int  # index into StructuredNote.sentences
    dose: str | None = None  # medication only: "500 mg", "2 tabletter"
    route: str | None = None  # medication only: "po", "sc", "iv"
    negated: bool | None = None  # finding only
    brand: str | None = None  # medication only: the name as said ("Paracet")


@dataclass(frozen=True)
class WelfareTechEvent:
    """One welfare-technology event documented in the dictation, its own journal entry."""

    technology: str  # e.g. "medisindispenser"
    event: str  # e.g. "dose_ikke_tatt"
    time: str | None  # "HH:MM" or None when not said
    response: tuple[str, ...] = ()
    false_alarm: bool = False
    vkp_code: str | None = None  # national VKP alert code
    sentences: tuple[int, ...] = ()
    alarm_id: str | None = None  # schema 1.2: the received alarm this event documents


@dataclass(frozen=True)
class StructuredNote:
    sentences: tuple[NoteSentence, ...]
    entities: tuple[ClinicalEntity, ...]
    events: tuple[WelfareTechEvent, ...]
    template: str = "funksjonsomrader"
    language: str = "nb"
    schema_version: str = SCHEMA_VERSION
    warnings: tuple[str, ...] = field(default=())
    links: tuple[dict, ...] = field(default=())
    """Schema 1.2: alarms linked to this dictation (proposed or settled), set by the service."""

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @classmethod
    def from_dict(cls, data: dict) -> StructuredNote:
        """The inverse of to_dict (e.g. a note stored as JSON)."""
        return cls(
            sentences=tuple(NoteSentence(**s) for s in data["sentences"]),
            entities=tuple(ClinicalEntity(**e) for e in data["entities"]),
            events=tuple(WelfareTechEvent(**{**e, "response": tuple(e["response"]),
                                               "sentences": tuple(e["sentences"])})
                         for e in data["events"]),
            template=data.get("template", "funksjonsomrader"),
            language=data.get("language", "nb"),
            schema_version=data.get("schema_version", SCHEMA_VERSION),
            warnings=tuple(data.get("warnings", ())),
            links=tuple(data.get("links", ())),
        )

    def to_dict(self) -> dict:
        """Plain JSON-ready data (lists, not tuples), in the shape of the JSON Schema."""
        data = _lists(asdict(self))
        for entity in data["entities"]:
            for key in ("dose", "route", "negated", "brand"):
                if entity[key] is None:
                    del entity[key]
        for event in data["events"]:  # 1.2 fields only where the service set them
            if event["alarm_id"] is None:
                del event["alarm_id"]
        if not data["links"]:
            del data["links"]
        return data


def _lists(value):
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value
