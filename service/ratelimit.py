"""Requests per API key per minute (token bucket): one misbehaving client cannot starve
the others. In memory, per API process; a 429 says when to come back."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from service.problems import Problem


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
