"""Security headers on every response: an API answers data, never pages to frame or sniff."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_NO_STORE = (b"cache-control", b"no-store")  # patient data must not sit in caches
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# The interactive docs (/docs, /redoc) get these too; their pages set a CSP of their own
# (service/docs.py), which is kept: a header the response already has is never replaced.


class SecurityHeaders:
    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app, self.hsts = app, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name for name, _ in headers}
                extra = [h for h in _ALWAYS if h[0] not in present]
                if scope["path"].startswith("/v1"):
                    extra.append(_NO_STORE)
                if self.hsts:
                    extra.append(_HSTS)
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, with_headers)
