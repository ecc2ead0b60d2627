"""Security headers on every response: an API answers data, never pages to frame or sniff.

The one exception is what an EPJ embeds in its chart: the web app at `/` and the launch
pages under `/smart/`. For configured EPJ origins (`epj.launchers[].frame_ancestors`) those
responses say `frame-ancestors <origins>` instead of `'none'`, and carry no X-Frame-Options
(which cannot name origins, and would win over the CSP in old browsers)."""

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
_CSP = b"content-security-policy"
_XFO = b"x-frame-options"
# The interactive docs (/docs, /redoc) get these too; their pages set a CSP of their own
# (service/docs.py), which is kept: a header the response already has is never replaced.


def embeddable(path: str) -> bool:
    """The pages an EPJ frames: the web app's page and the launch."""
    return path == "/" or path.startswith("/smart/")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, hsts: bool = False,
                 frame_ancestors: list[str] | None = None) -> None:
        self.app, self.hsts = app, hsts
        self.ancestors = " ".join(dict.fromkeys(frame_ancestors or [])).encode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        framed = bool(self.ancestors) and embeddable(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if framed:
                    headers = self._framed(headers)
                present = {name for name, _ in headers}
                extra = [h for h in _ALWAYS if h[0] not in present
                         and not (framed and h[0] == _XFO)]
                if scope["path"].startswith(("/v1", "/smart/")):
                    extra.append(_NO_STORE)
                if self.hsts:
                    extra.append(_HSTS)
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, with_headers)

    def _framed(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        """The page's own CSP (or the strict default) with frame-ancestors set to the EPJ
        origins; any X-Frame-Options dropped."""
        policy = next((value for name, value in headers if name == _CSP),
                      b"default-src 'none'")
        directives = [d.strip() for d in policy.split(b";")
                      if d.strip() and not d.strip().lower().startswith(b"frame-ancestors")]
        directives.append(b"frame-ancestors " + self.ancestors)
        kept = [(n, v) for n, v in headers if n not in (_CSP, _XFO)]
        return kept + [(_CSP, b"; ".join(directives))]
