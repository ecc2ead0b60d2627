"""Hardened tokens (issue 19): OIDC claims checked by type, token lifetime and `iat`, JWKS
reload, header size caps (431), failed-authentication limits (429), OIDC and close codes on
the WebSocket, own error wording, and /docs + /redoc served by Dikta with security headers.

Every test talks to a real app over HTTP (a uvicorn server on loopback, or TestClient); no
model is loaded (`load_model=False`): these routes refuse before any transcription.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import time

import httpx
import pytest

from evaluation.loopback import running
from service.http.app import create_app
from service.core.settings import OidcSettings, SecuritySettings, ServiceSettings, Settings

ISSUER = "https://idp.kommune.no"
TENANT = "Nordre Follo"
# Messages must be Dikta's own: no class or module names of the JWT library.
LIBRARY_WORDS = re.compile(r"Error\b|Exception|jwt\.|PyJWT|pyjwt|Traceback|Invalid[A-Z]")


def _rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write_jwks(path, kid_keys) -> None:
    import jwt

    keys = [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key())),
             "kid": kid, "alg": "RS256", "use": "sig"} for kid, private in kid_keys]
    path.write_text(json.dumps({"keys": keys}))


def _sign(claims: dict, private, kid: str = "epj-1") -> str:
    """Any JSON payload, signed as the EPJ would (PyJWT's encode refuses some bad types)."""
    from jwt.api_jws import PyJWS

    return PyJWS().encode(json.dumps(claims).encode(), private, algorithm="RS256",
                          headers={"kid": kid})


def _claims(**overrides) -> dict:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "dikta", "sub": "sykepleier-42", "tenant": TENANT,
              "scope": "dictate read_notes", "iat": now, "exp": now + 300}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not _DROP}


_DROP = object()


def _settings(tmp, **service) -> Settings:
    base = Settings()
    return Settings(model_dir=base.model_dir, data_dir=tmp,
                    service=ServiceSettings(**{"auth_failures_per_minute": 10_000, **service}),
                    security=SecuritySettings(
                        data_key=base.security.data_key,
                        oidc=OidcSettings(jwks_file=tmp / "jwks.json", issuer=ISSUER,
                                          audience="dikta", max_token_lifetime_s=3600)))


@pytest.fixture(scope="module")
def oidc(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tokens")
    private = _rsa_key()
    _write_jwks(tmp / "jwks.json", [("epj-1", private)])
    app = create_app(_settings(tmp), load_model=False)
    store = app.state.dikta.store
    keys = {"all": store.create_key(TENANT, "dictate read_notes"),
            "reader": store.create_key(TENANT, "read_notes")}
    with running(app) as url:
        yield url, private, app, keys, tmp


def _get(url: str, credential: str, **headers) -> httpx.Response:
    return httpx.get(f"{url}/v1/dictations/{'0' * 32}",
                     headers={"Authorization": f"Bearer {credential}", **headers})


def test_a_good_token_is_accepted(oidc):
    url, private, *_ = oidc
    assert _get(url, _sign(_claims(), private)).status_code == 404  # authenticated: no such id


BAD_CLAIMS = [  # (claim overrides, words the 401 must say)
    ({"scope": None}, "'scope'"),
    ({"scope": 7}, "'scope'"),
    ({"scope": [["admin"]]}, "'scope'"),
    ({"scope": {"approve": False}}, "'scope'"),
    ({"scope": ["dictate", 3]}, "'scope'"),
    ({"sub": 42}, "'sub'"),
    ({"sub": None}, "'sub'"),
    ({"sub": ""}, "'sub'"),
    ({"sub": ["a"]}, "'sub'"),
    ({"tenant": 7}, "'tenant'"),
    ({"tenant": [TENANT]}, "'tenant'"),
    ({"tenant": {"name": TENANT}}, "'tenant'"),
    ({"exp": "tomorrow"}, "'exp'"),
    ({"exp": None}, "'exp'"),
    ({"exp": True}, "'exp'"),
    ({"exp": _DROP}, "'exp'"),
    ({"iat": "now"}, "'iat'"),
    ({"iat": [1]}, "'iat'"),
    ({"iat": _DROP}, "'iat'"),  # required by default
    ({"nbf": "soon"}, "'nbf'"),
    ({"iss": 7}, "'iss'"),
    ({"aud": 7}, "'aud'"),
    ({"aud": [["dikta"]]}, "'aud'"),
    ({"iss": "https://evil.example"}, "issuer"),
    ({"aud": "annen-tjeneste"}, "audience"),
    ({"exp": int(time.time()) - 3600}, "expired"),
    ({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 3900}, "future"),
    ({"nbf": int(time.time()) + 3600}, "not valid yet"),
    ({"exp": int(time.time()) + 2 * 3600}, "lifetime"),  # iat now: 2 h > 1 h allowed
    ({"iat": int(time.time()) - 5 * 3600}, "lifetime"),  # old iat, still unexpired
    ({"tenant": "Ukjent kommune"}, "no known tenant"),
]


@pytest.mark.parametrize("overrides, says", BAD_CLAIMS,
                         ids=[f"{i}-{next(iter(o))}" for i, (o, _) in enumerate(BAD_CLAIMS)])
def test_claims_of_the_wrong_type_or_value_are_refused_with_401(oidc, overrides, says):
    url, private, *_ = oidc
    response = _get(url, _sign(_claims(**overrides), private))
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["type"].endswith("/unauthorized") and says in body["detail"], body
    assert response.headers["www-authenticate"] == "Bearer"
    assert not LIBRARY_WORDS.search(body["detail"]), body["detail"]


def test_scope_object_grants_nothing(oidc):
    """`{"approve": false}` once granted approve (a dict iterates over its keys)."""
    url, private, *_ = oidc
    token = _sign(_claims(scope={"approve": False}), private)
    response = httpx.post(f"{url}/v1/dictations/{'0' * 32}/approve",
                          headers={"Authorization": f"Bearer {token}"}, json={})
    assert response.status_code == 401


def test_scope_as_a_list_of_strings_is_read(oidc):
    url, private, *_ = oidc
    reader = _sign(_claims(scope=["read_notes"]), private)
    assert _get(url, reader).status_code == 404  # read_notes: allowed, no such id
    dictate_only = _sign(_claims(scope=["dictate"]), private)
    assert _get(url, dictate_only).status_code == 403


@pytest.mark.parametrize("token, says", [
    ("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "signature"),  # no kid: unknown key
    ("eyJ.eyJ.x", "well-formed"),
    ("eyJhbGciOiJub25lIiwia2lkIjoiZXBqLTEifQ.eyJzdWIiOiIxIn0.", "algorithm"),  # alg none
])
def test_malformed_or_unsigned_tokens_get_own_wording(oidc, token, says):
    url, *_ = oidc
    response = _get(url, token)
    assert response.status_code == 401
    detail = response.json()["detail"]
    assert not LIBRARY_WORDS.search(detail), detail
    assert says in detail or "JWKS" in detail, detail


def test_tampered_signature_is_refused(oidc):
    url, private, *_ = oidc
    head, payload, signature = _sign(_claims(), private).split(".")
    forged = _claims(scope="dictate read_notes approve export admin")
    payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    response = _get(url, f"{head}.{payload}.{signature}")
    assert response.status_code == 401 and "signature" in response.json()["detail"]


def test_iat_and_lifetime_are_configurable(tmp_path):
    from service.http.oidc import OidcVerifier, TokenError

    private = _rsa_key()
    _write_jwks(tmp_path / "jwks.json", [("epj-1", private)])
    strict = OidcVerifier(tmp_path / "jwks.json", ISSUER, "dikta")
    lenient = OidcVerifier(tmp_path / "jwks.json", ISSUER, "dikta", require_iat=False,
                           max_lifetime_s=8 * 3600)
    no_iat = _sign(_claims(iat=_DROP), private)
    long_lived = _sign(_claims(exp=int(time.time()) + 6 * 3600), private)
    with pytest.raises(TokenError, match="'iat'"):
        strict.verify(no_iat)
    with pytest.raises(TokenError, match="lifetime"):
        strict.verify(long_lived)
    assert lenient.verify(no_iat).subject == "sykepleier-42"
    assert lenient.verify(long_lived).tenant == TENANT
    # Without iat the lifetime is counted from now.
    with pytest.raises(TokenError, match="lifetime"):
        lenient.verify(_sign(_claims(iat=_DROP, exp=int(time.time()) + 9 * 3600), private))


def test_jwks_file_is_reloaded_when_it_changes(oidc):
    url, private, app, _, tmp = oidc
    rotated = _rsa_key()
    token = _sign(_claims(), rotated, kid="epj-2")
    assert _get(url, token).status_code == 401  # not (yet) a trusted key
    jwks = tmp / "jwks.json"
    before = jwks.read_text()
    try:
        _write_jwks(jwks, [("epj-1", private), ("epj-2", rotated)])
        os.utime(jwks, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
        assert _get(url, token).status_code == 404  # accepted now
        jwks.write_text("{ not json")  # a half-written file keeps the keys in use
        os.utime(jwks, ns=(time.time_ns(), time.time_ns() + 2_000_000_000))
        assert _get(url, token).status_code == 404
        _write_jwks(jwks, [("epj-2", rotated)])  # epj-1 withdrawn
        os.utime(jwks, ns=(time.time_ns(), time.time_ns() + 3_000_000_000))
        assert _get(url, _sign(_claims(), private)).status_code == 401
    finally:
        jwks.write_text(before)
        os.utime(jwks, ns=(time.time_ns(), time.time_ns() + 4_000_000_000))


# --- header size caps ---------------------------------------------------------------------

def test_oversized_authorization_header_gets_431_before_decoding(oidc):
    url, private, app, *_ = oidc
    started = time.perf_counter()
    huge = "ey" + "A" * (2 * 1024 * 1024) + ".e.x"  # 2 MB "token"
    response = _get(url, huge)
    elapsed = time.perf_counter() - started
    assert response.status_code == 431, response.text[:200]
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert body["status"] == 431 and "authorization" in body["detail"] and body["request_id"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert elapsed < 2.0, elapsed
    # A signed token just over 8 KiB (a padded claim) is refused the same way.
    padded = _sign(_claims(pad="x" * 9000), private)
    assert _get(url, padded).status_code == 431
    assert httpx.get(f"{url}/v1/dictations/x",
                     headers={"X-API-Key": "dk_" + "a" * 9000}).status_code == 431


def test_total_header_size_is_capped(oidc):
    url, _, _, keys, _ = oidc
    many = {f"X-Filler-{i}": "v" * 1000 for i in range(40)}  # 40 kB of headers
    response = _get(url, keys["all"], **many)
    assert response.status_code == 431 and "in all" in response.json()["detail"]
    assert _get(url, keys["all"], **dict(list(many.items())[:5])).status_code == 404


def test_header_limits_are_configurable(tmp_path):
    from fastapi.testclient import TestClient

    _write_jwks(tmp_path / "jwks.json", [("epj-1", _rsa_key())])
    app = create_app(_settings(tmp_path, max_authorization_bytes=64, max_header_bytes=2048),
                     load_model=False)
    with TestClient(app) as client:
        assert client.get("/v1/dictations/x",
                          headers={"Authorization": "Bearer " + "k" * 80}).status_code == 431
        assert client.get("/v1/dictations/x",
                          headers={"Authorization": "Bearer " + "k" * 40}).status_code == 401
        assert client.get("/healthz", headers={"X-Big": "v" * 3000}).status_code == 431


# --- failed authentication is rate limited ------------------------------------------------

def test_failed_authentication_is_limited_per_address_over_http(tmp_path):
    _write_jwks(tmp_path / "jwks.json", [("epj-1", _rsa_key())])
    app = create_app(_settings(tmp_path, auth_failures_per_minute=5), load_model=False)
    good = app.state.dikta.store.create_key(TENANT, "dictate read_notes")
    with running(app) as url:
        statuses = [_get(url, f"dk_wrong-{i}").status_code for i in range(5)]
        assert statuses == [401] * 5
        refused = _get(url, "dk_wrong-6")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.json()["type"].endswith("/auth-rate-limited")
        # A right key from the same address waits too (else a guesser learns of a hit).
        assert _get(url, good).status_code == 429
        assert not LIBRARY_WORDS.search(refused.json()["detail"])


def test_failed_authentication_is_limited_per_key_prefix():
    from service.core.errors import Problem
    from service.http.ratelimit import FailureLimiter

    now = [0.0]
    limiter = FailureLimiter(per_minute=3, clock=lambda: now[0])
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):  # one bad key, three addresses
        limiter.check(address, "key:abc")
        limiter.failed(address, "key:abc")
    with pytest.raises(Problem) as refused:
        limiter.check("10.0.0.4", "key:abc")
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "20"
    limiter.check("10.0.0.4", "key:other")  # another key from a fresh address is fine
    now[0] = 20.0
    limiter.check("10.0.0.4", "key:abc")  # a failure's worth refilled


def test_failure_limiter_memory_is_bounded():
    from service.http.ratelimit import FailureLimiter

    limiter = FailureLimiter(per_minute=5, clock=lambda: 0.0, max_tracked=100)
    for i in range(1000):
        limiter.failed(f"addr:{i}", f"key:{i}")
    assert len(limiter._buckets) <= 100


# --- WebSocket ----------------------------------------------------------------------------

def _close_code(url: str, query: str = "", headers: dict | None = None) -> tuple[int, str]:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    with connect(f"{url.replace('http', 'ws')}/v1/stream{query}",
                 additional_headers=headers or {}) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    return closed.value.rcvd.code, closed.value.rcvd.reason


def test_websocket_without_valid_credential_is_accepted_then_closed_4401(oidc):
    url, private, *_ = oidc
    assert _close_code(url)[0] == 4401
    code, reason = _close_code(url, "?api_key=dk_wrong")
    assert code == 4401 and "API key" in reason
    expired = _sign(_claims(exp=int(time.time()) - 3600), private)
    code, reason = _close_code(url, headers={"Authorization": f"Bearer {expired}"})
    assert code == 4401 and "expired" in reason
    code, reason = _close_code(url, headers={
        "Authorization": f"Bearer {_sign(_claims(scope=[['admin']]), private)}"})
    assert code == 4401 and "'scope'" in reason


def test_websocket_without_the_dictate_scope_is_closed_4403(oidc):
    url, private, _, keys, _ = oidc
    assert _close_code(url, f"?api_key={keys['reader']}")[0] == 4403
    reader_token = _sign(_claims(scope="read_notes"), private)
    assert _close_code(url, f"?api_key={reader_token}")[0] == 4403


def test_websocket_accepts_oidc_tokens(oidc):
    from websockets.sync.client import connect

    url, private, *_ = oidc
    token = _sign(_claims(), private)
    for kwargs in ({"additional_headers": {"Authorization": f"Bearer {token}"}}, {}):
        query = "" if kwargs else f"?api_key={token}"
        with connect(f"{url.replace('http', 'ws')}/v1/stream{query}", **kwargs) as ws:
            ws.send(json.dumps({"type": "start", "format": "pcm16"}))
            assert json.loads(ws.recv(timeout=10))["type"] == "ready"


def test_websocket_failures_count_and_oversized_credentials_close_4431(tmp_path):
    _write_jwks(tmp_path / "jwks.json", [("epj-1", _rsa_key())])
    # Below the WebSocket server's own 8 KiB line limit, so Dikta's check is what answers.
    app = create_app(_settings(tmp_path, auth_failures_per_minute=2,
                               max_authorization_bytes=1000), load_model=False)
    with running(app) as url:
        assert _close_code(url, "?api_key=" + "k" * 2000)[0] == 4431
        assert _close_code(url, headers={"X-API-Key": "k" * 2000})[0] == 4431
        assert [_close_code(url, f"?api_key=dk_bad{i}")[0] for i in range(3)] == \
            [4401, 4401, 4429]
        assert httpx.get(f"{url}/v1/dictations/x",
                         headers={"X-API-Key": "dk_bad"}).status_code == 429  # shared


# --- /docs and /redoc ---------------------------------------------------------------------

@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_are_self_hosted_with_security_headers(oidc, page):
    url, *_ = oidc
    response = httpx.get(url + page)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    html = response.text
    # Only namespace URIs in markup would be harmless; there are none: no external URL at all.
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html), html
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\"' >]+", html)
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert any(a.endswith(".js") for a in assets), assets
    for asset in assets:
        assert asset.startswith("/docs/static/"), asset
        fetched = httpx.get(url + asset)
        assert fetched.status_code == 200 and len(fetched.content) > 1000, asset
    for name in ("x-content-type-options", "x-frame-options", "referrer-policy",
                 "cross-origin-resource-policy"):
        assert name in response.headers, name
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp


def test_docs_inline_script_is_allowed_by_hash_only(oidc):
    url, *_ = oidc
    response = httpx.get(f"{url}/docs")
    scripts = re.findall(r"<script>(.*?)</script>", response.text, re.S)
    assert scripts  # Swagger UI's initialiser
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in response.headers["content-security-policy"]
