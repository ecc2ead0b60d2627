"""`dikta stats`: a tenant's gains figures (gevinstrealisering) for a period."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date

import click

from service.cli.common import fail
from service.core.settings import get_settings


@click.command()
@click.option("--tenant", required=True, help="Tenant (municipality) name.")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First day (UTC), YYYY-MM-DD.")
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last day (UTC), inclusive.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def stats(tenant: str, start, end, fmt: str) -> None:
    """Dictations, audio minutes, approvals, alarms, false-alarm shares and the estimated
    time saved against typing — no patient data (docs/api.md, Gains reporting)."""
    from service.core.errors import Problem
    from service.core.store import open_store
    from service.stats.report import gains_report

    settings = get_settings()
    store = open_store(settings)
    found = store.tenant_by_name(tenant)
    if found is None:
        fail(f"no tenant named '{tenant}'")
    try:
        with store.session() as s:
            report = gains_report(s, found.id, found.name, date.fromordinal(start.toordinal()),
                                  date.fromordinal(end.toordinal()), settings.alarms)
    except Problem as exc:
        fail(exc.detail)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["metric", "value"])
        writer.writerows((k, "" if v is None else v) for k, v in report.rows())
    else:
        for metric, value in report.rows():
            click.echo(f"{metric}\t{'' if value is None else value}")
