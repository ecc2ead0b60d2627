"""The launch tables (migration 0013): pending launches and launch sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.sealed_columns import EncryptedText
from service.core.store import Base, utcnow


class SmartLaunch(Base):
    """A launch waiting for its callback: found by the hash of `state`, used once."""

    __tablename__ = "smart_launches"
    __table_args__ = (UniqueConstraint("issuer", "launch_hash", name="uq_smart_launches_launch"),)
    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    launch_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """SHA-256 of the EPJ's `launch` parameter (None: a standalone launch); unique per
    issuer, so a replayed launch is refused."""
    code_verifier: Mapped[str] = mapped_column(EncryptedText)
    nonce: Mapped[str] = mapped_column(String(64))
    redirect_uri: Mapped[str] = mapped_column(String(1000))
    token_endpoint: Mapped[str] = mapped_column(String(1000))
    jwks_uri: Mapped[str] = mapped_column(String(1000))
    id_token_issuer: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SmartSession(Base):
    """A nurse's session opened by a launch; the cookie holds the id, the table its hash."""

    __tablename__ = "smart_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    patient_ref: Mapped[str] = mapped_column(String(200))
    """The EPJ's own patient id (opaque; never a national ID)."""
    practitioner: Mapped[str | None] = mapped_column(String(300), nullable=True)
    """The id token's `fhirUser` (e.g. Practitioner/123)."""
    issuer: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
