"""Journalføringstjenesten (JFT, Norsk helsenett): welfare-technology events to the journal.

The sender `POST {base_url}/v1/Bundle`s a document Bundle (the VKP Composition profile) as
application/fhir+json with a DPoP-bound HelseID token (scope `nhn:jft/api`) and gets 202 and
a status URL (registered → read → journaled); the EPJ fetches the entry and acknowledges it.
After the 202 the worker follows the status URL (`GET …/v1/Bundle/{id}/$status`, on the
ReadAPI host: the target's `status_base_url`) until the entry is journaled; see
`life_cycle` for the answer's shape. Answers: 2xx delivered; 5xx, 408, 429 and network errors are tried again; any other 4xx is
the document's or the client's fault and goes to the dead letter, keeping the
OperationOutcome's issue codes (never its text, which may quote the document).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from service.core.egress import EgressPolicy
from service.deliveries.connectors import (
    ConnectorContext,
    DeliveryResult,
    OutboundDelivery,
    StatusResult,
    outcome_codes,
)
from service.deliveries.helseid import TokenError, client_for, send_once

FHIR_JSON = "application/fhir+json"
SCOPE = "nhn:jft/api"  # unless the target names another
RETRYABLE_STATUS = (408, 425, 429)
STAGES = ("registered", "read", "journaled")
"""JFT's life cycle of an entry, in order (utviklerportal.nhn.no, JFT ReadAPI, event status)."""
_STAGE_KEYS = {"registered": "registered", "read": "read", "journaled": "journaled",
               "journalingAcknowledged": "journaled", "failed": "failed"}


class JftConnector:
    kind = "jft"

    def __init__(self, target, ctx: ConnectorContext) -> None:
        from service.core.crypto import active_keyring

        self.target, self.ctx = target, ctx
        self.http: httpx.Client = ctx.http_client()
        self.auth = client_for(ctx.settings, target, self.http, active_keyring(), SCOPE)
        self.url = target.base_url.rstrip("/") + "/v1/Bundle"
        # A status URL comes from the receiver: it is fetched only on this target's own
        # origins, not on whatever else the allow-list holds (another target, an IdP).
        self.status_origins = EgressPolicy.of([target.base_url, target.status_base_url])

    def deliver(self, delivery: OutboundDelivery) -> DeliveryResult:
        body = json.dumps(delivery.document, ensure_ascii=False).encode()
        headers = {"Content-Type": FHIR_JSON, "Accept": FHIR_JSON,
                   "Idempotency-Key": delivery.idempotency_key}
        response = send_once(self.http, self.auth, "POST", self.url, content=body,
                             headers=headers)
        if isinstance(response, DeliveryResult):
            return response
        return result_of(response, self.url)


    def status(self, url: str) -> StatusResult:
        """Where the entry is in its life cycle; raises EgressRefused for a status URL off
        this target's origins (nothing is sent)."""
        self.status_origins.check(url)
        headers = {"Accept": "application/json"}
        try:
            if self.auth is None:
                response = self.http.get(url, headers=headers)
            else:
                response = self.auth.request("GET", url, headers=headers)
        except TokenError as exc:
            return StatusResult(error=str(exc), final=not exc.retryable)
        except httpx.TimeoutException as exc:
            return StatusResult(error=f"status: timeout ({type(exc).__name__})")
        except httpx.TransportError as exc:
            return StatusResult(error=f"status: network error ({type(exc).__name__})")
        if response.status_code in (404, 410):
            return StatusResult(error=f"status: HTTP {response.status_code}", final=True)
        if not 200 <= response.status_code < 300:
            return StatusResult(error=f"status: HTTP {response.status_code}")
        try:
            stage, at = life_cycle(response.json())
        except ValueError:
            return StatusResult(error="status: answer not understood")
        return StatusResult(stage, at, final=stage in ("journaled", "failed"))


def life_cycle(body) -> tuple[str, datetime | None]:
    """(stage, time) from a JFT status answer.

    Documented (JFT ReadAPI overview, "Retrieving event status"): a plain JSON object, not a
    FHIR resource, with one timestamp (or null) per stage — `registered`, `read`,
    `journaled`, `failed` ("to be defined"); the newer event-life-cycle page calls the last
    stage `journalingAcknowledged`, so both names count. The furthest stage with a time
    wins; `failed` with any value wins over all. A plain `{"status": "<stage>"}` (with an
    optional `time`) is accepted too. Anything else raises ValueError."""
    if not isinstance(body, dict):
        raise ValueError("not a JSON object")  # noqa: TRY004 -- one error for any odd answer
    if any(key in body for key in _STAGE_KEYS):
        if body.get("failed") not in (None, "", False):
            return "failed", _time(body.get("failed"))
        reached = [(STAGES.index(_STAGE_KEYS[key]), _STAGE_KEYS[key], value)
                   for key, value in body.items()
                   if _STAGE_KEYS.get(key) in STAGES and value not in (None, "")]
        if not reached:
            raise ValueError("no stage has a time")
        _, stage, value = max(reached, key=lambda item: item[0])
        return stage, _time(value)
    stage = body.get("status")
    if isinstance(stage, str) and (stage in STAGES or stage == "failed"):
        return stage, _time(body.get("time"))
    raise ValueError("no life-cycle stage in the answer")


def _time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # In UTC: SQLite keeps no offset, so a +01:00 time stored as is would shift an hour.
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def result_of(response: httpx.Response, request_url: str) -> DeliveryResult:
    status = f"{response.status_code} {response.reason_phrase}".strip()
    if 200 <= response.status_code < 300:
        location = response.headers.get("Location") or response.headers.get("Content-Location")
        if location:
            location = str(httpx.URL(request_url).join(location))
        return DeliveryResult(True, False, status_url=location, remote_status=status)
    codes = issue_codes(response)
    error = f"HTTP {response.status_code}" + (f": {', '.join(codes)}" if codes else "")
    retryable = response.status_code >= 500 or response.status_code in RETRYABLE_STATUS
    return DeliveryResult(False, retryable, error=error, remote_status=status)


def issue_codes(response: httpx.Response) -> list[str]:
    """The OperationOutcome's issue codes (and coded details) of an answer."""
    try:
        return outcome_codes(response.json())
    except ValueError:
        return []


def render_jft(session, row, version, target) -> dict | None:
    """The VKP Composition document of an approved note with its settled alarms; None when
    no alarm is linked (only welfare-technology events with an alarm go to JFT).

    Target options: `orgnr` and `organisation` (the custodian), `patient_system` (the
    identifier system of the tenant's patient references, used when no alarm carries a
    national ID)."""
    from dataclasses import replace

    from service.alarms.links import linked_alarms
    from service.core.store import as_utc
    from structuring.vkp import DocumentContext, LinkedAlarm, vkp_document

    alarms = linked_alarms(session, row.id)
    if not alarms:
        return None
    note = version.note or {}
    events = note.get("events") or []
    where = {event.get("alarm_id"): i for i, event in enumerate(events)
             if event.get("alarm_id")}
    linked = [replace(LinkedAlarm.of(where.get(alarm.id, len(events)), alarm),
                      occurred_at=as_utc(alarm.occurred_at)) for alarm in alarms]
    options = target.options or {}
    organisation = None
    if options.get("orgnr") or options.get("organisation"):
        organisation = {"orgnr": options.get("orgnr"), "name": options.get("organisation")}
    context = {"patient_system": options["patient_system"]} \
        if options.get("patient_system") else {}
    approved_at = as_utc(row.approved_at)
    ctx = DocumentContext(
        dictation_id=row.id, version=version.version, status="final",
        recorded_at=as_utc(row.recorded_at or row.created_at or approved_at),
        approved_at=approved_at, approver=version.author or "ukjent godkjenner",
        organisation=organisation, patient_ref=row.patient_ref, **context)
    return vkp_document(note, linked, ctx)
