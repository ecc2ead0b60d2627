"""SMART on FHIR launch (docs/api.md, "SMART launch"): /smart/launch sends the browser to
the EPJ's authorization, /smart/callback opens the session (cookie) and goes to the web app
at `/`; /smart/context and /smart/logout serve the page. The launch itself is
service/epj/launch.py."""

from __future__ import annotations

from datetime import datetime
from ipaddress import ip_address
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from service.core.errors import Problem
from service.epj.launch import begin_launch, complete_launch
from service.epj.sessions import CSRF_HEADER, SESSION_COOKIE, end_session, session_for
from service.http.deps import StateDep

router = APIRouter(prefix="/smart", tags=["smart"])


class SmartContext(BaseModel):
    patient_ref: str
    practitioner: str | None
    tenant: str
    expires_at: datetime


@router.get("/launch", status_code=302, response_class=RedirectResponse,
            responses={302: {"description": "To the EPJ's authorization endpoint"},
                       400: {"description": "No iss, or a bad launch parameter"},
                       403: {"description": "The iss is not a configured EPJ"},
                       409: {"description": "The launch was used before"},
                       502: {"description": "The EPJ's discovery failed"}})
def launch(state: StateDep, request: Request, iss: str | None = None,
           launch: str | None = None) -> RedirectResponse:
    """EHR launch (`iss` and `launch` from the EPJ) or standalone launch (`iss` only)."""
    url = begin_launch(state, iss, launch, _redirect_uri(state, request))
    return RedirectResponse(url, status_code=302)


@router.get("/callback", name="smart_callback", status_code=303,
            response_class=RedirectResponse,
            responses={303: {"description": "Session opened; to the web app at /"},
                       400: {"description": "Unknown, used or expired state"},
                       401: {"description": "Code or id token refused"},
                       403: {"description": "Denied at the EPJ, or a national ID as patient"}})
def callback(state: StateDep, request: Request, code: str | None = None,
             launch_state: Annotated[str | None, Query(alias="state")] = None,
             error: str | None = None) -> RedirectResponse:
    """The EPJ's redirect back: exchange the code, open the session, go to `/`."""
    result = complete_launch(state, code=code, state_value=launch_state, error=error)
    state.audit.record(tenant_id=result.session.tenant_id, actor=result.session.actor,
                       action="create", resource_type="smart_session",
                       resource_id=result.session.id_hash[:12],
                       patient_ref=result.session.patient_ref,
                       request_id=getattr(request.state, "request_id", None))
    response = RedirectResponse("/", status_code=303)
    secure, same_site = cookie_flags(request.url.scheme, request.url.hostname,
                                     embedded=bool(result.launcher.frame_ancestors))
    response.set_cookie(SESSION_COOKIE, result.session_id,
                        max_age=state.settings.epj.session_ttl_s, path="/", httponly=True,
                        secure=secure, samesite=same_site)
    return response


@router.get("/context", response_model=SmartContext,
            responses={401: {"description": "No live session"}})
def context(state: StateDep, request: Request) -> SmartContext:
    """The session's patient, practitioner, tenant and expiry (for the web app)."""
    session = session_for(state.store, request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise Problem(401, "Unauthorized", "no live launch session; launch from the EPJ",
                      kind="unauthorized")
    tenant = state.store.tenant(session.tenant_id)
    return SmartContext(patient_ref=session.patient_ref, practitioner=session.practitioner,
                        tenant=tenant.name if tenant else "", expires_at=session.expires_at)


@router.post("/logout", status_code=204,
             responses={403: {"description": f"Without the header {CSRF_HEADER}: 1"}})
def logout(state: StateDep, request: Request) -> Response:
    """End the session (idempotent) and clear the cookie."""
    if request.headers.get(CSRF_HEADER) != "1":
        raise Problem(403, "Forbidden", f"logout needs the header {CSRF_HEADER}: 1",
                      kind="forbidden")
    end_session(state.store, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=_secure(request))
    return response


def _redirect_uri(state, request: Request) -> str:
    public = state.settings.epj.public_url
    if public:
        return public.rstrip("/") + "/smart/callback"
    return str(request.url_for("smart_callback"))


def cookie_flags(scheme: str, host: str | None, *, embedded: bool) -> tuple[bool, str]:
    """(Secure, SameSite) of the session cookie. Secure except for plain http on loopback
    (a development or test server). SameSite=None for an EPJ that frames Dikta, since the
    frame is a cross-site context; browsers take None only with Secure, so on plain-http
    loopback it is Lax — there the EPJ on another port is the same site anyway."""
    secure = scheme == "https" or not _loopback(host)
    return secure, "none" if embedded and secure else "lax"


def _secure(request: Request) -> bool:
    return cookie_flags(request.url.scheme, request.url.hostname, embedded=False)[0]


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address((host or "").strip("[]")).is_loopback
    except ValueError:
        return False
