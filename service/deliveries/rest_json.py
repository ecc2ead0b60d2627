"""The generic REST-JSON journal connector (kind `rest_json`): a municipality's proprietary
EPJ API (e.g. a journal-entry POST) as configuration, not code.

Target options (`deliveries.targets[].options`):

- `url_template` (required): e.g. `{base_url}/api/v1/patients/{patient_ref}/journals`;
  placeholders `base_url`, `patient_ref`, `dictation_id`, `version`, `external_id` (values
  URL-encoded). The result must lie on the target's base URL (the egress allow-list).
- `method`: POST (default), PUT or PATCH.
- `mapping` (an object) or `mapping_file` (a JSON/YAML file IT can edit): note fields → the
  body's keys (structuring/journal_mapping.py). Read at each attempt, so a fixed mapping
  takes effect on the next retry of a dead-lettered delivery.
- `secret_file`: the HMAC key, sealed with the data key in a 0600 file (`dikta deliveries
  secret --target NAME` makes it; default `<data_dir>/keys/deliveries/NAME.secret`);
  required — the body is always signed; `signature_header` (default `X-Dikta-Signature`, value
  `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`), `timestamp_header` (default
  `X-Dikta-Timestamp`, Unix seconds; the receiver rejects old ones, so a captured request
  cannot be replayed later).
- `idempotency_header` (default `Idempotency-Key`): the same value on every attempt.
- `headers`: further fixed headers (no secrets: options are plain settings).
- `response_id_field`: a key of the JSON answer holding the EPJ's id of the entry (else the
  `Location` header is kept).

A target with `token_endpoint` also sends a HelseID-style access token (service/deliveries/
helseid.py). Answers: 2xx delivered; 408, 425, 429, 5xx and network errors are tried again;
any other 4xx is dead with its status only (a proprietary error body may quote the note).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy.orm import Session

from service.core.masking import masked_json
from service.core.store import Dictation, NoteVersion, as_utc
from service.deliveries.connectors import (
    ConnectorContext,
    DeliveryResult,
    OutboundDelivery,
)
from service.deliveries.helseid import client_for, send_once
from structuring.journal_mapping import JournalMapping, MappingError, journal_fields

METHODS = ("POST", "PUT", "PATCH")
RETRYABLE_STATUS = (408, 425, 429)
PLACEHOLDERS = ("base_url", "patient_ref", "dictation_id", "version", "external_id")


class RestJsonConfigError(ValueError):
    """A rest_json target's options are incomplete or wrong (names the option)."""


# --- the secret -----------------------------------------------------------------------------

def save_secret(path: Path, secret: str, keyring) -> None:
    """Write an HMAC secret sealed with the data key, readable by the service's user only;
    an existing one is never overwritten (the EPJ side holds the same secret)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(keyring.seal_text(secret) if keyring is not None else secret)


def secret_path(settings, target) -> Path:
    """Where a target's HMAC secret lives: `options.secret_file`, else under the data
    directory (where `dikta deliveries secret --target NAME` puts it)."""
    configured = _option(target, "secret_file")
    if configured:
        return Path(configured)
    return Path(settings.data_dir) / "keys" / "deliveries" / f"{target.name}.secret"


def load_secret(path: Path, keyring) -> bytes:
    if path.stat().st_mode & 0o077:
        raise PermissionError(f"{path} is readable by others; chmod 600 it")
    text = path.read_text().strip()
    if keyring is not None:
        text = keyring.open_text(text)
    if not text:
        raise RestJsonConfigError(f"{path} holds no secret")
    return text.encode()


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 over `<timestamp>.<body>` (what the receiver recomputes)."""
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


# --- options --------------------------------------------------------------------------------

def _option(target, name: str, default=None):
    return (target.options or {}).get(name, default)


def url_template(target) -> str:
    template = _option(target, "url_template")
    if not isinstance(template, str) or not template:
        raise RestJsonConfigError(f"delivery target '{target.name}': options.url_template "
                                  "is required")
    try:
        template.format(**{name: "x" for name in PLACEHOLDERS})
    except (KeyError, IndexError, ValueError) as exc:
        raise RestJsonConfigError(f"delivery target '{target.name}': options.url_template "
                                  f"has an unknown placeholder ({exc})") from None
    return template


def load_mapping(target) -> JournalMapping:
    inline, path = _option(target, "mapping"), _option(target, "mapping_file")
    if (inline is None) == (path is None):
        raise RestJsonConfigError(f"delivery target '{target.name}': set exactly one of "
                                  "options.mapping and options.mapping_file")
    if inline is not None:
        return JournalMapping.parse(inline, where=f"{target.name}.options.mapping")
    path = Path(path)
    return JournalMapping.from_text(path.read_text(encoding="utf-8"), name=path.name)


# --- rendering (inside the approval transaction) --------------------------------------------

def render_rest_json(session: Session, row: Dictation, version: NoteVersion,
                     target) -> dict | None:
    """The note's fields, mapped to the body when sent (so a corrected mapping applies to a
    retry). None when the URL needs a patient and the dictation has none. Wrong options never
    stop the approval: the delivery is then dead with the option named, until fixed."""
    try:
        needs_patient = "{patient_ref}" in url_template(target)
    except RestJsonConfigError:
        needs_patient = False  # the connector reports the template when it sends
    if needs_patient and not row.patient_ref:
        return None
    approved_at = as_utc(row.approved_at or version.created_at)
    fields = journal_fields(
        masked_json(version.note), dictation_id=row.id, version=version.version,
        approved_at=approved_at, patient_ref=row.patient_ref, author=version.author,
        recorded_at=as_utc(row.recorded_at) if row.recorded_at else None,
        supersedes=version.supersedes, note_type=row.note_type)
    return {"fields": fields}


# --- sending --------------------------------------------------------------------------------

class RestJsonConnector:
    kind = "rest_json"

    def __init__(self, target, ctx: ConnectorContext, clock=time.time) -> None:
        self.target, self.ctx, self.clock = target, ctx, clock
        self.signature_header = _option(target, "signature_header", "X-Dikta-Signature")
        self.timestamp_header = _option(target, "timestamp_header", "X-Dikta-Timestamp")
        self.idempotency_header = _option(target, "idempotency_header", "Idempotency-Key")
        self.extra_headers = dict(_option(target, "headers", {}) or {})
        self.response_id_field = _option(target, "response_id_field")
        self.http: httpx.Client = ctx.http_client()
        self.template: str | None = None
        self.secret: bytes | None = None
        self.auth = None
        self.method = str(_option(target, "method", "POST")).upper()

    def _prepare(self) -> str | None:
        """Template, secret and token client, made on first use and again until they work
        (a secret stored after the start is found); else why not, naming the option."""
        from service.core.crypto import DataKeyError, active_keyring

        name = self.target.name
        try:
            if self.method not in METHODS:
                raise RestJsonConfigError(f"delivery target '{name}': options.method must "
                                          f"be one of {', '.join(METHODS)}")
            self.template = self.template or url_template(self.target)
            if self.secret is None:
                path = secret_path(self.ctx.settings, self.target)
                if not path.is_file():
                    raise RestJsonConfigError(
                        f"delivery target '{name}': no HMAC secret at {path} (options."
                        f"secret_file; `dikta deliveries secret --target {name}`): the body "
                        "is always signed")
                self.secret = load_secret(path, active_keyring())
            if self.auth is None and self.target.token_endpoint:
                self.auth = client_for(self.ctx.settings, self.target, self.http,
                                       active_keyring())
        except RestJsonConfigError as exc:
            return str(exc)
        except (OSError, ValueError, DataKeyError) as exc:
            return f"delivery target '{name}': secret or client key unusable ({exc})"
        return None

    def url(self, fields: dict) -> str:
        values = {"base_url": self.target.base_url.rstrip("/")}
        for name in ("patient_ref", "dictation_id", "version", "external_id"):
            value = fields.get(name)
            values[name] = quote(str(value), safe="") if value is not None else ""
        return self.template.format(**values)

    def deliver(self, delivery: OutboundDelivery) -> DeliveryResult:
        problem = self._prepare()
        if problem is not None:
            return DeliveryResult(False, False, error=problem)
        fields = delivery.document["fields"]
        try:
            body = json.dumps(load_mapping(self.target).apply(fields), ensure_ascii=False,
                              separators=(",", ":")).encode("utf-8")
        except (MappingError, RestJsonConfigError, OSError) as exc:
            # The mapping's fault, not the note's: dead until IT fixes it and retries it.
            message = str(exc) if not isinstance(exc, OSError) else \
                f"mapping file unreadable ({type(exc).__name__})"
            return DeliveryResult(False, False, error=message)
        timestamp = str(int(self.clock()))
        headers = {**self.extra_headers, "Content-Type": "application/json; charset=utf-8",
                   "Accept": "application/json",
                   self.idempotency_header: delivery.idempotency_key,
                   self.timestamp_header: timestamp,
                   self.signature_header: signature(self.secret, timestamp, body)}
        url = self.url(fields)
        response = send_once(self.http, self.auth, self.method, url, content=body,
                             headers=headers)
        if isinstance(response, DeliveryResult):
            return response
        return self._result(response, url)

    def _result(self, response: httpx.Response, url: str) -> DeliveryResult:
        status = f"{response.status_code} {response.reason_phrase}".strip()
        if 200 <= response.status_code < 300:
            return DeliveryResult(True, False, status_url=self._remote_id(response, url),
                                  remote_status=status)
        retryable = response.status_code >= 500 or response.status_code in RETRYABLE_STATUS
        return DeliveryResult(False, retryable, error=f"HTTP {response.status_code}",
                              remote_status=status)

    def _remote_id(self, response: httpx.Response, url: str) -> str | None:
        if self.response_id_field:
            try:
                value = response.json().get(self.response_id_field)
            except (ValueError, AttributeError):
                value = None
            if isinstance(value, (str, int)) and len(str(value)) <= 200:
                return str(value)
        location = response.headers.get("Location")
        return str(httpx.URL(url).join(location)) if location else None
