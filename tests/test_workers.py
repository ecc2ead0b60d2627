"""Celery workers against the real PostgreSQL, RabbitMQ and Redis on this machine:
a worker killed with SIGKILL mid-job, and the job still completes exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import types
import uuid
import wave
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from pipelines.audio import SAMPLE_RATE_HZ, decode_audio
from service.jobs.processor import DictationProcessor
from service.core.settings import Settings, WorkerSettings
from service.core.store import Dictation, Job, NoteVersion, Store, open_store
from tests.conftest import DIKTA, FIXTURES
from tests.databases import temporary_postgres
from tests.needs import need_broker, need_postgres

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _postgres():
    need_postgres()  # a skip locally, a failure in CI


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
    from service.core.store import Tenant

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
    from service.jobs.tasks import TASK_NAME, make_celery

    need_broker(broker)

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


# --- a real `dikta worker` on Redis: retries, dead letter, the API's encrypted uploads ----

@pytest.fixture(scope="module")
def celery_stack(tmp_path_factory):
    """PostgreSQL, Redis and one real `dikta worker` process (3 attempts, 1 s backoff)."""
    need_postgres()
    need_broker("redis")
    tmp = tmp_path_factory.mktemp("celery")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with temporary_postgres() as url:
        settings = Settings(database_url=url, data_dir=tmp, worker=WorkerSettings(
            broker_url=BROKERS["redis"], queue=queue, max_attempts=3, retry_backoff_s=1))
        env = {**os.environ, "DIKTA_MODEL_DIR": str(Settings().model_dir),
               "PYTHONUNBUFFERED": "1", "DIKTA_DATABASE_URL": url, "DIKTA_DATA_DIR": str(tmp),
               "DIKTA_WORKER__BROKER_URL": BROKERS["redis"],
               "DIKTA_WORKER__MAX_ATTEMPTS": "3", "DIKTA_WORKER__RETRY_BACKOFF_S": "1"}
        log = tmp / "worker.stderr"
        with log.open("wb") as stderr:
            worker = subprocess.Popen([DIKTA, "worker", "--queue", queue, "--concurrency", "1"],
                                      env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                                      start_new_session=True)
        store = open_store(settings)
        try:
            yield types.SimpleNamespace(settings=settings, store=store, log=log, tmp=tmp,
                                        queue=queue, worker=worker)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)
            store.engine.dispose()


def test_a_failing_dictation_is_retried_with_backoff_then_dead_lettered(celery_stack):
    """The worker cannot open the recording (sealed with a key it does not have): a real
    worker retries it after 1 s and 2 s, then dead-letters it with the reason kept."""
    from service.core.crypto import Keyring
    from service.jobs.tasks import TASK_NAME, make_celery

    stack = celery_stack
    sealed = Keyring({"env": os.urandom(32)}, "env").seal((FIXTURES / "nb_feber.wav")
                                                          .read_bytes())
    audio = stack.tmp / "fremmed-nokkel.audio"
    audio.write_bytes(sealed)
    dictation_id = queue_dictation(stack.store, audio)
    make_celery(stack.settings).send_task(TASK_NAME, args=[dictation_id], queue=stack.queue)
    first_seen: dict[int, float] = {}
    deadline = time.monotonic() + 120
    while True:
        with stack.store.session() as s:
            row = s.get(Dictation, dictation_id)
            state, attempts = row.status, row.attempts
        if attempts:
            first_seen.setdefault(attempts, time.monotonic())
        if state == "dead":
            break
        assert time.monotonic() < deadline, f"not dead-lettered: {state}, {attempts} attempts"
        assert stack.worker.poll() is None, stack.log.read_text()
        time.sleep(0.05)
    assert sorted(first_seen) == [1, 2, 3]
    assert first_seen[2] - first_seen[1] >= 0.9  # backoff 1 s
    assert first_seen[3] - first_seen[2] >= 1.9  # then 2 s
    time.sleep(1.0)  # and no fourth attempt
    with stack.store.session() as s:
        row = s.get(Dictation, dictation_id)
        job = s.scalar(select(Job).where(Job.dictation_id == dictation_id))
    assert row.status == "dead" and row.attempts == 3
    assert "DataKeyError" in row.error and "attempt 3 of 3" in row.error
    assert job.state == "dead" and job.attempts == 3 and job.finished_at is not None
    assert job.worker.rsplit(":", 1)[1] != str(os.getpid())  # another process did it
    import json

    logged = [json.loads(line) for line in stack.log.read_text().splitlines()
              if line.startswith("{")]
    failed = [e for e in logged if e.get("dictation_id") == dictation_id
              and e["msg"] == "dictation attempt failed"]
    assert [e["attempt"] for e in failed] == [1, 2, 3]
    assert {e["error_type"] for e in failed} == {"DataKeyError"}


def test_the_api_sends_an_encrypted_upload_to_a_real_worker(celery_stack, engine):
    import httpx

    from evaluation.loopback import running
    from service.http.app import create_app
    from service.core.audio_files import read_audio
    from service.core.engine import Engine

    stack = celery_stack
    settings = stack.settings.model_copy(update={
        "worker": stack.settings.worker.model_copy(update={"backend": "celery"})})
    app = create_app(settings, engine=Engine(settings, manager=engine.manager))
    key = app.state.dikta.store.create_key("kommune-celery", "dictate read_notes")
    feber = (FIXTURES / "nb_feber.wav").read_bytes()
    headers = {"Authorization": f"Bearer {key}"}
    with running(app) as url:
        created = httpx.post(f"{url}/v1/dictations", headers=headers,
                             files={"file": ("d.wav", feber, "audio/wav")})
        assert created.status_code == 202, created.text
        dictation_id = created.json()["id"]
        deadline = time.monotonic() + 120
        while (done := httpx.get(f"{url}/v1/dictations/{dictation_id}",
                                 headers=headers).json())["status"] not in ("done", "dead"):
            assert time.monotonic() < deadline and stack.worker.poll() is None, done
            time.sleep(0.1)
    assert done["status"] == "done" and "feber" in done["transcript"].lower()
    with stack.store.session() as s:
        row = s.get(Dictation, dictation_id)
        job = s.scalar(select(Job).where(Job.dictation_id == dictation_id))
    stored = Path(row.audio_path).read_bytes()
    assert stored.startswith(b"DKENC1") and feber[44:4000] not in stored  # sealed on disk
    assert read_audio(row.audio_path) == feber
    assert job.state == "done" and job.attempts == 1
    assert job.worker.rsplit(":", 1)[1] != str(os.getpid())  # the worker, not the API
