"""Gains reporting (use case: service/stats/report.py): the tenant's own figures only."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from service.http.deps import StateDep, TenantDep, require
from service.stats.report import gains_report

router = APIRouter(tags=["stats"])


@router.get("/stats", dependencies=[require("stats")],
            responses={200: {"description": "The tenant's figures for the period (no patient "
                                            "data; see docs/api.md, Gains reporting)"}})
def get_stats(state: StateDep, tenant: TenantDep,
              start: Annotated[date, Query(alias="from", description="First day (UTC)")],
              end: Annotated[date, Query(alias="to", description="Last day, inclusive")]
              ) -> dict:
    """Dictations, audio, approvals, alarms and the estimated time saved, from the daily
    aggregates (kept when dictations are purged)."""
    with state.store.session() as s:
        report = gains_report(s, tenant.id, tenant.tenant_name, start, end,
                              state.settings.alarms)
    return report.as_dict()
