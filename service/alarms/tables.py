"""The alarm tables (migration 0010): alarms, their links to dictations, and each tenant's
pseudonym secret. `Alarm` and `AlarmLink` are defined in service/core/store.py, because
retention (service/core/retention.py) purges alarms and may not import this package."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from service.core.sealed_columns import EncryptedText
from service.core.store import Alarm, AlarmLink, Base, utcnow

__all__ = ["STATUSES", "Alarm", "AlarmLink", "PseudonymSecret"]

STATUSES = ("open", "documented")


class PseudonymSecret(Base):
    """A tenant's key for patient pseudonyms, sealed with the data key like the notes."""

    __tablename__ = "pseudonym_secrets"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
