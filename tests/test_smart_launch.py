"""SMART on FHIR launch (issue 17.1): an EPJ stand-in on loopback speaks the real protocol
(smart-configuration, an authorize endpoint that consents and redirects with a code, a token
endpoint checking PKCE and client assertions and issuing RS256-signed id tokens with patient
context, a JWKS); httpx follows the redirects between it and Dikta (uvicorn on loopback).

Launch → session → /smart/context → a dictation posted with the cookie carries the
session's patient and EPJ. Refused: an unconfigured iss, an id token from another issuer,
an expired one, a wrong audience, a wrong nonce, a replayed launch or state, a national ID as
patient, the cookie without the CSRF header, an expired or logged-out session. The security
headers: frame-ancestors for the EPJ's origins on `/` and `/smart/*` only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from evaluation.loopback import running
from service.core.settings import EpjLauncher, EpjSettings, ServiceSettings, Settings
from tests.databases import database_url
from tests.epj_standin import (
    CLIENT_ID,
    JWT_CLIENT_ID,
    PATIENT,
    PRACTITIONER,
    EpjStandIn,
)
from tests.needs import need_postgres
from tests.uploads_app import QueuedOnly, recording

TENANT = "Nordre Follo"
EPJ_ORIGIN_FRAME = "https://epj.kommune.no"
VALID_FNR = "15076500565"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def servers(request, tmp_path_factory):
    """(EPJ stand-in, Dikta's URL, the Dikta app) — both real HTTP servers on loopback."""
    if request.param == "postgresql":
        need_postgres()
    from cryptography.hazmat.primitives import serialization

    from service.http.app import create_app

    epj = EpjStandIn()
    tmp = tmp_path_factory.mktemp(f"smart-{request.param}")
    with running(epj.app()) as epj_url, database_url(request.param) as url:
        epj.base = epj_url
        pem = epj.client_key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()).decode()
        base = Settings()
        settings = Settings(
            model_dir=base.model_dir, data_dir=tmp, database_url=url,
            service=ServiceSettings(auth_failures_per_minute=10_000, dictation_workers=0),
            security=base.security,
            epj=EpjSettings(launch_ttl_s=300, session_ttl_s=600, launchers=[
                EpjLauncher(issuer=f"{epj_url}/fhir", tenant=TENANT, client_id=CLIENT_ID,
                            frame_ancestors=[EPJ_ORIGIN_FRAME]),
                EpjLauncher(issuer=f"{epj_url}/fhir-jwt", tenant=TENANT,
                            client_id=JWT_CLIENT_ID, client_auth="private_key_jwt",
                            private_key_file=tmp / "client-key.sealed",
                            private_key_id="dikta-1"),
                EpjLauncher(issuer=f"{epj_url}/fhir-oidc", tenant=TENANT, client_id=CLIENT_ID),
            ]))
        app = create_app(settings, load_model=False)
        app.state.dikta.worker = QueuedOnly()
        from service.core.crypto import active_keyring

        # The client key at rest as the data key seals it ("sealed key").
        (tmp / "client-key.sealed").write_text(active_keyring().seal_text(pem))
        store = app.state.dikta.store
        store.create_key(TENANT, "dictate read_notes")
        store.create_key("Annen kommune", "dictate read_notes")
        try:
            with running(app) as dikta_url:
                yield epj, dikta_url, app
        finally:
            store.engine.dispose()


@pytest.fixture
def epj(servers):
    epj, _, _ = servers
    epj.tweak, epj.patient = {}, PATIENT
    return epj


@contextmanager
def browser(dikta_url: str):
    """A browser: follows redirects between Dikta and the EPJ, keeps cookies."""
    with httpx.Client(base_url=dikta_url, follow_redirects=True, timeout=30) as client:
        yield client


def _launch(client: httpx.Client, epj: EpjStandIn, *, iss: str | None = None,
            launch: str | None = "new") -> httpx.Response:
    params = {"iss": iss or f"{epj.base}/fhir"}
    if launch == "new":
        params["launch"] = epj.new_launch()
    elif launch is not None:
        params["launch"] = launch
    return client.get("/smart/launch", params=params)


def _landed(response: httpx.Response, dikta_url: str) -> None:
    """The launch went through: the last hop is Dikta's `/` (the web app)."""
    assert [r.status_code for r in response.history][-1] == 303, response.text
    assert str(response.url) == f"{dikta_url}/"


def _session_header() -> dict[str, str]:
    return {"X-Dikta-Session": "1"}


# --- the launch that works -----------------------------------------------------------------

def test_ehr_launch_opens_a_session_bound_to_the_patient(servers, epj):
    _, dikta_url, app = servers
    with browser(dikta_url) as client:
        response = _launch(client, epj)
        _landed(response, dikta_url)
        hops = [str(r.url) for r in response.history]
        assert hops[0].startswith(f"{dikta_url}/smart/launch")
        assert hops[1].startswith(f"{epj.base}/authorize")
        assert hops[2].startswith(f"{dikta_url}/smart/callback")
        cookie = next(r for r in response.history if "set-cookie" in r.headers) \
            .headers["set-cookie"].lower()
        assert "dikta_session=" in cookie and "httponly" in cookie
        assert "samesite=lax" in cookie  # embedded, but plain-http loopback (see below)
        assert "secure" not in cookie  # plain http on loopback only
        assert "max-age=600" in cookie

        context = client.get("/smart/context")
        assert context.status_code == 200, context.text
        body = context.json()
        assert body["patient_ref"] == PATIENT
        assert body["practitioner"] == PRACTITIONER
        assert body["tenant"] == TENANT

        # The nurse dictates without typing a patient: the session says whose chart it is.
        created = client.post("/v1/dictations", headers=_session_header(),
                              files={"file": ("a.wav", recording(17))})
        assert created.status_code == 202, created.text
        assert created.json()["patient_ref"] == PATIENT
        assert created.json()["epj_issuer"] == f"{epj.base}/fhir"
        read = client.get(created.headers["Location"], headers=_session_header())
        assert read.status_code == 200
        assert read.json()["patient_ref"] == PATIENT
        from service.core.store import AuditEvent, Dictation

        with app.state.dikta.store.session() as s:
            row = s.get(Dictation, created.json()["id"])
            assert (row.patient_ref, row.epj_issuer) == (PATIENT, f"{epj.base}/fhir")
            actors = {e.actor for e in s.query(AuditEvent)
                      .filter(AuditEvent.resource_id == row.id)}
        assert len(actors) == 1 and actors.pop().startswith("session:")

        # Naming the same patient is fine; another one is refused, by field.
        same = client.post("/v1/dictations", headers=_session_header(),
                           files={"file": ("a.wav", recording(18))},
                           data={"patient_ref": PATIENT})
        assert same.status_code == 202
        other = client.post("/v1/dictations", headers=_session_header(),
                            files={"file": ("a.wav", recording(19))},
                            data={"patient_ref": "pas-9999"})
        assert other.status_code == 422
        assert "patient_ref" in other.json()["detail"]


def test_standalone_launch_and_private_key_jwt_with_a_sealed_key(servers, epj):
    _, dikta_url, _ = servers
    before = len(epj.assertions)
    with browser(dikta_url) as client:
        response = _launch(client, epj, iss=f"{epj.base}/fhir-jwt", launch=None)
        _landed(response, dikta_url)
        authorize = parse_qs(urlsplit(str(response.history[1].url)).query)
        assert "launch/patient" in authorize["scope"][0].split()
        assert "launch" not in authorize
        cookie = response.history[-1].headers["set-cookie"].lower()
        assert "samesite=lax" in cookie  # this EPJ does not embed Dikta
        assert client.get("/smart/context").json()["patient_ref"] == PATIENT
    assert len(epj.assertions) == before + 1  # the token request was signed by Dikta's key


def test_a_resumable_upload_in_a_session_is_bound_too(servers, epj):
    _, dikta_url, _ = servers
    tus = {"Tus-Resumable": "1.0.0", **_session_header()}
    audio = recording(22)
    with browser(dikta_url) as client:
        _landed(_launch(client, epj), dikta_url)
        other = client.post("/v1/uploads", headers={
            **tus, "Upload-Length": str(len(audio)),
            "Upload-Metadata": "patient_ref " + base64.b64encode(b"pas-9999").decode()})
        assert other.status_code == 422 and "patient_ref" in other.json()["detail"]
        created = client.post("/v1/uploads", content=audio, headers={
            **tus, "Upload-Length": str(len(audio)),
            "Content-Type": "application/offset+octet-stream"})
        assert created.status_code == 201, created.text
        upload = client.get(created.headers["Location"], headers=tus).json()
        assert upload["complete"] and upload["dictation_id"]
        head = client.head(created.headers["Location"], headers=tus)
        assert "epj_issuer" not in base64.b64decode(
            head.headers["Upload-Metadata"].split()[1]).decode()
        dictation = client.get(f"/v1/dictations/{upload['dictation_id']}",
                               headers=_session_header()).json()
        assert dictation["patient_ref"] == PATIENT
        assert dictation["epj_issuer"] == f"{epj.base}/fhir"


def test_the_stream_takes_the_cookie_only_from_dikta_s_own_origin(servers, epj):
    _, dikta_url, _ = servers
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    ws_url = dikta_url.replace("http://", "ws://") + "/v1/stream"
    with browser(dikta_url) as client:
        _landed(_launch(client, epj), dikta_url)
        cookie = f"dikta_session={client.cookies['dikta_session']}"
    with connect(ws_url, additional_headers={"Cookie": cookie,
                                             "Origin": dikta_url}) as ws:
        ws.send(json.dumps({"type": "start"}))
        assert json.loads(ws.recv(timeout=30))["type"] == "ready"
    for origin in ("https://evil.example", None):
        headers = {"Cookie": cookie, **({"Origin": origin} if origin else {})}
        with connect(ws_url, additional_headers=headers) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=30)
            assert closed.value.rcvd.code == 4403
    with connect(ws_url, additional_headers={"Cookie": "dikta_session=forged",
                                             "Origin": dikta_url}) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=30)
        assert closed.value.rcvd.code == 4401


def test_in_a_session_the_practitioner_approves(servers, epj):
    """The author of an approval made in a session is the EPJ's fhirUser, not a typed name."""
    _, dikta_url, app = servers
    from service.core.store import Dictation, NoteVersion

    with browser(dikta_url) as client:
        _landed(_launch(client, epj), dikta_url)
        created = client.post("/v1/dictations", headers=_session_header(),
                              files={"file": ("a.wav", recording(23))})
        dictation_id = created.json()["id"]
        with app.state.dikta.store.session() as s, s.begin():  # as the worker leaves it
            s.get(Dictation, dictation_id).status = "done"
            s.add(NoteVersion(dictation_id=dictation_id, version=1, kind="asr_draft",
                              text="Pasienten sov godt.", note=None, author="dikta-asr"))
        approved = client.post(f"/v1/dictations/{dictation_id}/approve",
                               headers=_session_header(), json={"author": "Noen Andre"})
        assert approved.status_code == 200, approved.text
        versions = client.get(f"/v1/dictations/{dictation_id}/versions",
                              headers=_session_header()).json()
        assert versions[-1]["kind"] == "approved"
        assert versions[-1]["author"] == PRACTITIONER


def test_keys_from_oidc_discovery_when_smart_configuration_has_none(servers, epj):
    _, dikta_url, _ = servers
    with browser(dikta_url) as client:
        _landed(_launch(client, epj, iss=f"{epj.base}/fhir-oidc"), dikta_url)
        assert client.get("/smart/context").json()["patient_ref"] == PATIENT


def test_session_principal_is_bounded(servers, epj):
    """The cookie works only with the CSRF header, never across tenants, and a key still
    decides when one is sent."""
    _, dikta_url, app = servers
    with browser(dikta_url) as client:
        _landed(_launch(client, epj), dikta_url)
        without = client.post("/v1/dictations", files={"file": ("a.wav", recording(20))})
        assert without.status_code == 401
        assert "X-Dikta-Session" in without.json()["detail"]
        wrong = client.get(f"/v1/dictations/{'0' * 32}", headers={"X-Dikta-Session": "yes"})
        assert wrong.status_code == 401
        # Another tenant's dictation is as unknown to the session as to that tenant's keys.
        other_key = app.state.dikta.store.create_key("Annen kommune", "dictate read_notes")
        theirs = httpx.post(f"{dikta_url}/v1/dictations",
                            headers={"Authorization": f"Bearer {other_key}"},
                            files={"file": ("a.wav", recording(21))},
                            data={"patient_ref": "pas-1"})
        assert theirs.status_code == 202
        looked = client.get(theirs.headers["Location"], headers=_session_header())
        assert looked.status_code == 404
        # A bad key with a good cookie: the key decides (401), the cookie does not rescue it.
        bad_key = client.get(f"/v1/dictations/{'0' * 32}",
                             headers={**_session_header(), "Authorization": "Bearer dk_nope"})
        assert bad_key.status_code == 401


def test_logout_ends_the_session(servers, epj):
    _, dikta_url, _ = servers
    with browser(dikta_url) as client:
        _landed(_launch(client, epj), dikta_url)
        session_id = client.cookies["dikta_session"]
        assert client.post("/smart/logout").status_code == 403  # needs the CSRF header
        assert client.post("/smart/logout", headers=_session_header()).status_code == 204
    # The old cookie, replayed after logout, opens nothing.
    with browser(dikta_url) as client:
        client.cookies.set("dikta_session", session_id)
        assert client.get("/smart/context").status_code == 401
        assert client.get(f"/v1/dictations/{'0' * 32}",
                          headers=_session_header()).status_code == 401


def test_an_expired_session_is_refused(servers, epj):
    _, dikta_url, app = servers
    from datetime import timedelta

    from service.core.store import utcnow
    from service.epj.sessions import hash_session_id
    from service.epj.tables import SmartSession

    with browser(dikta_url) as client:
        _landed(_launch(client, epj), dikta_url)
        id_hash = hash_session_id(client.cookies["dikta_session"])
        with app.state.dikta.store.session() as s, s.begin():
            s.get(SmartSession, id_hash).expires_at = utcnow() - timedelta(seconds=1)
        assert client.get("/smart/context").status_code == 401
        assert client.get(f"/v1/dictations/{'0' * 32}",
                          headers=_session_header()).status_code == 401
        with app.state.dikta.store.session() as s:
            assert s.get(SmartSession, id_hash) is None  # deleted once seen expired


# --- launches that are refused -------------------------------------------------------------

def test_an_unconfigured_iss_is_refused_before_any_request(servers, epj):
    _, dikta_url, _ = servers
    with browser(dikta_url) as client:
        for iss in (f"{epj.base}/other-fhir", "https://evil.example/fhir", ""):
            response = client.get("/smart/launch", params={"iss": iss, "launch": "x"})
            assert response.status_code in (400, 403), iss
            assert not response.history  # never redirected to the unconfigured EPJ
        assert client.get("/smart/launch").status_code == 400


@pytest.mark.parametrize(("tweak", "words"), [
    ({"claims": {"iss": "https://annen-epj.example/fhir"}}, "issuer"),
    ({"foreign_key": True}, "signature"),
    ({"claims": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3900}}, "expired"),
    ({"claims": {"aud": "some-other-app"}}, "audience"),
    ({"claims": {"aud": [CLIENT_ID, "some-other-app"]}}, "azp"),
    ({"claims": {"nonce": "not-this-launch"}}, "nonce"),
    ({"claims": {"exp": int(time.time()) + 86_400}}, "lifetime"),
], ids=["another-issuer", "foreign-key", "expired", "wrong-audience", "no-azp", "nonce",
        "too-long"])
def test_bad_id_tokens_are_refused(servers, epj, tweak, words):
    _, dikta_url, _ = servers
    epj.tweak = tweak
    with browser(dikta_url) as client:
        response = _launch(client, epj)
        assert response.status_code == 401, response.text
        assert words in response.json()["detail"]
        assert "dikta_session" not in client.cookies
        assert client.get("/smart/context").status_code == 401


def test_a_national_id_as_patient_is_refused(servers, epj):
    _, dikta_url, app = servers
    epj.patient = VALID_FNR
    with browser(dikta_url) as client:
        response = _launch(client, epj)
        assert response.status_code == 403
        assert VALID_FNR not in response.text
        assert "dikta_session" not in client.cookies
    from service.epj.tables import SmartSession

    with app.state.dikta.store.session() as s:
        assert s.query(SmartSession).filter(SmartSession.patient_ref == VALID_FNR).count() == 0


def test_a_replayed_launch_is_refused(servers, epj):
    _, dikta_url, _ = servers
    launch = epj.new_launch()
    with browser(dikta_url) as client:
        _landed(_launch(client, epj, launch=launch), dikta_url)
    with browser(dikta_url) as client:
        again = _launch(client, epj, launch=launch)
        assert again.status_code == 409
        assert not again.history


def test_a_replayed_state_or_callback_is_refused(servers, epj):
    _, dikta_url, _ = servers
    with httpx.Client(base_url=dikta_url, timeout=30) as client:  # one hop at a time
        to_epj = client.get("/smart/launch", params={"iss": f"{epj.base}/fhir",
                                                     "launch": epj.new_launch()})
        assert to_epj.status_code == 302
        back = httpx.get(to_epj.headers["location"])
        assert back.status_code == 302
        callback = back.headers["location"]
        first = client.get(callback)
        assert first.status_code == 303 and "dikta_session" in first.cookies
        replay = client.get(callback)  # the same code and state again
        assert replay.status_code == 400
        assert "state" in replay.json()["detail"]
        # A state Dikta never issued, with a fresh code from the EPJ, is refused too.
        query = parse_qs(urlsplit(callback).query)
        forged = client.get("/smart/callback", params={"code": query["code"][0],
                                                        "state": secrets.token_urlsafe(32)})
        assert forged.status_code == 400


def test_an_expired_pending_launch_is_refused(servers, epj):
    _, dikta_url, app = servers
    from datetime import timedelta

    from service.core.store import utcnow
    from service.epj.tables import SmartLaunch

    with httpx.Client(base_url=dikta_url, timeout=30) as client:
        to_epj = client.get("/smart/launch", params={"iss": f"{epj.base}/fhir",
                                                     "launch": epj.new_launch()})
        state = parse_qs(urlsplit(to_epj.headers["location"]).query)["state"][0]
        with app.state.dikta.store.session() as s, s.begin():
            row = s.get(SmartLaunch, hashlib.sha256(state.encode()).hexdigest())
            row.expires_at = utcnow() - timedelta(seconds=1)
        back = httpx.get(to_epj.headers["location"])
        assert client.get(back.headers["location"]).status_code == 400


def test_the_epj_denying_the_launch_is_a_refusal(servers):
    _, dikta_url, _ = servers
    response = httpx.get(f"{dikta_url}/smart/callback",
                         params={"error": "access_denied", "state": "x"})
    assert response.status_code == 403
    assert "access_denied" in response.json()["detail"]


def test_discovery_stays_on_the_configured_host():
    """An EPJ whose discovery names a token endpoint or JWKS elsewhere is not followed."""
    from service.core.errors import Problem
    from service.epj.launch import _check_url

    launcher = EpjLauncher(issuer="https://epj.kommune.no/fhir", tenant=TENANT,
                           client_id=CLIENT_ID, auth_hosts=["auth.kommune.no"])
    _check_url("https://epj.kommune.no/token", launcher)
    _check_url("https://auth.kommune.no/jwks", launcher)
    for url in ("https://evil.example/token", "http://epj.kommune.no/token",
                "https://epj.kommune.no.evil.example/token", "file:///etc/passwd"):
        with pytest.raises(Problem) as refused:
            _check_url(url, launcher)
        assert refused.value.status == 502


@pytest.mark.parametrize(("scheme", "host", "embedded", "flags"), [
    ("https", "dikta.kommune.no", True, (True, "none")),
    ("https", "dikta.kommune.no", False, (True, "lax")),
    ("http", "dikta.kommune.no", True, (True, "none")),  # behind a TLS proxy: still Secure
    ("http", "127.0.0.1", True, (False, "lax")),
    ("http", "::1", False, (False, "lax")),
    ("https", "localhost", True, (True, "none")),
])
def test_session_cookie_flags(scheme, host, embedded, flags):
    from service.http.routers.smart import cookie_flags

    assert cookie_flags(scheme, host, embedded=embedded) == flags


# --- headers -------------------------------------------------------------------------------

def test_frame_ancestors_only_on_the_embedded_pages(servers):
    _, dikta_url, _ = servers
    for path in ("/", "/smart/context", "/smart/launch?iss=https://x.example/fhir"):
        response = httpx.get(dikta_url + path)
        csp = response.headers["content-security-policy"]
        assert f"frame-ancestors {EPJ_ORIGIN_FRAME}" in csp, path
        assert "'none'" not in csp.split("frame-ancestors")[1], path
        assert "x-frame-options" not in response.headers, path
    for path in ("/healthz", "/v1/dictations/x", "/docs", "/smartish"):
        response = httpx.get(dikta_url + path)
        assert response.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path


def test_without_launchers_every_page_keeps_the_strict_headers(tmp_path):
    from service.http.app import create_app

    base = Settings()
    app = create_app(Settings(model_dir=base.model_dir, data_dir=tmp_path), load_model=False)
    with running(app) as url:
        for path in ("/", "/smart/context", "/healthz"):
            response = httpx.get(url + path)
            assert response.headers["x-frame-options"] == "DENY", path
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        refused = httpx.get(f"{url}/smart/launch", params={"iss": "https://epj.example/fhir"})
        assert refused.status_code == 403
    app.state.dikta.store.engine.dispose()
