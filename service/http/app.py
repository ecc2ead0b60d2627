"""The FastAPI application: `create_app()` wires settings, model, store, worker and routers."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from pipelines.offline import enforce_offline
from service.core.audit import AuditLog
from service.core.crypto import active_keyring
from service.core.cursors import CursorCodec
from service.core.engine import Engine
from service.core.gate import InferenceGate
from service.core.logs import configure_logging
from service.core.metrics import Metrics
from service.core.resources import report_missing
from service.core.retention import PurgeSchedule
from service.core.settings import Settings, get_settings
from service.core.store import open_store
from service.http.deps import ServiceState, authenticate
from service.http.docs import mount_docs
from service.http.feed_auth import feed_verifier
from service.http.headers import SecurityHeaders
from service.http.limits import BodyLimit, HeaderLimit
from service.http.middleware import RequestContext
from service.http.oidc import OidcVerifier
from service.http.problems import document_problems, register_problem_handlers
from service.http.ratelimit import FailureLimiter, RateLimiter
from service.http.routers import (
    alarms,
    batches,
    dictations,
    fhir,
    health,
    notes,
    smart,
    stats,
    stream,
    texts,
    transcriptions,
    uploads,
    webapp,
)
from service.http.routers.uploads import TusResumableHeader
from service.http.strict_forms import use_strict_form_decoding
from service.jobs.worker import make_worker


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               load_model: bool = True) -> FastAPI:
    enforce_offline()  # the app factory is a process start too (uvicorn --factory)
    settings = settings or get_settings()
    configure_logging()
    use_strict_form_decoding()
    metrics = Metrics()
    engine = engine or Engine(settings)
    gate = InferenceGate(settings.service.inference_slots, settings.service.max_queue,
                         on_depth=metrics.queue_depth.set)
    state = ServiceState(settings=settings, engine=engine, store=open_store(settings),
                         gate=gate, metrics=metrics, worker=None)
    state.worker = make_worker(state)
    state.resources = report_missing()  # logged once here, shown by /readyz
    state.limiter = RateLimiter(settings.service.rate_limit_per_minute)
    state.auth_failures = FailureLimiter(settings.service.auth_failures_per_minute)
    state.audit = AuditLog.for_settings(state.store, settings)
    state.cursors = CursorCodec.for_settings(settings, active_keyring())
    state.feed_tokens = feed_verifier(settings)
    oidc = settings.security.oidc
    if oidc.jwks_file is not None:
        if not oidc.issuer:
            raise ValueError("DIKTA_SECURITY__OIDC__ISSUER is required with a JWKS file")
        state.oidc = OidcVerifier(oidc.jwks_file, oidc.issuer, oidc.audience,
                                  oidc.tenant_claim, leeway_s=oidc.leeway_s,
                                  max_lifetime_s=oidc.max_token_lifetime_s,
                                  require_iat=oidc.require_iat,
                                  max_token_chars=settings.service.max_authorization_bytes)
    schedule = PurgeSchedule(state.store, settings.retention, state.audit)

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
                  docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None,
                  description="On-premise Norwegian speech-to-text for municipal health care. "
                              "Every /v1 route needs an API key (Bearer or X-API-Key).")
    app.state.dikta = state
    mount_docs(app)  # /docs and /redoc with their assets from this server, not a CDN
    register_problem_handlers(app)
    document_problems(app)
    app.include_router(health.router)
    app.include_router(smart.router)  # the launch (no key: the EPJ's browser redirect)
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(authenticate)])
    for module in (transcriptions, dictations, notes, texts, uploads, batches, alarms, stats):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(stream.router, prefix="/v1")  # authenticates inside (WebSocket)
    app.include_router(fhir.router)  # EPJ access tokens, not API keys (http/feed_auth.py)
    app.include_router(webapp.router)  # the nurse's web app at /, no key to load it
    app.add_middleware(BodyLimit, max_bytes=settings.service.request_max_bytes)
    app.add_middleware(HeaderLimit, max_credential=settings.service.max_authorization_bytes,
                       max_total=settings.service.max_header_bytes)
    app.add_middleware(SecurityHeaders, hsts=settings.service.hsts,
                       frame_ancestors=[origin for launcher in settings.epj.launchers
                                        for origin in launcher.frame_ancestors])
    if settings.service.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.service.cors_origins,
                           allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type",
                                          "Idempotency-Key", "X-Request-ID", *TUS_REQUEST],
                           expose_headers=["Location", "Retry-After", "X-Request-ID",
                                           *TUS_RESPONSE])
    app.add_middleware(TusResumableHeader)
    app.add_middleware(RequestContext, metrics=metrics)
    return app


TUS_REQUEST = ["Tus-Resumable", "Upload-Length", "Upload-Offset", "Upload-Metadata",
               "Upload-Checksum"]
TUS_RESPONSE = ["Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size",
                "Tus-Checksum-Algorithm", "Upload-Offset", "Upload-Length", "Upload-Expires",
                "Upload-Metadata"]


def _version() -> str:
    from importlib.metadata import version

    return version("dikta")
