"""Celery workers against the real PostgreSQL, RabbitMQ and Redis on this machine:
a worker killed with SIGKILL mid-job, and the job still completes exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
import wave
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from pipelines.audio import SAMPLE_RATE_HZ, decode_audio
from service.jobs import DictationProcessor
from service.settings import Settings, WorkerSettings
from service.store import Dictation, Job, NoteVersion, Store, open_store
from tests.conftest import DIKTA, FIXTURES
from tests.databases import postgres_available, temporary_postgres

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not postgres_available(),
                                 reason="no PostgreSQL answers on 127.0.0.1:5432")]
BROKERS = {"rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
           "redis": "redis://127.0.0.1:6379/15"}


def long_dictation(path: Path, seconds: float = 60.0) -> Path:
    """A minute of different sentences, so the job runs long enough to be killed."""
    clips = [decode_audio(FIXTURES / f"{n}.wav").samples
             for n in ("nb_feber", "nb_lege", "nb_rolig_natt", "nb_frokost", "nb_alarm")]
    gap = np.zeros(SAMPLE_RATE_HZ // 2, dtype=np.float32)
    parts, total = [], 0
    while total < seconds * SAMPLE_RATE_HZ:
        for clip in clips:
            parts += [clip, gap]
            total += clip.size + gap.size
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE_HZ)
        out.writeframes((np.concatenate(parts) * 32767).astype("<i2").tobytes())
    return path


def queue_dictation(store: Store, audio: Path) -> str:
    from service.store import Tenant

    with store.session() as s, s.begin():
        tenant = Tenant(name=f"t-{uuid.uuid4().hex[:6]}")
        s.add(tenant)
        s.flush()
        row = Dictation(tenant_id=tenant.id, audio_path=str(audio), language="nb")
        s.add(row)
        s.flush()
        return row.id


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen([DIKTA, "worker", "--concurrency", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def wait_for(predicate, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def status(store: Store, dictation_id: str) -> str:
    with store.session() as s:
        return s.get(Dictation, dictation_id).status


@pytest.mark.parametrize("broker", ["rabbitmq", "redis"])
def test_killed_worker_job_completes_on_another_with_one_result(broker, tmp_path, cli_env):
    from service.tasks import TASK_NAME, make_celery

    queue = f"test-{uuid.uuid4().hex[:8]}"
    with temporary_postgres() as url:
        env = {**cli_env, "DIKTA_DATABASE_URL": url, "DIKTA_WORKER__BROKER_URL": BROKERS[broker],
               "DIKTA_WORKER__QUEUE": queue, "DIKTA_WORKER__VISIBILITY_TIMEOUT_S": "5",
               "DIKTA_DATA_DIR": str(tmp_path)}
        settings = Settings(database_url=url, worker=WorkerSettings(
            broker_url=BROKERS[broker], queue=queue, visibility_timeout_s=5))
        store = open_store(settings)
        dictation_id = queue_dictation(store, long_dictation(tmp_path / "lang.wav"))
        first = start_worker(env)
        try:
            make_celery(settings).send_task(TASK_NAME, args=[dictation_id], queue=queue)
            wait_for(lambda: status(store, dictation_id) == "running", 120, "the job to start")
            os.killpg(first.pid, signal.SIGKILL)  # the whole worker: parent and child
            first.wait(10)
            assert status(store, dictation_id) == "running"
            if broker == "redis":
                # Redis redelivers an unacknowledged job once its visibility timeout (5 s
                # here) has passed; a worker starting after that restores it at once.
                time.sleep(6)
            second = start_worker(env)
            try:
                wait_for(lambda: status(store, dictation_id) == "done", 240,
                         "another worker to finish the job")
            finally:
                os.killpg(second.pid, signal.SIGTERM)
                second.wait(30)
        finally:
            if first.poll() is None:
                os.killpg(first.pid, signal.SIGKILL)
        with store.session() as s:
            versions = s.scalar(select(func.count()).select_from(NoteVersion)
                                .where(NoteVersion.dictation_id == dictation_id))
            job = s.scalar(select(Job).where(Job.dictation_id == dictation_id))
            row = s.get(Dictation, dictation_id)
        assert versions == 1
        assert job.state == "done" and job.attempts == 2 and row.attempts == 2
        assert "feber" in row.transcript.lower() and row.note["sentences"]
        store.engine.dispose()


class FlakyEngine:
    """An engine whose transcription raises: to see retries and the dead letter."""

    def transcriber(self, *_, **__):
        raise RuntimeError("GPU fell off the bus")


def test_repeated_failures_retry_with_backoff_then_dead_letter(tmp_path):
    with temporary_postgres() as url:
        store = Store(url)
        dictation_id = queue_dictation(store, FIXTURES / "nb_feber.wav")
        settings = Settings(database_url=url, worker=WorkerSettings(max_attempts=3,
                                                                    retry_backoff_s=2))
        processor = DictationProcessor(store, FlakyEngine(), settings)
        outcomes = [processor.process(dictation_id) for _ in range(4)]
        assert [(o.state, o.retry_in_s) for o in outcomes] == [
            ("retry", 2), ("retry", 4), ("dead", None), ("skipped", None)]
        with store.session() as s:
            row = s.get(Dictation, dictation_id)
            job = s.scalar(select(Job).where(Job.dictation_id == dictation_id))
        assert row.status == "dead" and job.state == "dead"
        assert "RuntimeError" in row.error and "attempt 3 of 3" in row.error
        store.engine.dispose()


def test_redelivery_of_finished_work_stores_nothing_more(tmp_path, engine):
    with temporary_postgres() as url:
        store = Store(url)
        dictation_id = queue_dictation(store, FIXTURES / "nb_feber.wav")
        settings = Settings(database_url=url)
        processor = DictationProcessor(store, engine, settings)
        assert processor.process(dictation_id).state == "done"
        assert processor.process(dictation_id).state == "skipped"
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(NoteVersion)) == 1
        store.engine.dispose()
