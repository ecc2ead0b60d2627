"""Issue 17.2/17.4: approved notes written back into the EPJ.

A loopback EPJ (tests/epj_standin.py) speaks the real protocol on 127.0.0.1: a token endpoint that
verifies the `private_key_jwt` client assertion against the client's registered public key
(and, for DPoP targets, the proof), and a FHIR base that takes a `batch` Bundle of
DocumentReference PUTs — validating each resource against the R4 model, keeping them by id,
and failing the first attempt with 503. Approve → exactly one DocumentReference; a repeated
PUT does not duplicate it; an amendment arrives as a new one that replaces the old id. The
generic REST-JSON connector is checked against a stand-in that recomputes the HMAC signature
and reads the mapped body.

The SMART launch that sets `epj_issuer` is joined at integration (the smart branch); here the
issuer routing is checked on the renderer directly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import select

from service.core.crypto import keyring_for
from service.core.egress import EgressPolicy, EgressRefused
from service.core.settings import DeliverySettings, DeliveryTarget, Settings
from service.core.store import Dictation, NoteVersion, Store, Tenant
from service.deliveries.connectors import ConnectorContext, OutboundDelivery
from service.deliveries.fhir import FhirConnector, batch_result, render_fhir
from service.deliveries.helseid import (
    generate_private_jwk,
    save_private_jwk,
)
from service.deliveries.rest_json import save_secret
from structuring.document_reference import document_reference_id
from structuring.written_standard import write_note
from tests.databases import database_url
from tests.epj_standin import BACKEND_CLIENT_ID as CLIENT_ID
from tests.epj_standin import LoopbackEpj
from tests.live_service import serving
from tests.needs import need_postgres
from tests.standins import Answer, Received, standin

SCOPES = "dictate read_notes approve"
DOC_TYPE = {"system": "urn:oid:2.16.578.1.12.4.1.1.9602", "code": "J-SYKEPL",
            "display": "Sykepleienotat"}
DRAFT = "Pasienten har feber. Temperatur 38,4. Hun sov godt i natt."
AMENDED = "Pasienten har feber. Temperatur 39,1. Lege varslet. Hun sov godt i natt."


# --- a running Dikta with write-back targets ---------------------------------------------

def transcribed(store: Store, text: str = DRAFT, patient_ref: str | None = "epj-pas-42") -> str:
    """A dictation as the job processor leaves it: status done, version 1 the ASR draft."""
    note = write_note(text).to_dict()
    with store.session() as s, s.begin():
        tenant = s.scalar(select(Tenant).where(Tenant.name == "kommune-a"))
        row = Dictation(tenant_id=tenant.id, status="done", language="nb",
                        patient_ref=patient_ref, note=note)
        s.add(row)
        s.flush()
        s.add(NoteVersion(dictation_id=row.id, version=1, kind="asr_draft", text=text,
                          note=note, author="dikta-asr"))
        return row.id


def settings_for(tmp: Path, url: str | None, targets: list[DeliveryTarget]) -> Settings:
    return Settings(data_dir=tmp, database_url=url, deliveries=DeliverySettings(
        targets=targets, retry_backoff_s=0.01, max_backoff_s=0.05, poll_interval_s=0.05))


@contextmanager
def dikta(settings: Settings):
    with serving(settings, SCOPES) as running_service:
        yield running_service


def fhir_target(epj: str, tmp: Path, **options) -> DeliveryTarget:
    return DeliveryTarget(name="epj", kind="fhir", base_url=f"{epj}/fhir",
                          token_endpoint=f"{epj}/token", client_id=CLIENT_ID,
                          private_key_file=tmp / "epj.jwk",
                          scope="system/DocumentReference.write",
                          options={"document_type": DOC_TYPE, "issuer": f"{epj}/fhir",
                                   "custodian": "Testkommune", **options})


def wait_delivered(base: str, headers: dict, dictation_id: str, count: int,
                   state: str = "delivered") -> list[dict]:
    deadline = time.monotonic() + 30
    while True:
        body = httpx.get(f"{base}/v1/dictations/{dictation_id}", headers=headers).json()
        deliveries = body["deliveries"]
        if len(deliveries) == count and all(d["state"] == state for d in deliveries):
            return deliveries
        assert time.monotonic() < deadline, deliveries
        time.sleep(0.05)


def attachment_text(resource: dict, content_type: str) -> str:
    for content in resource["content"]:
        if content["attachment"]["contentType"].startswith(content_type):
            return base64.b64decode(content["attachment"]["data"]).decode()
    raise AssertionError(f"no {content_type} attachment")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    if request.param == "postgresql":
        need_postgres()
    with database_url(request.param) as url:
        yield url


@pytest.fixture
def client_key(tmp_path) -> dict:
    return generate_private_jwk("ES256")


# --- FHIR write-back ----------------------------------------------------------------------

@pytest.mark.parametrize("dpop", [False, True], ids=["bearer", "dpop"])
def test_approval_writes_one_document_reference_and_an_amendment_replaces_it(
        tmp_path, db, client_key, dpop):
    epj = LoopbackEpj(client_key, fail_first=1)
    with standin(epj) as (epj_url, _received):
        epj.base = epj_url
        settings = settings_for(tmp_path, db, [fhir_target(epj_url, tmp_path, dpop=dpop)])
        save_private_jwk(tmp_path / "epj.jwk", client_key, keyring_for(settings))
        with dikta(settings) as (base, headers, store):
            dictation_id = transcribed(store)
            approved = httpx.post(f"{base}/v1/dictations/{dictation_id}/approve",
                                  headers=headers, json={"author": "Kari Nordmann"})
            assert approved.status_code == 200, approved.text
            (delivery,) = wait_delivered(base, headers, dictation_id, 1)
            assert delivery["attempts"] == 2  # the EPJ's 503 first, then the PUT
            assert delivery["version"] == 2 and delivery["remote_status"].endswith("201")
            first_id = document_reference_id(dictation_id, 2)
            assert delivery["remote_status_url"] == \
                f"{epj_url}/fhir/DocumentReference/{first_id}/_history/1"
            assert list(epj.documents) == [first_id]  # exactly one DocumentReference
            assert len(set(epj.batches)) == 1  # the retry sent the very same batch
            assert epj.refusals == []
            document = epj.documents[first_id]
            assert document["status"] == "current" and document["docStatus"] == "final"
            assert document["subject"] == {"reference": "Patient/epj-pas-42"}
            assert document["type"]["coding"][0]["code"] == "J-SYKEPL"
            assert document["author"] == [{"display": "Kari Nordmann"}]
            assert "38,4" in attachment_text(document, "text/plain")
            assert json.loads(attachment_text(document, "application/fhir+json"))[
                "type"] == "document"
            assert "relatesTo" not in document

            # A re-delivery (a lost answer, an operator's retry) is the same idempotent PUT.
            with store.session() as s:
                from service.core.store import Delivery

                row = s.scalar(select(Delivery).where(Delivery.dictation_id == dictation_id))
                again = OutboundDelivery(row.id, row.tenant_id, dictation_id, row.version,
                                         "epj", row.document, row.id)
            target = settings.deliveries.targets[0]
            policy = EgressPolicy.from_settings(settings)
            connector = FhirConnector(target, ConnectorContext(settings, policy.client))
            result = connector.deliver(again)
            assert result.delivered and result.remote_status.endswith("200")
            assert list(epj.documents) == [first_id] and epj.puts == [first_id, first_id]

            amended = httpx.post(f"{base}/v1/dictations/{dictation_id}/amend",
                                 headers=headers, json={"text": AMENDED})
            assert amended.status_code == 200, amended.text
            assert len(amended.json()["deliveries"]) == 1  # nothing sent for a draft
            httpx.post(f"{base}/v1/dictations/{dictation_id}/approve", headers=headers,
                       json={"author": "Kari Nordmann"})
            deliveries = wait_delivered(base, headers, dictation_id, 2)
            assert [d["version"] for d in deliveries] == [2, 4]
            second_id = document_reference_id(dictation_id, 4)
            assert set(epj.documents) == {first_id, second_id}
            replacement = epj.documents[second_id]
            assert replacement["relatesTo"] == [{"code": "replaces", "target": {
                "reference": f"DocumentReference/{first_id}"}}]
            assert "39,1" in attachment_text(replacement, "text/plain")
            assert epj.documents[first_id] == document  # the old one is left as it was


def test_a_refused_entry_is_dead_with_the_outcome_codes_only(tmp_path, client_key):
    epj = LoopbackEpj(client_key, fail_first=0)
    with standin(epj) as (epj_url, _received):
        epj.base = epj_url
        settings = settings_for(tmp_path, None, [fhir_target(
            epj_url, tmp_path, document_type={**DOC_TYPE, "code": "UGYLDIG"})])
        save_private_jwk(tmp_path / "epj.jwk", client_key, keyring_for(settings))
        with dikta(settings) as (base, headers, store):
            dictation_id = transcribed(store)
            httpx.post(f"{base}/v1/dictations/{dictation_id}/approve", headers=headers,
                       json={})
            (delivery,) = wait_delivered(base, headers, dictation_id, 1, state="dead")
    assert delivery["attempts"] == 1  # a 4xx does not get better by trying again
    assert delivery["last_error"] == "batch refused: entry 0: 422 (code-invalid, DOKTYPE-UKJENT)"
    assert epj.documents == {}


def test_the_connector_refuses_hosts_not_configured(tmp_path, client_key):
    epj = LoopbackEpj(client_key, fail_first=0)
    with standin(epj) as (epj_url, received):
        epj.base = epj_url
        settings = settings_for(tmp_path, None, [fhir_target(epj_url, tmp_path)])
        save_private_jwk(tmp_path / "epj.jwk", client_key, keyring_for(settings))
        # Only another EPJ is configured: this one's token endpoint and FHIR base are not.
        policy = EgressPolicy.of(["https://epj.kommune-b.example.no/fhir"])
        connector = FhirConnector(settings.deliveries.targets[0],
                                  ConnectorContext(settings, policy.client))
        bundle = {"resourceType": "Bundle", "type": "batch", "entry": []}
        with pytest.raises(EgressRefused):
            connector.deliver(OutboundDelivery("d1", "t", "x", 2, "epj", bundle, "d1"))
    assert received == []  # refused before a socket was opened


def _row(**values) -> SimpleNamespace:
    from datetime import UTC, datetime

    note = write_note(DRAFT).to_dict()
    defaults = {"id": "d" * 32, "patient_ref": "epj-pas-42", "approved_at": datetime.now(UTC),
                "epj_issuer": None}
    return SimpleNamespace(**{**defaults, **values}), SimpleNamespace(
        version=2, note=note, author=None, supersedes=None, created_at=defaults["approved_at"])


def test_a_launched_dictation_goes_back_only_to_the_epj_that_launched_it(tmp_path):
    mine = fhir_target("https://epj-a.example.no", tmp_path)
    other = fhir_target("https://epj-b.example.no", tmp_path)
    unbound = fhir_target("https://epj-c.example.no", tmp_path, issuer=None)
    launched, version = _row(epj_issuer="https://epj-a.example.no/fhir/")
    assert render_fhir(None, launched, version, mine)["type"] == "batch"
    assert render_fhir(None, launched, version, other) is None
    assert render_fhir(None, launched, version, unbound) is None
    # Not launched from an EPJ: the tenant's configured targets (the outbox filters tenants).
    plain, version = _row()
    assert render_fhir(None, plain, version, mine) is not None
    assert render_fhir(None, plain, version, unbound) is not None
    no_patient, version = _row(patient_ref=None)
    assert render_fhir(None, no_patient, version, mine) is None  # no chart to write into


def test_a_launch_practitioner_is_the_author_reference(tmp_path):
    target = fhir_target("https://epj-a.example.no", tmp_path)
    row, version = _row()
    for author, expected in (("Practitioner/abc-123", {"reference": "Practitioner/abc-123"}),
                             ("https://epj-a.example.no/fhir/Practitioner/7",
                              {"reference": "https://epj-a.example.no/fhir/Practitioner/7"}),
                             ("Kari Nordmann", {"display": "Kari Nordmann"})):
        version.author = author
        document = render_fhir(None, row, version, target)["entry"][0]["resource"]
        assert document["author"] == [expected] and document["authenticator"] == expected


def test_wrong_options_never_stop_an_approval_and_are_named_when_sent(tmp_path,
                                                                       client_key):
    good = fhir_target("https://epj-a.example.no", tmp_path)
    for options, named in (({"issuer": None}, "options.document_type"),
                           ({**good.options, "dpopp": True}, "options.dpopp")):
        broken = good.model_copy(update={"options": options})
        document = render_fhir(None, *_row(), broken)
        assert named in document["error"] and "unrendered" in document
        nowhere = EgressPolicy.of([])  # nothing may be contacted
        result = FhirConnector(broken, ConnectorContext(None, nowhere.client)).deliver(
            OutboundDelivery("d1", "t", "d" * 32, 2, "epj", document, "d1"))
        assert (result.delivered, result.retryable) == (False, False)
        assert named in result.error
    # Fixed options (and a restart): the kept inputs are rendered and sent.
    epj = LoopbackEpj(client_key, fail_first=0)
    with standin(epj) as (epj_url, _received):
        epj.base = epj_url
        settings = settings_for(tmp_path, None, [fhir_target(epj_url, tmp_path)])
        save_private_jwk(tmp_path / "epj.jwk", client_key, keyring_for(settings))
        connector = FhirConnector(settings.deliveries.targets[0],
                                  ConnectorContext(settings,
                                                   EgressPolicy.from_settings(settings).client))
        result = connector.deliver(OutboundDelivery("d1", "t", "d" * 32, 2, "epj", document,
                                                    "d1"))
    assert result.delivered and list(epj.documents) == [document_reference_id("d" * 32, 2)]


@pytest.mark.parametrize(("status", "entries", "delivered", "retryable", "error"), [
    (200, ["201 Created"], True, False, None),
    (200, ["200 OK", "201 Created"], True, False, None),
    (200, ["503 Service Unavailable"], False, True, "batch refused: entry 0: 503"),
    (200, ["429 Too Many Requests"], False, True, "batch refused: entry 0: 429"),
    (200, ["201 Created", "409 Conflict"], False, False, "batch refused: entry 1: 409"),
    (200, ["500 Internal Server Error", "400 Bad Request"], False, False,
     "batch refused: entry 0: 500; entry 1: 400"),
    (200, [], False, False, "HTTP 200 but not a batch-response with 1 entry"),
    (502, None, False, True, "HTTP 502"),
    (403, None, False, False, "HTTP 403"),
])
def test_batch_response_statuses_decide(status, entries, delivered, retryable, error):
    body = None if entries is None else {
        "resourceType": "Bundle", "type": "batch-response",
        "entry": [{"response": {"status": e}} for e in entries]}
    response = httpx.Response(status, json=body)
    sent = max(1, len(entries or []))
    result = batch_result(response, sent, "https://epj.example.no/fhir")
    assert (result.delivered, result.retryable, result.error) == (delivered, retryable, error)


# --- the generic REST-JSON journal connector ----------------------------------------------

MAPPING_YAML = """\
# Gerica-like journal entry (what the municipality's IT writes)
body:
  pasientId: $patient_ref
  notat: $text
  forfatter: $author
  tidspunkt: $approved_at
  kilde: Dikta
  eksternId: $external_id
  erstatter: $supersedes
  avsnitt:
    $each: sections
    as: {overskrift: $heading, tekst: $text}
omit_empty: true
"""
SECRET = "delt-hemmelighet-med-epj"


class JournalApi:
    """A proprietary journal API: checks the signature over timestamp and body."""

    def __init__(self) -> None:
        self.entries: list[dict] = []
        self.refused: list[str] = []

    def __call__(self, request: Received) -> Answer:
        stamp = request.headers.get("x-kommune-tid", "")
        expected = "sha256=" + hmac.new(SECRET.encode(), stamp.encode() + b"." + request.body,
                                        hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("x-kommune-signatur", ""), expected):
            self.refused.append("signature")
            return Answer(401)
        if abs(time.time() - int(stamp)) > 300:
            self.refused.append("old")
            return Answer(401)
        self.entries.append({"path": request.path, "body": request.json(),
                             "key": request.headers.get("x-idempotens")})
        return Answer(201, {"journalId": f"J-{len(self.entries)}"})


def rest_target(url: str, tmp: Path, mapping_file: Path) -> DeliveryTarget:
    return DeliveryTarget(name="gerica", kind="rest_json", base_url=url, options={
        "url_template": "{base_url}/api/v1/patients/{patient_ref}/journals",
        "mapping_file": str(mapping_file), "secret_file": str(tmp / "gerica.secret"),
        "signature_header": "X-Kommune-Signatur", "timestamp_header": "X-Kommune-Tid",
        "idempotency_header": "X-Idempotens", "response_id_field": "journalId"})


def seal_secret_with_the_cli(settings: Settings, monkeypatch, secret: str = SECRET) -> None:
    """`dikta deliveries secret --target gerica`, the secret on standard input."""
    from click.testing import CliRunner

    from service.cli import main
    from service.core.settings import get_settings

    monkeypatch.setenv("DIKTA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DIKTA_DELIVERIES__TARGETS", json.dumps(
        [t.model_dump(mode="json") for t in settings.deliveries.targets]))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        made = runner.invoke(main, ["deliveries", "secret", "--target", "gerica"], input=secret)
        assert made.exit_code == 0, made.output
        again = runner.invoke(main, ["deliveries", "secret", "--target", "gerica"],
                              input="annen")
        assert again.exit_code == 1 and "exists" in again.output  # never replaced
    finally:
        get_settings.cache_clear()


def test_rest_json_sends_the_mapped_body_signed(tmp_path, monkeypatch):
    api = JournalApi()
    mapping = tmp_path / "gerica.yaml"
    mapping.write_text(MAPPING_YAML)
    with standin(api) as (api_url, received):
        settings = settings_for(tmp_path, None, [rest_target(api_url, tmp_path, mapping)])
        seal_secret_with_the_cli(settings, monkeypatch)
        assert SECRET not in (tmp_path / "gerica.secret").read_text()  # sealed at rest
        assert (tmp_path / "gerica.secret").stat().st_mode & 0o077 == 0
        with dikta(settings) as (base, headers, store):
            dictation_id = transcribed(store, patient_ref="pas 7/b")
            httpx.post(f"{base}/v1/dictations/{dictation_id}/approve", headers=headers,
                       json={"author": "Ola Nordmann"})
            (first,) = wait_delivered(base, headers, dictation_id, 1)
            httpx.post(f"{base}/v1/dictations/{dictation_id}/amend", headers=headers,
                       json={"text": AMENDED})
            httpx.post(f"{base}/v1/dictations/{dictation_id}/approve", headers=headers,
                       json={"author": "Ola Nordmann"})
            deliveries = wait_delivered(base, headers, dictation_id, 2)
    assert api.refused == [] and len(api.entries) == 2
    assert first["remote_status_url"] == "J-1"
    entry = api.entries[0]
    assert entry["path"] == "/api/v1/patients/pas%207%2Fb/journals"  # values URL-encoded
    body = entry["body"]
    assert set(body) == {"pasientId", "notat", "forfatter", "tidspunkt", "kilde",
                         "eksternId", "avsnitt"}  # erstatter omitted: not an amendment
    assert body["pasientId"] == "pas 7/b" and body["forfatter"] == "Ola Nordmann"
    assert body["kilde"] == "Dikta" and body["eksternId"] == f"{dictation_id}/2"
    assert "38,4" in body["notat"]
    assert body["avsnitt"] and all(set(s) == {"overskrift", "tekst"} for s in body["avsnitt"])
    assert " ".join(s["tekst"] for s in body["avsnitt"]).count("Temperatur") == 1
    assert entry["key"] and entry["key"] != api.entries[1]["key"]
    amendment = api.entries[1]["body"]
    assert amendment["erstatter"] == 2 and amendment["eksternId"] == f"{dictation_id}/4"
    assert [d["remote_status_url"] for d in deliveries] == ["J-1", "J-2"]
    assert len(received) == 2


def test_rest_json_with_a_broken_mapping_is_dead_naming_the_element(tmp_path):
    api = JournalApi()
    mapping = tmp_path / "gerica.yaml"
    mapping.write_text(MAPPING_YAML.replace("tekst: $text}", "tekst: $txt}"))
    with standin(api) as (api_url, received):
        settings = settings_for(tmp_path, None, [rest_target(api_url, tmp_path, mapping)])
        save_secret(tmp_path / "gerica.secret", SECRET, keyring_for(settings))
        with dikta(settings) as (base, headers, store):
            dictation_id = transcribed(store)
            httpx.post(f"{base}/v1/dictations/{dictation_id}/approve", headers=headers,
                       json={})
            (delivery,) = wait_delivered(base, headers, dictation_id, 1, state="dead")
    assert delivery["last_error"].startswith(
        "gerica.yaml: body.avsnitt.as.tekst: unknown section field '$txt'")
    assert received == []


def test_rest_json_without_its_secret_is_dead_naming_the_option(tmp_path):
    from service.deliveries.rest_json import RestJsonConnector

    mapping = tmp_path / "gerica.yaml"
    mapping.write_text(MAPPING_YAML)
    settings = settings_for(tmp_path, None, [rest_target("https://gerica.example.no",
                                                         tmp_path, mapping)])
    nowhere = EgressPolicy.of([])  # nothing may be contacted
    connector = RestJsonConnector(settings.deliveries.targets[0],
                                  ConnectorContext(settings, nowhere.client))
    result = connector.deliver(OutboundDelivery("d1", "t", "x", 2, "gerica",
                                                {"fields": {}}, "d1"))
    assert (result.delivered, result.retryable) == (False, False)
    assert "options.secret_file" in result.error and "deliveries secret" in result.error
