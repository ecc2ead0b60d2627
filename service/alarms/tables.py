"""The alarm tables (migration 0010): alarms, their links to dictations, and each tenant's
pseudonym secret."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.store import Base, EncryptedJSON, EncryptedText, new_id, utcnow

STATUSES = ("open", "documented")


class Alarm(Base):
    """One welfare-technology alarm (a VKP DetectedIssue or its plain-JSON equivalent)."""

    __tablename__ = "alarms"
    __table_args__ = (UniqueConstraint("tenant_id", "source", "source_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    source: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 of what the alarm says: the same (source, source_id) with another content is
    refused (409), never answered with this alarm."""
    vkp_code: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    severity: Mapped[str | None] = mapped_column(String(50), nullable=True)
    device_id: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)
    patient_pseudonym: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                                          index=True)
    """HMAC-SHA256 of the national ID under the tenant's pseudonym secret."""
    national_id: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)
    """Kept sealed for delivery only; never returned, logged or audited."""
    patient_ref: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    """Opaque patient reference as sent (e.g. the EPJ's), never a national ID."""
    detail: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)
    resources: Mapped[dict | None] = mapped_column(EncryptedJSON, nullable=True)
    """The original FHIR resources by type (for the documentation sent back)."""
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    dictation_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """The dictation that documented it (kept after that dictation is purged)."""
    documented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlarmLink(Base):
    """A dictation documents an alarm: proposed (explicitly by the client, or matched on
    patient, time and technology) until approval settles it."""

    __tablename__ = "alarm_links"
    __table_args__ = (UniqueConstraint("alarm_id", "dictation_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(32), index=True)
    alarm_id: Mapped[str] = mapped_column(ForeignKey("alarms.id", ondelete="CASCADE"),
                                          index=True)
    dictation_id: Mapped[str] = mapped_column(ForeignKey("dictations.id", ondelete="CASCADE"),
                                              index=True)
    event_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Which of note.events documents the alarm (None: no event matched yet)."""
    origin: Mapped[str] = mapped_column(String(16), default="match")  # explicit | match
    state: Mapped[str] = mapped_column(String(16), default="proposed")  # proposed | settled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PseudonymSecret(Base):
    """A tenant's key for patient pseudonyms, sealed with the data key like the notes."""

    __tablename__ = "pseudonym_secrets"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
