"""Celery: the task that processes a dictation, and the app that `dikta worker` runs.

Late acknowledgement with reject-on-worker-lost: a job whose worker dies (kill -9, power)
goes back to the broker and is delivered to another worker. Processing is idempotent
(service.jobs), so redeliveries never store a second result.
"""

from __future__ import annotations

from functools import lru_cache

from celery import Celery

TASK_NAME = "dikta.process_dictation"


def make_celery(settings) -> Celery:
    app = Celery("dikta", broker=settings.worker.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a slow job never holds others hostage
        task_default_queue=settings.worker.queue,
        task_ignore_result=True,  # the database holds results, not the broker
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.worker.visibility_timeout_s},
        worker_hijack_root_logger=False,
        task_serializer="json",
        accept_content=["json"],
    )

    @app.task(bind=True, name=TASK_NAME, max_retries=None)
    def process_dictation(self, dictation_id: str) -> str:
        outcome = _processor().process(dictation_id)
        if outcome.retry_in_s is not None:
            raise self.retry(countdown=outcome.retry_in_s)
        return outcome.state

    return app


@lru_cache(maxsize=1)
def _processor():
    """One processor (and loaded model) per worker process."""
    from service.engine import Engine
    from service.jobs import DictationProcessor
    from service.settings import get_settings
    from service.store import open_store

    settings = get_settings()
    return DictationProcessor(open_store(settings), Engine(settings), settings)


def run_worker(settings, queue: str | None, concurrency: int, pool: str = "prefork") -> None:
    from pipelines.offline import enforce_offline
    from service.logs import configure_logging

    enforce_offline()  # inherited by the prefork children that load the model
    configure_logging()  # attempts, retries and dead letters as JSON lines on stderr
    app = make_celery(settings)
    app.worker_main(["worker", "--queues", queue or settings.worker.queue,
                     "--concurrency", str(concurrency), "--pool", pool,
                     "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
                     "--without-heartbeat"])
