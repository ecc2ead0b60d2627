"""The EPJ's id token, checked as OpenID Connect Core §3.1.3.7 asks: the signature against
a key of the issuer's JWKS (asymmetric algorithms only), then `iss`, `aud` (Dikta's client
id; `azp` when there are several audiences), `exp`, `iat`, the token's lifetime and the
`nonce` of this launch. Messages are Dikta's own and never echo the token."""

from __future__ import annotations

import hmac
import json
import math

ALGORITHMS = {"RSA": ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"),
              "EC": ("ES256", "ES384", "ES512"), "OKP": ("EdDSA",)}
MAX_ID_TOKEN_CHARS = 16 * 1024


class IdTokenRefused(Exception):
    """The id token is not acceptable; the message says why."""


def verify_id_token(token: object, jwks: dict, *, issuer: str, client_id: str, nonce: str,
                    now: float, leeway_s: int, max_lifetime_s: int) -> dict:
    """The id token's claims once every check passed; raises IdTokenRefused."""
    import jwt

    if not isinstance(token, str) or not token:
        raise IdTokenRefused("the EPJ's token response has no id_token")
    if len(token) > MAX_ID_TOKEN_CHARS:
        raise IdTokenRefused("the id token is too long")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise IdTokenRefused("the id token is not a well-formed signed JWT") from None
    key, algorithm = _key_for(header, jwks)
    try:
        claims = jwt.decode(token, key, algorithms=[algorithm],
                            options={"verify_signature": True, "verify_exp": False,
                                     "verify_nbf": False, "verify_iat": False,
                                     "verify_aud": False, "verify_iss": False})
    except jwt.InvalidSignatureError:
        raise IdTokenRefused("the id token's signature does not verify") from None
    except jwt.PyJWTError:
        raise IdTokenRefused("the id token is not a well-formed signed JWT") from None
    _check_claims(claims, issuer=issuer, client_id=client_id, nonce=nonce, now=now,
                  leeway_s=leeway_s, max_lifetime_s=max_lifetime_s)
    return claims


def _key_for(header: dict, jwks: dict):
    import jwt

    algorithm, kid = header.get("alg"), header.get("kid")
    if not isinstance(algorithm, str) or kid is not None and not isinstance(kid, str):
        raise IdTokenRefused("the id token's header is malformed")
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        raise IdTokenRefused("the EPJ's JWKS has no 'keys' list")
    candidates = [k for k in keys if isinstance(k, dict) and k.get("use", "sig") == "sig"
                  and (kid is None or k.get("kid") == kid)]
    if len(candidates) != 1:
        raise IdTokenRefused("the id token is signed with a key not in the EPJ's JWKS")
    jwk = candidates[0]
    allowed = ALGORITHMS.get(jwk.get("kty"), ())
    if algorithm not in allowed or jwk.get("alg", algorithm) != algorithm:
        raise IdTokenRefused("the id token's algorithm is not one of its key")
    try:
        return jwt.PyJWK(json.loads(json.dumps(jwk)), algorithm=algorithm).key, algorithm
    except (jwt.PyJWTError, ValueError, TypeError):
        raise IdTokenRefused("the EPJ's JWKS key is unusable") from None


def _check_claims(claims: dict, *, issuer: str, client_id: str, nonce: str, now: float,
                  leeway_s: int, max_lifetime_s: int) -> None:
    if claims.get("iss") != issuer:
        raise IdTokenRefused("the id token's issuer is not the launching EPJ")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        raise IdTokenRefused("the id token's audience is not Dikta's client id")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdTokenRefused("the id token has several audiences but 'azp' is not Dikta")
    exp, iat = _time(claims, "exp"), _time(claims, "iat")
    if exp <= now - leeway_s:
        raise IdTokenRefused("the id token expired")
    if iat > now + leeway_s:
        raise IdTokenRefused("the id token claims to be issued in the future")
    if exp - iat > max_lifetime_s + leeway_s:
        raise IdTokenRefused(f"the id token's lifetime is over {max_lifetime_s} s")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise IdTokenRefused("the id token has no subject ('sub')")
    sent = claims.get("nonce")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
        raise IdTokenRefused("the id token's nonce is not this launch's")


def _time(claims: dict, name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        raise IdTokenRefused(f"the id token's '{name}' must be a time in seconds")
    return float(value)
