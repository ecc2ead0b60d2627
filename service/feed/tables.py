"""The feed's tables (migration 0012): acknowledgements and per-tenant text templates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.store import Base, new_id, utcnow


class Acknowledgement(Base):
    """An EPJ has journaled this DocumentReference (one row, however often it says so)."""

    __tablename__ = "feed_acknowledgements"
    __table_args__ = (UniqueConstraint("tenant_id", "document_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    document_id: Mapped[str] = mapped_column(String(36))
    """The DocumentReference id (uuid5 of dictation id and version)."""
    dictation_id: Mapped[str] = mapped_column(ForeignKey("dictations.id", ondelete="CASCADE"),
                                              index=True)
    version: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[str] = mapped_column(String(256))
    """The EPJ client that acknowledged first."""
    acknowledged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TextTemplate(Base):
    """A tenant's own Jinja2 text template (validated on upload), by name."""

    __tablename__ = "text_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
