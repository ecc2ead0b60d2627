"""What a tenant's dictations get: its own settings where set, the service's otherwise."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TenantProfile:
    template: str
    written_standard: str | None  # None: as dictated
    lexicon: tuple[str, ...]
    model: str | None  # None: the service default


def tenant_profile(store, settings, tenant_id: str) -> TenantProfile:
    tenant = store.tenant(tenant_id)
    return TenantProfile(
        template=(tenant and tenant.note_template) or settings.structuring.template,
        written_standard=(tenant and tenant.written_standard)
        or settings.structuring.written_standard,
        lexicon=tuple((tenant and tenant.lexicon) or ()),
        model=(tenant and tenant.model) or None,
    )
