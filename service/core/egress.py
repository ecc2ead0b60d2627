"""The one way out: outbound HTTP only to endpoints an operator configured.

Dikta sends nothing anywhere by default. The delivery targets' base URLs and token endpoints
(settings `deliveries.targets`) are the allow-list; every outbound request goes through a
client made here, whose transport checks the scheme, host and port of each request — redirects
included, as they are not followed — before a socket is opened. A URL that comes back from a
partner (a status URL, a token endpoint in a document) is therefore never fetched unless it
lies on a configured endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

_DEFAULT_PORTS = {"http": 80, "https": 443}


class EgressRefused(RuntimeError):
    """An outbound request to an endpoint no operator configured."""


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise EgressRefused(f"not an http(s) URL: {scheme or '?'}://…")
    return scheme, parts.hostname.lower(), parts.port or _DEFAULT_PORTS[scheme]


@dataclass(frozen=True)
class EgressPolicy:
    allowed: frozenset[tuple[str, str, int]]
    """(scheme, host, port) of every configured endpoint."""

    @classmethod
    def of(cls, urls: Iterable[str | None]) -> EgressPolicy:
        return cls(frozenset(_origin(url) for url in urls if url))

    @classmethod
    def from_settings(cls, settings) -> EgressPolicy:
        urls: list[str | None] = []
        for target in settings.deliveries.targets:
            urls += [target.base_url, target.token_endpoint, target.status_base_url]
        return cls.of(urls)

    def check(self, url: str) -> None:
        origin = _origin(url)
        if origin not in self.allowed:
            scheme, host, port = origin
            raise EgressRefused(f"outbound request to {scheme}://{host}:{port} refused: "
                                "not a configured endpoint (deliveries.targets)")

    def client(self, timeout_s: float = 30.0) -> httpx.Client:
        """An HTTP client that only reaches allowed endpoints (no redirects, no proxies
        from the environment: a proxy would be another, unconfigured, endpoint)."""
        return httpx.Client(transport=_CheckedTransport(self), timeout=timeout_s,
                            follow_redirects=False, trust_env=False)


class _CheckedTransport(httpx.BaseTransport):
    def __init__(self, policy: EgressPolicy) -> None:
        self.policy = policy
        self.inner = httpx.HTTPTransport(trust_env=False)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.policy.check(str(request.url))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()
