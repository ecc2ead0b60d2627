"""HelseID-style machine-to-machine access: client credentials with `private_key_jwt`
(RFC 7523) and DPoP-bound access tokens (RFC 9449), with PyJWT and cryptography.

- The client proves who it is with a short-lived assertion signed by its private JWK
  (iss = sub = client_id, aud = the token endpoint, a fresh jti, exp a minute ahead).
- Every request — to the token endpoint and to the resource — carries a fresh DPoP proof
  (typ dpop+jwt, the public DPoP key in the header; htm, htu, iat, jti; on resource requests
  `ath`, the hash of the access token). The DPoP key is a per-process P-256 key: the token is
  bound to it (cnf.jkt), so a token copied from a log or a proxy is useless elsewhere.
- A server may demand a nonce (`use_dpop_nonce` with a `DPoP-Nonce` header): the request is
  repeated once with the nonce, and later proofs to that server carry the newest one.
- The access token is cached until `token_leeway_s` before it expires.

The client's private key lives in a file created 0600 whose content is sealed with the data
key (service/core/crypto.py), like every other secret at rest (`dikta deliveries keygen`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from service.deliveries.connectors import DeliveryResult

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME_S = 60
KEY_ALGORITHMS = ("ES256", "PS256", "RS256")


class TokenError(RuntimeError):
    """The token endpoint refused (its error code, never a secret) or answered nonsense."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def access_token_hash(token: str) -> str:
    """DPoP `ath`: base64url of the SHA-256 of the access token (RFC 9449 § 4.2)."""
    return b64url(hashlib.sha256(token.encode("ascii")).digest())


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint (SHA-256) of a public JWK: DPoP's `cnf.jkt`."""
    members = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"),
               "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"),
                           sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def htu(url: str) -> str:
    """The DPoP `htu`: the request URL without query and fragment (RFC 9449 § 4.2)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


# --- keys -----------------------------------------------------------------------------------

def generate_private_jwk(algorithm: str = "ES256", kid: str | None = None) -> dict:
    """A new private JWK for `private_key_jwt`: P-256 for ES256, RSA 3072 for PS256/RS256."""
    if algorithm not in KEY_ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(KEY_ALGORITHMS)}")
    if algorithm == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key))
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    jwk["alg"] = algorithm
    jwk["use"] = "sig"
    jwk["kid"] = kid or jwk_thumbprint(jwk)
    return jwk


_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def public_jwk(private: dict) -> dict:
    """What the identity provider is given: the JWK without its private members."""
    return {k: v for k, v in private.items() if k not in _PRIVATE_MEMBERS}


def save_private_jwk(path: Path, jwk: dict, keyring) -> None:
    """Write the key sealed with the data key, in a file only the service's user can read;
    an existing key is never overwritten (it is registered at the identity provider)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        sealed = keyring.seal_text(json.dumps(jwk)) if keyring is not None else json.dumps(jwk)
        handle.write(sealed)


def load_private_jwk(path: Path, keyring) -> dict:
    """The sealed key file (or a plain JWK file an operator placed there, still 0600)."""
    if path.stat().st_mode & 0o077:
        raise PermissionError(f"{path} is readable by others; chmod 600 it")
    text = path.read_text().strip()
    if keyring is not None:
        text = keyring.open_text(text)
    jwk = json.loads(text)
    if "d" not in jwk:
        raise ValueError(f"{path} holds no private key")
    return jwk


def _signing_key(jwk: dict):
    return jwt.PyJWK(jwk).key


def _algorithm(jwk: dict) -> str:
    if jwk.get("alg"):
        return jwk["alg"]
    return {"EC": "ES256", "RSA": "PS256"}[jwk["kty"]]


# --- the client -----------------------------------------------------------------------------

@dataclass
class _Token:
    value: str
    expires_at: float


class HelseIdClient:
    """Access tokens for one client at one token endpoint, and DPoP-proofed requests."""

    def __init__(self, *, token_endpoint: str, client_id: str, private_jwk: dict,
                 scope: str | None, http: httpx.Client, leeway_s: float = 30.0,
                 clock=time.time) -> None:
        self.token_endpoint, self.client_id, self.scope = token_endpoint, client_id, scope
        self.http, self.leeway_s, self.clock = http, leeway_s, clock
        self._client_key = _signing_key(private_jwk)
        self._client_alg = _algorithm(private_jwk)
        self._client_kid = private_jwk.get("kid")
        self._dpop_key = ec.generate_private_key(ec.SECP256R1())
        self.dpop_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(
            self._dpop_key.public_key()))
        self._nonces: dict[str, str] = {}  # origin → the newest DPoP-Nonce it sent
        self._token: _Token | None = None
        self._lock = threading.Lock()

    # -- proofs --

    def client_assertion(self) -> str:
        now = int(self.clock())
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": self.token_endpoint,
                  "jti": secrets.token_urlsafe(24), "iat": now, "nbf": now,
                  "exp": now + ASSERTION_LIFETIME_S}
        headers = {"typ": "client-authentication+jwt"}
        if self._client_kid:
            headers["kid"] = self._client_kid
        return jwt.encode(claims, self._client_key, algorithm=self._client_alg,
                          headers=headers)

    def dpop_proof(self, method: str, url: str, access_token: str | None = None) -> str:
        claims = {"htm": method.upper(), "htu": htu(url), "iat": int(self.clock()),
                  "jti": secrets.token_urlsafe(24)}
        nonce = self._nonces.get(_origin(url))
        if nonce:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = access_token_hash(access_token)
        return jwt.encode(claims, self._dpop_key, algorithm="ES256",
                          headers={"typ": "dpop+jwt", "jwk": self.dpop_jwk})

    def _remember_nonce(self, url: str, response: httpx.Response) -> None:
        nonce = response.headers.get("DPoP-Nonce")
        if nonce:
            self._nonces[_origin(url)] = nonce

    # -- tokens --

    def access_token(self) -> str:
        with self._lock:
            if self._token is None or self.clock() >= self._token.expires_at - self.leeway_s:
                self._token = self._fetch_token()
            return self._token.value

    def forget_token(self) -> None:
        with self._lock:
            self._token = None

    def _fetch_token(self) -> _Token:
        for _ in range(2):  # the second time with the nonce the server asked for
            form = {"grant_type": "client_credentials",
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": self.client_assertion()}
            if self.scope:
                form["scope"] = self.scope
            response = self.http.post(self.token_endpoint, data=form, headers={
                "DPoP": self.dpop_proof("POST", self.token_endpoint)})
            self._remember_nonce(self.token_endpoint, response)
            if response.status_code == 400 and _oauth_error(response) == "use_dpop_nonce":
                continue
            break
        return token_from(response, "DPoP", self.clock())

    # -- resource requests --

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        """`method url` with `Authorization: DPoP <token>` and a fresh proof; repeated once
        with the server's nonce, or with a new token when the old one was refused."""
        fresh_token = False
        for _ in range(3):
            token = self.access_token()
            headers = {**kwargs.pop("headers", {}), "Authorization": f"DPoP {token}",
                       "DPoP": self.dpop_proof(method, url, token)}
            response = self.http.request(method, url, headers=headers, **kwargs)
            kwargs["headers"] = {k: v for k, v in headers.items()
                                 if k not in ("Authorization", "DPoP")}
            self._remember_nonce(url, response)
            if response.status_code != 401:
                return response
            challenge = response.headers.get("WWW-Authenticate", "")
            if 'error="use_dpop_nonce"' in challenge and response.headers.get("DPoP-Nonce"):
                continue
            if 'error="invalid_token"' in challenge and not fresh_token:
                self.forget_token()  # revoked or expired early: one new token, once
                fresh_token = True
                continue
            return response
        return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _oauth_error(response: httpx.Response) -> str | None:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    return error if isinstance(error, str) and len(error) < 100 else None


def key_path(settings, target) -> Path:
    """Where a target's private key lives: its setting, else under the data directory."""
    if target.private_key_file is not None:
        return Path(target.private_key_file)
    return Path(settings.data_dir) / "keys" / "deliveries" / f"{target.name}.jwk"


def client_for(settings, target, http: httpx.Client, keyring,
               default_scope: str | None = None) -> HelseIdClient | None:
    """The HelseID client of a target; None when it has no token endpoint."""
    if not target.token_endpoint:
        return None
    if not target.client_id:
        raise ValueError(f"delivery target '{target.name}' has a token endpoint but no "
                         "client_id")
    return HelseIdClient(token_endpoint=target.token_endpoint, client_id=target.client_id,
                         private_jwk=load_private_jwk(key_path(settings, target), keyring),
                         scope=target.scope or default_scope, http=http,
                         leeway_s=settings.deliveries.token_leeway_s)


def token_from(response: httpx.Response, kind: str, now: float) -> _Token:
    """The access token of a token endpoint's answer, which must be of `kind` (`DPoP` or
    `Bearer`); TokenError (retryable for 5xx/429 and unreadable answers) otherwise."""
    if response.status_code != 200:
        error = _oauth_error(response) or "no error code"
        raise TokenError(f"token endpoint answered {response.status_code} ({error})",
                         retryable=response.status_code >= 500 or response.status_code == 429)
    try:
        body = response.json()
        token, issued = body["access_token"], body.get("token_type", "")
        lifetime = float(body.get("expires_in", 60))
    except (ValueError, KeyError, TypeError):
        raise TokenError("token endpoint answered without an access token",
                         retryable=True) from None
    if issued.lower() != kind.lower():
        raise TokenError(f"token endpoint issued a '{issued}' token, not a {kind} token",
                         retryable=False)
    return _Token(token, now + lifetime)


def send_once(http: httpx.Client, auth, method: str, url: str,
              **kwargs) -> httpx.Response | DeliveryResult:
    """One attempt of a connector's request, with the target's token when it has one: the
    receiver's response, or a DeliveryResult saying why none came (token refused, timeout,
    network) and whether trying again could help."""
    try:
        if auth is None:
            return http.request(method, url, **kwargs)
        return auth.request(method, url, **kwargs)
    except TokenError as exc:
        return DeliveryResult(False, exc.retryable, error=str(exc))
    except httpx.TimeoutException as exc:
        return DeliveryResult(False, True, error=f"timeout ({type(exc).__name__})")
    except httpx.TransportError as exc:
        return DeliveryResult(False, True, error=f"network error ({type(exc).__name__})")
