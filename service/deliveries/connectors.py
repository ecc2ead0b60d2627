"""What a connector is: something that sends one rendered document to one target.

The outbox (service/deliveries/outbox.py) owns attempts, backoff and the dead letter; a
connector only tries once and says whether it worked and, if not, whether trying again could
help. Connectors are made per target from its settings (`CONNECTORS[kind](target, ctx)`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class OutboundDelivery:
    id: str
    tenant_id: str
    dictation_id: str
    version: int
    target: str
    document: dict
    idempotency_key: str
    """The same on every attempt of this delivery, so a receiver can drop a repeat."""


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    retryable: bool
    status_url: str | None = None
    """Where the receiver reports what became of it (JFT: registered → read → journaled)."""
    error: str | None = None
    """Status and error codes only, never patient data: it is stored and shown."""
    remote_status: str | None = None
    """The receiver's answer in a word, e.g. `202 Accepted`."""
    remote_id: str | None = None
    """The receiver's id of what it stored (e.g. a DocumentReference id), if it has one."""

    @property
    def remote_reference(self) -> str | None:
        """What is kept as `remote_status_url`: the status URL, else the remote id."""
        return self.status_url or self.remote_id


@dataclass(frozen=True)
class StatusResult:
    """What a receiver's status URL said about a delivered entry (JFT's life cycle)."""

    stage: str | None = None
    """registered | read | journaled | failed; None when the answer told nothing."""
    at: datetime | None = None
    """The receiver's time for that stage."""
    final: bool = False
    """Nothing more will change (journaled, failed, or the status URL is gone): stop asking."""
    error: str | None = None
    """Status and error codes only, as for a delivery."""


class StatusFollower(Protocol):
    """A connector whose receiver reports what became of an entry after accepting it."""

    def status(self, url: str) -> StatusResult: ...


class Connector(Protocol):
    kind: str  # "jft", "fhir", "rest_json"

    def deliver(self, delivery: OutboundDelivery) -> DeliveryResult: ...


@dataclass(frozen=True)
class ConnectorContext:
    """What a connector gets besides its target: the service's settings and the one way
    out (an egress-checked HTTP client factory)."""

    settings: object
    http_client: Callable[[], object]
    """Returns an httpx.Client that refuses hosts no operator configured."""


ConnectorFactory = Callable[[object, ConnectorContext], Connector]


def _jft(target, ctx: ConnectorContext) -> Connector:
    from service.deliveries.jft import JftConnector

    return JftConnector(target, ctx)


def _fhir(target, ctx: ConnectorContext) -> Connector:
    from service.deliveries.fhir import FhirConnector

    return FhirConnector(target, ctx)


def _rest_json(target, ctx: ConnectorContext) -> Connector:
    from service.deliveries.rest_json import RestJsonConnector

    return RestJsonConnector(target, ctx)


CONNECTORS: dict[str, ConnectorFactory] = {"jft": _jft, "fhir": _fhir,
                                           "rest_json": _rest_json}
"""Connector factories by target kind; other kinds register here (`register_connector`)."""


def register_connector(kind: str, factory: ConnectorFactory) -> None:
    CONNECTORS[kind] = factory


class UnknownKind(LookupError):
    pass


def connector_for(target, ctx: ConnectorContext) -> Connector:
    try:
        factory = CONNECTORS[target.kind]
    except KeyError:
        raise UnknownKind(f"no connector for kind '{target.kind}'") from None
    return factory(target, ctx)


def outcome_codes(outcome: object) -> list[str]:
    """An OperationOutcome's issue codes and coded details, in order, without repeats."""
    if not isinstance(outcome, dict) or outcome.get("resourceType") != "OperationOutcome":
        return []
    codes: list[str] = []
    for issue in outcome.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        found = [issue.get("code")]
        found += [c.get("code") for c in (issue.get("details") or {}).get("coding") or []
                  if isinstance(c, dict)]
        for code in found:
            if isinstance(code, str) and code and len(code) <= 64 and code not in codes:
                codes.append(code)
    return codes[:20]  # codes only, and not without end: they are stored and shown
