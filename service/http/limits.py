"""Refuse request bodies over the configured size before reading them (413)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

# Resumable-upload chunks have their own limit (the upload's declared length).
_EXEMPT_PREFIXES = ("/v1/uploads/",)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps({
            "type": "https://dikta.no/problems/request-too-large", "title": "Request too large",
            "status": 413, "instance": scope["path"],
            "detail": f"the request body is over the limit of {self.max_bytes / 1e6:.0f} MB; "
                      "use the resumable upload (/v1/uploads) for long recordings"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/problem+json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class HeaderLimit:
    """Refuse oversized credentials and headers (431) before anything parses or decodes them.

    The credential (`Authorization`, `X-API-Key`) is capped on its own (`max_credential`)
    and all headers together (`max_total`, names and values). A WebSocket is accepted and
    closed at once with code 4431 (browsers cannot read a refused handshake's status).
    """

    CREDENTIALS = (b"authorization", b"x-api-key")

    def __init__(self, app: ASGIApp, max_credential: int, max_total: int) -> None:
        self.app, self.max_credential, self.max_total = app, max_credential, max_total

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        detail = self.too_large(scope.get("headers") or [])
        if detail is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": 4431, "reason": detail[:120]})
        else:
            body = json.dumps({
                "type": "https://dikta.no/problems/headers-too-large",
                "title": "Request header fields too large", "status": 431, "detail": detail,
                "instance": scope["path"],
                "request_id": (scope.get("state") or {}).get("request_id")}).encode()
            await send({"type": "http.response.start", "status": 431,
                        "headers": [(b"content-type", b"application/problem+json"),
                                    (b"content-length", str(len(body)).encode()),
                                    (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": body})

    def too_large(self, headers) -> str | None:
        total = 0
        for name, value in headers:
            total += len(name) + len(value)
            if name.lower() in self.CREDENTIALS and len(value) > self.max_credential:
                return (f"the {name.decode('latin-1')} header is over the limit of "
                        f"{self.max_credential} bytes")
        if total > self.max_total:
            return f"the request headers are over the limit of {self.max_total} bytes in all"
        return None
