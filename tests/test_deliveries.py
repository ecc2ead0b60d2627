"""Issue 16.4: the outbox. An approved note is delivered at least once to each configured
target — through a real loopback receiver — with backoff, a dead letter, status on the
dictation, a claim that keeps two workers from sending one row at once, retention that waits
for delivery, and an operator command for the dead."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from service.core.egress import EgressPolicy, EgressRefused
from service.core.retention import purge
from service.core.settings import (
    DeliverySettings,
    DeliveryTarget,
    RetentionSettings,
    Settings,
    get_settings,
)
from service.core.store import Delivery, Dictation, NoteVersion, Store, Tenant, utcnow
from service.deliveries.connectors import (
    ConnectorContext,
    DeliveryResult,
    OutboundDelivery,
    register_connector,
)
from service.deliveries.outbox import DeliveryProcessor, enqueue_deliveries
from service.deliveries.renderers import register_renderer
from tests.databases import database_url
from tests.live_service import serving
from tests.needs import need_postgres
from tests.standins import Answer, Received, scripted, standin

SCOPES = "dictate read_notes approve"
KIND = "test-http"


class HttpTestConnector:
    """A minimal connector of the pinned shape: POSTs the document to {base_url}/inbox."""

    kind = KIND

    def __init__(self, target, ctx: ConnectorContext) -> None:
        self.url = target.base_url + "/inbox"
        self.http = ctx.http_client()
        self.target = target

    def deliver(self, delivery: OutboundDelivery) -> DeliveryResult:
        url = self.target.options.get("url", self.url)
        try:
            response = self.http.post(url, json=delivery.document,
                                      headers={"Idempotency-Key": delivery.idempotency_key})
        except httpx.TransportError as exc:
            return DeliveryResult(False, True, error=type(exc).__name__)
        if response.status_code < 300:
            return DeliveryResult(True, False, status_url=response.headers.get("Location"),
                                  remote_status=str(response.status_code))
        return DeliveryResult(False, response.status_code >= 500,
                              error=f"HTTP {response.status_code}",
                              remote_status=str(response.status_code))


def render_test(session, row, version, target) -> dict | None:
    if "ingenting" in version.text:
        return None  # this note has nothing for the target
    return {"dictation": row.id, "version": version.version, "kind": version.kind}


register_connector(KIND, HttpTestConnector)
register_renderer(KIND, render_test)


def settings_for(tmp: Path, url: str | None, targets: list[DeliveryTarget],
                 **deliveries) -> Settings:
    options = {"retry_backoff_s": 0.01, "max_backoff_s": 0.05, "poll_interval_s": 0.05,
               **deliveries}
    return Settings(data_dir=tmp, database_url=url,
                    deliveries=DeliverySettings(targets=targets, **options))


def target(base_url: str, name: str = "mottak", **values) -> DeliveryTarget:
    return DeliveryTarget(name=name, kind=KIND, base_url=base_url, **values)


def transcribed(store: Store, tenant_name: str, text: str = "Pasienten sov godt.") -> str:
    """A dictation that is done (ASR draft stored), ready to approve."""
    with store.session() as s, s.begin():
        tenant = s.scalar(select(Tenant).where(Tenant.name == tenant_name))
        row = Dictation(tenant_id=tenant.id, status="done", language="nb",
                        patient_ref="pas-1")
        s.add(row)
        s.flush()
        s.add(NoteVersion(dictation_id=row.id, version=1, kind="asr_draft", text=text,
                          note={"sentences": []}, author="dikta-asr"))
        return row.id


@contextmanager
def service(tmp: Path, url: str | None, targets, **deliveries):
    with serving(settings_for(tmp, url, targets, **deliveries), SCOPES) as running_service:
        yield running_service


def wait_for_state(base: str, headers: dict, dictation_id: str, state: str) -> dict:
    deadline = time.monotonic() + 30
    while True:
        body = httpx.get(f"{base}/v1/dictations/{dictation_id}", headers=headers).json()
        if body["deliveries"] and all(d["state"] == state for d in body["deliveries"]):
            return body
        assert time.monotonic() < deadline, body["deliveries"]
        time.sleep(0.05)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    if request.param == "postgresql":
        need_postgres()
    with database_url(request.param) as url:
        yield url


def test_approval_is_delivered_at_least_once_after_retries(tmp_path, db):
    with standin(scripted(500, 503, 202, location="/status/1")) as (receiver, received), \
            service(tmp_path, db, [target(receiver)]) as (base, headers, store):
        dictation_id = transcribed(store, "kommune-a")
        before = httpx.get(f"{base}/v1/dictations/{dictation_id}", headers=headers).json()
        assert before["deliveries"] == []  # nothing goes out before approval
        approved = httpx.post(f"{base}/v1/dictations/{dictation_id}/approve", headers=headers,
                              json={"author": "sykepleier-7"})
        assert approved.status_code == 200, approved.text
        assert [d["target"] for d in approved.json()["deliveries"]] == ["mottak"]
        body = wait_for_state(base, headers, dictation_id, "delivered")
        (delivery,) = body["deliveries"]
        assert delivery["attempts"] == 3 and delivery["remote_status"] == "202"
        assert delivery["delivered_at"] and delivery["last_error"] is None
        assert delivery["remote_status_url"] == "/status/1"
        assert len(received) == 3  # two failures, then one success
        # The same document and the same idempotency key on every attempt.
        assert len({r.body for r in received}) == 1
        assert len({r.headers["idempotency-key"] for r in received}) == 1
        assert received[0].json() == {"dictation": dictation_id, "version": 2,
                                      "kind": "approved"}


def test_a_refused_document_is_dead_at_once_with_its_error_kept(tmp_path):
    with standin(scripted(400)) as (receiver, received), \
            service(tmp_path, None, [target(receiver)]) as (base, headers, store):
        dictation_id = transcribed(store, "kommune-a")
        httpx.post(f"{base}/v1/dictations/{dictation_id}/approve", headers=headers, json={})
        (delivery,) = wait_for_state(base, headers, dictation_id, "dead")["deliveries"]
        assert delivery["attempts"] == 1 and delivery["last_error"] == "HTTP 400"
        assert len(received) == 1


def test_retryable_failures_end_in_the_dead_letter_after_max_attempts(tmp_path):
    with standin(scripted(500)) as (receiver, received), \
            service(tmp_path, None, [target(receiver)], max_attempts=3) as (
                base, headers, store):
        dictation_id = transcribed(store, "kommune-a")
        httpx.post(f"{base}/v1/dictations/{dictation_id}/approve", headers=headers, json={})
        (delivery,) = wait_for_state(base, headers, dictation_id, "dead")["deliveries"]
        assert delivery["attempts"] == 3 and delivery["last_error"] == "HTTP 500"
        assert len(received) == 3


def test_targets_by_tenant_and_renderers_that_have_nothing_to_send(tmp_path):
    with standin(scripted(202)) as (receiver, received), \
            service(tmp_path, None, [target(receiver, "a-mottak", tenant="kommune-a"),
                                     target(receiver, "b-mottak", tenant="kommune-b")]) as (
                base, headers, store):
        mine = transcribed(store, "kommune-a")
        nothing = transcribed(store, "kommune-a", "Det var ingenting å melde.")
        httpx.post(f"{base}/v1/dictations/{mine}/approve", headers=headers, json={})
        approved = httpx.post(f"{base}/v1/dictations/{nothing}/approve", headers=headers,
                              json={})
        assert approved.json()["deliveries"] == []
        (delivery,) = wait_for_state(base, headers, mine, "delivered")["deliveries"]
        assert delivery["target"] == "a-mottak" and len(received) == 1


def test_an_unconfigured_host_is_refused_and_the_delivery_dead(tmp_path):
    with standin(scripted(202)) as (receiver, received), \
            service(tmp_path, None, [target(receiver, options={
                "url": "http://127.0.0.2:9/elsewhere"})]) as (base, headers, store):
        dictation_id = transcribed(store, "kommune-a")
        httpx.post(f"{base}/v1/dictations/{dictation_id}/approve", headers=headers, json={})
        (delivery,) = wait_for_state(base, headers, dictation_id, "dead")["deliveries"]
        assert "refused" in delivery["last_error"] and "127.0.0.2:9" in delivery["last_error"]
        assert received == []


def test_egress_policy_allows_only_configured_endpoints():
    policy = EgressPolicy.of(["https://jft.example.no/api", "https://helseid.example.no/connect/token",
                              None])
    policy.check("https://jft.example.no/v1/Bundle")
    policy.check("https://JFT.example.no:443/anything")
    policy.check("https://helseid.example.no/other")
    for url in ("http://jft.example.no/v1/Bundle",  # another scheme is another endpoint
                "https://jft.example.no:8443/v1/Bundle", "https://evil.example.no/",
                "https://jft.example.no.evil.example/", "file:///etc/passwd", "ftp://x/"):
        with pytest.raises(EgressRefused):
            policy.check(url)
    with pytest.raises(EgressRefused), policy.client() as client:
        client.get("http://127.0.0.1:9/")  # refused before any socket is opened


def _approved_with_delivery(store: Store, settings: Settings) -> tuple[str, str]:
    dictation_id = transcribed(store, "kommune-a")
    with store.session() as s, s.begin():
        row = s.get(Dictation, dictation_id)
        version = NoteVersion(dictation_id=row.id, version=2, kind="approved",
                              text="Pasienten sov godt.", note={"sentences": []})
        s.add(version)
        row.approved_at = utcnow()
        s.flush()
        (delivery_id,) = enqueue_deliveries(s, row, version, settings)
    return dictation_id, delivery_id


def test_two_workers_never_send_one_row_at_the_same_time(tmp_path, db):
    entered, release = threading.Event(), threading.Event()

    def slow(request: Received) -> Answer:
        entered.set()
        release.wait(10)
        return Answer(202)

    with standin(slow) as (receiver, received):
        settings = settings_for(tmp_path, db, [target(receiver)])
        store = Store(settings.sql_url)
        store.create_key("kommune-a", SCOPES)
        _, delivery_id = _approved_with_delivery(store, settings)
        first, second = DeliveryProcessor(store, settings), DeliveryProcessor(store, settings)
        outcome: list = []
        sender = threading.Thread(target=lambda: outcome.append(first.process(delivery_id)))
        sender.start()
        assert entered.wait(10)  # the first worker is inside the request now
        assert second.process(delivery_id).state == "skipped"
        release.set()
        sender.join(10)
        assert outcome[0].state == "delivered" and len(received) == 1
        assert second.process(delivery_id).state == "skipped"  # delivered stays delivered
        store.engine.dispose()


def test_a_row_left_sending_by_a_dead_worker_is_claimed_again(tmp_path):
    with standin(scripted(202)) as (receiver, received):
        settings = settings_for(tmp_path, None, [target(receiver)], sending_timeout_s=60)
        store = Store(settings.sql_url)
        store.create_key("kommune-a", SCOPES)
        _, delivery_id = _approved_with_delivery(store, settings)
        with store.session() as s, s.begin():  # a worker claimed it and died
            row = s.get(Delivery, delivery_id)
            row.state, row.attempts, row.claimed_at = "sending", 1, utcnow()
        processor = DeliveryProcessor(store, settings)
        assert processor.process(delivery_id).state == "skipped"  # not stale yet
        later = DeliveryProcessor(store, settings,
                                  clock=lambda: utcnow() + timedelta(seconds=61))
        assert later.process(delivery_id).state == "delivered"
        assert len(received) == 1
        with store.session() as s:
            assert s.get(Delivery, delivery_id).attempts == 2


def test_retention_keeps_a_note_until_it_is_delivered(tmp_path):
    settings = settings_for(tmp_path, None, [target("http://127.0.0.1:9")])
    store = Store(settings.sql_url)
    store.create_key("kommune-a", SCOPES)
    dictation_id, delivery_id = _approved_with_delivery(store, settings)
    retention = RetentionSettings(notes_days_after_approval=1)
    later = utcnow() + timedelta(days=2)
    for state in ("pending", "sending", "dead"):
        with store.session() as s, s.begin():
            s.get(Delivery, delivery_id).state = state
        assert purge(store, retention, later).dictations_deleted == 0, state
    with store.session() as s, s.begin():
        s.get(Delivery, delivery_id).state = "delivered"
    assert purge(store, retention, utcnow()).dictations_deleted == 0  # not yet due
    assert purge(store, retention, later).dictations_deleted == 1
    with store.session() as s:
        assert s.get(Dictation, dictation_id) is None
        assert s.get(Delivery, delivery_id) is None  # goes with its note


def test_operator_lists_and_retries_dead_deliveries(tmp_path, monkeypatch):
    from service.cli import main

    with standin(scripted(400, 202)) as (receiver, received):
        settings = settings_for(tmp_path, None, [target(receiver)])
        store = Store(settings.sql_url)
        store.create_key("kommune-a", SCOPES)
        _, delivery_id = _approved_with_delivery(store, settings)
        assert DeliveryProcessor(store, settings).process(delivery_id).state == "dead"
        monkeypatch.setenv("DIKTA_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("DIKTA_DELIVERIES__TARGETS", settings.deliveries.model_dump_json(
            include={"targets"})[len('{"targets":'):-1])
        get_settings.cache_clear()
        try:
            runner = CliRunner()
            listed = runner.invoke(main, ["deliveries", "list", "--state", "dead"])
            assert listed.exit_code == 0, listed.output
            (line,) = listed.output.splitlines()
            assert line.startswith(delivery_id) and line.endswith("HTTP 400")
            assert "\tkommune-a\t" in line and "\tmottak\tdead\t1\t" in line
            unknown = runner.invoke(main, ["deliveries", "retry", "nope"])
            assert unknown.exit_code == 1
            retried = runner.invoke(main, ["deliveries", "retry", "--all-dead"])
            assert retried.exit_code == 0 and delivery_id in retried.output
            assert runner.invoke(main, ["deliveries", "list", "--state", "dead"]).output == ""
        finally:
            get_settings.cache_clear()
        assert DeliveryProcessor(store, settings).process(delivery_id).state == "delivered"
        assert len(received) == 2


@pytest.mark.slow
def test_celery_workers_deliver_with_retries_driven_by_the_sweep(tmp_path, cli_env):
    """The Celery backend: a real `dikta worker` (Redis broker, PostgreSQL) sends the row;
    a failed attempt comes back through the API side's sweep when it is due."""
    import os
    import signal
    import subprocess

    from service.jobs.tasks import DELIVERY_TASK_NAME, make_celery
    from service.jobs.worker import DeliverySweep
    from tests.conftest import DIKTA
    from tests.databases import temporary_postgres
    from tests.needs import need_redis

    need_postgres()
    need_redis()
    queue = f"deliveries-{tmp_path.name[-8:]}"
    with standin(scripted(500, 202)) as (receiver, received), temporary_postgres() as url:
        jft = DeliveryTarget(name="jft", kind="jft", base_url=receiver)
        settings = settings_for(tmp_path, url, [jft], retry_backoff_s=0.2)
        settings.worker.broker_url = "redis://127.0.0.1:6379/15"
        settings.worker.queue = queue
        store = Store(settings.sql_url)
        store.create_key("kommune-a", SCOPES)
        register_renderer("jft", render_test)  # the row's document; the worker sends it
        try:
            _, delivery_id = _approved_with_delivery(store, settings)
        finally:
            from service.deliveries.renderers import _jft

            register_renderer("jft", _jft)
        env = {**cli_env, "DIKTA_DATABASE_URL": url, "DIKTA_DATA_DIR": str(tmp_path),
               "DIKTA_WORKER__BROKER_URL": settings.worker.broker_url,
               "DIKTA_WORKER__QUEUE": queue, "DIKTA_DELIVERIES__RETRY_BACKOFF_S": "0.2",
               "DIKTA_DELIVERIES__TARGETS": f'[{jft.model_dump_json()}]'}
        worker = subprocess.Popen([DIKTA, "worker", "--concurrency", "1"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  start_new_session=True)
        celery = make_celery(settings)
        sweep = DeliverySweep(store, settings, lambda delivery_id: celery.send_task(
            DELIVERY_TASK_NAME, args=[delivery_id], queue=queue))
        try:
            deadline = time.monotonic() + 60
            while True:
                sweep.sweep()
                with store.session() as s:
                    row = s.get(Delivery, delivery_id)
                    if row.state == "delivered":
                        break
                assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, (row.state, row.attempts)
                time.sleep(0.2)
            assert row.attempts == 2 and len(received) == 2
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(30)
            store.engine.dispose()


def test_jft_gets_only_notes_with_a_linked_alarm(tmp_path):
    """The JFT renderer has nothing to send for a note without settled alarms."""
    jft = DeliveryTarget(name="jft", kind="jft", base_url="http://127.0.0.1:9")
    with service(tmp_path, None, [jft]) as (base, headers, store):
        dictation_id = transcribed(store, "kommune-a", "Rolig natt. Sov godt.")
        approved = httpx.post(f"{base}/v1/dictations/{dictation_id}/approve",
                              headers=headers, json={})
        assert approved.status_code == 200, approved.text
        assert approved.json()["deliveries"] == []
        with store.session() as s:
            assert s.scalar(select(Delivery.id)) is None


def test_the_outbox_document_is_sealed_at_rest(tmp_path):
    from sqlalchemy import text

    settings = settings_for(tmp_path, None, [target("http://127.0.0.1:9")])
    store = Store(settings.sql_url)
    store.create_key("kommune-a", SCOPES)
    from service.core.crypto import keyring_for, use_keyring

    use_keyring(keyring_for(settings))
    _, delivery_id = _approved_with_delivery(store, settings)
    with store.engine.connect() as connection:
        raw = connection.execute(text("SELECT document FROM deliveries WHERE id = :id"),
                                 {"id": delivery_id}).scalar_one()
    assert raw.startswith("enc1:") and "dictation" not in raw
    with store.session() as s:
        assert s.get(Delivery, delivery_id).document["kind"] == "approved"


def test_a_target_without_renderer_does_not_refuse_the_approval(tmp_path):
    odd = DeliveryTarget(name="odd", kind="unknown-kind", base_url="http://127.0.0.1:9")
    with service(tmp_path, None, [odd]) as (base, headers, store):
        dictation_id = transcribed(store, "kommune-a")
        approved = httpx.post(f"{base}/v1/dictations/{dictation_id}/approve",
                              headers=headers, json={})
        assert approved.status_code == 200, approved.text
        (delivery,) = approved.json()["deliveries"]
        assert delivery["state"] == "dead" and "unknown-kind" in delivery["last_error"]


def test_target_names_are_unique():
    from pydantic import ValidationError

    one = target("http://127.0.0.1:9")
    with pytest.raises(ValidationError, match="unique"):
        DeliverySettings(targets=[one, one])


def test_a_pending_delivery_is_sent_after_a_restart(tmp_path):
    """The database is the queue's memory: a row written before the service (re)starts is
    picked up on start."""
    with standin(scripted(202)) as (receiver, received):
        settings = settings_for(tmp_path, None, [target(receiver)])
        store = Store(settings.sql_url)
        store.create_key("kommune-a", SCOPES)
        dictation_id, _ = _approved_with_delivery(store, settings)
        store.engine.dispose()
        with service(tmp_path, None, [target(receiver)], poll_interval_s=3600) as (
                base, headers, _store):
            (delivery,) = wait_for_state(base, headers, dictation_id,
                                         "delivered")["deliveries"]
        assert delivery["attempts"] == 1 and len(received) == 1


def test_the_sweep_submits_each_attempt_once_and_again_after_an_operator_retry(tmp_path):
    from service.deliveries.outbox import retry_dead
    from service.jobs.worker import DeliverySweep

    settings = settings_for(tmp_path, None, [target("http://127.0.0.1:9")])
    store = Store(settings.sql_url)
    store.create_key("kommune-a", SCOPES)
    _, delivery_id = _approved_with_delivery(store, settings)
    submitted: list[str] = []
    sweep = DeliverySweep(store, settings, submitted.append)
    assert sweep.sweep() == 1 and sweep.sweep() == 0  # one submission per attempt
    with store.session() as s, s.begin():
        s.get(Delivery, delivery_id).state = "dead"
    assert sweep.sweep() == 0
    assert retry_dead(store) == [delivery_id]
    assert sweep.sweep() == 1 and submitted == [delivery_id, delivery_id]


def test_a_delivery_that_could_not_be_rendered_is_rendered_again_on_retry(tmp_path):
    from service.deliveries.outbox import retry_dead
    from structuring.errors import DiktaError

    failing = {"on": True}

    def fragile(session, row, version, target_):
        if failing["on"]:
            raise DiktaError("Composition.subject: no patient")
        return render_test(session, row, version, target_)

    register_renderer("fragile", fragile)
    fragile_target = DeliveryTarget(name="f", kind="fragile", base_url="http://127.0.0.1:9")
    settings = settings_for(tmp_path, None, [fragile_target])
    store = Store(settings.sql_url)
    store.create_key("kommune-a", SCOPES)
    dictation_id = transcribed(store, "kommune-a")
    with store.session() as s, s.begin():
        row = s.get(Dictation, dictation_id)
        version = NoteVersion(dictation_id=row.id, version=2, kind="approved",
                              text="Pasienten sov godt.", note={"sentences": []})
        s.add(version)
        row.approved_at = utcnow()
        s.flush()
        assert enqueue_deliveries(s, row, version, settings) == []  # nothing to submit
    with store.session() as s:
        dead = s.scalar(select(Delivery))
        assert dead.state == "dead" and dead.document == {}
        assert "Composition.subject" in dead.last_error
    assert retry_dead(store, None, settings) == []  # still failing: stays dead
    failing["on"] = False
    assert retry_dead(store, None, settings) == [dead.id]
    with store.session() as s:
        again = s.get(Delivery, dead.id)
        assert again.state == "pending" and again.document["version"] == 2
