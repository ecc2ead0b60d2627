"""Paste-ready text of a note through a named template: the tenant's own (registered by an
admin, validated on upload) or a shipped one (structuring/text_templates.py). A tenant's
template of the same name as a shipped one takes its place for that tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from service.core.errors import Problem
from service.core.masking import masked_json
from service.core.store import Dictation, Tenant, as_utc, utcnow
from service.feed.tables import TextTemplate
from service.tenants.scoped import owned
from structuring.text_templates import (
    SHIPPED,
    TextMeta,
    TextTemplateError,
    check_name,
    render_text,
    shipped_source,
    validate_template,
)


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    origin: str  # "shipped" | "tenant"
    updated_at: datetime | None


def _invalid(field: str, exc: TextTemplateError) -> Problem:
    return Problem(422, "Invalid template", f"'{field}': {exc}"[:500],
                   kind="invalid-template")


def put_template(store, tenant_id: str, name: str, source: str) -> bool:
    """Validate and store the tenant's template `name`; True when it is new."""
    try:
        check_name(name)
    except TextTemplateError as exc:
        raise _invalid("name", exc) from None
    try:
        validate_template(source)
    except TextTemplateError as exc:
        raise _invalid("source", exc) from None
    with store.session() as s, s.begin():
        row = s.scalar(select(TextTemplate).where(TextTemplate.tenant_id == tenant_id,
                                                  TextTemplate.name == name))
        if row is None:
            s.add(TextTemplate(tenant_id=tenant_id, name=name, source=source))
            return True
        row.source, row.updated_at = source, utcnow()
        return False


def put_template_by_tenant_name(store, tenant_name: str, name: str, source: str) -> bool:
    """The same for the CLI, which names the tenant."""
    with store.session() as s:
        tenant = s.scalar(select(Tenant).where(Tenant.name == tenant_name))
    if tenant is None:
        raise LookupError(f"no tenant named '{tenant_name}'")
    return put_template(store, tenant.id, name, source)


def delete_template(store, tenant_id: str, name: str) -> None:
    with store.session() as s, s.begin():
        row = s.scalar(select(TextTemplate).where(TextTemplate.tenant_id == tenant_id,
                                                  TextTemplate.name == name))
        if row is None:
            raise Problem(404, "Not found", "the tenant has no template of that name",
                          kind="not-found")
        s.delete(row)


def list_templates(store, tenant_id: str) -> list[TemplateInfo]:
    with store.session() as s:
        own = {t.name: TemplateInfo(t.name, "tenant", as_utc(t.updated_at))
               for t in s.scalars(select(TextTemplate)
                                  .where(TextTemplate.tenant_id == tenant_id))}
    shipped = [TemplateInfo(n, "shipped", None) for n in SHIPPED if n not in own]
    return shipped + sorted(own.values(), key=lambda t: t.name)


def template_source(store, tenant_id: str, name: str) -> str:
    with store.session() as s:
        source = s.scalar(select(TextTemplate.source).where(
            TextTemplate.tenant_id == tenant_id, TextTemplate.name == name))
    if source is not None:
        return source
    try:
        return shipped_source(name)
    except TextTemplateError:
        raise Problem(404, "Not found", f"'template': no template named {name!r}"[:200],
                      kind="not-found") from None


def note_text(state, tenant_id: str, dictation_id: str, template: str
              ) -> tuple[Dictation, str]:
    """The dictation's current note (the approved one once approved) as text."""
    row = owned(state, Dictation, tenant_id, dictation_id, "dictation")
    if row.status != "done" or not row.note:
        raise Problem(409, "Not transcribed yet", f"the dictation is {row.status}",
                      kind="not-ready")
    source = template_source(state.store, tenant_id, template)
    meta = TextMeta(dictation_id=row.id, patient_ref=row.patient_ref,
                    date=as_utc(row.approved_at) if row.approved_at else None,
                    approved=row.approved_at is not None,
                    author=_approver(state, row))
    try:
        return row, render_text(masked_json(row.note), source, meta)
    except TextTemplateError as exc:  # a stored template validated once; say which
        raise Problem(422, "Template cannot render", f"'template' {template!r}: {exc}"[:400],
                      kind="invalid-template") from None


def _approver(state, row: Dictation) -> str | None:
    if row.approved_at is None:
        return None
    from service.core.store import NoteVersion

    with state.store.session() as s:
        return s.scalar(select(NoteVersion.author).where(
            NoteVersion.dictation_id == row.id, NoteVersion.kind == "approved")
            .order_by(NoteVersion.version.desc()).limit(1))
