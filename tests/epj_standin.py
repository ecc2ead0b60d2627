"""One loopback EPJ, speaking the real protocols on 127.0.0.1, for the EPJ tests.

- `EpjStandIn`: the SMART side — smart-configuration (and OIDC discovery), an authorize
  endpoint that consents at once, a token endpoint checking PKCE (and client assertions)
  and issuing RS256-signed id tokens with patient context, a JWKS. `tweak` spoils the next id
  tokens (another issuer, expired, another audience …).
- `LoopbackEpj`: the backend side — client credentials with `private_key_jwt` (optionally
  DPoP) at `/token`, and a FHIR base `/fhir` taking `batch` Bundles of DocumentReference PUTs,
  validating each against the R4 model, keeping them by id, failing the first attempt(s) with
  503. It answers `Received` requests (tests/standins.py's server, or the SMART app below).
- `EpjStandIn(backend=LoopbackEpj(...))`: both on one server, as an EPJ is: `/token` serves
  the authorization-code grant of a launch and the client-credentials grant of write-back.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from urllib.parse import parse_qs, urlencode

import jwt
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from service.deliveries.helseid import access_token_hash, htu, public_jwk
from tests.standins import Answer, Received

CLIENT_ID = "dikta-public"  # Dikta as a public SMART app
JWT_CLIENT_ID = "dikta-jwt"  # … and as a confidential one (private_key_jwt)
BACKEND_CLIENT_ID = "dikta-kommune-a"  # Dikta's backend-services client for write-back
PATIENT = "pas-4711"  # the EPJ's own opaque id
PRACTITIONER = "Practitioner/sykepleier-7"


def _rsa_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_jwk(private, kid: str) -> dict:
    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key())),
            "kid": kid, "alg": "RS256", "use": "sig"}


class EpjStandIn:
    """An EPJ's authorization server and FHIR base, as far as a launch needs it. `tweak`
    changes the next id tokens (another issuer, expired, another audience …)."""

    def __init__(self, backend: LoopbackEpj | None = None) -> None:
        self.backend = backend
        self.key, self.foreign_key = _rsa_key(), _rsa_key()
        self.client_key = _rsa_key()  # Dikta's private_key_jwt key, registered here
        self.launches: set[str] = set()
        self.codes: dict[str, dict] = {}
        self.tweak: dict = {}
        self.patient = PATIENT
        self.assertions: list[dict] = []
        self._base = ""  # set once the server runs

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/{fhir}/.well-known/smart-configuration", self.smart_configuration),
            Route("/{fhir}/.well-known/openid-configuration", self.openid_configuration),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/jwks", self.jwks),
            Route("/fhir", self.fhir, methods=["POST"]),
        ])

    @property
    def base(self) -> str:
        return self._base

    @base.setter
    def base(self, url: str) -> None:
        self._base = url
        if self.backend is not None:
            self.backend.base = url

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

    async def token(self, request: Request) -> Response:
        await request.body()  # kept: the form reads it again, and so may the backend
        form = await request.form()
        if form.get("grant_type") == "client_credentials" and self.backend is not None:
            return await self._to_backend(request)  # write-back, not a launch
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


    async def fhir(self, request: Request) -> Response:
        if self.backend is None:
            return JSONResponse({"error": "not_found"}, 404)
        return await self._to_backend(request)

    async def _to_backend(self, request: Request) -> Response:
        received = Received(request.method, request.url.path,
                            {k.lower(): v for k, v in request.headers.items()},
                            await request.body())
        answer = await run_in_threadpool(self.backend, received)
        return Response(json.dumps(answer.body) if answer.body is not None else b"",
                        status_code=answer.status, headers=answer.headers,
                        media_type="application/fhir+json")


def _sign(claims: dict, private) -> str:
    return jwt.encode(claims, private, algorithm="RS256", headers={"kid": "epj-1"})


class LoopbackEpj:
    """Token endpoint + FHIR base of one EPJ. Keeps every DocumentReference by id."""

    def __init__(self, client_jwk: dict, fail_first: int = 1,
                 client_id: str = BACKEND_CLIENT_ID) -> None:
        self.client_id = client_id
        self.client_key = jwt.PyJWK(public_jwk(client_jwk))
        self.base = ""  # set once the server has its port
        self.tokens: dict[str, str | None] = {}  # access token → DPoP key thumbprint or None
        self.seen_jti: set[str] = set()
        self.documents: dict[str, dict] = {}
        self.puts: list[str] = []  # ids, in the order PUTs were applied
        self.batches: list[bytes] = []
        self.refusals: list[str] = []
        self.fail_first = fail_first
        self.lock = threading.Lock()

    def __call__(self, request: Received) -> Answer:
        with self.lock:
            if request.path == "/token":
                return self.token(request)
            if request.path == "/fhir":
                return self.batch(request)
            return Answer(404)

    def refuse(self, status: int, why: str) -> Answer:
        self.refusals.append(why)
        return Answer(status, {"error": "invalid_client" if status == 400 else "invalid_token",
                               "error_description": why})

    # -- OAuth2 client credentials with private_key_jwt (RFC 7523) --

    def token(self, request: Received) -> Answer:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "client_credentials" or form.get(
                "client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return self.refuse(400, "grant")
        try:
            claims = jwt.decode(form["client_assertion"], self.client_key.key,
                                algorithms=["ES256"], audience=f"{self.base}/token",
                                issuer=self.client_id,
                                options={"require": ["exp", "iat", "jti", "sub"]})
        except (KeyError, jwt.PyJWTError) as exc:
            return self.refuse(400, f"assertion: {type(exc).__name__}")
        if claims["sub"] != self.client_id or claims["jti"] in self.seen_jti:
            return self.refuse(400, "assertion replayed or wrong subject")
        self.seen_jti.add(claims["jti"])
        token = secrets.token_urlsafe(16)
        proof = request.headers.get("dpop")
        if proof:
            key = self.dpop_key(proof, "POST", f"{self.base}/token")
            if key is None:
                return self.refuse(400, "dpop proof")
            self.tokens[token] = key
            return Answer(200, {"access_token": token, "token_type": "DPoP",
                                "expires_in": 300})
        self.tokens[token] = None
        return Answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 300})

    def dpop_key(self, proof: str, method: str, url: str, token: str | None = None):
        header = jwt.get_unverified_header(proof)
        if header.get("typ") != "dpop+jwt" or "jwk" not in header:
            return None
        try:
            claims = jwt.decode(proof, jwt.PyJWK(header["jwk"]).key, algorithms=["ES256"])
        except jwt.PyJWTError:
            return None
        if claims.get("htm") != method or claims.get("htu") != htu(url):
            return None
        if token is not None and claims.get("ath") != access_token_hash(token):
            return None
        return json.dumps(header["jwk"], sort_keys=True)

    # -- FHIR batch with DocumentReference PUTs --

    def authorised(self, request: Received) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if token not in self.tokens:
            return False
        bound = self.tokens[token]
        if bound is None:
            return scheme == "Bearer"
        proof = request.headers.get("dpop", "")
        return scheme == "DPoP" and self.dpop_key(proof, "POST", f"{self.base}/fhir",
                                                  token) == bound

    def batch(self, request: Received) -> Answer:
        if not self.authorised(request):
            return self.refuse(401, "token")
        self.batches.append(request.body)
        if self.fail_first > 0:
            self.fail_first -= 1
            return Answer(503, outcome("transient"))
        from fhir.resources.R4B.documentreference import DocumentReference

        bundle = request.json()
        if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "batch":
            return Answer(400, outcome("structure"))
        entries = []
        for entry in bundle["entry"]:
            resource, call = entry["resource"], entry["request"]
            kind, _, rid = call["url"].partition("/")
            if call["method"] != "PUT" or kind != "DocumentReference" or rid != resource["id"]:
                entries.append({"response": {"status": "400 Bad Request",
                                             "outcome": outcome("structure")}})
                continue
            DocumentReference.model_validate(resource)  # a 500 here fails the test loudly
            if resource["type"]["coding"][0]["code"] == "UGYLDIG":
                entries.append({"response": {"status": "422 Unprocessable Entity",
                                             "outcome": outcome("code-invalid",
                                                                "DOKTYPE-UKJENT")}})
                continue
            created = rid not in self.documents
            self.documents[rid] = resource
            self.puts.append(rid)
            entries.append({"response": {
                "status": "201 Created" if created else "200 OK",
                "location": f"DocumentReference/{rid}/_history/{self.puts.count(rid)}"}})
        return Answer(200, {"resourceType": "Bundle", "type": "batch-response",
                            "entry": entries})


def outcome(code: str, detail: str | None = None) -> dict:
    issue = {"severity": "error", "code": code,
             "diagnostics": "Pasient 12345678901 finnes ikke"}  # must never be kept
    if detail:
        issue["details"] = {"coding": [{"system": "urn:epj:feil", "code": detail}]}
    return {"resourceType": "OperationOutcome", "issue": [issue]}
