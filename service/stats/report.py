"""A tenant's gains figures for a period, summed from the daily aggregates (no patient data,
nothing that a purge removes).

Estimated time saved against typing (docs/api.md, "Gains reporting"): for the approved notes
of the period, typing them would take `words / typing_words_per_minute`; dictating took the
recording itself, reading the draft (`words / review_words_per_minute`) and, for a draft the
nurse edited, `edit_minutes` more. The difference is the estimate; it can be negative."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import select

from service.core.errors import Problem
from service.stats.tables import DailyStats

MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class TechnologyFigures:
    documented: int
    false_alarms: int
    false_alarm_share: float | None


@dataclass(frozen=True)
class GainsReport:
    tenant: str
    start: date
    end: date
    dictations: int
    audio_minutes: float
    notes_approved: int
    edited_before_approval_share: float | None
    alarms_received: int
    alarms_documented: int
    median_minutes_alarm_to_documentation: float | None
    by_technology: dict[str, TechnologyFigures]
    estimated_minutes_saved: float
    model: dict = field(default_factory=dict)
    """The parameters of the time-saved estimate, so a figure can be re-derived."""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data

    def rows(self) -> list[tuple[str, object]]:
        """(metric, value) pairs, flat: one line each in CSV."""
        data = self.as_dict()
        technologies = data.pop("by_technology")
        model = data.pop("model")
        rows = list(data.items())
        for name, figures in sorted(technologies.items()):
            rows += [(f"{name}.documented", figures["documented"]),
                     (f"{name}.false_alarms", figures["false_alarms"]),
                     (f"{name}.false_alarm_share", figures["false_alarm_share"])]
        rows += [(f"model.{k}", v) for k, v in model.items()]
        return rows


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    values, seen = [], 0
    for minutes in sorted(histogram):
        for position in middle:
            if seen <= position < seen + histogram[minutes]:
                values.append(minutes)
        seen += histogram[minutes]
    return sum(values) / len(values)


def check_period(start: date, end: date) -> None:
    if end < start:
        raise Problem(422, "Invalid request", "to: must not be before from",
                      kind="invalid-request", errors=[{"loc": ["query", "to"],
                                                       "msg": "before from"}])
    if (end - start).days > MAX_DAYS:
        raise Problem(422, "Invalid request", f"to: the period is over {MAX_DAYS} days",
                      kind="invalid-request", errors=[{"loc": ["query", "to"],
                                                       "msg": "period too long"}])


def gains_report(session, tenant_id: str, tenant_name: str, start: date, end: date,
                 model) -> GainsReport:
    """The figures of the days `start` … `end` (inclusive, UTC days); `model`: the gains
    settings (alarms section: typing and review speeds, edit minutes)."""
    check_period(start, end)
    rows = list(session.scalars(select(DailyStats).where(
        DailyStats.tenant_id == tenant_id, DailyStats.day >= start, DailyStats.day <= end)))
    total = {name: sum(getattr(r, name) or 0 for r in rows) for name in (
        "dictations", "audio_seconds", "notes_approved", "notes_edited", "approved_words",
        "approved_audio_seconds", "alarms_received", "alarms_documented")}
    histogram: dict[int, int] = {}
    technologies: dict[str, list[int]] = {}
    for row in rows:
        for minutes, count in (row.alarm_minutes or {}).items():
            histogram[int(minutes)] = histogram.get(int(minutes), 0) + count
        for name, figures in (row.technologies or {}).items():
            current = technologies.setdefault(name, [0, 0])
            current[0] += figures.get("documented", 0)
            current[1] += figures.get("false", 0)
    words = total["approved_words"]
    typing = words / model.typing_words_per_minute
    dictating = (total["approved_audio_seconds"] / 60 + words / model.review_words_per_minute
                 + total["notes_edited"] * model.edit_minutes)
    return GainsReport(
        tenant=tenant_name, start=start, end=end, dictations=total["dictations"],
        audio_minutes=round(total["audio_seconds"] / 60, 1),
        notes_approved=total["notes_approved"],
        edited_before_approval_share=_share(total["notes_edited"], total["notes_approved"]),
        alarms_received=total["alarms_received"],
        alarms_documented=total["alarms_documented"],
        median_minutes_alarm_to_documentation=_median(histogram),
        by_technology={name: TechnologyFigures(documented, false, _share(false, documented))
                       for name, (documented, false) in sorted(technologies.items())},
        estimated_minutes_saved=round(typing - dictating, 1),
        model={"typing_words_per_minute": model.typing_words_per_minute,
               "review_words_per_minute": model.review_words_per_minute,
               "edit_minutes": model.edit_minutes, "approved_words": words,
               "typing_minutes": round(typing, 1), "dictation_minutes": round(dictating, 1)})
