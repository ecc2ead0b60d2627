"""Back-pressure: a bounded number of transcriptions run, a bounded number wait, the rest 429.

Inference runs in worker threads, never on the event loop; the event loop only waits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager
from typing import TypeVar

import anyio

T = TypeVar("T")


class Busy(Exception):
    """Too many transcriptions are already waiting."""


class InferenceGate:
    def __init__(self, slots: int, max_waiting: int,
                 on_depth: Callable[[int], None] = lambda depth: None) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._max_waiting = max_waiting
        self._lock = threading.Lock()
        self._waiting = 0
        self._on_depth = on_depth

    @property
    def waiting(self) -> int:
        return self._waiting

    @contextmanager
    def _ticket(self):
        with self._lock:
            if self._waiting >= self._max_waiting:
                raise Busy()
            self._waiting += 1
            self._on_depth(self._waiting)
        try:
            yield
        finally:
            with self._lock:
                self._waiting -= 1
                self._on_depth(self._waiting)

    def run_blocking(self, work: Callable[[], T]) -> T:
        """Run `work` in this thread once a slot is free (dictation workers: their queue is
        the database, so they wait rather than being refused)."""
        with self._slots:
            return work()

    async def run(self, work: Callable[[], T]) -> T:
        """Run `work` in a worker thread once a slot is free; raise Busy when full."""
        with self._ticket():
            return await anyio.to_thread.run_sync(self._in_slot, work,
                                                  abandon_on_cancel=False)

    def _in_slot(self, work: Callable[[], T]) -> T:
        with self._slots:
            return work()
