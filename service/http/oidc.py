"""OIDC bearer tokens for EPJ-launched sessions, verified offline against a local JWKS file.

The EPJ (or the municipality's identity provider) signs a JWT; Dikta checks the signature
against the JWKS file (re-read when the file changes), then every claim it uses, by type:
issuer, audience, expiry, not-before, issued-at (required unless configured otherwise), the
token's lifetime (exp - iat, at most `max_lifetime_s`), the subject, the tenant claim (which
must name an existing tenant) and the scopes. A claim of the wrong type refuses the token —
never a guess, never a server error. No network: the operator installs and refreshes the file.
Messages are Dikta's own and never echo the token or name library internals.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("dikta.oidc")
MAX_CLAIM_CHARS = 256  # subject and tenant names


class TokenError(Exception):
    """The token is not acceptable; the message says why (without echoing the token)."""


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    tenant: str
    scopes: frozenset[str]


class FetchedJwks:
    """An identity provider's JWKS fetched from its URL — only from the one configured host,
    over a short timeout — and cached `cache_s`. A key id not in the cache fetches again at
    most every `refetch_min_s` (key rotation without letting tokens drive requests); a failed
    fetch keeps the keys in use."""

    def __init__(self, url: str, allowed_host: str, *, cache_s: float = 300.0,
                 refetch_min_s: float = 30.0, timeout_s: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or parts.netloc != allowed_host:
            raise ValueError("the JWKS URL must be http(s) on the configured host")
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("a JWKS URL other than loopback must use https")
        self.url, self.cache_s, self.refetch_min_s = url, cache_s, refetch_min_s
        self.timeout_s, self.clock = timeout_s, clock
        self._lock = threading.Lock()
        self._keys: dict = {}
        self._fetched_at: float | None = None

    def keys(self, *, missing: str | None = None) -> dict:
        with self._lock:
            age = None if self._fetched_at is None else self.clock() - self._fetched_at
            if age is None or age > self.cache_s or (
                    missing is not None and missing not in self._keys
                    and age > self.refetch_min_s):
                self._fetch()
            return self._keys

    def _fetch(self) -> None:
        import httpx

        try:
            response = httpx.get(self.url, timeout=self.timeout_s, follow_redirects=False,
                                 trust_env=False)  # the configured host, never a proxy
            response.raise_for_status()
            self._keys = _jwks_keys(response.json())
            log.info("JWKS fetched (%d keys)", len(self._keys))
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("JWKS could not be fetched (%s); keeping the keys loaded before",
                        type(exc).__name__)
        self._fetched_at = self.clock()  # failed or not: no fetch per request


class OidcVerifier:
    def __init__(self, jwks_file: Path | FetchedJwks, issuer: str, audience: str,
                 tenant_claim: str = "tenant", leeway_s: int = 30,
                 max_lifetime_s: int = 3600, require_iat: bool = True,
                 max_token_chars: int = 8192,
                 clock: Callable[[], float] = time.time) -> None:
        self.issuer, self.audience = issuer, audience
        self.tenant_claim, self.leeway_s = tenant_claim, leeway_s
        self.max_lifetime_s, self.require_iat = max_lifetime_s, require_iat
        self.max_token_chars, self.clock = max_token_chars, clock
        self._lock = threading.Lock()
        if isinstance(jwks_file, FetchedJwks):
            self.fetched: FetchedJwks | None = jwks_file
            return
        self.fetched = None
        self.jwks_file = Path(jwks_file)
        self._stamp = _stamp(self.jwks_file)
        self._keys = _read_jwks(self.jwks_file)  # a bad file at start is a startup error

    @staticmethod
    def looks_like_jwt(token: str) -> bool:
        return token.count(".") == 2 and token.startswith("ey")

    def keys(self, missing: str | None = None) -> dict:
        """The JWKS keys by kid, re-read when the file's modification time (or size, or
        inode: a replaced file) changed. An unreadable new file keeps the keys in use.
        Fetched keys: see FetchedJwks (`missing`: the kid a token asked for)."""
        if self.fetched is not None:
            return self.fetched.keys(missing=missing)
        try:
            stamp = _stamp(self.jwks_file)
        except OSError:
            log.warning("JWKS file cannot be read; keeping the keys loaded before")
            return self._keys
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    try:
                        self._keys = _read_jwks(self.jwks_file)
                    except (OSError, ValueError, KeyError, TypeError) as exc:
                        log.warning("JWKS file changed but cannot be used (%s); keeping the "
                                    "keys loaded before", type(exc).__name__)
                        return self._keys
                    self._stamp = stamp
                    log.info("JWKS file reloaded (%d keys)", len(self._keys))
        return self._keys

    def verify(self, token: str) -> TokenClaims:
        import jwt

        if len(token) > self.max_token_chars:
            raise TokenError(f"token is longer than {self.max_token_chars} characters")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("token is not a well-formed signed JWT") from None
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise TokenError("token header 'kid' must be a string")
        key = self.keys(missing=kid).get(kid)
        if key is None:
            raise TokenError("token signed with a key not in the configured JWKS")
        try:
            claims = jwt.decode(token, key.key, algorithms=[key.algorithm_name or "RS256"],
                                options={"verify_signature": True, "verify_exp": False,
                                         "verify_nbf": False, "verify_iat": False,
                                         "verify_aud": False, "verify_iss": False,
                                         "verify_sub": False, "verify_jti": False})
        except jwt.InvalidAlgorithmError:
            raise TokenError("token algorithm is not the one of its key") from None
        except jwt.InvalidSignatureError:
            raise TokenError("token signature does not verify") from None
        except jwt.PyJWTError:
            raise TokenError("token is not a well-formed signed JWT") from None
        return self.check_claims(claims)

    def check_claims(self, claims: dict) -> TokenClaims:
        """Every claim Dikta relies on, by type and value (after the signature verified)."""
        now = self.clock()
        if not isinstance(claims.get("iss"), str):
            raise TokenError("token claim 'iss' must be a string")
        if claims["iss"] != self.issuer:
            raise TokenError("token issuer is not trusted")
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            raise TokenError("token claim 'aud' must be a string or a list of strings")
        if self.audience not in audiences:
            raise TokenError("token audience is not this service")
        exp = self._time(claims, "exp", required=True)
        if exp <= now - self.leeway_s:
            raise TokenError("token expired")
        nbf = self._time(claims, "nbf", required=False)
        if nbf is not None and nbf > now + self.leeway_s:
            raise TokenError("token is not valid yet (nbf)")
        iat = self._time(claims, "iat", required=self.require_iat)
        if iat is not None and iat > now + self.leeway_s:
            raise TokenError("token claims to be issued in the future (iat)")
        start = iat if iat is not None else now
        if exp - start > self.max_lifetime_s + self.leeway_s:
            raise TokenError(f"token lifetime is over the allowed {self.max_lifetime_s} s")
        subject = self._name(claims, "sub")
        tenant = self._name(claims, self.tenant_claim)
        return TokenClaims(subject, tenant, self._scopes(claims))

    @staticmethod
    def _time(claims: dict, name: str, required: bool) -> float | None:
        value = claims.get(name)
        if value is None:
            if name in claims or required:
                raise TokenError(f"token has no '{name}' claim (a time in seconds)")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise TokenError(f"token claim '{name}' must be a number (seconds since 1970)")
        return float(value)

    @staticmethod
    def _name(claims: dict, name: str) -> str:
        value = claims.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_CLAIM_CHARS:
            raise TokenError(f"token claim '{name}' must be a non-empty string "
                             f"(at most {MAX_CLAIM_CHARS} characters)")
        return value

    @staticmethod
    def _scopes(claims: dict) -> frozenset[str]:
        scope = claims.get("scope", "")
        if isinstance(scope, str):
            return frozenset(scope.split())
        if isinstance(scope, list) and all(isinstance(s, str) for s in scope):
            return frozenset(s for item in scope for s in item.split())
        raise TokenError("token claim 'scope' must be a space-separated string or a list of "
                         "strings")


def _stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size, st.st_ino


def _read_jwks(path: Path) -> dict:
    return _jwks_keys(json.loads(Path(path).read_text()))


def _jwks_keys(document) -> dict:
    import jwt

    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("a JWKS file is a JSON object with a 'keys' list")
    try:
        return {k.get("kid"): jwt.PyJWK(k) for k in document["keys"]}
    except (jwt.PyJWTError, AttributeError) as exc:
        raise ValueError(f"unusable key in the JWKS file ({exc})") from None
