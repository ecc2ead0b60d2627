"""A loopback HelseID token endpoint and DPoP-protected resource server, strict like the
real ones: the client assertion must verify against the registered public JWK (RFC 7523),
every request needs a fresh DPoP proof (RFC 9449) with the server's nonce, and the resource
checks the proof's `ath` and that the token is bound to the proof's key (cnf.jkt)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from urllib.parse import parse_qs

import jwt

from service.deliveries.helseid import ASSERTION_TYPE, jwk_thumbprint
from tests.standins import Answer, Received, standin

TOKEN_PATH = "/connect/token"
PROOF_MAX_AGE_S = 60


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class HelseIdStandin:
    def __init__(self, client_id: str, public_jwk: dict, scope: str,
                 resource: Callable[[Received], Answer], token_lifetime_s: int = 300) -> None:
        self.client_id, self.public_jwk, self.scope = client_id, public_jwk, scope
        self.resource, self.token_lifetime_s = resource, token_lifetime_s
        self.idp = ""  # the token endpoint's origin
        self.base = ""  # the resource server's origin
        self.tokens: dict[str, tuple[str, float]] = {}  # token → (jkt, expires)
        self.seen_jti: set[str] = set()
        self.nonce = secrets.token_urlsafe(8)
        self.tokens_issued = 0
        self.refusals: list[str] = []
        self.lock = threading.Lock()

    # -- helpers --

    def _refuse(self, status: int, error: str, www: bool = False) -> Answer:
        self.refusals.append(error)
        headers = {"DPoP-Nonce": self.nonce}
        if www:
            headers["WWW-Authenticate"] = f'DPoP error="{error}"'
        return Answer(status, {"error": error}, headers)

    def _proof(self, request: Received, url: str) -> tuple[dict, dict] | str:
        """The DPoP proof's (header, claims), or the error code."""
        proof = request.headers.get("dpop")
        if not proof:
            return "invalid_dpop_proof"
        try:
            header = jwt.get_unverified_header(proof)
            if header.get("typ") != "dpop+jwt" or "jwk" not in header or \
                    "d" in header["jwk"]:
                return "invalid_dpop_proof"
            claims = jwt.decode(proof, jwt.PyJWK(header["jwk"]).key,
                                algorithms=["ES256", "PS256", "RS256"],
                                leeway=PROOF_MAX_AGE_S)  # clock skew, as servers allow
        except jwt.PyJWTError:
            return "invalid_dpop_proof"
        with self.lock:
            if claims.get("jti") in self.seen_jti:
                return "invalid_dpop_proof"  # a replayed proof
            self.seen_jti.add(claims.get("jti"))
        if claims.get("htm") != request.method or claims.get("htu") != url or \
                abs(time.time() - claims.get("iat", 0)) > PROOF_MAX_AGE_S:
            return "invalid_dpop_proof"
        if claims.get("nonce") != self.nonce:
            return "use_dpop_nonce"
        return header, claims

    # -- the two servers --

    @property
    def token_url(self) -> str:
        return self.idp + TOKEN_PATH

    def handle(self, request: Received) -> Answer:
        return self.protected(request)

    def token(self, request: Received) -> Answer:
        if request.path != TOKEN_PATH:
            return Answer(404)
        url = self.token_url
        proof = self._proof(request, url)
        if isinstance(proof, str):
            return self._refuse(400, proof)
        header, _ = proof
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "client_credentials" or \
                form.get("client_assertion_type") != ASSERTION_TYPE:
            return self._refuse(400, "invalid_request")
        try:
            assertion = jwt.decode(form.get("client_assertion", ""),
                                   jwt.PyJWK(self.public_jwk).key,
                                   algorithms=[self.public_jwk["alg"]], audience=url,
                                   issuer=self.client_id, leeway=PROOF_MAX_AGE_S,
                                   options={"require": ["exp", "jti", "iat", "sub"]})
        except jwt.PyJWTError:
            return self._refuse(400, "invalid_client")
        if assertion["sub"] != self.client_id or assertion["exp"] - time.time() > 120:
            return self._refuse(400, "invalid_client")
        with self.lock:
            if ("assertion", assertion["jti"]) in self.seen_jti:
                return self._refuse(400, "invalid_client")
            self.seen_jti.add(("assertion", assertion["jti"]))
        if form.get("scope") != self.scope:
            return self._refuse(400, "invalid_scope")
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = (jwk_thumbprint(header["jwk"]),
                                  time.time() + self.token_lifetime_s)
            self.tokens_issued += 1
        return Answer(200, {"access_token": token, "token_type": "DPoP",
                            "expires_in": self.token_lifetime_s, "scope": self.scope})

    def protected(self, request: Received) -> Answer:
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("DPoP "):
            return self._refuse(401, "invalid_token", www=True)
        token = authorization.removeprefix("DPoP ")
        bound = self.tokens.get(token)
        if bound is None or bound[1] < time.time():
            return self._refuse(401, "invalid_token", www=True)
        proof = self._proof(request, self.base + request.path.split("?")[0])
        if isinstance(proof, str):
            return self._refuse(401, proof, www=True)
        header, claims = proof
        ath = _b64url(hashlib.sha256(token.encode()).digest())
        if claims.get("ath") != ath or jwk_thumbprint(header["jwk"]) != bound[0]:
            return self._refuse(401, "invalid_dpop_proof", www=True)
        return self.resource(request)


@contextmanager
def helseid(client_id: str, public_jwk: dict, scope: str,
            resource: Callable[[Received], Answer], **options):
    """Yields (the stand-in, the resource server's base URL, every request it received);
    the token endpoint (`server.token_url`) is a server of its own, as HelseID is."""
    server = HelseIdStandin(client_id, public_jwk, scope, resource, **options)
    with standin(lambda request: server.token(request)) as (idp, _), \
            standin(lambda request: server.handle(request)) as (base, received):
        server.idp, server.base = idp, base
        yield server, base, received

