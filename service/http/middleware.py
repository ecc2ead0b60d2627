"""ASGI middleware: a request id per request (X-Request-ID), the access log line and the
request metrics — metadata only (route template, status, duration), never content."""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.core.logs import request_id_var

log = logging.getLogger("dikta.service")


class RequestContext:
    """ASGI middleware: a request id per request (X-Request-ID), access log, metrics."""

    def __init__(self, app: ASGIApp, metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = incoming if incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = _route_label(scope)
            duration = time.perf_counter() - started
            if scope["type"] == "http":
                method = scope["method"]
                self.metrics.requests.labels(method, path, str(status["code"])).inc()
                self.metrics.latency.labels(method, path).observe(duration)
                log.info("request", extra={"method": method, "route": path,
                                           "status": status["code"],
                                           "duration_ms": round(duration * 1000, 1)})
            request_id_var.reset(token)


def _route_label(scope: Scope) -> str:
    """The route template ("/v1/dictations/{dictation_id}"), never the raw path with ids."""
    route = getattr(scope.get("route"), "path", None)
    if route is None:
        return "unmatched"
    # Routers included under /v1 report their own, un-prefixed path.
    if scope["path"].startswith("/v1/") and not route.startswith("/v1"):
        return "/v1" + route
    return route
