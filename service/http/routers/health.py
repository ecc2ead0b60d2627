"""Health, readiness and Prometheus metrics (the only routes without authentication)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import text

from service.core.errors import Problem
from service.http.deps import StateDep

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    model: str
    device: str
    optional_resources: list[dict] = Field(
        default_factory=list, description="System resources Dikta works without, a little "
        "worse: name, available, what happens without it")


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Ready, responses={503: {"description": "Not ready"}})
def readyz(state: StateDep) -> Ready:
    """Ready for work: the model is loaded and the database answers."""
    settings = state.settings
    try:
        with state.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        raise Problem(503, "Not ready", "the database does not answer", kind="not-ready") \
            from None
    if not state.engine.manager.loaded():
        raise Problem(503, "Not ready", "the model is not loaded yet", kind="not-ready")
    return Ready(status="ready", model=settings.model.name,
                 device=state.engine.device_plan().describe(),
                 optional_resources=state.resources or [])


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(state: StateDep) -> Response:
    """Prometheus exposition format."""
    state.metrics.queue_depth.set(state.gate.waiting)
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
