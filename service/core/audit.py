"""The access audit (tilgangslogg): every create, read, update, approve, export and delete
of a dictation or note, with actor, tenant, patient reference, action, time and request id —
never the content.

Rows are append-only (database triggers refuse UPDATE and DELETE) and chained: each row's hash
is an HMAC-SHA256, under a key kept outside the database, of its fields and the previous row's
hash. Someone who can write the database but not read the key cannot alter, forge or reorder a
row and recompute the chain. After every appended row the chain's head (seq, hash) is also
written to a checkpoint file outside the database (one signed, chained JSON line each; put it on
an append-only volume or ship the `audit checkpoint` log lines to syslog), so deleting the
newest rows — which leaves a shorter chain that is still consistent — is detected too.
`dikta audit verify` checks all of it.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select, text

from service.core.store import AuditEvent, Store, as_utc

GENESIS = "0" * 64
ACTIONS = ("create", "read", "update", "approve", "export", "delete", "list", "acknowledge",
           "amend")
_FIELDS = ("seq", "at", "tenant_id", "actor", "action", "resource_type", "resource_id",
           "patient_ref", "request_id")
log = logging.getLogger("dikta.audit")


def _canonical(values: dict) -> str:
    def plain(value):
        if isinstance(value, datetime):
            return as_utc(value).astimezone(timezone.utc).isoformat(timespec="microseconds")
        return value
    return json.dumps({k: plain(values[k]) for k in _FIELDS}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, values: dict, key: bytes | None = None) -> str:
    """HMAC-SHA256 under `key`; without a key, the plain SHA-256 of rows written before the
    chain was keyed (they stay verifiable up to the checkpoint file's `legacy_until`)."""
    message = (prev_hash + _canonical(values)).encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AuditKey:
    key: bytes
    legacy_until: int = 0
    """Rows up to this seq were written before the chain was keyed (plain SHA-256)."""


class AuditKeyMissing(RuntimeError):
    """Checking the audit needs the key the service wrote it with."""


def load_or_create_key(path: Path, store: Store, *, create: bool = True) -> AuditKey:
    """The audit key from its file, created 0600 with 32 random bytes on first use. The file
    also records how many rows existed before it, so rows written by an older Dikta stay
    verifiable — and nobody without the file can move that line."""
    if not path.is_file() and not create:
        raise AuditKeyMissing(f"no audit key at {path}: run with the service's data directory "
                              "(DIKTA_DATA_DIR) or DIKTA_SECURITY__AUDIT_KEY_FILE")
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        content = json.dumps({"key": secrets.token_bytes(32).hex(),
                              "legacy_until": _head(store)})
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(content)
        except FileExistsError:  # another process made it first
            pass
    data = json.loads(path.read_text())
    return AuditKey(bytes.fromhex(data["key"]), int(data.get("legacy_until", 0)))


def _head(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.max(AuditEvent.seq))) or 0


@dataclass(frozen=True)
class VerifyResult:
    rows: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


class Checkpoints:
    """The chain's head, written outside the database: one JSON line per checkpoint, each
    MACed and chained to the line before, appended under an exclusive lock."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path, self.key = path, key

    def _mac(self, entry: dict) -> str:
        body = json.dumps({k: v for k, v in entry.items() if k != "mac"}, sort_keys=True)
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()

    def append(self, entry: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "r+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            lines = handle.read().splitlines()
            prev_mac = json.loads(lines[-1])["mac"] if lines else ""
            entry = {**entry, "kind": "head", "prev_mac": prev_mac}
            entry["mac"] = self._mac(entry)
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        log.info("audit checkpoint", extra={"event": f"seq={entry['seq']} "
                                                     f"hash={entry['hash']}"})

    def read(self) -> tuple[list[dict], list[str]]:
        """The checkpoint lines and what is wrong with the file itself."""
        if not self.path.is_file():
            return [], []
        entries, problems, prev_mac = [], [], ""
        for number, line in enumerate(self.path.read_text().splitlines(), start=1):
            try:
                entry = json.loads(line)
            except ValueError:
                problems.append(f"checkpoint line {number}: unreadable")
                continue
            if not hmac.compare_digest(entry.get("mac", ""), self._mac(entry)):
                problems.append(f"checkpoint line {number}: altered or forged")
            elif entry.get("prev_mac") != prev_mac:
                problems.append(f"checkpoint line {number}: a line before it was removed")
            prev_mac = entry.get("mac", "")
            entries.append(entry)
        return entries, problems


class AuditLog:
    def __init__(self, store: Store, key: AuditKey, checkpoint_file: Path) -> None:
        self.store, self.key, self.legacy_until = store, key.key, key.legacy_until
        self.checkpoints = Checkpoints(checkpoint_file, key.key)
        self._lock = threading.Lock()  # one appender per process; PostgreSQL also locks

    @classmethod
    def for_settings(cls, store: Store, settings, *, create_key: bool = True) -> AuditLog:
        """The audit of these settings; `create_key=False` for checks, which must use the key
        the service wrote with rather than make a new one."""
        security = settings.security
        if security.audit_key is not None:
            key = AuditKey(bytes.fromhex(security.audit_key.get_secret_value()))
        else:
            key = load_or_create_key(security.audit_key_file or
                                     settings.data_dir / "keys" / "audit-key.json", store,
                                     create=create_key)
        return cls(store, key, security.audit_checkpoint_file or
                   settings.data_dir / "audit" / "checkpoints.jsonl")

    def record(self, *, tenant_id: str, actor: str, action: str, resource_type: str,
               resource_id: str | None, patient_ref: str | None,
               request_id: str | None) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action '{action}'")
        with self._lock:
            with self.store.session() as s, s.begin():
                if s.bind.dialect.name == "postgresql":
                    s.execute(text("SELECT pg_advisory_xact_lock(727002)"))
                last = s.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
                seq = (last.seq + 1) if last else 1
                prev = last.hash if last else GENESIS
                values = dict(seq=seq, at=datetime.now(timezone.utc), tenant_id=tenant_id,
                              actor=actor, action=action, resource_type=resource_type,
                              resource_id=resource_id, patient_ref=patient_ref,
                              request_id=request_id)
                digest = chain_hash(prev, values, self.key)
                s.add(AuditEvent(**values, prev_hash=prev, hash=digest))
            # Only once committed: a checkpoint of a rolled-back row would be a false alarm.
            self.checkpoints.append({"seq": seq, "hash": digest,
                                     "at": values["at"].isoformat()})

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
        checkpoints, problems = self.checkpoints.read()
        legacy_until = self.legacy_until
        hashes: dict[int, str] = {}
        prev, expected_seq, count = GENESIS, 1, 0
        for row in self._all():
            count += 1
            values = {k: getattr(row, k) for k in _FIELDS}
            if row.seq != expected_seq:
                problems.append(f"row {expected_seq} is missing (next is {row.seq})")
            if row.prev_hash != prev:
                problems.append(f"row {row.seq}: chain broken (previous hash differs)")
            key = None if row.seq <= legacy_until else self.key
            if not hmac.compare_digest(chain_hash(row.prev_hash, values, key), row.hash):
                problems.append(f"row {row.seq}: contents altered or forged (MAC differs)")
            hashes[row.seq] = row.hash
            prev, expected_seq = row.hash, row.seq + 1
        problems += _against_checkpoints(checkpoints, hashes, count, legacy_until)
        return VerifyResult(count, problems)

    def _all(self) -> Iterator[AuditEvent]:
        with self.store.session() as s:
            yield from s.scalars(select(AuditEvent).order_by(AuditEvent.seq))

    def head(self) -> int:
        return _head(self.store)


def _against_checkpoints(checkpoints: list[dict], hashes: dict[int, str], rows: int,
                         legacy_until: int) -> list[str]:
    heads = [c for c in checkpoints if c.get("kind") == "head"]
    if rows > legacy_until and not heads:
        return ["no checkpoint file: the newest rows cannot be checked for deletion"]
    problems = []
    newest = max((c["seq"] for c in heads), default=0)
    last_row = max(hashes, default=0)
    if newest > last_row:
        problems.append(f"rows {last_row + 1}..{newest} were checkpointed but are gone "
                        "(the log was truncated)")
    for checkpoint in heads:
        stored = hashes.get(checkpoint["seq"])
        if stored is not None and not hmac.compare_digest(stored, checkpoint["hash"]):
            problems.append(f"row {checkpoint['seq']}: differs from its checkpoint")
    return problems


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
