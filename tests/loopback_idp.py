"""A loopback identity provider for tests, speaking the real protocol over HTTP on 127.0.0.1:
its JWKS at /jwks, and a token endpoint at /token for OAuth2 client credentials with
`private_key_jwt` client authentication (RFC 7523), as HelseID does for machine clients.

The token endpoint checks the client assertion (signed by the client's registered key,
iss = sub = client id, aud = the token endpoint, not expired, jti used once) and answers an
RS256 access token with iss, aud, client_id, sub, scope (what was asked, within what the
client may have), iat and exp."""

from __future__ import annotations

import json
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Form
from fastapi.responses import JSONResponse

from evaluation.loopback import running

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(private, kid: str) -> dict:
    import jwt

    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key())),
            "kid": kid, "alg": "RS256", "use": "sig"}


def sign(claims: dict, private, kid: str) -> str:
    import jwt

    return jwt.encode(claims, private, algorithm="RS256", headers={"kid": kid})


@dataclass
class Client:
    client_id: str
    key: object  # the client's private key (its public half is registered at the IdP)
    allowed_scopes: frozenset[str]


@dataclass
class LoopbackIdp:
    audience: str
    key: object = field(default_factory=rsa_key)
    kid: str = "idp-1"
    clients: dict[str, Client] = field(default_factory=dict)
    url: str = ""
    used_jti: set[str] = field(default_factory=set)
    jwks_fetches: int = 0

    @property
    def issuer(self) -> str:
        return self.url

    @property
    def host(self) -> str:
        return self.url.removeprefix("http://")

    def register(self, client_id: str, scopes: str) -> Client:
        client = Client(client_id, rsa_key(), frozenset(scopes.split()))
        self.clients[client_id] = client
        return client

    def access_token(self, lifetime_s: int = 300, **overrides) -> str:
        """A token minted directly (for the tests of bad tokens); None drops a claim."""
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.audience, "client_id": "epj-a",
                  "sub": "epj-a", "scope": "", "iat": now, "exp": now + lifetime_s,
                  "jti": uuid.uuid4().hex}
        claims.update(overrides)
        return sign({k: v for k, v in claims.items() if v is not None}, self.key, self.kid)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/jwks")
        def jwks():
            self.jwks_fetches += 1
            return {"keys": [public_jwk(self.key, self.kid)]}

        @app.post("/token")
        def token(grant_type: str = Form(), client_assertion_type: str = Form(),
                  client_assertion: str = Form(), scope: str = Form("")):
            import jwt

            def refuse(error: str) -> JSONResponse:
                return JSONResponse({"error": error}, status_code=400)

            if grant_type != "client_credentials":
                return refuse("unsupported_grant_type")
            if client_assertion_type != ASSERTION_TYPE:
                return refuse("invalid_client")
            try:
                unverified = jwt.decode(client_assertion, options={"verify_signature": False})
                client = self.clients[unverified["iss"]]
                claims = jwt.decode(client_assertion, client.key.public_key(),
                                    algorithms=["RS256"], audience=f"{self.url}/token",
                                    issuer=client.client_id,
                                    options={"require": ["exp", "jti", "sub"]})
            except (jwt.PyJWTError, KeyError):
                return refuse("invalid_client")
            if claims["sub"] != client.client_id or claims["jti"] in self.used_jti:
                return refuse("invalid_client")
            self.used_jti.add(claims["jti"])
            asked = frozenset(scope.split())
            if not asked <= client.allowed_scopes:
                return refuse("invalid_scope")
            access = self.access_token(client_id=client.client_id, sub=client.client_id,
                                       scope=" ".join(sorted(asked)))
            return {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                    "scope": " ".join(sorted(asked))}

        return app

    def client_credentials(self, client_id: str, scope: str) -> str:
        """What an EPJ does: sign a client assertion, trade it for an access token."""
        import httpx

        client = self.clients[client_id]
        now = int(time.time())
        assertion = sign({"iss": client_id, "sub": client_id, "aud": f"{self.url}/token",
                          "iat": now, "exp": now + 60, "jti": uuid.uuid4().hex},
                         client.key, f"{client_id}-key")
        response = httpx.post(f"{self.url}/token", data={
            "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion, "scope": scope})
        response.raise_for_status()
        return response.json()["access_token"]


@contextmanager
def loopback_idp(audience: str):
    idp = LoopbackIdp(audience)
    with running(idp.app()) as url:
        idp.url = url
        yield idp
