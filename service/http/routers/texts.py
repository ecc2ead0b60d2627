"""Paste-ready text and the tenant's text templates (use cases: service/feed/templates.py).

A tenant's admin registers templates here (`PUT /v1/text-templates/{name}`, admin scope)
or with `dikta tenants set-text-template TENANT NAME FILE`; both validate before storing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from service.feed import templates
from service.http.deps import StateDep, TenantDep, audit, require

router = APIRouter(tags=["text"])
NAME_RULE = "^[a-z0-9][a-z0-9_-]{0,63}$"


class TemplateOut(BaseModel):
    name: str
    origin: Literal["shipped", "tenant"]
    updated_at: datetime | None = None


class TemplateIn(BaseModel):
    source: str = Field(..., min_length=1, max_length=64 * 1024,
                        description="Jinja2 template source (sandboxed, plain text out)")


@router.get("/dictations/{dictation_id}/text", response_class=PlainTextResponse,
            dependencies=[require("read_notes")],
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "The note as paste-ready text"},
                       404: {"description": "No such dictation or template"},
                       409: {"description": "Not transcribed yet"}})
def note_text(state: StateDep, tenant: TenantDep, request: Request, dictation_id: str,
              template: Annotated[str, Query(max_length=64, pattern=NAME_RULE)] = "plain"):
    """The note rendered by a text template (`plain`, `isbar`, `funksjonsomrader`, or the
    tenant's own) for pasting into the EPJ."""
    row, text = templates.note_text(state, tenant.id, dictation_id, template)
    audit(request, "export", "note", row.id, row.patient_ref)
    return PlainTextResponse(text, media_type="text/plain; charset=utf-8")


@router.get("/text-templates", response_model=list[TemplateOut])
def list_text_templates(state: StateDep, tenant: TenantDep):
    """The templates this tenant can use: shipped ones and its own."""
    return [TemplateOut(name=t.name, origin=t.origin, updated_at=t.updated_at)
            for t in templates.list_templates(state.store, tenant.id)]


@router.put("/text-templates/{name}", status_code=200, dependencies=[require("admin")],
            response_model=TemplateOut,
            responses={201: {"model": TemplateOut, "description": "Created"},
                       422: {"description": "The template does not parse or render"}})
def put_text_template(state: StateDep, tenant: TenantDep, response: Response,
                      name: Annotated[str, Path(max_length=64)], body: TemplateIn):
    """Register (or replace) the tenant's template `name`; it is validated first."""
    created = templates.put_template(state.store, tenant.id, name, body.source)
    response.status_code = 201 if created else 200
    [info] = [t for t in templates.list_templates(state.store, tenant.id) if t.name == name]
    return TemplateOut(name=info.name, origin=info.origin, updated_at=info.updated_at)


@router.delete("/text-templates/{name}", status_code=204, dependencies=[require("admin")],
               responses={404: {"description": "The tenant has no template of that name"}})
def delete_text_template(state: StateDep, tenant: TenantDep, name: str) -> Response:
    """Remove the tenant's own template (a shipped one of the same name shows again)."""
    templates.delete_template(state.store, tenant.id, name)
    return Response(status_code=204)
