"""`dikta audit`: verify the access audit, export it for a patient."""

from __future__ import annotations

import click

from service.cli.common import fail
from service.core.settings import get_settings


@click.group()
def audit() -> None:
    """The access audit (tilgangslogg): verify it, export it for a patient."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain: detects any altered, removed or reordered row."""
    from service.core.audit import AuditKeyMissing, AuditLog
    from service.core.store import open_store

    settings = get_settings()
    try:
        audit_log = AuditLog.for_settings(open_store(settings), settings, create_key=False)
    except AuditKeyMissing as exc:
        fail(str(exc))
    result = audit_log.verify()
    for problem in result.problems:
        click.echo(f"dikta: audit: {problem}", err=True)
    if not result.ok:
        fail(f"audit log verification failed ({len(result.problems)} problems)")
    click.echo(f"audit log intact: {result.rows} rows")


@audit.command("export")
@click.option("--patient", required=True, help="Patient reference as stored.")
@click.option("--from", "since", type=click.DateTime(), default=None)
@click.option("--to", "until", type=click.DateTime(), default=None)
@click.option("--format", "fmt", type=click.Choice(["json", "fhir"]), default="json",
              show_default=True)
def audit_export(patient: str, since, until, fmt: str) -> None:
    """Every access to one patient's dictations and notes (a patient's access request)."""
    import json
    from datetime import timezone

    from service.core.audit import AuditLog, fhir_audit_event
    from service.core.store import open_store

    def utc(value):
        return value.replace(tzinfo=timezone.utc) if value is not None else None

    settings = get_settings()
    events = AuditLog.for_settings(open_store(settings), settings).events(
        patient_ref=patient, since=utc(since), until=utc(until))
    if fmt == "fhir":
        bundle = {"resourceType": "Bundle", "type": "collection",
                  "entry": [{"resource": fhir_audit_event(e)} for e in events]}
        click.echo(json.dumps(bundle, ensure_ascii=False, indent=2))
        return
    for e in events:
        click.echo(json.dumps({"seq": e.seq, "at": e.at.isoformat(), "tenant": e.tenant_id,
                               "actor": e.actor, "action": e.action,
                               "resource": f"{e.resource_type}/{e.resource_id}",
                               "patient_ref": e.patient_ref, "request_id": e.request_id},
                              ensure_ascii=False))
