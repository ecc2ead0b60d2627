"""The FastAPI application: `create_app()` wires settings, model, store, worker and routers."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from service.audit import AuditLog
from service.oidc import OidcVerifier
from service.deps import ServiceState, authenticate
from service.ratelimit import RateLimiter
from service.retention import PurgeSchedule
from service.engine import Engine
from fastapi.middleware.cors import CORSMiddleware

from service.gate import InferenceGate
from service.headers import SecurityHeaders
from service.limits import BodyLimit
from service.logs import RequestContext, configure_logging
from service.metrics import Metrics
from service.problems import document_problems, register_problem_handlers
from service.routers import (
    batches,
    dictations,
    health,
    notes,
    stream,
    transcriptions,
    uploads,
)
from service.settings import Settings, get_settings
from service.store import open_store
from service.worker import make_worker


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               load_model: bool = True) -> FastAPI:
    settings = settings or get_settings()
    configure_logging()
    metrics = Metrics()
    engine = engine or Engine(settings)
    gate = InferenceGate(settings.service.inference_slots, settings.service.max_queue,
                         on_depth=metrics.queue_depth.set)
    state = ServiceState(settings=settings, engine=engine, store=open_store(settings),
                         gate=gate, metrics=metrics, worker=None)
    state.worker = make_worker(state)
    state.limiter = RateLimiter(settings.service.rate_limit_per_minute)
    state.audit = AuditLog(state.store)
    oidc = settings.security.oidc
    if oidc.jwks_file is not None:
        if not oidc.issuer:
            raise ValueError("DIKTA_SECURITY__OIDC__ISSUER is required with a JWKS file")
        state.oidc = OidcVerifier(oidc.jwks_file, oidc.issuer, oidc.audience,
                                  oidc.tenant_claim)
    schedule = PurgeSchedule(state.store, settings.retention)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if load_model:
            engine.transcriber()  # load once, before the first request
        state.worker.start()
        schedule.start()
        try:
            yield
        finally:
            schedule.stop()
            state.worker.stop()

    app = FastAPI(title="Dikta", version=_version(), lifespan=lifespan,
                  description="On-premise Norwegian speech-to-text for municipal health care. "
                              "Every /v1 route needs an API key (Bearer or X-API-Key).")
    app.state.dikta = state
    register_problem_handlers(app)
    document_problems(app)
    app.include_router(health.router)
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(authenticate)])
    for module in (transcriptions, dictations, notes, uploads, batches):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(stream.router, prefix="/v1")  # authenticates inside (WebSocket)
    app.add_middleware(BodyLimit, max_bytes=settings.service.request_max_bytes)
    app.add_middleware(SecurityHeaders, hsts=settings.service.hsts)
    if settings.service.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.service.cors_origins,
                           allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type",
                                          "Idempotency-Key", "Upload-Offset", "X-Request-ID"],
                           expose_headers=["Location", "Upload-Offset", "Upload-Length",
                                           "Retry-After", "X-Request-ID"])
    app.add_middleware(RequestContext, metrics=metrics)
    return app


def _version() -> str:
    from importlib.metadata import version

    return version("dikta")
