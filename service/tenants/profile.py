"""What a tenant's dictations get: its own settings where set, the service's otherwise."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TenantProfile:
    template: str
    written_standard: str | None  # None: as dictated
    lexicon: tuple[str, ...]
    model: str | None  # None: the service default


def service_profile(settings) -> TenantProfile:
    """The service's defaults, for work that belongs to no tenant (`dikta structure`)."""
    return TenantProfile(template=settings.structuring.template,
                         written_standard=settings.structuring.written_standard,
                         lexicon=(), model=None)


def tenant_profile(store, settings, tenant_id: str) -> TenantProfile:
    tenant = store.tenant(tenant_id)
    default = service_profile(settings)
    if tenant is None:
        return default
    return TenantProfile(
        template=tenant.note_template or default.template,
        written_standard=tenant.written_standard or default.written_standard,
        lexicon=tuple(tenant.lexicon or ()),
        model=tenant.model or None,
    )
