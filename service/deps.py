"""Dependencies shared by the routers: state, settings, the authenticated tenant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, WebSocket
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from service.problems import Problem
from service.store import Tenant


@dataclass
class ServiceState:
    settings: object
    engine: object
    store: object
    gate: object
    metrics: object
    worker: object


def get_state(request: Request) -> ServiceState:
    return request.app.state.dikta


StateDep = Annotated[ServiceState, Depends(get_state)]

_bearer = HTTPBearer(auto_error=False, description="API key as a bearer token")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


def authenticate(state: StateDep,
                 bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                 header: Annotated[str | None, Depends(_header)]) -> Tenant:
    """The tenant whose API key came with the request; 401 otherwise."""
    key = bearer.credentials if bearer else header
    tenant = state.store.tenant_for_key(key) if key else None
    if tenant is None:
        raise Problem(401, "Unauthorized", "a valid API key is required "
                      "(Authorization: Bearer <key> or X-API-Key)", kind="unauthorized",
                      headers={"WWW-Authenticate": "Bearer"})
    return tenant


TenantDep = Annotated[Tenant, Depends(authenticate)]


def authenticate_websocket(websocket: WebSocket) -> Tenant | None:
    """Browsers cannot set headers on a WebSocket: the key may come as ?api_key=…"""
    state: ServiceState = websocket.app.state.dikta
    header = websocket.headers.get("authorization", "")
    key = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else \
        websocket.headers.get("x-api-key") or websocket.query_params.get("api_key")
    return state.store.tenant_for_key(key) if key else None
