"""`dikta serve` and `dikta worker`: the HTTP service and its Celery workers."""

from __future__ import annotations

import click

from service.core.settings import get_settings


@click.command()
@click.option("--host", default=None, help="Address to listen on [default: settings, 127.0.0.1]")
@click.option("--port", type=int, default=None, help="Port [default: settings, 8000]")
def serve(host: str | None, port: int | None) -> None:
    """Run the HTTP service (SQLite, in-process worker and default model unless configured)."""
    import uvicorn

    from service.core.logs import uvicorn_log_config
    from service.http.app import create_app

    settings = get_settings()
    # uvicorn's own loggers (errors, tracebacks, access) as the same JSON lines as Dikta's.
    uvicorn.run(create_app(settings), host=host or settings.service.host,
                port=port or settings.service.port, log_level="warning",
                log_config=uvicorn_log_config())


@click.command()
@click.option("--queue", default=None, help="Queue to consume, e.g. gpu or cpu "
              "[default: settings, 'cpu'].")
@click.option("--concurrency", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes; each loads the model once.")
def worker(queue: str | None, concurrency: int) -> None:
    """Run a Celery worker that processes dictations (shares only DB and broker with the API)."""
    from service.jobs.tasks import run_worker

    run_worker(get_settings(), queue, concurrency)
