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


def get_state(request: Request) -> ServiceState:
    return request.app.state.dikta


StateDep = Annotated[ServiceState, Depends(get_state)]

_bearer = HTTPBearer(auto_error=False, description="API key as a bearer token")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


SCOPES = ("dictate", "read_notes", "approve", "export", "admin")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant (`id` is the tenant id), the key, and its scopes."""

    id: str
    tenant_name: str
    actor: str  # "key:<key id>"
    scopes: frozenset[str]


def authenticate(request: Request, state: StateDep,
                 bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                 header: Annotated[str | None, Depends(_header)]) -> Principal:
    """The tenant whose API key (or OIDC token) came with the request; 401 otherwise."""
    key = bearer.credentials if bearer else header
    principal = identify(state, key, request.client.host if request.client else None)
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
    token, failure limit); raises Problem (401, 403, 429, 431). Browsers cannot set headers
    on a WebSocket: the key or token may come as ?api_key=…"""
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
    principal = identify(state, key, websocket.client.host if websocket.client else None)
    if not {"dictate", "admin"} & principal.scopes:
        raise Problem(403, "Forbidden", "this API key lacks the 'dictate' scope",
                      kind="forbidden")
    state.limiter.check(principal.actor)
    return principal


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
