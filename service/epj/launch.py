"""SMART App Launch 2.x, the app's side: `begin_launch` answers `/smart/launch` with the
EPJ's authorization URL (authorization code + PKCE S256, `state` bound to a server-side
pending launch), `complete_launch` answers `/smart/callback`: the launch is used once, the
code is exchanged, the id token verified against the issuer's JWKS, and a session opened for
the token's `patient` and `fhirUser`.

Dikta contacts only configured EPJs (`epj.launchers`), and of them only the issuer's host
(plus the launcher's `auth_hosts`), over https unless the host is loopback.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from service.core.errors import Problem
from service.core.store import as_utc, utcnow
from service.epj.sessions import (
    SessionContext,
    opaque_patient_ref,
    open_session,
    practitioner_ref,
)
from service.epj.tables import SmartLaunch
from service.epj.tokens import IdTokenRefused, verify_id_token

log = logging.getLogger("dikta.smart")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
KEEP_LAUNCHES = timedelta(days=1)
MAX_RESPONSE_BYTES = 512 * 1024  # discovery documents, token responses and JWKS are small


@dataclass(frozen=True)
class LaunchResult:
    session_id: str
    session: SessionContext
    launcher: object  # settings.EpjLauncher


def launcher_for(settings, iss: str | None):
    """The configured EPJ whose issuer is `iss` (compared without a trailing slash)."""
    if not iss:
        raise Problem(400, "Bad request", "the launch needs the EPJ's FHIR base URL "
                      "(query parameter 'iss')", kind="bad-request")
    wanted = iss.rstrip("/")
    for launcher in settings.epj.launchers:
        if launcher.issuer.rstrip("/") == wanted:
            return launcher
    raise Problem(403, "Forbidden", "this EPJ (query parameter 'iss') is not configured to "
                  "launch Dikta", kind="unknown-issuer")


def begin_launch(state, iss: str | None, launch: str | None, redirect_uri: str) -> str:
    """Where to send the browser: the EPJ's authorization endpoint with this launch's
    request. `launch` None is a standalone launch (the EPJ asks for the patient)."""
    settings = state.settings
    launcher = launcher_for(settings, iss)
    if launch is not None and (not launch or len(launch) > 2000):
        raise Problem(400, "Bad request", "query parameter 'launch' must be 1-2000 "
                      "characters", kind="bad-request")
    with _client(settings) as client:
        config = _discover(client, launcher)
    verifier = _random(48)
    state_value, nonce = _random(32), _random(24)
    now = utcnow()
    row = SmartLaunch(state_hash=_sha256(state_value), issuer=launcher.issuer,
                      launch_hash=_sha256(launch) if launch is not None else None,
                      code_verifier=verifier, nonce=nonce, redirect_uri=redirect_uri,
                      token_endpoint=config.token_endpoint, jwks_uri=config.jwks_uri,
                      id_token_issuer=config.id_token_issuer, created_at=now,
                      expires_at=now + timedelta(seconds=settings.epj.launch_ttl_s))
    try:
        with state.store.session() as s, s.begin():
            # Launches are kept a day past expiry: long enough to refuse a replayed `launch`
            # (the EPJ's own launch ids expire far sooner), short enough to keep the table small.
            s.execute(delete(SmartLaunch).where(SmartLaunch.expires_at < now - KEEP_LAUNCHES))
            s.add(row)
    except IntegrityError:
        raise Problem(409, "Launch already used", "this launch (query parameter 'launch') "
                      "was used before; launch again from the EPJ", kind="launch-replayed") \
            from None
    scopes = launcher.scopes.split()
    if launch is None:  # standalone: the EPJ picks the patient
        scopes = ["launch/patient" if s == "launch" else s for s in scopes]
        if "launch/patient" not in scopes:
            scopes.insert(0, "launch/patient")
    query = {"response_type": "code", "client_id": launcher.client_id,
             "redirect_uri": redirect_uri, "scope": " ".join(scopes), "state": state_value,
             "aud": launcher.issuer, "nonce": nonce,
             "code_challenge": _s256(verifier), "code_challenge_method": "S256"}
    if launch is not None:
        query["launch"] = launch
    separator = "&" if "?" in config.authorization_endpoint else "?"
    return config.authorization_endpoint + separator + urlencode(query)


def complete_launch(state, *, code: str | None, state_value: str | None,
                    error: str | None = None) -> LaunchResult:
    """The callback: use the pending launch once, exchange the code, verify the id token
    and open the session."""
    settings = state.settings
    if error:
        # The EPJ's error code is a short token (RFC 6749 §4.1.2.1); only its shape is kept.
        reason = error if error.replace("_", "").isalnum() and len(error) <= 64 else "error"
        raise Problem(403, "Forbidden", f"the EPJ did not authorise the launch ({reason})",
                      kind="launch-denied")
    if not code or not state_value or len(code) > 4096 or len(state_value) > 200:
        raise Problem(400, "Bad request", "the callback needs 'code' and 'state' from the EPJ",
                      kind="bad-request")
    pending = _use_once(state.store, state_value)
    launcher = launcher_for(settings, pending.issuer)
    with _client(settings) as client:
        tokens = _exchange(client, launcher, pending, code)
        jwks = _get_json(client, pending.jwks_uri, launcher, "JWKS")
    try:
        claims = verify_id_token(tokens.get("id_token"), jwks, issuer=pending.id_token_issuer,
                                 client_id=launcher.client_id, nonce=pending.nonce,
                                 now=time.time(), leeway_s=settings.epj.leeway_s,
                                 max_lifetime_s=settings.epj.max_id_token_lifetime_s)
    except IdTokenRefused as exc:
        log.warning("SMART launch refused: %s", exc)
        raise Problem(401, "Unauthorized", str(exc), kind="unauthorized") from None
    patient = opaque_patient_ref(tokens.get("patient", claims.get("patient")))
    practitioner = practitioner_ref(claims.get("fhirUser", tokens.get("fhirUser")))
    tenant = state.store.tenant_by_name(launcher.tenant)
    if tenant is None:
        raise Problem(500, "Misconfigured", "the EPJ's tenant (epj.launchers[].tenant) does "
                      "not exist", kind="misconfigured")
    session_id, session = open_session(state.store, tenant_id=tenant.id, patient_ref=patient,
                                       practitioner=practitioner, issuer=launcher.issuer,
                                       ttl_s=settings.epj.session_ttl_s)
    return LaunchResult(session_id, session, launcher)


# --- the pending launch --------------------------------------------------------------------

def _use_once(store, state_value: str) -> SmartLaunch:
    """The pending launch of `state`, marked used in the same statement that checks it was
    not, so two callbacks racing with one state cannot both pass."""
    state_hash, now = _sha256(state_value), utcnow()
    with store.session() as s, s.begin():
        used = s.execute(update(SmartLaunch)
                         .where(SmartLaunch.state_hash == state_hash,
                                SmartLaunch.used_at.is_(None),
                                SmartLaunch.expires_at > now)
                         .values(used_at=now)).rowcount
        row = s.scalar(select(SmartLaunch).where(SmartLaunch.state_hash == state_hash))
    if used != 1 or row is None or as_utc(row.expires_at) <= now:
        raise Problem(400, "Launch state refused", "this launch's 'state' is unknown, used "
                      "before or expired; launch again from the EPJ", kind="launch-state")
    return row


# --- talking to the EPJ --------------------------------------------------------------------

@dataclass(frozen=True)
class _Config:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    id_token_issuer: str


def _client(settings) -> httpx.Client:
    # No redirects: a redirect could lead the request off the configured hosts.
    return httpx.Client(timeout=settings.epj.http_timeout_s, follow_redirects=False,
                        trust_env=False)


def _discover(client: httpx.Client, launcher) -> _Config:
    base = launcher.issuer.rstrip("/")
    config = _get_json(client, f"{base}/.well-known/smart-configuration", launcher,
                       "smart-configuration")
    methods = config.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise _unavailable("the EPJ's smart-configuration does not support PKCE S256")
    authorize, token = config.get("authorization_endpoint"), config.get("token_endpoint")
    if not isinstance(authorize, str) or not isinstance(token, str):
        raise _unavailable("the EPJ's smart-configuration lacks authorization_endpoint or "
                           "token_endpoint")
    _check_url(authorize, launcher, outbound=False)
    jwks_uri, oidc_issuer = config.get("jwks_uri"), config.get("issuer")
    if not isinstance(jwks_uri, str):
        # SMART 2.x lets the OIDC keys live in OIDC discovery instead.
        discovery = _get_json(client, f"{base}/.well-known/openid-configuration", launcher,
                              "openid-configuration")
        jwks_uri = discovery.get("jwks_uri")
        oidc_issuer = oidc_issuer or discovery.get("issuer")
        if not isinstance(jwks_uri, str):
            raise _unavailable("the EPJ publishes no jwks_uri (smart-configuration or "
                               "openid-configuration)")
    _check_url(token, launcher)
    _check_url(jwks_uri, launcher)
    id_issuer = launcher.id_token_issuer or \
        (oidc_issuer if isinstance(oidc_issuer, str) else None) or launcher.issuer
    return _Config(authorize, token, jwks_uri, id_issuer)


def _exchange(client: httpx.Client, launcher, pending: SmartLaunch, code: str) -> dict:
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": pending.redirect_uri, "code_verifier": pending.code_verifier}
    if launcher.client_auth == "private_key_jwt":
        form["client_assertion_type"] = \
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        form["client_assertion"] = client_assertion(launcher, pending.token_endpoint)
    else:
        form["client_id"] = launcher.client_id
    _check_url(pending.token_endpoint, launcher)
    try:
        response = client.post(pending.token_endpoint, data=form,
                               headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise _unavailable(f"the EPJ's token endpoint did not answer ({type(exc).__name__})") \
            from None
    if response.status_code in (400, 401):
        raise Problem(401, "Unauthorized", "the EPJ refused to exchange the authorization "
                      "code (used before, expired or not for Dikta)", kind="unauthorized")
    tokens = _json(response, "token response")
    if not isinstance(tokens.get("access_token"), str):
        raise _unavailable("the EPJ's token response has no access_token")
    return tokens


def client_assertion(launcher, token_endpoint: str, now: float | None = None) -> str:
    """A private_key_jwt client assertion (RFC 7523) for the token endpoint."""
    import jwt

    if launcher.private_key_file is None:
        raise Problem(500, "Misconfigured", "private_key_jwt needs epj.launchers[]."
                      "private_key_file", kind="misconfigured")
    now = time.time() if now is None else now
    claims = {"iss": launcher.client_id, "sub": launcher.client_id, "aud": token_endpoint,
              "jti": uuid.uuid4().hex, "iat": int(now), "exp": int(now) + 60}
    headers = {"kid": launcher.private_key_id} if launcher.private_key_id else None
    return jwt.encode(claims, _signing_key(launcher.private_key_file, launcher.private_key_alg),
                      algorithm=launcher.private_key_alg, headers=headers)


def _signing_key(path: Path, algorithm: str):
    """The client's key: a PEM or a JWK, either plain or sealed with the data key."""
    import jwt

    from service.core.crypto import TEXT_PREFIX, active_keyring

    content = Path(path).read_text()
    if content.startswith(TEXT_PREFIX):
        ring = active_keyring()
        if ring is None:
            raise Problem(500, "Misconfigured", "the client key is sealed but no data key "
                          "is configured", kind="misconfigured")
        content = ring.open_text(content.strip())
    if content.lstrip().startswith("{"):
        return jwt.PyJWK(json.loads(content), algorithm=algorithm).key
    return content


def _get_json(client: httpx.Client, url: str, launcher, what: str) -> dict:
    _check_url(url, launcher)
    try:
        response = client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise _unavailable(f"the EPJ's {what} could not be fetched ({type(exc).__name__})") \
            from None
    if response.status_code != 200:
        raise _unavailable(f"the EPJ's {what} answered {response.status_code}")
    return _json(response, what)


def _json(response: httpx.Response, what: str) -> dict:
    if response.status_code >= 300:
        raise _unavailable(f"the EPJ's {what} answered {response.status_code}")
    if len(response.content) > MAX_RESPONSE_BYTES:
        raise _unavailable(f"the EPJ's {what} is too large")
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise _unavailable(f"the EPJ's {what} is not a JSON object")
    return document


def allowed_hosts(launcher) -> frozenset[str]:
    """host[:port] values Dikta may contact for this EPJ."""
    return frozenset({urlsplit(launcher.issuer).netloc.lower(),
                      *(h.lower() for h in launcher.auth_hosts)})


def _check_url(url: str, launcher, *, outbound: bool = True) -> None:
    """Outbound URLs from the EPJ's discovery must stay on its configured hosts, over https
    (http only on loopback); the authorization endpoint, which only the browser visits, must
    at least be an http(s) URL."""
    parts = urlsplit(url)
    loopback = (parts.hostname or "") in LOOPBACK_HOSTS
    if parts.scheme not in ("https", "http") or not parts.hostname \
            or parts.scheme == "http" and not loopback:
        raise _unavailable("the EPJ named an endpoint that is not an https URL")
    if outbound and parts.netloc.lower() not in allowed_hosts(launcher):
        raise _unavailable(f"the EPJ named an endpoint on a host Dikta may not contact "
                           f"({parts.hostname}); see epj.launchers[].auth_hosts")


def _unavailable(detail: str) -> Problem:
    log.warning("SMART launch: %s", detail)
    return Problem(502, "EPJ unavailable", detail, kind="epj-unavailable")


def _random(n_bytes: int) -> str:
    return secrets.token_urlsafe(n_bytes)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
