"""A loopback EPJ for SMART on FHIR launches (tests/test_smart_launch.py, the web app's
browser test): smart-configuration and OIDC discovery, an authorize endpoint that consents
and redirects with a code, a token endpoint checking PKCE and client assertions and issuing
RS256-signed id tokens with patient context, and a JWKS. Serve `EpjStandIn().app()` with
evaluation.loopback.running and set `base` to its URL."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

TENANT = "Nordre Follo"
CLIENT_ID = "dikta-public"
JWT_CLIENT_ID = "dikta-jwt"
PATIENT = "pas-4711"  # the EPJ's own opaque id
PRACTITIONER = "Practitioner/sykepleier-7"


def _rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_jwk(private, kid: str) -> dict:
    import jwt

    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key())),
            "kid": kid, "alg": "RS256", "use": "sig"}


class EpjStandIn:
    """An EPJ's authorization server and FHIR base, as far as a launch needs it. `tweak`
    changes the next id tokens (another issuer, expired, another audience …)."""

    def __init__(self) -> None:
        self.key, self.foreign_key = _rsa_key(), _rsa_key()
        self.client_key = _rsa_key()  # Dikta's private_key_jwt key, registered here
        self.launches: set[str] = set()
        self.codes: dict[str, dict] = {}
        self.tweak: dict = {}
        self.patient = PATIENT
        self.assertions: list[dict] = []
        self.base = ""  # set once the server runs

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/{fhir}/.well-known/smart-configuration", self.smart_configuration),
            Route("/{fhir}/.well-known/openid-configuration", self.openid_configuration),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/jwks", self.jwks),
        ])

    def new_launch(self) -> str:
        launch = secrets.token_urlsafe(12)
        self.launches.add(launch)
        return launch

    async def openid_configuration(self, request: Request) -> JSONResponse:
        fhir = request.path_params["fhir"]
        return JSONResponse({"issuer": f"{self.base}/{fhir}", "jwks_uri": f"{self.base}/jwks",
                             "authorization_endpoint": f"{self.base}/authorize",
                             "token_endpoint": f"{self.base}/token"})

    async def smart_configuration(self, request: Request) -> JSONResponse:
        fhir = request.path_params["fhir"]
        if fhir == "fhir-oidc":  # keys only in OIDC discovery, as SMART 2.x allows
            return JSONResponse({"authorization_endpoint": f"{self.base}/authorize",
                                 "token_endpoint": f"{self.base}/token",
                                 "code_challenge_methods_supported": ["S256"]})
        return JSONResponse({
            "issuer": f"{self.base}/{fhir}",
            "authorization_endpoint": f"{self.base}/authorize",
            "token_endpoint": f"{self.base}/token",
            "jwks_uri": f"{self.base}/jwks",
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
            "scopes_supported": ["openid", "fhirUser", "launch", "launch/patient",
                                 "patient/Patient.read", "patient/DocumentReference.write"],
            "capabilities": ["launch-ehr", "launch-standalone", "client-public",
                             "client-confidential-asymmetric", "sso-openid-connect",
                             "context-ehr-patient", "context-standalone-patient",
                             "permission-v2"],
        })

    async def authorize(self, request: Request):
        q = request.query_params
        scopes = q.get("scope", "").split()
        problems = [name for name, ok in [
            ("response_type", q.get("response_type") == "code"),
            ("client_id", q.get("client_id") in (CLIENT_ID, JWT_CLIENT_ID)),
            ("code_challenge_method", q.get("code_challenge_method") == "S256"),
            ("code_challenge", len(q.get("code_challenge", "")) == 43),
            ("aud", q.get("aud", "").startswith(self.base + "/fhir")),
            ("scope", {"openid", "fhirUser", "patient/DocumentReference.write"} <= set(scopes)),
            ("launch", q.get("launch") in self.launches if "launch" in scopes
             else "launch/patient" in scopes and "launch" not in q),
            ("nonce", bool(q.get("nonce"))), ("state", bool(q.get("state")))] if not ok]
        if problems:
            return JSONResponse({"error": "invalid_request", "bad": problems}, 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": q["code_challenge"], "client_id": q["client_id"],
                            "redirect_uri": q["redirect_uri"], "nonce": q["nonce"],
                            "aud": q["aud"]}
        # The user consents at once; back to the app with the code.
        return RedirectResponse(q["redirect_uri"] + "?" + urlencode(
            {"code": code, "state": q["state"]}), status_code=302)

    async def token(self, request: Request) -> JSONResponse:
        form = await request.form()
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("grant_type") != "authorization_code" \
                or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
            .rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "why": "pkce"}, 400)
        if grant["client_id"] == JWT_CLIENT_ID:
            if not self._assertion_ok(form):
                return JSONResponse({"error": "invalid_client"}, 401)
        elif form.get("client_id") != CLIENT_ID:
            return JSONResponse({"error": "invalid_client"}, 401)
        now = int(time.time())
        claims = {"iss": grant["aud"], "aud": grant["client_id"], "sub": "sykepleier-7",
                  "fhirUser": PRACTITIONER, "nonce": grant["nonce"], "iat": now,
                  "exp": now + 300}
        claims.update(self.tweak.get("claims", {}))
        key = self.foreign_key if self.tweak.get("foreign_key") else self.key
        id_token = _sign(claims, key)
        return JSONResponse({"access_token": secrets.token_urlsafe(24), "token_type": "Bearer",
                             "expires_in": 300, "id_token": id_token, "patient": self.patient,
                             "scope": "launch openid fhirUser patient/Patient.read "
                                      "patient/DocumentReference.write"})

    def _assertion_ok(self, form) -> bool:
        import jwt

        if form.get("client_assertion_type") != \
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return False
        try:
            claims = jwt.decode(form.get("client_assertion", ""), self.client_key.public_key(),
                                algorithms=["RS256"], audience=f"{self.base}/token")
        except jwt.PyJWTError:
            return False
        self.assertions.append(claims)
        return claims["iss"] == claims["sub"] == JWT_CLIENT_ID

    async def jwks(self, request: Request) -> JSONResponse:
        return JSONResponse({"keys": [_public_jwk(self.key, "epj-1")]})


def _sign(claims: dict, private) -> str:
    import jwt

    return jwt.encode(claims, private, algorithm="RS256", headers={"kid": "epj-1"})
