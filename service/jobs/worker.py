"""Where accepted dictations go to be processed: threads in the API process (default), or
Celery workers (`dikta worker`) that share only the database and the broker with the API.

The database is the queue's memory: a dictation is stored (audio fsynced, row committed)
before 202 is answered, and on start every dictation still `queued` or `running` is
submitted again — processing is idempotent, so a second submission costs nothing.
"""

from __future__ import annotations

import logging
import queue
import threading

from sqlalchemy import select

from service.core.store import Dictation, Store
from service.jobs.processor import DictationProcessor

log = logging.getLogger("dikta.worker")
_STOP = object()


def unfinished(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(Dictation.id).where(
            Dictation.status.in_(("queued", "running"))).order_by(Dictation.created_at)))


class InProcessWorker:
    def __init__(self, state, threads: int = 1) -> None:
        self.state = state
        self.threads = threads
        self._queue: queue.Queue = queue.Queue()
        self._workers: list[threading.Thread] = []
        self._timers: list[threading.Timer] = []
        self.processor = DictationProcessor(state.store, state.engine, state.settings,
                                            gate=state.gate, metrics=state.metrics)

    def start(self) -> None:
        for _ in range(self.threads):
            thread = threading.Thread(target=self._run, name="dikta-dictation", daemon=True)
            thread.start()
            self._workers.append(thread)
        for dictation_id in unfinished(self.state.store):
            self.submit(dictation_id)

    def stop(self, timeout_s: float = 30.0) -> None:
        for timer in self._timers:
            timer.cancel()
        for _ in self._workers:
            self._queue.put(_STOP)
        for thread in self._workers:
            thread.join(timeout_s)
        self._workers.clear()

    def submit(self, dictation_id: str) -> None:
        self._queue.put(dictation_id)
        self.state.metrics.dictation_queue.set(self._queue.qsize())

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            self.state.metrics.dictation_queue.set(self._queue.qsize())
            if item is _STOP:
                return
            try:
                outcome = self.processor.process(item)
            except Exception:  # keep the thread alive; the row says what failed
                log.exception("dictation failed unexpectedly", extra={"dictation_id": item})
                continue
            if outcome.retry_in_s is not None:
                timer = threading.Timer(outcome.retry_in_s, self.submit, args=(item,))
                timer.daemon = True
                self._timers.append(timer)
                timer.start()


class CeleryDispatcher:
    """Sends dictations to Celery workers; the API itself processes nothing."""

    def __init__(self, state) -> None:
        from service.jobs.tasks import make_celery

        self.state = state
        self.celery = make_celery(state.settings)

    def start(self) -> None:
        for dictation_id in unfinished(self.state.store):
            self.submit(dictation_id)

    def stop(self, timeout_s: float = 30.0) -> None:
        pass

    def submit(self, dictation_id: str) -> None:
        from service.jobs.tasks import TASK_NAME

        self.celery.send_task(TASK_NAME, args=[dictation_id],
                              queue=self.state.settings.worker.queue)


def make_worker(state):
    backend = state.settings.worker.backend
    if backend == "celery":
        return CeleryDispatcher(state)
    if backend == "inprocess":
        return InProcessWorker(state, threads=state.settings.service.dictation_workers)
    raise ValueError(f"unknown worker backend '{backend}' (inprocess or celery)")
