"""OIDC bearer tokens for EPJ-launched sessions, verified offline against a local JWKS file.

The EPJ (or the municipality's identity provider) signs a JWT; Dikta checks signature,
issuer, audience and expiry, and maps claims to a principal: the tenant from a claim (which
must name an existing tenant), scopes from `scope`, the actor from `sub`. No network: the
JWKS is a file the operator installs and refreshes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


class TokenError(Exception):
    """The token is not acceptable; the message says why (without echoing the token)."""


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    tenant: str
    scopes: frozenset[str]


class OidcVerifier:
    def __init__(self, jwks_file: Path, issuer: str, audience: str,
                 tenant_claim: str = "tenant", leeway_s: int = 30) -> None:
        import jwt

        self.issuer, self.audience = issuer, audience
        self.tenant_claim, self.leeway_s = tenant_claim, leeway_s
        keys = json.loads(Path(jwks_file).read_text())["keys"]
        self._keys = {k.get("kid"): jwt.PyJWK(k) for k in keys}

    @staticmethod
    def looks_like_jwt(token: str) -> bool:
        return token.count(".") == 2 and token.startswith("ey")

    def verify(self, token: str) -> TokenClaims:
        import jwt

        try:
            header = jwt.get_unverified_header(token)
            key = self._keys.get(header.get("kid"))
            if key is None:
                raise TokenError("token signed with a key not in the configured JWKS")
            claims = jwt.decode(token, key.key, algorithms=[key.algorithm_name or "RS256"],
                                audience=self.audience, issuer=self.issuer,
                                leeway=self.leeway_s,
                                options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.ExpiredSignatureError:
            raise TokenError("token expired") from None
        except jwt.InvalidAudienceError:
            raise TokenError("token audience is not this service") from None
        except jwt.InvalidIssuerError:
            raise TokenError("token issuer is not trusted") from None
        except jwt.PyJWTError as exc:
            raise TokenError(f"invalid token ({type(exc).__name__})") from None
        tenant = claims.get(self.tenant_claim)
        if not tenant:
            raise TokenError(f"token has no '{self.tenant_claim}' claim")
        scopes = claims.get("scope", "")
        scopes = scopes.split() if isinstance(scopes, str) else list(scopes)
        return TokenClaims(str(claims["sub"]), str(tenant), frozenset(scopes))
