"""Everything a use case works with, built once by the app factory (or a CLI command) and
passed down: settings, engine, store, the inference gate, metrics, the worker, the audit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ServiceState:
    settings: object
    engine: object
    store: object
    gate: object
    metrics: object
    worker: object
    limiter: object = None
    audit: object = None
    oidc: object = None
    auth_failures: object = None  # ratelimit.FailureLimiter
    resources: list | None = None  # optional system resources, checked once at start
    cursors: object = None  # core.cursors.CursorCodec: signs worklist and feed cursors
    feed_tokens: object = None  # http.feed_auth.FeedTokenVerifier, when the feed has an IdP
