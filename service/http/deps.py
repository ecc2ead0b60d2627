"""Dependencies shared by the routers: state, settings, the authenticated tenant."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, WebSocket
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from service.core.errors import Problem
from service.core.state import ServiceState
from service.epj.sessions import (
    CSRF_HEADER,
    SESSION_COOKIE,
    SESSION_SCOPES,
    SessionContext,
    hash_session_id,
    session_for,
)


def get_state(request: Request) -> ServiceState:
    return request.app.state.dikta


StateDep = Annotated[ServiceState, Depends(get_state)]

_bearer = HTTPBearer(auto_error=False, description="API key as a bearer token")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


SCOPES = ("dictate", "read_notes", "approve", "export", "ingest", "stats", "admin")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant (`id` is the tenant id), the key, and its scopes;
    `session` when the call comes from an EPJ launch session (its patient binds dictations)."""

    id: str
    tenant_name: str
    actor: str  # "key:<key id>", "oidc:<subject>" or "session:<hash prefix>"
    scopes: frozenset[str]
    session: SessionContext | None = None


def authenticate(request: Request, state: StateDep,
                 bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                 header: Annotated[str | None, Depends(_header)]) -> Principal:
    """The tenant whose API key (or OIDC token) came with the request, or whose launch
    session the cookie names (only with the header X-Dikta-Session: 1, which a cross-site
    form or link cannot send); 401 otherwise. A key, when sent, always decides."""
    key = bearer.credentials if bearer else header
    address = request.client.host if request.client else None
    cookie = request.cookies.get(SESSION_COOKIE)
    if key is None and cookie is not None:
        if request.headers.get(CSRF_HEADER) != "1":
            raise _unauthorized(f"a session cookie is accepted only with the header "
                                f"{CSRF_HEADER}: 1")
        principal = identify_session(state, cookie, address)
    else:
        principal = identify(state, key, address)
    request.state.principal = principal
    state.limiter.check(principal.actor)
    return principal


def identify(state: ServiceState, key: str | None, address: str | None) -> Principal:
    """The principal of an API key or OIDC token — HTTP and WebSocket alike. Failures are
    counted per client address and key prefix; past the limit, 429 before any lookup."""
    prefix = _key_prefix(key)
    failures = state.auth_failures
    if failures is not None:
        failures.check(address and f"addr:{address}", prefix)
    try:
        if key and state.oidc and state.oidc.looks_like_jwt(key):
            return _from_token(state, key)
        return _from_key(state, key)
    except Problem:
        if failures is not None:
            failures.failed(address and f"addr:{address}", prefix)
        raise


def identify_session(state: ServiceState, cookie: str, address: str | None) -> Principal:
    """The principal of a launch session's cookie; an unknown or expired session is a
    failure counted like a bad key."""
    failures = state.auth_failures
    prefix = "session:" + hash_session_id(cookie)[:24]
    if failures is not None:
        failures.check(address and f"addr:{address}", prefix)
    session = session_for(state.store, cookie)
    tenant = state.store.tenant(session.tenant_id) if session else None
    if session is None or tenant is None:
        if failures is not None:
            failures.failed(address and f"addr:{address}", prefix)
        raise _unauthorized("the launch session is unknown or expired; launch again from "
                            "the EPJ")
    return Principal(tenant.id, tenant.name, session.actor, SESSION_SCOPES, session)


def _key_prefix(key: str | None) -> str | None:
    """What failures are counted under besides the address: an API key's first characters
    (the same bad key from any address), or the token itself; hashed, never kept in clear."""
    if not key:
        return None
    part = key if key.startswith("ey") else key[:12]
    return "key:" + hashlib.sha256(part.encode("utf-8", "replace")).hexdigest()[:24]


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, kind="unauthorized",
                   headers={"WWW-Authenticate": "Bearer"})


def _from_key(state: ServiceState, key: str | None) -> Principal:
    found = state.store.principal_for_key(key) if key else None
    if found is None:
        raise _unauthorized("a valid API key is required "
                            "(Authorization: Bearer <key> or X-API-Key)")
    tenant, key_row = found
    return Principal(tenant.id, tenant.name, f"key:{key_row.id}",
                     frozenset(key_row.scopes.split()))


def _from_token(state: ServiceState, token: str) -> Principal:
    from service.http.oidc import TokenError

    try:
        claims = state.oidc.verify(token)
    except TokenError as exc:
        raise _unauthorized(str(exc)) from None
    except (ValueError, TypeError, KeyError):  # a token no check foresaw: refuse, never 500
        logging.getLogger("dikta.oidc").warning("token refused by an unexpected error",
                                                exc_info=True)
        raise _unauthorized("token could not be verified") from None
    tenant = state.store.tenant_by_name(claims.tenant)
    if tenant is None:
        raise _unauthorized("the token names no known tenant")
    return Principal(tenant.id, tenant.name, f"oidc:{claims.subject}",
                     claims.scopes & frozenset(SCOPES))


TenantDep = Annotated[Principal, Depends(authenticate)]


def require(scope: str):
    """A dependency that lets the request through only with `scope` (or admin)."""
    def check(principal: TenantDep) -> Principal:
        if scope not in principal.scopes and "admin" not in principal.scopes:
            raise Problem(403, "Forbidden", f"this API key lacks the '{scope}' scope",
                          kind="forbidden")
        return principal
    return Depends(check)


def can_read_notes(principal: Principal) -> bool:
    """Whether responses to `principal` may carry transcript or note text."""
    return bool({"read_notes", "admin"} & principal.scopes)


def authenticate_websocket(websocket: WebSocket) -> Principal:
    """The principal of a live dictation, by the same checks as HTTP (API key or OIDC
    token, or a launch session's cookie; failure limit); raises Problem (401, 403, 429,
    431). Browsers cannot set headers on a WebSocket: the key or token may come as
    ?api_key=…, and a session cookie counts only from a page of this server's own origin
    (the browser's Origin header), which is what keeps other sites from using it."""
    state: ServiceState = websocket.app.state.dikta
    header = websocket.headers.get("authorization", "")
    key = header[7:].strip() if header[:7].lower() == "bearer " else \
        websocket.headers.get("x-api-key") or _subprotocol_key(websocket) or \
        websocket.query_params.get("api_key")
    limit = state.settings.service.max_authorization_bytes
    if key and len(key) > limit:
        raise Problem(431, "Request header fields too large",
                      f"the key or token is over the limit of {limit} bytes",
                      kind="headers-too-large")
    address = websocket.client.host if websocket.client else None
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if not key and cookie is not None:
        if not _same_origin(websocket, state.settings.service.cors_origins):
            raise Problem(403, "Forbidden", "a session cookie is accepted on the stream only "
                          "from a page of this server's origin", kind="forbidden")
        principal = identify_session(state, cookie, address)
    else:
        principal = identify(state, key, address)
    if not {"dictate", "admin"} & principal.scopes:
        raise Problem(403, "Forbidden", "this API key lacks the 'dictate' scope",
                      kind="forbidden")
    state.limiter.check(principal.actor)
    return principal


def _same_origin(websocket: WebSocket, allowed: list[str]) -> bool:
    origin = websocket.headers.get("origin")
    if not origin:
        return False
    host = websocket.headers.get("host", "")
    # http or https alike: behind a TLS proxy the server sees ws:// for the browser's wss://.
    return origin in (f"http://{host}", f"https://{host}", *allowed)
SUBPROTOCOL = "dikta"
_BEARER_PROTOCOL = "dikta.bearer."


def _subprotocol_key(websocket: WebSocket) -> str | None:
    """A browser's key offered as the subprotocol `dikta.bearer.<key>` (next to `dikta`):
    unlike ?api_key= it stays out of URLs, so out of console messages and access logs."""
    for offered in websocket.scope.get("subprotocols") or ():
        if offered.startswith(_BEARER_PROTOCOL):
            return offered[len(_BEARER_PROTOCOL):]
    return None


def websocket_subprotocol(websocket: WebSocket) -> str | None:
    """The subprotocol to answer with: `dikta` when the client offered it (a browser drops
    a connection whose offered protocols get no answer)."""
    return SUBPROTOCOL if SUBPROTOCOL in (websocket.scope.get("subprotocols") or ()) else None


def audit(request: Request, action: str, resource_type: str, resource_id: str | None,
          patient_ref: str | None = None) -> None:
    """Record an access to patient data in the access audit (never the content)."""
    state: ServiceState = request.app.state.dikta
    principal: Principal = request.state.principal
    state.audit.record(tenant_id=principal.id, actor=principal.actor, action=action,
                       resource_type=resource_type, resource_id=resource_id,
                       patient_ref=patient_ref,
                       request_id=getattr(request.state, "request_id", None))
