"""A Dikta app running on loopback for a test, and waiting for what it does in the background
(worker threads, the outbox): shared by the delivery, write-back and end-to-end tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from evaluation.loopback import running
from service.core.settings import Settings

T = TypeVar("T")


@contextmanager
def serving(settings: Settings, scopes: str, tenant: str = "kommune-a"
            ) -> Iterator[tuple[str, dict[str, str], object]]:
    """(base URL, headers with a new API key of `tenant` with `scopes`, the store)."""
    from service.http.app import create_app

    app = create_app(settings, load_model=False)
    store = app.state.dikta.store
    key = store.create_key(tenant, scopes)
    try:
        with running(app) as base:
            yield base, {"Authorization": f"Bearer {key}"}, store
    finally:
        store.engine.dispose()


def wait_until(what: str, check: Callable[[], T], timeout_s: float = 60,
               interval_s: float = 0.1) -> T:
    """`check()`'s first truthy value; fails naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval_s)
