"""The pull feed (/fhir) as an EPJ sees it: access tokens from a loopback identity provider
(client credentials, private_key_jwt), approved notes of the client's tenant only, paging,
acknowledgements, the CapabilityStatement — and the attacker's view: tokens from another
issuer, expired, for another audience, without the scope, of an unknown client; drafts and
other tenants' notes never in the feed. On SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import time
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest

from evaluation.loopback import running
from service.core.settings import FeedSettings, ServiceSettings, Settings
from service.core.store import Dictation, NoteVersion, as_utc
from service.http.app import create_app
from structuring.document_reference import document_reference_id
from structuring.pipeline import structure
from tests.databases import database_url
from tests.loopback_idp import loopback_idp, rsa_key, sign
from tests.uploads_app import QueuedOnly, auth, recording

AUDIENCE = "dikta-fhir"
READ = "system/DocumentReference.read system/Composition.read"
ACK = "system/DocumentReference.write"
UNJOURNALED = "urn:dikta:journaling|journaled"


@contextmanager
def feed_app(tmp, url, idp):
    settings = Settings(data_dir=tmp, database_url=url,
                        service=ServiceSettings(auth_failures_per_minute=10_000),
                        feed=FeedSettings(issuer=idp.issuer, audience=AUDIENCE,
                                          jwks_url=f"{idp.url}/jwks", jwks_host=idp.host,
                                          clients={"epj-a": "kommune-a",
                                                   "epj-b": "kommune-b"}))
    app = create_app(settings, load_model=False)
    app.state.dikta.worker = QueuedOnly()
    store = app.state.dikta.store
    keys = {"a": store.create_key("kommune-a", "dictate read_notes approve"),
            "b": store.create_key("kommune-b", "dictate read_notes approve")}
    try:
        with running(app) as base:
            yield base, keys, app
    finally:
        store.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def feed(request, tmp_path_factory):
    with loopback_idp(AUDIENCE) as idp, database_url(request.param) as url, \
            feed_app(tmp_path_factory.mktemp(f"feed-{request.param}"), url, idp) as app:
        idp.register("epj-a", f"{READ} {ACK}")
        idp.register("epj-b", READ)
        idp.register("epj-unmapped", READ)
        yield idp, app


SPOKEN = {
    "p1": "blodtrykk hundre og tjue over åtti punktum hun sov godt hele natten punktum",
    "p2": "ga Paracet ett gram klokka åtte punktum",
}


def _dictation(app, key: str, patient: str, approve: bool) -> str:
    """A dictation as the worker leaves it, then approved through the API."""
    base, keys, dikta = app
    created = httpx.post(f"{base}/v1/dictations", headers=auth(keys[key]),
                         files={"file": ("a.wav", recording(len(patient) + hash(key) % 97
                                                            + int(time.time_ns() % 1000)))},
                         data={"patient_ref": patient})
    assert created.status_code == 202, created.text
    dictation_id = created.json()["id"]
    note = structure(SPOKEN.get(patient, SPOKEN["p1"])).to_dict()
    with dikta.state.dikta.store.session() as s, s.begin():
        row = s.get(Dictation, dictation_id)
        row.status, row.note = "done", note
        s.add(NoteVersion(dictation_id=dictation_id, version=1, kind="asr_draft",
                          text="x", note=note))
    if approve:
        approved = httpx.post(f"{base}/v1/dictations/{dictation_id}/approve",
                              headers=auth(keys[key]), json={"author": "Kari Nordmann"})
        assert approved.status_code == 200, approved.text
    return dictation_id


@pytest.fixture(scope="module")
def notes(feed):
    _, app = feed
    made = {
        "a1": _dictation(app, "a", "p1", approve=True),
        "a_draft": _dictation(app, "a", "p1", approve=False),
        "a2": _dictation(app, "a", "p2", approve=True),
        "b1": _dictation(app, "b", "p1", approve=True),
        "b_draft": _dictation(app, "b", "p1", approve=False),
    }
    return made


def _doc_id(dictation_id: str, version: int = 2) -> str:
    return document_reference_id(dictation_id, version)


def _token(feed, client: str = "epj-a", scope: str = READ) -> str:
    idp, _ = feed
    return idp.client_credentials(client, scope)


def _get(feed, path: str, token: str | None, **params) -> httpx.Response:
    _, (base, _, _) = feed
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{base}/fhir/{path}", headers=headers, params=params)


def _ids(bundle: dict) -> list[str]:
    return [e["resource"]["id"] for e in bundle["entry"]]


def test_metadata_lists_exactly_what_is_supported(feed):
    response = _get(feed, "metadata", None)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    statement = response.json()
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1" and statement["kind"] == "instance"
    [rest] = statement["rest"]
    assert {r["type"]: [i["code"] for i in r["interaction"]] for r in rest["resource"]} == {
        "DocumentReference": ["read", "search-type"], "Composition": ["read", "search-type"]}
    for resource in rest["resource"]:
        assert [p["name"] for p in resource["searchParam"]] == [
            "patient", "_lastUpdated", "_tag:not", "_count", "_cursor"]
    [operation] = rest["resource"][0]["operation"]
    assert operation["name"] == "journaling-acknowledged"


def test_feed_holds_the_approved_notes_of_the_clients_tenant_only(feed, notes):
    bundle = _get(feed, "DocumentReference", _token(feed)).json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    assert _ids(bundle) == [_doc_id(notes["a1"]), _doc_id(notes["a2"])]
    other = _get(feed, "DocumentReference", _token(feed, "epj-b")).json()
    assert _ids(other) == [_doc_id(notes["b1"])]
    every = json.dumps(bundle) + json.dumps(other)
    for draft in ("a_draft", "b_draft"):
        assert notes[draft] not in every  # drafts never leave, not even as an id


def test_entry_is_the_final_document_reference_with_its_note(feed, notes):
    bundle = _get(feed, "DocumentReference", _token(feed), patient="Patient/p2").json()
    [entry] = bundle["entry"]
    resource = entry["resource"]
    assert entry["fullUrl"].endswith(f"/fhir/DocumentReference/{resource['id']}")
    assert resource["status"] == "current" and resource["docStatus"] == "final"
    assert resource["subject"] == {"reference": "Patient/p2"}
    assert resource["author"] == [{"display": "Kari Nordmann"}]
    assert resource["type"]["coding"][0]["code"] == "J-SYKEPL"
    text = base64.b64decode(resource["content"][0]["attachment"]["data"]).decode()
    assert "Paracet" in text
    assert "lastUpdated" in resource["meta"] and "tag" not in resource["meta"]


def test_compositions_are_served_too(feed, notes):
    bundle = _get(feed, "Composition", _token(feed), patient="p1").json()
    [entry] = bundle["entry"]
    assert entry["resource"]["resourceType"] == "Composition"
    assert entry["resource"]["status"] == "final"
    one = _get(feed, f"Composition/{entry['resource']['id']}", _token(feed))
    assert one.status_code == 200 and one.json()["id"] == entry["resource"]["id"]
    assert _get(feed, f"Composition/{entry['resource']['id']}",
                _token(feed, "epj-b")).status_code == 404


def test_read_by_id_and_other_tenants_ids_are_not_found(feed, notes):
    token = _token(feed)
    assert _get(feed, f"DocumentReference/{_doc_id(notes['a1'])}", token).status_code == 200
    for other in (_doc_id(notes["b1"]), _doc_id(notes["a_draft"], 1), "nope"):
        response = _get(feed, f"DocumentReference/{other}", token)
        assert response.status_code == 404
        assert response.json()["resourceType"] == "OperationOutcome"


def test_paging_follows_next_links_with_a_signed_cursor(feed, notes):
    token = _token(feed)
    first = _get(feed, "DocumentReference", token, _count=1).json()
    [next_link] = [link["url"] for link in first["link"] if link["relation"] == "next"]
    second = httpx.get(next_link, headers={"Authorization": f"Bearer {token}"}).json()
    assert _ids(first) + _ids(second) == [_doc_id(notes["a1"]), _doc_id(notes["a2"])]
    assert not [link for link in second["link"] if link["relation"] == "next"]
    cursor = next_link.split("_cursor=")[1]
    tampered = _get(feed, "DocumentReference", token, _count=1, _cursor=cursor[:-3] + "xyz")
    assert tampered.status_code == 400
    assert "'_cursor'" in tampered.json()["issue"][0]["diagnostics"]
    other = _get(feed, "DocumentReference", _token(feed, "epj-b"), _count=1, _cursor=cursor)
    assert other.status_code == 400


def test_last_updated_filters_by_approval_time(feed, notes):
    token = _token(feed)
    bundle = _get(feed, "DocumentReference", token).json()
    first = bundle["entry"][0]["resource"]["meta"]["lastUpdated"]
    _, (_, _, dikta) = feed
    with dikta.state.dikta.store.session() as s:
        approved = s.query(NoteVersion).filter_by(dictation_id=notes["a1"],
                                                  kind="approved").one()
        at = as_utc(approved.created_at)
    assert first == at.isoformat(timespec="seconds")
    after = _get(feed, "DocumentReference", token, _lastUpdated=f"gt{at.isoformat()}").json()
    assert _ids(after) == [_doc_id(notes["a2"])]
    before = (at - timedelta(seconds=1)).isoformat()
    assert len(_get(feed, "DocumentReference", token,
                    _lastUpdated=f"gt{before}").json()["entry"]) == 2
    assert _get(feed, "DocumentReference", token,
                _lastUpdated=f"lt{before}").json()["entry"] == []


def test_acknowledge_is_idempotent_and_filters_the_feed(feed, notes):
    _, (base, _, _) = feed
    token = _token(feed, scope=f"{READ} {ACK}")
    doc = _doc_id(notes["a1"])
    url = f"{base}/fhir/DocumentReference/{doc}/$journaling-acknowledged"
    first = httpx.post(url, headers={"Authorization": f"Bearer {token}"})
    assert first.status_code == 200, first.text
    again = httpx.post(url, headers={"Authorization": f"Bearer {token}"})
    params = lambda r: {p["name"]: list(p.values())[1] for p in r.json()["parameter"]}
    assert params(first)["created"] is True and params(again)["created"] is False
    assert params(first)["acknowledged"] == params(again)["acknowledged"]
    pending = _get(feed, "DocumentReference", token, **{"_tag:not": UNJOURNALED}).json()
    assert _ids(pending) == [_doc_id(notes["a2"])]
    tagged = _get(feed, f"DocumentReference/{doc}", token).json()
    assert tagged["meta"]["tag"][0]["code"] == "journaled"
    # A journaled note is not news: _lastUpdated does not move.
    everything = _get(feed, "DocumentReference", token).json()
    assert _ids(everything) == [doc, _doc_id(notes["a2"])]


def test_acknowledge_needs_its_scope_and_the_tenants_note(feed, notes):
    _, (base, _, _) = feed
    read_only = _token(feed, scope=READ)
    url = f"{base}/fhir/DocumentReference/{_doc_id(notes['a2'])}/$journaling-acknowledged"
    refused = httpx.post(url, headers={"Authorization": f"Bearer {read_only}"})
    assert refused.status_code == 403
    assert refused.json()["issue"][0]["code"] == "forbidden"
    writer = _token(feed, scope=f"{READ} {ACK}")
    for other in (_doc_id(notes["b1"]), _doc_id(notes["a_draft"], 1)):
        response = httpx.post(f"{base}/fhir/DocumentReference/{other}/"
                              "$journaling-acknowledged",
                              headers={"Authorization": f"Bearer {writer}"})
        assert response.status_code == 404


def test_amended_note_supersedes_its_earlier_version(feed, notes):
    _, (base, _, dikta) = feed
    amended = _dictation((base, _get_keys(feed), dikta), "a", "p9", approve=True)
    note = structure(SPOKEN["p2"]).to_dict()
    with dikta.state.dikta.store.session() as s, s.begin():  # as an amendment lands it
        s.add(NoteVersion(dictation_id=amended, version=3, kind="approved", text="y",
                          note=note, author="Ola Nordmann"))
    bundle = _get(feed, "DocumentReference", _token(feed), patient="p9").json()
    old, new = (e["resource"] for e in bundle["entry"])
    assert (old["id"], new["id"]) == (_doc_id(amended, 2), _doc_id(amended, 3))
    assert old["status"] == "superseded" and new["status"] == "current"
    assert new["relatesTo"] == [{"code": "replaces", "target": {
        "reference": f"DocumentReference/{old['id']}"}}]


def _get_keys(feed):
    return feed[1][1]


@pytest.mark.parametrize("case", ["wrong issuer", "expired", "wrong audience",
                                  "unknown key", "unmapped client", "no token", "garbage"])
def test_bad_tokens_are_refused(feed, notes, case):
    idp, _ = feed
    token = {
        "wrong issuer": lambda: idp.access_token(iss="https://evil.example", scope=READ),
        "expired": lambda: idp.access_token(iat=int(time.time()) - 900,
                                            exp=int(time.time()) - 600, scope=READ),
        "wrong audience": lambda: idp.access_token(aud="someone-else", scope=READ),
        "unknown key": lambda: sign({"iss": idp.issuer, "aud": AUDIENCE, "client_id": "epj-a",
                                     "sub": "epj-a", "scope": READ,
                                     "iat": int(time.time()),
                                     "exp": int(time.time()) + 60}, rsa_key(), idp.kid),
        "unmapped client": lambda: _token(feed, "epj-unmapped"),
        "no token": lambda: None,
        "garbage": lambda: "not-a-token",
    }[case]()
    response = _get(feed, "DocumentReference", token)
    assert response.status_code == 401, response.text
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.json()["issue"][0]["code"] == "login"
    assert notes["a1"] not in response.text


def test_missing_read_scope_is_forbidden(feed, notes):
    token = _token(feed, scope="system/Composition.read")
    assert _get(feed, "DocumentReference", token).status_code == 403
    assert _get(feed, "Composition", token).status_code == 200


def test_api_keys_do_not_open_the_feed(feed, notes):
    _, (base, keys, _) = feed
    response = httpx.get(f"{base}/fhir/DocumentReference", headers=auth(keys["a"]))
    assert response.status_code == 401


@pytest.mark.parametrize("params, field", [
    ({"subject": "p1"}, "subject"), ({"_count": "0"}, "_count"), ({"_count": "x"}, "_count"),
    ({"_lastUpdated": "eq2026-01-01"}, "_lastUpdated"),
    ({"_lastUpdated": "gtyesterday"}, "_lastUpdated"),
    ({"_tag:not": "urn:other|x"}, "_tag:not"), ({"patient": "Patient/"}, "patient"),
])
def test_bad_searches_are_refused_naming_the_parameter(feed, notes, params, field):
    response = _get(feed, "DocumentReference", _token(feed), **params)
    assert response.status_code == 400, response.text
    assert response.json()["issue"][0]["diagnostics"].startswith(f"'{field}'")


def test_jwks_is_fetched_once_and_cached(feed, notes):
    idp, _ = feed
    for _ in range(3):
        assert _get(feed, "Composition", _token(feed)).status_code == 200
    assert idp.jwks_fetches == 1


@pytest.mark.parametrize("url, host", [
    ("http://169.254.169.254/jwks", "127.0.0.1:8443"),  # not the configured host
    ("http://idp.kommune.no/jwks", "idp.kommune.no"),  # not loopback: https only
    ("file:///etc/passwd", ""),
])
def test_jwks_url_only_from_the_configured_host(url, host):
    from service.http.oidc import FetchedJwks

    with pytest.raises(ValueError, match="JWKS URL"):
        FetchedJwks(url, host)
