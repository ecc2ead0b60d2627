"""JFT's life cycle after the 202: the worker follows the entry's status URL (registered →
read → journaled) with the same DPoP-bound HelseID token and the same egress allow-list,
records the stage on the note's delivery, and stops once journaled, when the status URL lies
off the target's origins, or when it gives up. The JFT here is a loopback stand-in behind the
HelseID stand-in (tests/helseid_standin.py), which checks every proof, `ath` and the token's
key binding before JFT's handler sees the request."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import datetime

import httpx
import pytest
from sqlalchemy import select

from evaluation.loopback import running
from service.core.crypto import keyring_for
from service.core.settings import DeliverySettings, DeliveryTarget, Settings
from service.core.store import Delivery
from service.deliveries.helseid import (
    generate_private_jwk,
    public_jwk,
    save_private_jwk,
)
from service.deliveries.jft import life_cycle
from service.deliveries.outbox import DeliveryProcessor, due_deliveries
from service.deliveries.renderers import RENDERERS
from service.http.app import create_app
from tests.databases import database_url
from tests.helseid_standin import helseid
from tests.needs import need_postgres
from tests.standins import Answer, Received, scripted, standin
from tests.test_deliveries import transcribed

CLIENT_ID = "dikta-kommune-a"
SCOPE = "nhn:jft/api"
TIMES = {"registered": "2026-03-01T02:50:00+01:00", "read": "2026-03-01T03:10:00+01:00",
         "journaled": "2026-03-01T03:12:30+01:00"}


class JftStandIn:
    """JFT's WriteAPI and status endpoint: `POST /v1/Bundle` → 202 with a Location; each
    look at `GET /v1/Bundle/{id}/$status` moves the entry one stage on (registered → read →
    journaled), answered in the documented shape (a plain JSON object of timestamps)."""

    def __init__(self, location: str | None = None, stages: int = 3) -> None:
        self.location, self.stages = location, stages
        self.entries: list[dict] = []
        self.looks: dict[str, int] = {}
        self.served: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, request: Received) -> Answer:
        if request.method == "POST" and request.path == "/v1/Bundle":
            with self.lock:
                self.entries.append(request.json())
                entry = f"entry-{len(self.entries)}"
            return Answer(202, headers={"Location": self.location or
                                        f"/v1/Bundle/{entry}/$status"})
        parts = request.path.split("/")
        if request.method == "GET" and len(parts) == 5 and parts[4] == "$status":
            with self.lock:
                looks = self.looks[parts[3]] = self.looks.get(parts[3], 0) + 1
            reached = list(TIMES)[:min(looks, self.stages)]
            self.served.append(reached[-1])
            return Answer(200, {"registered": TIMES["registered"],
                                "read": TIMES["read"] if "read" in reached else None,
                                "journaled": TIMES["journaled"] if "journaled" in reached
                                else None,
                                "failed": None})
        return Answer(404)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    if request.param == "postgresql":
        need_postgres()
    with database_url(request.param) as url:
        yield url


@pytest.fixture(autouse=True)
def plain_bundle(monkeypatch):
    # The VKP document itself is tested elsewhere (tests/test_vkp_document.py, the e2e
    # test); here any approved note goes to JFT as a small document Bundle.
    monkeypatch.setitem(RENDERERS, "jft", lambda session, row, version, target:
                        {"resourceType": "Bundle", "type": "document"})


@contextmanager
def service(tmp_path, url, jft: JftStandIn, **deliveries):
    jwk = generate_private_jwk("ES256")
    with helseid(CLIENT_ID, public_jwk(jwk), SCOPE, jft) as (idp, jft_url, received):
        key_file = tmp_path / "keys" / "jft.jwk"
        target = DeliveryTarget(name="jft", kind="jft", base_url=jft_url, tenant="kommune-a",
                                token_endpoint=idp.token_url, client_id=CLIENT_ID,
                                scope=SCOPE, private_key_file=key_file)
        options = {"retry_backoff_s": 0.01, "max_backoff_s": 0.05, "poll_interval_s": 0.05,
                   "status_poll_initial_s": 0.05, "status_poll_max_s": 0.1, **deliveries}
        settings = Settings(data_dir=tmp_path, database_url=url,
                            deliveries=DeliverySettings(targets=[target], **options))
        save_private_jwk(key_file, jwk, keyring_for(settings))
        app = create_app(settings, load_model=False)
        store = app.state.dikta.store
        key = store.create_key("kommune-a", "dictate read_notes approve")
        try:
            with running(app) as base:
                yield base, {"Authorization": f"Bearer {key}"}, store, settings, received
        finally:
            store.engine.dispose()


def approve(base: str, headers: dict, store) -> str:
    dictation_id = transcribed(store, "kommune-a")
    approved = httpx.post(f"{base}/v1/dictations/{dictation_id}/approve", headers=headers,
                          json={"author": "sykepleier-7"})
    assert approved.status_code == 200, approved.text
    return dictation_id


def wait_for(base: str, headers: dict, dictation_id: str, check) -> dict:
    deadline = time.monotonic() + 30
    while True:
        body = httpx.get(f"{base}/v1/dictations/{dictation_id}", headers=headers).json()
        (delivery,) = body["deliveries"]
        if check(delivery):
            return delivery
        assert time.monotonic() < deadline, delivery
        time.sleep(0.05)


def followed(store, dictation_id: str) -> Delivery:
    with store.session() as s:
        return s.scalar(select(Delivery).where(Delivery.dictation_id == dictation_id))


def test_the_note_shows_journaled_and_polling_stops(tmp_path, db):
    jft = JftStandIn()
    with service(tmp_path, db, jft) as (base, headers, store, settings, received):
        dictation_id = approve(base, headers, store)
        delivery = wait_for(base, headers, dictation_id,
                            lambda d: d["remote_status"] == "journaled")
        assert delivery["state"] == "delivered" and delivery["last_error"] is None
        assert delivery["remote_status_url"].endswith("/v1/Bundle/entry-1/$status")
        assert datetime.fromisoformat(delivery["remote_status_at"]) == \
            datetime.fromisoformat(TIMES["journaled"])
        # Every stage was seen, each look passed the HelseID checks (token, DPoP proof with
        # `ath`, key binding) before the stand-in answered, and the entry went once.
        assert jft.served == ["registered", "read", "journaled"]
        looks = [r for r in received if r.method == "GET"]
        assert looks and all(r.headers["authorization"].startswith("DPoP ") and
                             r.headers.get("dpop") for r in looks)
        assert len(jft.entries) == 1
        # Journaled is the end: nothing is due, and a worker asked again does nothing.
        assert followed(store, dictation_id).status_check_at is None
        assert due_deliveries(store, settings) == []
        row_id = followed(store, dictation_id).id
        assert DeliveryProcessor(store, settings).process(row_id).state == "skipped"
        time.sleep(0.3)  # several sweep intervals: the sweep must not look again either
        assert jft.served == ["registered", "read", "journaled"]


def test_a_status_url_on_another_host_is_refused(tmp_path):
    with standin(scripted(200)) as (elsewhere, asked):
        jft = JftStandIn(location=f"{elsewhere}/v1/Bundle/entry-1/$status")
        with service(tmp_path, None, jft) as (base, headers, store, _settings, _):
            dictation_id = approve(base, headers, store)
            delivery = wait_for(base, headers, dictation_id,
                                lambda d: d["last_error"] is not None)
            assert delivery["state"] == "delivered"
            assert delivery["remote_status"] == "202 Accepted"  # no stage ever recorded
            assert "refused" in delivery["last_error"]
            assert followed(store, dictation_id).status_check_at is None  # not asked again
        assert asked == []  # nothing was sent to the other host


def test_following_is_given_up_after_the_configured_age(tmp_path):
    jft = JftStandIn(stages=1)  # registered, and never read
    with service(tmp_path, None, jft, status_give_up_h=0.2 / 3600) as (
            base, headers, store, settings, _):
        dictation_id = approve(base, headers, store)
        delivery = wait_for(base, headers, dictation_id,
                            lambda d: d["last_error"] is not None)
        assert delivery["remote_status"] == "registered"
        assert delivery["last_error"].startswith("status follow-up given up")
        assert followed(store, dictation_id).status_check_at is None
        assert due_deliveries(store, settings) == []


@pytest.mark.parametrize(("body", "stage", "at"), [
    ({"registered": TIMES["registered"], "read": None, "journaled": None, "failed": None},
     "registered", TIMES["registered"]),
    ({"registered": TIMES["registered"], "read": TIMES["read"], "journaled": None},
     "read", TIMES["read"]),
    ({"registered": TIMES["registered"], "read": TIMES["read"],
      "journalingAcknowledged": TIMES["journaled"]}, "journaled", TIMES["journaled"]),
    ({"registered": TIMES["registered"], "failed": TIMES["read"]}, "failed", TIMES["read"]),
    ({"status": "read"}, "read", None),
])
def test_status_answers_in_the_documented_shapes(body, stage, at):
    found, when = life_cycle(body)
    assert found == stage
    assert when == (datetime.fromisoformat(at) if at else None)


@pytest.mark.parametrize("body", [[], {"registered": None}, {"status": "completed"},
                                  {"resourceType": "OperationOutcome"}])
def test_status_answers_not_understood(body):
    with pytest.raises(ValueError):
        life_cycle(body)


def test_status_urls_only_on_the_targets_own_origins(tmp_path):
    """The ReadAPI has its own host (`status_base_url`, on the allow-list); another
    configured target's host is on the allow-list too, but never a place for JFT's status."""
    from service.core.egress import EgressPolicy, EgressRefused
    from service.deliveries.connectors import ConnectorContext
    from service.deliveries.jft import JftConnector

    jft = JftStandIn(stages=2)
    with standin(jft) as (write_api, _), standin(jft) as (read_api, looked), \
            standin(scripted(200)) as (other, asked):
        targets = [DeliveryTarget(name="jft", kind="jft", base_url=write_api,
                                  status_base_url=read_api),
                   DeliveryTarget(name="annen", kind="jft", base_url=other)]
        settings = Settings(data_dir=tmp_path, deliveries=DeliverySettings(targets=targets))
        policy = EgressPolicy.from_settings(settings)
        policy.check(read_api + "/v1/Bundle/x/$status")  # on the allow-list
        connector = JftConnector(targets[0], ConnectorContext(settings,
                                                              lambda: policy.client(2)))
        result = connector.status(read_api + "/v1/Bundle/x/$status")
        assert (result.stage, result.final, result.error) == ("registered", False, None)
        assert connector.status(read_api + "/v1/Bundle/x/$status").stage == "read"
        assert connector.status(write_api + "/v1/Bundle/gone/$status").stage == "registered"
        with pytest.raises(EgressRefused):
            connector.status(other + "/v1/Bundle/x/$status")
        assert len(looked) == 2 and asked == []
