"""Where accepted dictations go to be processed: threads in the API process (default), or
Celery workers (`dikta worker`) that share only the database and the broker with the API.

The database is the queue's memory: a dictation is stored (audio fsynced, row committed)
before 202 is answered, and on start every dictation still `queued` or `running` is
submitted again — processing is idempotent, so a second submission costs nothing.

Deliveries (the outbox, service/deliveries/) travel the same way: submitted after the approval
commits, submitted again on start, and a sweep every `deliveries.poll_interval_s` submits
what has come due (retries after backoff, a submission lost in a crash). A claim in the
database decides which worker sends, so a repeated submission never sends twice at once.
"""

from __future__ import annotations

import logging
import queue
import threading

from sqlalchemy import select

from service.core.store import Dictation, Store, utcnow
from service.deliveries.outbox import (
    DeliveryProcessor,
    due_deliveries,
    unfinished_deliveries,
)
from service.jobs.processor import DictationProcessor

log = logging.getLogger("dikta.worker")
_STOP = object()


def unfinished(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(Dictation.id).where(
            Dictation.status.in_(("queued", "running"))).order_by(Dictation.created_at)))


class DeliverySweep:
    """Submits due outbox rows every `poll_interval_s` in a daemon thread; a row is submitted
    once per attempt (again only if that submission seems lost)."""

    def __init__(self, store: Store, settings, submit) -> None:
        self.store, self.settings, self.submit = store, settings, submit
        self._sent: dict[tuple[str, str], float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.settings.deliveries.targets:
            return
        self._thread = threading.Thread(target=self._run, name="dikta-delivery-sweep",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def sweep(self) -> int:
        now = utcnow()
        lost_after_s = self.settings.deliveries.sending_timeout_s
        sent = 0
        for delivery_id, mark in due_deliveries(self.store, self.settings, now):
            key = (delivery_id, mark)
            if key in self._sent and now.timestamp() - self._sent[key] < lost_after_s:
                continue
            self._sent[key] = now.timestamp()
            self.submit(delivery_id)
            sent += 1
        if len(self._sent) > 10_000:  # forget old attempts; a repeat costs one claim
            self._sent.clear()
        return sent

    def _run(self) -> None:
        while not self._stop.wait(self.settings.deliveries.poll_interval_s):
            try:
                self.sweep()
            except Exception:  # the database is away: try again next round
                log.exception("delivery sweep failed")


class InProcessWorker:
    def __init__(self, state, threads: int = 1) -> None:
        self.state = state
        self.threads = threads
        self._queue: queue.Queue = queue.Queue()
        self._workers: list[threading.Thread] = []
        self._timers: list[threading.Timer] = []
        self.processor = DictationProcessor(state.store, state.engine, state.settings,
                                            gate=state.gate, metrics=state.metrics)
        self.deliveries = DeliveryProcessor(state.store, state.settings)
        self._delivery_queue: queue.Queue = queue.Queue()
        self._queued_deliveries: set[str] = set()
        self._lock = threading.Lock()
        self._senders: list[threading.Thread] = []
        self.sweep = DeliverySweep(state.store, state.settings, self.submit_delivery)

    def start(self) -> None:
        for _ in range(self.threads):
            thread = threading.Thread(target=self._run, name="dikta-dictation", daemon=True)
            thread.start()
            self._workers.append(thread)
        for dictation_id in unfinished(self.state.store):
            self.submit(dictation_id)
        if self.state.settings.deliveries.targets or unfinished_deliveries(self.state.store):
            # Network waits, not CPU: one thread apart from transcription, so a slow
            # receiver never holds up a dictation.
            sender = threading.Thread(target=self._send, name="dikta-delivery", daemon=True)
            sender.start()
            self._senders = [sender]
            for delivery_id in unfinished_deliveries(self.state.store):
                self.submit_delivery(delivery_id)
            self.sweep.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        self.sweep.stop()
        for timer in self._timers:
            timer.cancel()
        for _ in self._workers:
            self._queue.put(_STOP)
        for _ in self._senders:
            self._delivery_queue.put(_STOP)
        for thread in [*self._workers, *self._senders]:
            thread.join(timeout_s)
        self._workers.clear()

    def submit_delivery(self, delivery_id: str) -> None:
        with self._lock:
            if delivery_id in self._queued_deliveries:
                return
            self._queued_deliveries.add(delivery_id)
        self._delivery_queue.put(delivery_id)

    def _send(self) -> None:
        while True:
            item = self._delivery_queue.get()
            if item is _STOP:
                return
            with self._lock:
                self._queued_deliveries.discard(item)
            try:
                self.deliveries.process(item)
            except Exception:  # keep the thread alive; the sweep brings the row back
                log.exception("delivery failed unexpectedly", extra={"delivery_id": item})

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
        self.sweep = DeliverySweep(state.store, state.settings, self.submit_delivery)

    def start(self) -> None:
        for dictation_id in unfinished(self.state.store):
            self.submit(dictation_id)
        for delivery_id in unfinished_deliveries(self.state.store):
            self.submit_delivery(delivery_id)
        self.sweep.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        self.sweep.stop()

    def submit_delivery(self, delivery_id: str) -> None:
        from service.jobs.tasks import DELIVERY_TASK_NAME

        self.celery.send_task(DELIVERY_TASK_NAME, args=[delivery_id],
                              queue=self.state.settings.worker.queue)

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
