"""Requests per API key per minute (token bucket): one misbehaving client cannot starve
the others; and failed authentications per client address and key prefix, so keys cannot be
guessed at speed. In memory, per API process; a 429 says when to come back."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from service.core.errors import Problem


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate_per_s = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, last time)
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        if self.rate_per_s <= 0:
            return
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate_per_s)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait_s = math.ceil((1.0 - tokens) / self.rate_per_s)
                raise Problem(429, "Too many requests", "rate limit of this API key exceeded",
                              kind="rate-limited", headers={"Retry-After": str(wait_s)})
            self._buckets[key] = (tokens - 1.0, now)


class FailureLimiter:
    """Failed authentications per client address and per key prefix (token bucket each).

    Checked *before* a credential is looked at: once a bucket is empty, every request from
    that address or with that key prefix gets 429 (with Retry-After) — a right guess too,
    or the 429 would tell a guesser when it hit. Successes cost nothing. Bounded memory: at
    most `max_tracked` buckets; full (refilled) ones are dropped first.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 max_tracked: int = 100_000) -> None:
        self.rate_per_s = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock, self.max_tracked = clock, max_tracked
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _tokens(self, key: str, now: float) -> float:
        tokens, last = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - last) * self.rate_per_s)

    def check(self, *keys: str | None) -> None:
        if self.rate_per_s <= 0:
            return
        with self._lock:
            now = self.clock()
            lowest = min((self._tokens(k, now) for k in keys if k), default=self.capacity)
        if lowest < 1.0:
            wait_s = max(1, math.ceil((1.0 - lowest) / self.rate_per_s))
            raise Problem(429, "Too many failed attempts",
                          "too many failed authentication attempts from this address or with "
                          "this key; try again later", kind="auth-rate-limited",
                          headers={"Retry-After": str(wait_s)})

    def failed(self, *keys: str | None) -> None:
        if self.rate_per_s <= 0:
            return
        with self._lock:
            now = self.clock()
            for key in keys:
                if key:
                    self._buckets[key] = (self._tokens(key, now) - 1.0, now)
            if len(self._buckets) > self.max_tracked:
                self._prune(now)

    def _prune(self, now: float) -> None:
        for key in [k for k in self._buckets if self._tokens(k, now) >= self.capacity]:
            del self._buckets[key]
        surplus = len(self._buckets) - self.max_tracked
        if surplus > 0:  # still too many: the least recently failed go first
            for key in sorted(self._buckets, key=lambda k: self._buckets[k][1])[:surplus]:
                del self._buckets[key]
