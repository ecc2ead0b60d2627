"""FHIR write-back (kind `fhir`): an approved note into the EPJ's own FHIR server as a
DocumentReference, the way SMART apps write into DIPS Arena and other Norwegian EPJs.

- What: the DocumentReference of structuring/document_reference.py (the configured document
  type, status current, subject, author, date, the note as text/plain and the FHIR
  Composition as attachments), its id a uuid5 of dictation and version. An approved
  amendment is a new version, so a new id, with `relatesTo` replaces → the id of the approved
  version it supersedes.
- How: one `batch` Bundle POSTed to the FHIR base whose entry is an idempotent
  `PUT DocumentReference/{id}`: a retry after a lost answer overwrites the same resource
  with the same content, never a second document.
- Which EPJ: a dictation launched from an EPJ (`epj_issuer`, set by the SMART launch) goes
  only to the target whose `options.issuer` is that issuer; other dictations go to the `fhir`
  targets of their tenant (`target.tenant`; the outbox filters by tenant). A dictation without
  a patient reference has no chart to go into: nothing is sent (the pull feed and the text
  remain).
- Answers: the batch-response's entry statuses decide. All 200/201: delivered. Any 5xx,
  408, 425 or 429 (or the POST itself failing so, or a timeout): tried again — the PUT is
  idempotent. Any other 4xx: dead, with the entries' OperationOutcome issue codes (never
  their text, which may quote the note).
- Auth: a backend-services access token (client credentials, `private_key_jwt`) from the
  target's token endpoint (service/deliveries/helseid.py); DPoP-bound when
  `options.dpop` is true, else a Bearer token as SMART backend services issue.

Target options: `document_type` (required: {system, code, display}, the EPJ's code for a
nursing note), `issuer` (the EPJ's SMART `iss`), `dpop` (default false), `custodian`
(display of the municipality), `description`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from service.core.masking import masked_json
from service.core.store import Dictation, NoteVersion, as_utc
from service.deliveries.connectors import (
    ConnectorContext,
    DeliveryResult,
    OutboundDelivery,
    outcome_codes,
)
from service.deliveries.helseid import (
    ASSERTION_TYPE,
    HelseIdClient,
    client_for,
    key_path,
    load_private_jwk,
    send_once,
)
from structuring.document_reference import (
    DocumentReferenceContext,
    DocumentType,
    document_reference,
)

FHIR_JSON = "application/fhir+json"
RETRYABLE_STATUS = (408, 425, 429)


class FhirTargetOptions(BaseModel):
    """`deliveries.targets[].options` of a `fhir` target (unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid")

    document_type: dict = Field(..., description="{system, code, display}: the EPJ's type "
                                "for a nursing note (e.g. a DIPS or national document type)")
    issuer: str | None = None
    dpop: bool = False
    custodian: str | None = None
    description: str = "Sykepleienotat (diktert i Dikta)"

    def type(self) -> DocumentType:
        missing = [k for k in ("system", "code", "display") if not self.document_type.get(k)]
        if missing:
            raise ValueError(f"document_type.{missing[0]} is required")
        return DocumentType(self.document_type["system"], self.document_type["code"],
                            self.document_type["display"])


class FhirConfigError(ValueError):
    """A fhir target's options are wrong (names the target and the option)."""


def target_options(target) -> FhirTargetOptions:
    try:
        options = FhirTargetOptions.model_validate(target.options or {})
        options.type()
    except (ValidationError, ValueError) as exc:
        first = exc.errors()[0] if isinstance(exc, ValidationError) else None
        where = ".".join(str(p) for p in first["loc"]) if first else ""
        detail = f"{where}: {first['msg']}" if first else str(exc)
        raise FhirConfigError(f"delivery target '{target.name}': options.{detail}") from None
    return options


# A SMART launch's fhirUser ("Practitioner/123", or absolute on the EPJ's FHIR base) is the
# author of notes approved in that session; anything else is a name or staff reference.
_FHIR_USER = re.compile(r"^(https?://\S+/)?(Practitioner|PractitionerRole)/[A-Za-z0-9.\-]{1,64}$")


def _author(author: str | None) -> dict:
    if author and _FHIR_USER.match(author):
        return {"author_reference": author}
    return {"author_display": author}


def _same_issuer(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


# --- rendering (inside the approval transaction) --------------------------------------------

def render_fhir(session: Session, row: Dictation, version: NoteVersion, target) -> dict | None:
    """The batch Bundle for this approved version, or None when it is not this target's.

    A target's configuration never stops a nurse's approval: when its options are wrong the
    delivery keeps what it needs (`unrendered`) and is rendered when sent — dead, with the
    option named, until an operator fixes the options and retries it."""
    issuer = getattr(row, "epj_issuer", None)  # set by a SMART launch (migration 0013)
    configured = (target.options or {}).get("issuer")
    if issuer and not (isinstance(configured, str) and _same_issuer(configured, issuer)):
        return None  # launched from another EPJ: it goes back there only
    if not row.patient_ref:
        return None
    inputs = {"dictation_id": row.id, "version": version.version,
              "date": as_utc(row.approved_at or version.created_at).isoformat(),
              "patient_ref": row.patient_ref, "author": version.author,
              "supersedes": version.supersedes, "note": masked_json(version.note)}
    try:
        return build_bundle(inputs, target_options(target))
    except FhirConfigError as exc:
        return {"unrendered": inputs, "error": str(exc)}


def build_bundle(inputs: dict, options: FhirTargetOptions) -> dict:
    """The batch Bundle of one approved note version (`inputs` as `render_fhir` keeps them)."""
    ctx = DocumentReferenceContext(
        dictation_id=inputs["dictation_id"], version=inputs["version"],
        date=datetime.fromisoformat(inputs["date"]), document_type=options.type(),
        approved=True, patient_ref=inputs["patient_ref"], **_author(inputs["author"]),
        custodian_display=options.custodian, replaces_version=inputs["supersedes"],
        description=options.description)
    return write_back_bundle([document_reference(inputs["note"], ctx)])


def write_back_bundle(resources: list[dict]) -> dict:
    """A `batch` Bundle of idempotent PUTs, one per resource (by its stable id)."""
    return {"resourceType": "Bundle", "type": "batch", "entry": [
        {"resource": r, "request": {"method": "PUT",
                                    "url": f"{r['resourceType']}/{r['id']}"}}
        for r in resources]}


# --- auth -----------------------------------------------------------------------------------

class BearerClient(HelseIdClient):
    """Client credentials with `private_key_jwt` and a plain Bearer token (SMART Backend
    Services), for EPJs that do not bind tokens with DPoP."""

    def _fetch_token(self):
        from service.deliveries.helseid import token_from

        form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self.client_assertion()}
        if self.scope:
            form["scope"] = self.scope
        response = self.http.post(self.token_endpoint, data=form)
        return token_from(response, "Bearer", self.clock())

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        """`method url` with the token; once more with a new token if it was refused."""
        headers = kwargs.pop("headers", {})
        response = None
        for fresh in (False, True):
            if fresh:
                self.forget_token()
            token = self.access_token()
            response = self.http.request(method, url, headers={
                **headers, "Authorization": f"Bearer {token}"}, **kwargs)
            if response.status_code != 401:
                break
        return response


def auth_client(settings, target, options: FhirTargetOptions, http: httpx.Client,
                keyring) -> HelseIdClient | None:
    """The target's token client: DPoP-bound (HelseID) or Bearer; None without a token
    endpoint (an EPJ on a closed network that needs none)."""
    if options.dpop or not target.token_endpoint:
        return client_for(settings, target, http, keyring)
    if not target.client_id:
        raise FhirConfigError(f"delivery target '{target.name}' has a token endpoint but no "
                              "client_id")
    return BearerClient(token_endpoint=target.token_endpoint, client_id=target.client_id,
                        private_jwk=load_private_jwk(key_path(settings, target), keyring),
                        scope=target.scope, http=http,
                        leeway_s=settings.deliveries.token_leeway_s)


# --- sending --------------------------------------------------------------------------------

class FhirConnector:
    kind = "fhir"

    def __init__(self, target, ctx: ConnectorContext) -> None:
        self.target, self.ctx = target, ctx
        self.http: httpx.Client = ctx.http_client()
        self.base = target.base_url.rstrip("/")
        self.options: FhirTargetOptions | None = None
        self.auth: HelseIdClient | None = None

    def _prepare(self) -> str | None:
        """Options and token client, made on first use and again until they work (a key
        made with `dikta deliveries keygen` after the start is found); else why not."""
        from service.core.crypto import DataKeyError, active_keyring

        try:
            if self.options is None:
                self.options = target_options(self.target)
            if self.auth is None and self.target.token_endpoint:
                self.auth = auth_client(self.ctx.settings, self.target, self.options,
                                        self.http, active_keyring())
        except FhirConfigError as exc:
            return str(exc)
        except (OSError, ValueError, DataKeyError) as exc:  # the client key: missing, unreadable
            return f"delivery target '{self.target.name}': client key unusable ({exc})"
        return None

    def deliver(self, delivery: OutboundDelivery) -> DeliveryResult:
        problem = self._prepare()
        if problem is not None:
            return DeliveryResult(False, False, error=problem)
        bundle = delivery.document
        if "unrendered" in bundle:  # the options were wrong at approval; they may be right now
            try:
                bundle = build_bundle(bundle["unrendered"], self.options)
            except FhirConfigError as exc:
                return DeliveryResult(False, False, error=str(exc))
        body = json.dumps(bundle, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": FHIR_JSON, "Accept": FHIR_JSON,
                   "X-Request-Id": delivery.idempotency_key}
        response = send_once(self.http, self.auth, "POST", self.base, content=body,
                             headers=headers)
        if isinstance(response, DeliveryResult):
            return response
        return batch_result(response, len(bundle.get("entry", [])), self.base)


def _status_code(status: object) -> int | None:
    """`"201 Created"` → 201 (FHIR's entry.response.status starts with the code)."""
    head = str(status or "").strip().split(" ", 1)[0]
    return int(head) if head.isdigit() and len(head) == 3 else None


def _body(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def batch_result(response: httpx.Response, sent: int, base: str) -> DeliveryResult:
    """What the EPJ's answer means for the outbox (see the module docstring)."""
    status = f"{response.status_code} {response.reason_phrase}".strip()
    body = _body(response)
    if not 200 <= response.status_code < 300:
        codes = outcome_codes(body)
        error = f"HTTP {response.status_code}" + (f": {', '.join(codes)}" if codes else "")
        retryable = response.status_code >= 500 or response.status_code in RETRYABLE_STATUS
        return DeliveryResult(False, retryable, error=error, remote_status=status)
    entries = body.get("entry") if isinstance(body, dict) else None
    if not isinstance(body, dict) or body.get("type") != "batch-response" \
            or not isinstance(entries, list) or len(entries) != sent:
        return DeliveryResult(False, False, remote_status=status,
                              error=f"HTTP {response.status_code} but not a batch-response "
                                    f"with {sent} entr{'y' if sent == 1 else 'ies'}")
    failures, failed_codes, locations, answers = [], [], [], []
    for index, entry in enumerate(entries):
        answer = entry.get("response") if isinstance(entry, dict) else None
        answer = answer if isinstance(answer, dict) else {}
        code = _status_code(answer.get("status"))
        if code in (200, 201):
            answers.append(str(code))
            if answer.get("location"):
                locations.append(str(answer["location"]))
            continue
        codes = outcome_codes(answer.get("outcome"))
        failed_codes.append(code)
        failures.append(f"entry {index}: {code or 'no status'}"
                        + (f" ({', '.join(codes)})" if codes else ""))
    if failures:
        # One refused entry will be refused again: only when every failure is the server's
        # (5xx, overload, no status) is the whole batch worth another try.
        retryable = all(c is None or c >= 500 or c in RETRYABLE_STATUS for c in failed_codes)
        return DeliveryResult(False, retryable, remote_status=status,
                              error="batch refused: " + "; ".join(failures))
    location = str(httpx.URL(base + "/").join(locations[0])) if locations else None
    return DeliveryResult(True, False, status_url=location,
                          remote_status=f"{status}; entries {', '.join(answers)}")
