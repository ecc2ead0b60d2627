"""The daily aggregate table (migration 0014): counts only — no ids, no patient data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.store import Base, new_id


class DailyStats(Base):
    __tablename__ = "stats_daily"
    __table_args__ = (UniqueConstraint("tenant_id", "day"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(32), index=True)
    day: Mapped[date] = mapped_column(Date)
    """UTC day of the event counted."""
    dictations: Mapped[int] = mapped_column(Integer, default=0)
    audio_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    """Recorded audio of dictations transcribed that day."""
    notes_approved: Mapped[int] = mapped_column(Integer, default=0)
    notes_edited: Mapped[int] = mapped_column(Integer, default=0)
    """Approved notes the nurse edited before approving."""
    approved_words: Mapped[int] = mapped_column(Integer, default=0)
    approved_audio_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    alarms_received: Mapped[int] = mapped_column(Integer, default=0)
    alarms_documented: Mapped[int] = mapped_column(Integer, default=0)
    alarm_minutes: Mapped[dict] = mapped_column(JSON, default=dict)
    """Minutes from alarm to approved documentation: {"<whole minutes>": count}."""
    technologies: Mapped[dict] = mapped_column(JSON, default=dict)
    """Documented alarms per technology: {"<technology>": {"documented": n, "false": n}}."""
