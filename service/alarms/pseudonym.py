"""Keyed patient pseudonyms: alarms of one patient match each other (and a dictation about
that patient) on HMAC-SHA256(national ID) under a per-tenant secret, so the ID itself is
needed only sealed, for delivery. Another tenant's pseudonym of the same person differs."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.alarms.tables import PseudonymSecret

PREFIX = "pid:"
"""How a pseudonym shows as a patient reference (`pid:` + 32 hex digits)."""


def _secret(session: Session, tenant_id: str) -> bytes:
    row = session.get(PseudonymSecret, tenant_id)
    if row is None:
        # Made in a nested transaction: a parallel first alarm of the same tenant may win
        # the insert, and then its secret is the one.
        try:
            with session.begin_nested():
                row = PseudonymSecret(tenant_id=tenant_id, secret=secrets.token_hex(32))
                session.add(row)
        except IntegrityError:
            row = session.get(PseudonymSecret, tenant_id, populate_existing=True)
    return bytes.fromhex(row.secret)


def pseudonym(session: Session, tenant_id: str, national_id: str) -> str:
    """The tenant's pseudonym of a national ID (64 hex digits)."""
    return hmac.new(_secret(session, tenant_id), national_id.encode(), hashlib.sha256).hexdigest()


def as_patient_ref(pseudonym_hex: str) -> str:
    """The pseudonym as the API shows it where no opaque reference came with the alarm."""
    return PREFIX + pseudonym_hex[:32]
