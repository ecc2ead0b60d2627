"""One welfare-technology alarm as received, shared by the parser (`structuring/vkp.py`)
and the document that documents it (`structuring/vkp_document.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AlarmInput:
    """One alarm as received, before it is stored for a tenant.

    `resources` holds the original FHIR resources by type (lists of resources, e.g.
    {"DetectedIssue": [...], "Encounter": [...]}); {} for plain JSON.
    """

    source: str
    source_id: str
    vkp_code: str
    occurred_at: datetime
    severity: str | None = None
    device_id: str | None = None
    patient_ref: str | None = None
    national_id: str | None = None
    detail: str | None = None
    resources: dict = field(default_factory=dict)
