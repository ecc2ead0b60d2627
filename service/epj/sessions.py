"""Launch sessions, held server-side: the browser holds a random id in an HttpOnly cookie,
the database only its SHA-256 with the tenant, the EPJ's patient, the practitioner and the
issuer. A session ends at its expiry or on logout; an expired one is deleted when seen."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from service.core.errors import Problem
from service.core.store import as_utc, utcnow
from service.epj.tables import SmartSession
from structuring.privacy import contains_national_id, is_national_id, mask_national_ids

SESSION_COOKIE = "dikta_session"
CSRF_HEADER = "X-Dikta-Session"
SESSION_SCOPES = frozenset({"dictate", "read_notes", "approve"})
MAX_PATIENT_REF_CHARS = 200
MAX_PRACTITIONER_CHARS = 200  # it becomes a note version's author


@dataclass(frozen=True)
class SessionContext:
    """Who is at the chart and whose chart it is, as the launching EPJ said."""

    id_hash: str
    tenant_id: str
    patient_ref: str
    practitioner: str | None
    issuer: str
    expires_at: datetime

    @property
    def actor(self) -> str:
        """The audit actor: a prefix of the id's hash (never of the id the cookie holds)."""
        return f"session:{self.id_hash[:12]}"


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()


def opaque_patient_ref(patient: object) -> str:
    """The EPJ's patient id as Dikta keeps it. A national ID number is refused, not stored:
    the EPJ must launch with its own opaque id."""
    if not isinstance(patient, str) or not patient.strip():
        raise Problem(401, "Unauthorized", "the EPJ's token response names no patient "
                      "(field 'patient'); launch from a patient's chart", kind="unauthorized")
    patient = patient.strip()
    if len(patient) > MAX_PATIENT_REF_CHARS:
        raise Problem(401, "Unauthorized", f"the EPJ's patient id (field 'patient') is longer "
                      f"than {MAX_PATIENT_REF_CHARS} characters", kind="unauthorized")
    if is_national_id(patient) or contains_national_id(patient):
        raise Problem(403, "Forbidden", "the EPJ's patient id (field 'patient') looks like a "
                      "national ID number; Dikta keeps only the EPJ's opaque patient ids",
                      kind="national-id-refused")
    return patient


def practitioner_ref(fhir_user: object) -> str | None:
    """The id token's `fhirUser`, kept to identify the author (national IDs masked)."""
    if not isinstance(fhir_user, str) or not fhir_user.strip():
        return None
    return mask_national_ids(fhir_user.strip())[:MAX_PRACTITIONER_CHARS]


def open_session(store, *, tenant_id: str, patient_ref: str, practitioner: str | None,
                 issuer: str, ttl_s: int) -> tuple[str, SessionContext]:
    """A new session; returns (the id for the cookie, its context). Expired sessions are
    swept here, so the table holds only live ones and those waiting for the next launch."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    row = SmartSession(id_hash=hash_session_id(session_id), tenant_id=tenant_id,
                       patient_ref=patient_ref, practitioner=practitioner, issuer=issuer,
                       created_at=now, expires_at=now + timedelta(seconds=ttl_s))
    with store.session() as s, s.begin():
        s.execute(delete(SmartSession).where(SmartSession.expires_at <= now))
        s.add(row)
    return session_id, _context(row)


def session_for(store, session_id: str | None) -> SessionContext | None:
    """The live session the cookie's id names; None for an unknown or expired one."""
    if not session_id or len(session_id) > 200:
        return None
    id_hash = hash_session_id(session_id)
    with store.session() as s:
        row = s.get(SmartSession, id_hash)
    if row is None:
        return None
    if as_utc(row.expires_at) <= utcnow():
        with store.session() as s, s.begin():
            s.execute(delete(SmartSession).where(SmartSession.id_hash == id_hash))
        return None
    return _context(row)


def end_session(store, session_id: str | None) -> bool:
    """Log out: the session is deleted; True when there was one."""
    if not session_id:
        return False
    with store.session() as s, s.begin():
        result = s.execute(delete(SmartSession)
                           .where(SmartSession.id_hash == hash_session_id(session_id)))
    return result.rowcount > 0


def _context(row: SmartSession) -> SessionContext:
    return SessionContext(row.id_hash, row.tenant_id, row.patient_ref, row.practitioner,
                          row.issuer, as_utc(row.expires_at))
