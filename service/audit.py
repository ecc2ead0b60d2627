"""The access audit (tilgangslogg): every create, read, update, approve, export and delete
of a dictation or note, with actor, tenant, patient reference, action, time and request id —
never the content.

Rows are append-only (database triggers refuse UPDATE and DELETE) and hash-chained: each
row's hash covers its fields and the previous row's hash, so `dikta audit verify` detects any
altered, removed or reordered row.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, text

from service.store import AuditEvent, Store, as_utc

GENESIS = "0" * 64
ACTIONS = ("create", "read", "update", "approve", "export", "delete")
_FIELDS = ("seq", "at", "tenant_id", "actor", "action", "resource_type", "resource_id",
           "patient_ref", "request_id")


def _canonical(values: dict) -> str:
    def plain(value):
        if isinstance(value, datetime):
            return as_utc(value).astimezone(timezone.utc).isoformat(timespec="microseconds")
        return value
    return json.dumps({k: plain(values[k]) for k in _FIELDS}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, values: dict) -> str:
    return hashlib.sha256((prev_hash + _canonical(values)).encode()).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    rows: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


class AuditLog:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()  # one appender per process; PostgreSQL also locks

    def record(self, *, tenant_id: str, actor: str, action: str, resource_type: str,
               resource_id: str | None, patient_ref: str | None,
               request_id: str | None) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action '{action}'")
        with self._lock, self.store.session() as s, s.begin():
            if s.bind.dialect.name == "postgresql":
                s.execute(text("SELECT pg_advisory_xact_lock(727002)"))
            last = s.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
            seq = (last.seq + 1) if last else 1
            prev = last.hash if last else GENESIS
            values = dict(seq=seq, at=datetime.now(timezone.utc), tenant_id=tenant_id,
                          actor=actor, action=action, resource_type=resource_type,
                          resource_id=resource_id, patient_ref=patient_ref,
                          request_id=request_id)
            s.add(AuditEvent(**values, prev_hash=prev, hash=chain_hash(prev, values)))

    def events(self, *, patient_ref: str | None = None, tenant_id: str | None = None,
               since: datetime | None = None, until: datetime | None = None
               ) -> list[AuditEvent]:
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if patient_ref is not None:
            query = query.where(AuditEvent.patient_ref == patient_ref)
        if tenant_id is not None:
            query = query.where(AuditEvent.tenant_id == tenant_id)
        if since is not None:
            query = query.where(AuditEvent.at >= since)
        if until is not None:
            query = query.where(AuditEvent.at <= until)
        with self.store.session() as s:
            return list(s.scalars(query))

    def verify(self) -> VerifyResult:
        problems: list[str] = []
        prev, expected_seq, count = GENESIS, 1, 0
        for row in self._all():
            count += 1
            values = {k: getattr(row, k) for k in _FIELDS}
            if row.seq != expected_seq:
                problems.append(f"row {expected_seq} is missing (next is {row.seq})")
            if row.prev_hash != prev:
                problems.append(f"row {row.seq}: chain broken (previous hash differs)")
            if chain_hash(row.prev_hash, values) != row.hash:
                problems.append(f"row {row.seq}: contents altered (hash differs)")
            prev, expected_seq = row.hash, row.seq + 1
        return VerifyResult(count, problems)

    def _all(self) -> Iterator[AuditEvent]:
        with self.store.session() as s:
            yield from s.scalars(select(AuditEvent).order_by(AuditEvent.seq))


def fhir_audit_event(event: AuditEvent, organisation: str | None = None) -> dict:
    """The event as a FHIR R4 AuditEvent (after HL7 Norway's AuditEvent guide: who, role,
    organisation, purpose of use, patient)."""
    action_code = {"create": "C", "read": "R", "update": "U", "approve": "U", "export": "R",
                   "delete": "D"}[event.action]
    at = as_utc(event.at)
    resource = {
        "resourceType": "AuditEvent",
        "id": f"dikta-audit-{event.seq}",
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
                 "code": "rest", "display": "RESTful Operation"},
        "subtype": [{"system": "http://hl7.org/fhir/restful-interaction",
                     "code": {"C": "create", "R": "read", "U": "update",
                              "D": "delete"}[action_code]}],
        "action": action_code,
        "recorded": at.isoformat(),
        "outcome": "0",
        "purposeOfEvent": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
            "code": "TREAT", "display": "treatment"}]}],
        "agent": [{
            "who": {"identifier": {"system": "urn:dikta:actor", "value": event.actor}},
            "role": [{"text": "helsepersonell (API-nøkkel)"}],
            "requestor": True,
        }],
        "source": {"observer": {"display": organisation or f"tenant {event.tenant_id}"}},
        "entity": [{
            "what": {"identifier": {"system": f"urn:dikta:{event.resource_type}",
                                    "value": event.resource_id or ""}},
            "detail": [{"type": "request_id", "valueString": event.request_id or ""},
                       {"type": "dikta_action", "valueString": event.action}],
        }],
    }
    if event.patient_ref:
        resource["entity"].append({
            "what": {"identifier": {"system": "urn:dikta:patient-ref",
                                    "value": event.patient_ref}},
            "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type",
                     "code": "1", "display": "Person"},
            "role": {"system": "http://terminology.hl7.org/CodeSystem/object-role",
                     "code": "1", "display": "Patient"}})
    return resource
