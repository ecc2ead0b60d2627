"""Celery: the task that processes a dictation, and the app that `dikta worker` runs.

Late acknowledgement with reject-on-worker-lost: a job whose worker dies (kill -9, power)
goes back to the broker and is delivered to another worker. Processing is idempotent
(service.jobs.processor), so redeliveries never store a second result.
"""

from __future__ import annotations

from celery import Celery

TASK_NAME = "dikta.process_dictation"
DELIVERY_TASK_NAME = "dikta.deliver"


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

    processor: list = []  # made on the first job, in the process that runs it

    @app.task(bind=True, name=TASK_NAME, max_retries=None)
    def process_dictation(self, dictation_id: str) -> str:
        if not processor:
            processor.append(_make_processor(settings))
        outcome = processor[0].process(dictation_id)
        if outcome.retry_in_s is not None:
            raise self.retry(countdown=outcome.retry_in_s)
        return outcome.state

    sender: list = []

    @app.task(name=DELIVERY_TASK_NAME)
    def deliver(delivery_id: str) -> str:
        # Retries are not Celery's: the row's next_attempt_at is, and the API's sweep
        # submits the row again when it is due (the database is the queue's memory).
        if not sender:
            sender.append(_make_sender(settings))
        return sender[0].process(delivery_id).state

    return app


def _make_sender(settings):
    from service.core.store import open_store
    from service.deliveries.outbox import DeliveryProcessor

    return DeliveryProcessor(open_store(settings), settings)


def _make_processor(settings):
    """The processor (and loaded model) of one worker process, from the worker's settings."""
    from service.core.engine import Engine
    from service.core.store import open_store
    from service.jobs.processor import DictationProcessor

    return DictationProcessor(open_store(settings), Engine(settings), settings)


def run_worker(settings, queue: str | None, concurrency: int, pool: str = "prefork") -> None:
    from pipelines.offline import enforce_offline
    from service.core.logs import configure_logging

    enforce_offline()  # inherited by the prefork children that load the model
    configure_logging()  # attempts, retries and dead letters as JSON lines on stderr
    app = make_celery(settings)
    app.worker_main(["worker", "--queues", queue or settings.worker.queue,
                     "--concurrency", str(concurrency), "--pool", pool,
                     "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
                     "--without-heartbeat"])
