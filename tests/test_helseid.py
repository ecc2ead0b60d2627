"""Issue 16.4: HelseID-style client credentials (private_key_jwt + DPoP) against a strict
loopback token endpoint and resource server, the JFT connector's answers, and the sealed
client key made by `dikta deliveries keygen`."""

from __future__ import annotations

import json
import stat
import time

import pytest
from click.testing import CliRunner

from service.core.crypto import active_keyring
from service.core.egress import EgressPolicy
from service.core.settings import (
    DeliverySettings,
    DeliveryTarget,
    Settings,
    get_settings,
)
from service.deliveries.connectors import ConnectorContext, OutboundDelivery
from service.deliveries.helseid import (
    HelseIdClient,
    TokenError,
    generate_private_jwk,
    load_private_jwk,
    public_jwk,
    save_private_jwk,
)
from service.deliveries.jft import JftConnector
from tests.helseid_standin import helseid
from tests.standins import Answer, Received

CLIENT_ID = "dikta-test-client"
SCOPE = "nhn:jft/api"


def accepted(request: Received) -> Answer:
    return Answer(202, headers={"Location": "/v1/Status/abc"})


def client(server, jwk: dict, clock=time.time) -> HelseIdClient:
    policy = EgressPolicy.of([server.base, server.token_url])
    return HelseIdClient(token_endpoint=server.token_url, client_id=CLIENT_ID,
                         private_jwk=jwk, scope=SCOPE, http=policy.client(), clock=clock)


@pytest.mark.parametrize("alg", ["ES256", "PS256"])
def test_dpop_bound_token_with_nonces_and_a_cached_token(alg):
    jwk = generate_private_jwk(alg)
    with helseid(CLIENT_ID, public_jwk(jwk), SCOPE, accepted) as (server, base, received):
        auth = client(server, jwk)
        for _ in range(3):
            assert auth.request("POST", base + "/v1/Bundle", json={}).status_code == 202
        assert server.tokens_issued == 1  # cached
        # The nonce dance once per server: token (400) and resource (401), then none.
        assert server.refusals == ["use_dpop_nonce", "use_dpop_nonce"]
        proofs = [r.headers["dpop"] for r in received]
        assert len(set(proofs)) == len(proofs)  # a fresh proof per request


def test_an_expiring_token_is_renewed_before_it_runs_out():
    jwk = generate_private_jwk()
    now = [time.time()]
    with helseid(CLIENT_ID, public_jwk(jwk), SCOPE, accepted, token_lifetime_s=60) as (
            server, base, _):
        auth = client(server, jwk, clock=lambda: now[0])
        auth.request("POST", base + "/v1/Bundle")
        now[0] += 20
        auth.request("POST", base + "/v1/Bundle")
        assert server.tokens_issued == 1
        now[0] += 15  # within the 30 s leeway of expiry (proofs stay within a minute)
        assert auth.request("POST", base + "/v1/Bundle").status_code == 202
        assert server.tokens_issued == 2


def test_a_key_the_idp_does_not_know_gets_no_token():
    registered, other = generate_private_jwk(), generate_private_jwk()
    with helseid(CLIENT_ID, public_jwk(registered), SCOPE, accepted) as (server, _base, _):
        with pytest.raises(TokenError) as refused:
            client(server, other).access_token()
        assert "invalid_client" in str(refused.value) and not refused.value.retryable
        assert server.tokens_issued == 0


def test_a_revoked_token_is_replaced_once():
    jwk = generate_private_jwk()
    with helseid(CLIENT_ID, public_jwk(jwk), SCOPE, accepted) as (server, base, _):
        auth = client(server, jwk)
        auth.request("POST", base + "/v1/Bundle")
        server.tokens.clear()  # the IdP revoked every token
        assert auth.request("POST", base + "/v1/Bundle").status_code == 202
        assert server.tokens_issued == 2


def _jft(tmp_path, base: str, jwk: dict | None, token_url: str | None = None,
         **options) -> JftConnector:
    key_file = tmp_path / "jft.jwk"
    if jwk is not None:
        save_private_jwk(key_file, jwk, active_keyring())
    target = DeliveryTarget(name="jft", kind="jft", base_url=base, token_endpoint=token_url,
                            client_id=CLIENT_ID, private_key_file=key_file, scope=SCOPE,
                            **options)
    settings = Settings(data_dir=tmp_path, deliveries=DeliverySettings(
        targets=[target], request_timeout_s=2))
    policy = EgressPolicy.from_settings(settings)
    return JftConnector(target, ConnectorContext(settings, lambda: policy.client(2)))


def _delivery(document: dict | None = None) -> OutboundDelivery:
    return OutboundDelivery(id="d1", tenant_id="t", dictation_id="x", version=2,
                            target="jft", document=document or {"resourceType": "Bundle"},
                            idempotency_key="dikta-delivery-d1")


def test_jft_connector_posts_the_bundle_with_a_dpop_token(tmp_path):
    jwk = generate_private_jwk()
    with helseid(CLIENT_ID, public_jwk(jwk), SCOPE, accepted) as (server, base, received):
        result = _jft(tmp_path, base, jwk, server.token_url).deliver(_delivery({"resourceType": "Bundle",
                                                              "type": "document"}))
        assert result.delivered and result.remote_status == "202 Accepted"
        assert result.status_url == base + "/v1/Status/abc"
        post = received[-1]
        assert post.path == "/v1/Bundle" and post.headers["authorization"].startswith("DPoP ")
        assert post.headers["content-type"] == "application/fhir+json"
        assert post.json() == {"resourceType": "Bundle", "type": "document"}


@pytest.mark.parametrize(("status", "body", "retryable", "error"), [
    (500, None, True, "HTTP 500"),
    (429, None, True, "HTTP 429"),
    (422, {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "code-invalid",
         "details": {"coding": [{"code": "VKP-1001"}], "text": "Ola Nordmann 01010112345"},
         "diagnostics": "Ola Nordmann"},
        {"severity": "error", "code": "required", "expression": ["Bundle.entry[0]"]}]},
     False, "HTTP 422: code-invalid, VKP-1001, required"),
    (400, {"not": "an outcome"}, False, "HTTP 400"),
])
def test_jft_answers_map_to_retry_or_the_dead_letter_with_codes_only(
        tmp_path, status, body, retryable, error):
    with helseid(CLIENT_ID, {}, SCOPE, accepted) as (server, base, _):
        server.handle = lambda request: Answer(status, body)  # no auth on this path
        result = _jft(tmp_path, base, None).deliver(_delivery())
    assert not result.delivered and result.retryable is retryable
    assert result.error == error and "Nordmann" not in result.error


def test_jft_network_failures_are_retryable(tmp_path):
    from evaluation.loopback import free_port

    base = f"http://127.0.0.1:{free_port()}"  # nobody listens
    result = _jft(tmp_path, base, None).deliver(_delivery())
    assert not result.delivered and result.retryable
    assert result.error.startswith("network error")


def test_keygen_seals_the_private_key_and_prints_the_public_jwk(tmp_path, monkeypatch):
    from service.cli import main

    targets = [{"name": "jft", "kind": "jft", "base_url": "https://jft.test",
                "token_endpoint": "https://helseid.test/connect/token",
                "client_id": CLIENT_ID, "scope": SCOPE}]
    monkeypatch.setenv("DIKTA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DIKTA_DELIVERIES__TARGETS", json.dumps(targets))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        made = runner.invoke(main, ["deliveries", "keygen", "--target", "jft"])
        assert made.exit_code == 0, made.output
        printed = json.loads(made.stdout)
        assert printed["kty"] == "EC" and printed["alg"] == "ES256" and "d" not in printed
        path = tmp_path / "keys" / "deliveries" / "jft.jwk"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text().startswith("enc1:")  # sealed with the data key
        assert '"d"' not in path.read_text()
        from service.core.crypto import keyring_for

        private = load_private_jwk(path, keyring_for(get_settings()))
        assert public_jwk(private) == printed
        again = runner.invoke(main, ["deliveries", "keygen", "--target", "jft"])
        assert again.exit_code == 1 and "exists" in again.output  # never replaced
        unknown = runner.invoke(main, ["deliveries", "keygen", "--target", "nope"])
        assert unknown.exit_code == 2
    finally:
        get_settings.cache_clear()


def test_a_key_file_readable_by_others_is_refused(tmp_path):
    path = tmp_path / "k.jwk"
    save_private_jwk(path, generate_private_jwk(), None)
    path.chmod(0o644)
    with pytest.raises(PermissionError):
        load_private_jwk(path, None)


def test_the_helseid_client_reaches_only_configured_endpoints():
    jwk = generate_private_jwk()
    policy = EgressPolicy.of(["http://127.0.0.1:1"])
    auth = HelseIdClient(token_endpoint="http://127.0.0.1:2/connect/token",
                         client_id=CLIENT_ID, private_jwk=jwk, scope=SCOPE,
                         http=policy.client())
    from service.core.egress import EgressRefused

    with pytest.raises(EgressRefused):
        auth.access_token()
