"""Scopes, tenant isolation on every route, the access audit, rate limits and headers."""

from __future__ import annotations

import json
import subprocess
import time

import httpx
import pytest

from evaluation.loopback import running
from service.http.app import create_app
from service.core.engine import Engine
from service.http.ratelimit import RateLimiter
from service.core.errors import Problem
from service.core.settings import ServiceSettings, Settings
from tests.conftest import DIKTA, FIXTURES

pytestmark = pytest.mark.slow
FEBER = (FIXTURES / "nb_feber.wav").read_bytes()
ALL = "dictate read_notes approve export"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def svc(tmp_path_factory, engine):
    tmp = tmp_path_factory.mktemp("security")
    base = Settings()
    settings = Settings(model_dir=base.model_dir, data_dir=tmp, service=ServiceSettings(
        cors_origins=["https://dikta.kommune.no"], hsts=True))
    app = create_app(settings, engine=Engine(settings, manager=engine.manager))
    store = app.state.dikta.store
    keys = {"a": store.create_key("a", ALL), "b": store.create_key("b", ALL),
            "reader": store.create_key("a", "read_notes"),
            "dictate": store.create_key("a", "dictate")}
    with running(app) as url:
        created = httpx.post(f"{url}/v1/dictations", headers=auth(keys["a"]),
                             data={"patient_ref": "pas-77"},
                             files={"file": ("d.wav", FEBER, "audio/wav")}).json()
        deadline = time.monotonic() + 120
        while httpx.get(f"{url}/v1/dictations/{created['id']}",
                        headers=auth(keys["a"])).json()["status"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        batch = httpx.post(f"{url}/v1/batches", headers=auth(keys["a"]),
                           files=[("files", ("x.wav", FEBER, "audio/wav"))]).json()
        upload = httpx.post(f"{url}/v1/uploads", headers={
            **auth(keys["a"]), "Tus-Resumable": "1.0.0", "Upload-Length": "10"})
        yield url, keys, app, {"dictation": created["id"], "batch": batch["id"],
                               "upload": upload.headers["Location"].rsplit("/", 1)[1]}


ROUTES = [  # (method, path, body kind) for every route that names one of A's resources
    ("GET", "/v1/dictations/{dictation}", None),
    ("DELETE", "/v1/dictations/{dictation}", None),
    ("PUT", "/v1/dictations/{dictation}/note", {"text": "x"}),
    ("POST", "/v1/dictations/{dictation}/approve", {}),
    ("POST", "/v1/dictations/{dictation}/amend", {"text": "x"}),
    ("GET", "/v1/dictations/{dictation}/versions", None),
    ("GET", "/v1/dictations/{dictation}/fhir", None),
    ("GET", "/v1/dictations/{dictation}/text", None),
    ("GET", "/v1/batches/{batch}", None),
    ("GET", "/v1/batches/{batch}/results", None),
    ("HEAD", "/v1/uploads/{upload}", None),
    ("GET", "/v1/uploads/{upload}", None),
    ("PATCH", "/v1/uploads/{upload}", b"0123456789"),
    ("DELETE", "/v1/uploads/{upload}", None),
]


@pytest.mark.parametrize("method, path, body", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_another_tenant_cannot_reach_or_infer_a_resource(svc, method, path, body):
    url, keys, _, ids = svc
    target = url + path.format(**ids)
    headers = {**auth(keys["b"]), "Upload-Offset": "0", "Tus-Resumable": "1.0.0"}
    if "/uploads/" in path:
        headers["Content-Type"] = "application/offset+octet-stream"
    kwargs = {"json": body} if isinstance(body, dict) else {"content": body} if body else {}
    theirs = httpx.request(method, target, headers=headers, **kwargs)
    missing = httpx.request(method, url + path.format(dictation="0" * 32, batch="0" * 32,
                                                      upload="0" * 32),
                            headers=headers, **kwargs)
    # Exactly as if it did not exist: same status, same problem, nothing else.
    assert theirs.status_code == missing.status_code == 404
    if method != "HEAD":
        assert theirs.json()["detail"] == missing.json()["detail"]


def test_a_tenant_lists_and_counts_only_its_own(svc):
    url, keys, _, ids = svc
    mine = httpx.get(f"{url}/v1/batches/{ids['batch']}", headers=auth(keys["a"])).json()
    assert mine["total"] == 1
    assert httpx.get(f"{url}/v1/batches/{ids['batch']}/results",
                     headers=auth(keys["b"])).status_code == 404


@pytest.mark.parametrize("key, method, path, allowed", [
    ("reader", "GET", "/v1/dictations/{dictation}", True),
    ("reader", "POST", "/v1/dictations/{dictation}/approve", False),
    ("reader", "POST", "/v1/dictations/{dictation}/amend", False),
    ("reader", "GET", "/v1/dictations/{dictation}/fhir", False),
    ("dictate", "GET", "/v1/dictations/{dictation}", False),
    ("dictate", "GET", "/v1/dictations/{dictation}/versions", False),
    ("dictate", "GET", "/v1/dictations/{dictation}/text", False),
])
def test_scopes_are_enforced(svc, key, method, path, allowed):
    url, keys, _, ids = svc
    response = httpx.request(method, url + path.format(**ids), headers=auth(keys[key]),
                             json={})
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403 and "scope" in response.json()["detail"]


def test_reader_key_cannot_dictate_or_stream(svc):
    from websockets.exceptions import ConnectionClosed, InvalidStatus
    from websockets.sync.client import connect

    url, keys, _, _ = svc
    response = httpx.post(f"{url}/v1/audio/transcriptions", headers=auth(keys["reader"]),
                          files={"file": ("x.wav", FEBER, "audio/wav")})
    assert response.status_code == 403
    with pytest.raises((InvalidStatus, ConnectionClosed)):
        with connect(f"{url.replace('http', 'ws')}/v1/stream?api_key={keys['reader']}") as ws:
            ws.recv()


def test_fhir_export_is_a_valid_bundle_for_the_patient(svc):
    from fhir.resources.R4B.bundle import Bundle

    url, keys, _, ids = svc
    bundle = httpx.get(f"{url}/v1/dictations/{ids['dictation']}/fhir",
                       headers=auth(keys["a"])).json()
    Bundle.model_validate(bundle)
    assert bundle["entry"][0]["resource"]["subject"] == {"reference": "Patient/pas-77"}


def test_every_access_is_audited_without_content(svc):
    url, keys, app, ids = svc
    # Its own read and export, whatever other tests ran before.
    assert httpx.get(f"{url}/v1/dictations/{ids['dictation']}",
                     headers=auth(keys["a"])).status_code == 200
    assert httpx.get(f"{url}/v1/dictations/{ids['dictation']}/fhir",
                     headers=auth(keys["a"])).status_code == 200
    events = app.state.dikta.audit.events(patient_ref="pas-77")
    actions = [e.action for e in events]
    assert actions[0] == "create" and "read" in actions and "export" in actions
    assert {e.resource_id for e in events} == {ids["dictation"]}
    assert all(e.request_id and e.actor.startswith("key:") for e in events)
    stored = " ".join(str(getattr(e, c.name)) for e in events for c in e.__table__.columns)
    assert "feber" not in stored.lower() and "magen" not in stored.lower()  # no content
    assert app.state.dikta.audit.verify().ok


def test_audit_cli_verify_and_patient_export_as_fhir(svc, cli_env, tmp_path):
    from fhir.resources.R4B.auditevent import AuditEvent

    url, keys, app, ids = svc
    env = {**cli_env, "DIKTA_DATABASE_URL": app.state.dikta.store.url,
           "DIKTA_DATA_DIR": str(app.state.dikta.settings.data_dir)}
    verified = subprocess.run([DIKTA, "audit", "verify"], env=env, capture_output=True,
                              text=True)
    assert verified.returncode == 0 and "audit log intact" in verified.stdout
    exported = subprocess.run([DIKTA, "audit", "export", "--patient", "pas-77", "--format",
                               "fhir"], env=env, capture_output=True, text=True, check=True)
    bundle = json.loads(exported.stdout)
    assert bundle["entry"]
    for entry in bundle["entry"]:
        event = AuditEvent.model_validate(entry["resource"])
        assert event.purposeOfEvent[0].coding[0].code == "TREAT"
    lines = subprocess.run([DIKTA, "audit", "export", "--patient", "pas-77"], env=env,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    assert all(json.loads(line)["patient_ref"] == "pas-77" for line in lines)


def test_keys_list_and_revoke(svc, cli_env, tmp_path):
    env = {**cli_env, "DIKTA_DATA_DIR": str(tmp_path)}
    key = subprocess.run([DIKTA, "keys", "create", "--tenant", "k", "--scope", "dictate"],
                         env=env, capture_output=True, text=True, check=True).stdout.strip()
    listed = subprocess.run([DIKTA, "keys", "list"], env=env, capture_output=True, text=True,
                            check=True).stdout
    key_id, tenant, scopes, state = listed.strip().split("\t")
    assert (tenant, scopes, state) == ("k", "dictate", "active") and key not in listed
    subprocess.run([DIKTA, "keys", "revoke", key_id], env=env, check=True,
                   capture_output=True)
    from service.core.store import Store

    assert Store(f"sqlite:///{tmp_path / 'dikta.db'}").principal_for_key(key) is None


def test_rate_limit_per_key_with_retry_after():
    now = [0.0]
    limiter = RateLimiter(per_minute=3, clock=lambda: now[0])
    for _ in range(3):
        limiter.check("key:1")
    with pytest.raises(Problem) as refused:
        limiter.check("key:1")
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "20"
    limiter.check("key:2")  # other keys are not affected
    now[0] = 20.0
    limiter.check("key:1")


def test_security_headers_and_cors(svc):
    url, keys, _, ids = svc
    response = httpx.get(f"{url}/v1/dictations/{ids['dictation']}", headers={
        **auth(keys["a"]), "Origin": "https://dikta.kommune.no"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["access-control-allow-origin"] == "https://dikta.kommune.no"
    other = httpx.get(f"{url}/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


# --- OIDC -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def oidc_svc(tmp_path_factory, engine):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    from service.core.settings import OidcSettings, SecuritySettings

    tmp = tmp_path_factory.mktemp("oidc")
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    (tmp / "jwks.json").write_text(json.dumps({"keys": [{**jwk, "kid": "epj-1",
                                                         "alg": "RS256", "use": "sig"}]}))
    base = Settings()
    settings = Settings(model_dir=base.model_dir, data_dir=tmp, security=SecuritySettings(
        data_key=base.security.data_key,
        oidc=OidcSettings(jwks_file=tmp / "jwks.json", issuer="https://idp.kommune.no",
                          audience="dikta")))
    app = create_app(settings, engine=Engine(settings, manager=engine.manager))
    app.state.dikta.store.create_key("Nordre Follo", "read_notes")  # creates the tenant

    def token(**overrides) -> str:
        claims = {"iss": "https://idp.kommune.no", "aud": "dikta", "sub": "sykepleier-42",
                  "tenant": "Nordre Follo", "scope": "dictate read_notes",
                  "iat": int(time.time()), "exp": int(time.time()) + 300, **overrides}
        return jwt.encode(claims, private, algorithm="RS256", headers={"kid": "epj-1"})

    with running(app) as url:
        yield url, token, app


def test_oidc_token_from_the_epj_is_accepted_and_audited(oidc_svc):
    url, token, app = oidc_svc
    response = httpx.post(f"{url}/v1/dictations", headers=auth(token()),
                          data={"patient_ref": "pas-oidc"},
                          files={"file": ("d.wav", FEBER, "audio/wav")})
    assert response.status_code == 202
    events = app.state.dikta.audit.events(patient_ref="pas-oidc")
    assert events[0].actor == "oidc:sykepleier-42"


@pytest.mark.parametrize("overrides, reason", [
    ({"exp": int(time.time()) - 3600}, "expired"),
    ({"aud": "annen-tjeneste"}, "audience"),
    ({"iss": "https://evil.example"}, "issuer"),
    ({"tenant": "Ukjent kommune"}, "no known tenant"),
])
def test_bad_oidc_tokens_are_refused(oidc_svc, overrides, reason):
    url, token, _ = oidc_svc
    response = httpx.get(f"{url}/v1/dictations/x", headers=auth(token(**overrides)))
    assert response.status_code == 401 and reason in response.json()["detail"]


def test_oidc_token_scopes_limit_what_it_may_do(oidc_svc):
    url, token, _ = oidc_svc
    response = httpx.post(f"{url}/v1/dictations/x/approve", headers=auth(token()), json={})
    assert response.status_code == 403
