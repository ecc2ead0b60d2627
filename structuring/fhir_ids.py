"""Stable FHIR ids for what Dikta sends: the same dictation version always gets the same ids.

Why: deliveries are at-least-once (the outbox retries), and a receiver de-duplicates on
Bundle/Composition ids; random ids would make every retry a new document.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:dikta:fhir")


def stable_uuid(dictation_id: object, version: object, role: str) -> str:
    """uuid5 of dictation id + version + role ("bundle", "composition", "alarm:…", …)."""
    return str(uuid.uuid5(NAMESPACE, f"{dictation_id}/{version}/{role}"))
