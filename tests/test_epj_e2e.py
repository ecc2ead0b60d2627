"""Issue 17 end to end: one loopback EPJ (tests/epj_standin.py) is both the SMART launcher
and the FHIR server the approved note is written back into; Dikta runs for real on loopback
(uvicorn, the real recogniser; SQLite and PostgreSQL) with that EPJ as launcher and as its issuer-matched `fhir`
delivery target.

EHR launch (httpx follows the redirects between the two servers, keeps the cookies) →
session → a dictation uploaded with the session cookie (no patient typed) → transcribed →
edited → approved → exactly one DocumentReference arrives (after the EPJ's first 503), its
subject the launch's patient and its author the launch's fhirUser → amended and approved → a
second one whose relatesTo replaces the first → a lost answer sent again does not duplicate.

The refusals are checked against the same stand-in in tests/test_smart_launch.py: an id
token from another issuer, an expired one and one for another audience
(`test_bad_id_tokens_are_refused`), a replayed launch (`test_a_replayed_launch_is_refused`,
and once more below with this test's own launch). That the pull feed returns only approved
notes of the caller's tenant: tests/test_fhir_feed.py
(`test_feed_holds_the_approved_notes_of_the_clients_tenant_only`).
"""

from __future__ import annotations

import base64
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from evaluation.loopback import running
from service.core.crypto import keyring_for
from service.core.engine import Engine
from service.core.settings import (
    DeliverySettings,
    DeliveryTarget,
    EpjLauncher,
    EpjSettings,
    Settings,
)
from service.core.store import Delivery, utcnow
from service.deliveries.helseid import generate_private_jwk, save_private_jwk
from service.http.app import create_app
from structuring.document_reference import document_reference_id
from tests.conftest import FIXTURES
from tests.databases import database_url
from tests.epj_standin import (
    BACKEND_CLIENT_ID,
    CLIENT_ID,
    PATIENT,
    PRACTITIONER,
    EpjStandIn,
    LoopbackEpj,
)
from tests.live_service import wait_until
from tests.needs import need_postgres

pytestmark = pytest.mark.slow
TENANT = "Nordre Follo"
SESSION = {"X-Dikta-Session": "1"}
DOC_TYPE = {"system": "urn:oid:2.16.578.1.12.4.1.1.9602", "code": "J-SYKEPL",
            "display": "Sykepleienotat"}
EDITED = "Hun har vondt i magen og har feber. Temperatur 38,4. Lege varslet."
AMENDED = "Hun har vondt i magen og har feber. Temperatur 39,1. Lege varslet kl. 14."


def text_attachment(document: dict) -> str:
    (plain,) = [c["attachment"] for c in document["content"]
                if c["attachment"]["contentType"].startswith("text/plain")]
    return base64.b64decode(plain["data"]).decode()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    if request.param == "postgresql":
        need_postgres()
    with database_url(request.param) as url:
        yield url


def test_launch_dictate_approve_write_back_amend(tmp_path, engine, db):
    client_key = generate_private_jwk("ES256")  # Dikta's backend-services key at the EPJ
    backend = LoopbackEpj(client_key, fail_first=1)
    epj = EpjStandIn(backend=backend)
    with running(epj.app()) as epj_url:
        epj.base = epj_url
        issuer = f"{epj_url}/fhir"
        settings = Settings(
            model_dir=Settings().model_dir, data_dir=tmp_path, database_url=db,
            epj=EpjSettings(launchers=[EpjLauncher(issuer=issuer, tenant=TENANT,
                                                   client_id=CLIENT_ID)]),
            deliveries=DeliverySettings(
                targets=[DeliveryTarget(
                    name="epj", kind="fhir", base_url=issuer, tenant=TENANT,
                    token_endpoint=f"{epj_url}/token", client_id=BACKEND_CLIENT_ID,
                    private_key_file=tmp_path / "epj.jwk",
                    scope="system/DocumentReference.write",
                    options={"document_type": DOC_TYPE, "issuer": issuer})],
                retry_backoff_s=0.05, max_backoff_s=0.2, poll_interval_s=0.05))
        save_private_jwk(tmp_path / "epj.jwk", client_key, keyring_for(settings))
        app = create_app(settings, engine=Engine(settings, manager=engine.manager))
        store = app.state.dikta.store
        store.create_key(TENANT, "read_notes")  # the operator set the tenant up
        try:
            with running(app) as dikta_url, httpx.Client(
                    base_url=dikta_url, follow_redirects=True, timeout=30) as browser:
                # 1. The EHR launches Dikta: Dikta → EPJ authorize → Dikta callback → `/`.
                launch = epj.new_launch()
                landed = browser.get("/smart/launch", params={"iss": issuer,
                                                              "launch": launch})
                hops = [str(r.url).split("?")[0] for r in landed.history]
                assert hops == [f"{dikta_url}/smart/launch", f"{epj_url}/authorize",
                                f"{dikta_url}/smart/callback"], landed.text
                assert str(landed.url) == f"{dikta_url}/" and landed.status_code == 200
                assert "<html" in landed.text.lower()  # the nurse's web app, in the chart
                context = browser.get("/smart/context").json()
                assert (context["patient_ref"], context["practitioner"], context["tenant"]) \
                    == (PATIENT, PRACTITIONER, TENANT)

                # 2. Dictated in the session: no patient typed, the launch says whose chart.
                audio = (FIXTURES / "nb_feber.wav").read_bytes()
                created = browser.post("/v1/dictations", headers=SESSION,
                                       files={"file": ("notat.wav", audio, "audio/wav")})
                assert created.status_code == 202, created.text
                assert created.json()["patient_ref"] == PATIENT
                assert created.json()["epj_issuer"] == issuer
                dictation = f"/v1/dictations/{created.json()['id']}"
                dictation_id = created.json()["id"]

                def finished() -> dict | None:
                    body = browser.get(dictation, headers=SESSION).json()
                    return body if body["status"] in ("done", "failed", "dead") else None

                done = wait_until("the transcription", finished, interval_s=0.05)
                assert done["status"] == "done", done["error"]
                assert "feber" in done["transcript"].lower()

                # 3. Edited and approved in the session: the outbox row comes with it.
                edited = browser.put(f"{dictation}/note", headers=SESSION,
                                     json={"text": EDITED})
                assert edited.status_code == 200, edited.text
                assert edited.json()["deliveries"] == []  # nothing leaves a draft
                approved = browser.post(f"{dictation}/approve", headers=SESSION, json={})
                assert approved.status_code == 200, approved.text
                assert [d["target"] for d in approved.json()["deliveries"]] == ["epj"]

                def delivered(count: int):
                    def check() -> list | None:
                        found = browser.get(dictation, headers=SESSION).json()["deliveries"]
                        return found if len(found) == count and all(
                            d["state"] in ("delivered", "dead") for d in found) else None
                    return wait_until(f"{count} deliveries", check, interval_s=0.05)

                (first,) = delivered(1)
                assert first["state"] == "delivered", first
                assert first["attempts"] == 2  # the EPJ's 503, then the PUT
                first_id = document_reference_id(dictation_id, first["version"])
                assert first["remote_status_url"] == \
                    f"{issuer}/DocumentReference/{first_id}/_history/1"
                assert list(backend.documents) == [first_id]  # exactly one
                assert len(backend.batches) == 2 and len(set(backend.batches)) == 1
                assert backend.refusals == []
                document = backend.documents[first_id]
                assert document["subject"] == {"reference": f"Patient/{PATIENT}"}
                assert document["author"] == [{"reference": PRACTITIONER}]
                assert document["docStatus"] == "final" and "relatesTo" not in document
                assert "38,4" in text_attachment(document)

                # 4. A lost answer: the worker died after the EPJ took the PUT. The outbox
                #    sends it again; the same idempotent PUT, no second document.
                with store.session() as s, s.begin():
                    row = s.scalar(select(Delivery).where(
                        Delivery.dictation_id == dictation_id))
                    row.state, row.claimed_at = "sending", utcnow() - timedelta(hours=1)
                (again,) = delivered(1)
                assert again["state"] == "delivered" and again["attempts"] == 3
                assert list(backend.documents) == [first_id]
                assert backend.puts == [first_id, first_id]

                # 5. Amended and approved again: a new DocumentReference replaces the first.
                amended = browser.post(f"{dictation}/amend", headers=SESSION,
                                       json={"text": AMENDED})
                assert amended.status_code == 200, amended.text
                approved = browser.post(f"{dictation}/approve", headers=SESSION, json={})
                assert approved.status_code == 200, approved.text
                deliveries = delivered(2)
                assert [d["state"] for d in deliveries] == ["delivered", "delivered"]
                second_id = document_reference_id(dictation_id, deliveries[1]["version"])
                assert set(backend.documents) == {first_id, second_id}
                replacement = backend.documents[second_id]
                assert replacement["relatesTo"] == [{"code": "replaces", "target": {
                    "reference": f"DocumentReference/{first_id}"}}]
                assert replacement["subject"] == {"reference": f"Patient/{PATIENT}"}
                assert replacement["author"] == [{"reference": PRACTITIONER}]
                assert "39,1" in text_attachment(replacement)
                assert backend.documents[first_id] == document  # left as it was

                # The launch this test used does not open another session.
                replayed = httpx.get(f"{dikta_url}/smart/launch",
                                     params={"iss": issuer, "launch": launch})
                assert replayed.status_code == 409
        finally:
            store.engine.dispose()
