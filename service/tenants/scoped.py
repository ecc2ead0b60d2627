"""Tenant-scoped lookups: a row is found only through the tenant it belongs to."""

from __future__ import annotations

from service.core.errors import Problem
from service.core.state import ServiceState


def owned(state: ServiceState, model, tenant_id: str, resource_id: str, what: str):
    """The row `resource_id` of `model` if it belongs to the tenant; else 404 — exactly as
    for an id that does not exist, so no tenant can infer another's data."""
    with state.store.session() as s:
        row = s.get(model, resource_id)
    if row is None or row.tenant_id != tenant_id:
        raise Problem(404, "Not found", f"no {what} with that id", kind="not-found")
    return row
