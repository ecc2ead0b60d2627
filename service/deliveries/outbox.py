"""The outbox: approved notes to their targets, at least once.

`enqueue_deliveries` writes one row per matching target in the approval transaction, with the
document already rendered — an approval that commits has its deliveries, one that rolls back
has none. The workers (service/jobs/worker.py threads or Celery tasks) then call
`DeliveryProcessor.process(id)`: a claim is one conditional UPDATE (pending and due → sending,
attempts + 1), which the database applies to one claimant only, so two workers never send
the same row at once; a row left `sending` by a dead worker is claimed again after
`sending_timeout_s`. A failed attempt that may pass later waits `retry_backoff_s · 2^(n-1)`
(capped); after `max_attempts`, or at once when the receiver refused the document itself, the
row is dead with its last error kept (status and error codes, never patient data).

A receiver that reports what became of an entry after accepting it (JFT: registered → read →
journaled, at the status URL of its 202) is followed up by the same workers: a delivered row
with `status_check_at` due is claimed the same way (the claim moves `status_check_at` on), its
status URL asked with the target's connector — the same egress-checked client and DPoP-bound
token — and the stage recorded in `remote_status`/`remote_status_at`. The gaps between looks
grow with the entry's age (`status_poll_initial_s` … `status_poll_max_s`); it stops when the
entry is journaled or failed, when the status URL is gone or off the target's origins, or
after `status_give_up_h`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service.core.egress import EgressPolicy, EgressRefused
from service.core.store import (
    Delivery,
    Dictation,
    NoteVersion,
    Store,
    Tenant,
    as_utc,
    utcnow,
)
from service.deliveries.connectors import (
    ConnectorContext,
    DeliveryResult,
    OutboundDelivery,
    StatusResult,
    connector_for,
)
from service.deliveries.renderers import RENDERERS
from structuring.errors import DiktaError

log = logging.getLogger("dikta.deliveries")


# --- writing the outbox (inside the approval transaction) ----------------------------------

def enqueue_deliveries(session: Session, row: Dictation, version: NoteVersion,
                       settings=None) -> list[str]:
    """One outbox row per target this note version goes to; returns their ids (submit them
    to the worker after the transaction commits). `settings` defaults to the session's
    `info["settings"]` (set by the caller that owns the transaction)."""
    settings = settings if settings is not None else session.info.get("settings")
    if settings is None:
        raise ValueError("enqueue_deliveries needs the service settings")
    targets = settings.deliveries.targets
    if not targets:
        return []
    tenant_name = session.get(Tenant, row.tenant_id).name
    ids = []
    for target in targets:
        if target.tenant is not None and target.tenant != tenant_name:
            continue
        renderer = RENDERERS.get(target.kind)
        state, error = "pending", None
        try:
            if renderer is None:  # a misconfiguration must not refuse the approval
                raise DiktaError(f"no renderer for kind '{target.kind}'")
            document = renderer(session, row, version, target)
        except DiktaError as exc:
            # The approval stands; the note waits, dead, for the cause to be fixed (and
            # is never purged meanwhile). The message names elements, not their values.
            document, state = {}, "dead"
            error = _bounded(f"could not render the document ({type(exc).__name__}: {exc})")
        if document is None:
            continue  # nothing in this note for that target
        delivery = Delivery(tenant_id=row.tenant_id, dictation_id=row.id,
                            version=version.version, target=target.name, kind=target.kind,
                            document=document, state=state, last_error=error,
                            next_attempt_at=utcnow())
        session.add(delivery)
        session.flush()
        if state == "pending":
            ids.append(delivery.id)
        else:
            log.warning("delivery could not be rendered", extra={"delivery_id": delivery.id})
    return ids


# --- sending --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeliveryOutcome:
    state: str  # delivered | pending (retry) | dead | skipped
    retry_at: datetime | None = None


def backoff_s(settings, attempt: int) -> float:
    d = settings.deliveries
    return min(d.retry_backoff_s * 2 ** (attempt - 1), d.max_backoff_s)


class DeliveryProcessor:
    """Sends one outbox row, the same in an in-process thread and in a Celery task."""

    def __init__(self, store: Store, settings, clock=utcnow) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self.policy = EgressPolicy.from_settings(settings)
        timeout = settings.deliveries.request_timeout_s
        self.context = ConnectorContext(settings=settings,
                                        http_client=lambda: self.policy.client(timeout))
        self._connectors: dict[str, object] = {}

    def target(self, name: str):
        for target in self.settings.deliveries.targets:
            if target.name == name:
                return target
        return None

    def connector(self, target):
        if target.name not in self._connectors:  # keeps a target's token cache warm
            self._connectors[target.name] = connector_for(target, self.context)
        return self._connectors[target.name]

    def process(self, delivery_id: str) -> DeliveryOutcome:
        """Send the row if it is due; else look at its status URL if that is due."""
        claimed = self._claim(delivery_id)
        if claimed is None:
            return self.follow_status(delivery_id)
        delivery, attempt, target_name = claimed
        target = self.target(target_name)
        follows = False
        try:
            if target is None:
                result = DeliveryResult(False, False, error=f"target '{target_name}' is no "
                                                            "longer configured")
            else:
                connector = self.connector(target)
                follows = callable(getattr(connector, "status", None))
                result = connector.deliver(delivery)
        except EgressRefused as exc:
            result = DeliveryResult(False, False, error=str(exc))
        except Exception as exc:  # noqa: BLE001 -- a connector bug or a network error: try again later
            result = DeliveryResult(False, True, error=f"attempt failed ({type(exc).__name__})")
        return self._record(delivery_id, attempt, result, follows)

    # --- status follow-up -----------------------------------------------------------------

    def follow_status(self, delivery_id: str) -> DeliveryOutcome:
        claimed = self._claim_status(delivery_id)
        if claimed is None:
            return DeliveryOutcome("skipped")
        url, target_name, delivered_at, lease = claimed
        target = self.target(target_name)
        try:
            if target is None:
                result = StatusResult(error=f"target '{target_name}' is no longer configured",
                                      final=True)
            else:
                result = self.connector(target).status(url)
        except EgressRefused as exc:
            result = StatusResult(error=str(exc), final=True)
        except Exception as exc:  # noqa: BLE001 -- a connector bug: ask again later
            result = StatusResult(error=f"status failed ({type(exc).__name__})")
        return self._record_status(delivery_id, lease, delivered_at, result)

    def _claim_status(self, delivery_id: str):
        now = self.clock()
        lease = now + timedelta(seconds=self.settings.deliveries.sending_timeout_s)
        with self.store.session() as s, s.begin():
            claimed = s.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.state == "delivered",
                       Delivery.status_check_at.is_not(None),
                       Delivery.status_check_at <= now)
                .values(status_check_at=lease)
                .execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                return None
            row = s.get(Delivery, delivery_id, populate_existing=True)
            return row.remote_status_url, row.target, as_utc(row.delivered_at or now), lease

    def _record_status(self, delivery_id: str, lease: datetime, delivered_at: datetime,
                       result: StatusResult) -> DeliveryOutcome:
        d, now = self.settings.deliveries, self.clock()
        age_s = max((now - delivered_at).total_seconds(), 0.0)
        values: dict = {}
        if result.stage is not None:
            values.update(remote_status=result.stage, remote_status_at=result.at or now)
        if result.final:
            values.update(status_check_at=None)
            state = "followed"
        elif age_s >= d.status_give_up_h * 3600:
            values.update(status_check_at=None)
            result = StatusResult(result.stage, result.at, error=(
                f"status follow-up given up after {d.status_give_up_h:g} h"
                + (f" ({result.error})" if result.error else "")))
            state = "given up"
        else:
            wait_s = min(max(age_s, d.status_poll_initial_s), d.status_poll_max_s)
            values.update(status_check_at=now + timedelta(seconds=wait_s))
            state = "following"
        values.update(last_error=_bounded(result.error) if result.error else None)
        with self.store.session() as s, s.begin():
            kept = s.execute(update(Delivery)
                             .where(Delivery.id == delivery_id, Delivery.state == "delivered",
                                    Delivery.status_check_at == lease)
                             .values(**values).execution_options(synchronize_session=False))
        if kept.rowcount != 1:  # delivered again (an operator's retry) meanwhile
            return DeliveryOutcome("skipped")
        log.log(logging.WARNING if result.error else logging.INFO, f"delivery status {state}",
                extra={"delivery_id": delivery_id, "event": result.stage,
                       "error_type": result.error})
        return DeliveryOutcome("delivered", values.get("status_check_at"))

    def _claim(self, delivery_id: str):
        now = self.clock()
        stale = now - timedelta(seconds=self.settings.deliveries.sending_timeout_s)
        with self.store.session() as s, s.begin():
            claimed = s.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id,
                       or_((Delivery.state == "pending") & (Delivery.next_attempt_at <= now),
                           (Delivery.state == "sending") & (Delivery.claimed_at < stale)))
                .values(state="sending", attempts=Delivery.attempts + 1, claimed_at=now)
                .execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                return None  # not due, finished, or another worker has it
            row = s.get(Delivery, delivery_id, populate_existing=True)
            delivery = OutboundDelivery(
                id=row.id, tenant_id=row.tenant_id, dictation_id=row.dictation_id,
                version=row.version, target=row.target, document=row.document,
                idempotency_key=f"dikta-delivery-{row.id}")
            return delivery, row.attempts, row.target

    def _record(self, delivery_id: str, attempt: int, result: DeliveryResult,
                follows: bool = False) -> DeliveryOutcome:
        now = self.clock()
        values: dict = {"remote_status": result.remote_status,
                        "remote_status_at": now if result.remote_status else None}
        if result.delivered:
            outcome = DeliveryOutcome("delivered")
            check_at = None
            if follows and result.status_url:
                check_at = now + timedelta(
                    seconds=self.settings.deliveries.status_poll_initial_s)
            values.update(state="delivered", delivered_at=now, last_error=None,
                          remote_status_url=result.remote_reference, status_check_at=check_at)
        elif result.retryable and attempt < self.settings.deliveries.max_attempts:
            retry_at = now + timedelta(seconds=backoff_s(self.settings, attempt))
            outcome = DeliveryOutcome("pending", retry_at)
            values.update(state="pending", next_attempt_at=retry_at,
                          last_error=_bounded(result.error))
        else:
            outcome = DeliveryOutcome("dead")
            values.update(state="dead", last_error=_bounded(result.error))
        with self.store.session() as s, s.begin():
            kept = s.execute(update(Delivery)
                             .where(Delivery.id == delivery_id, Delivery.state == "sending",
                                    Delivery.attempts == attempt)
                             .values(**values).execution_options(synchronize_session=False))
        if kept.rowcount != 1:  # reclaimed meanwhile as stale: the newer attempt decides
            return DeliveryOutcome("skipped")
        level = logging.WARNING if outcome.state != "delivered" else logging.INFO
        log.log(level, f"delivery {outcome.state}", extra={
            "delivery_id": delivery_id, "attempt": attempt, "error_type": result.error})
        return outcome


def _bounded(error: str | None) -> str:
    return (error or "failed")[:1000]


# --- what is due, what the API and the operator see -----------------------------------------

def due_deliveries(store: Store, settings,
                   now: datetime | None = None) -> list[tuple[str, str]]:
    """(id, attempt mark) of rows a worker should try now: pending and due, or stuck in
    `sending`. The mark (attempts and due time) changes with every attempt and every retry
    by an operator, so a sweep can tell a new attempt from one it already submitted."""
    now = now or utcnow()
    stale = now - timedelta(seconds=settings.deliveries.sending_timeout_s)
    with store.session() as s:
        rows = s.execute(select(Delivery.id, Delivery.attempts, Delivery.next_attempt_at)
                         .where(or_(
                             (Delivery.state == "pending") & (Delivery.next_attempt_at <= now),
                             (Delivery.state == "sending") & (Delivery.claimed_at < stale)))
                         .order_by(Delivery.next_attempt_at))
        due = [(delivery_id, f"{attempts}@{as_utc(due).isoformat()}")
               for delivery_id, attempts, due in rows]
        # Delivered entries whose status URL is due a look (JFT's life cycle).
        checks = s.execute(select(Delivery.id, Delivery.status_check_at)
                           .where(Delivery.state == "delivered",
                                  Delivery.status_check_at.is_not(None),
                                  Delivery.status_check_at <= now)
                           .order_by(Delivery.status_check_at))
        return due + [(delivery_id, f"status@{as_utc(check).isoformat()}")
                      for delivery_id, check in checks]


def unfinished_deliveries(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(Delivery.id).where(
            Delivery.state.in_(("pending", "sending"))).order_by(Delivery.created_at)))


@dataclass(frozen=True)
class DeliveryStatus:
    id: str
    dictation_id: str
    tenant: str
    target: str
    kind: str
    version: int
    state: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    remote_status: str | None
    remote_status_at: datetime | None
    remote_status_url: str | None
    last_error: str | None
    created_at: datetime


def _status(row: Delivery, tenant: str) -> DeliveryStatus:
    def aware(value):
        return as_utc(value) if value is not None else None

    return DeliveryStatus(
        id=row.id, dictation_id=row.dictation_id, tenant=tenant, target=row.target,
        kind=row.kind, version=row.version, state=row.state, attempts=row.attempts,
        next_attempt_at=aware(row.next_attempt_at) if row.state == "pending" else None,
        delivered_at=aware(row.delivered_at), remote_status=row.remote_status,
        remote_status_at=aware(row.remote_status_at),
        remote_status_url=row.remote_status_url, last_error=row.last_error,
        created_at=aware(row.created_at))


_COLUMNS = (Delivery.id, Delivery.dictation_id, Delivery.tenant_id, Delivery.target,
            Delivery.kind, Delivery.version, Delivery.state, Delivery.attempts,
            Delivery.next_attempt_at, Delivery.delivered_at, Delivery.remote_status,
            Delivery.remote_status_at, Delivery.remote_status_url, Delivery.last_error, Delivery.created_at,
            Delivery.claimed_at)


def deliveries_of(store: Store, tenant_id: str, dictation_id: str) -> list[DeliveryStatus]:
    """A note's deliveries (the document itself is not read: it stays sealed)."""
    with store.session() as s:
        rows = s.execute(select(*_COLUMNS, Tenant.name)
                         .join(Tenant, Tenant.id == Delivery.tenant_id)
                         .where(Delivery.tenant_id == tenant_id,
                                Delivery.dictation_id == dictation_id)
                         .order_by(Delivery.created_at, Delivery.target)).all()
    return [_status(row, row.name) for row in rows]


def list_deliveries(store: Store, state: str | None = None,
                    tenant_name: str | None = None) -> list[DeliveryStatus]:
    with store.session() as s:
        query = select(*_COLUMNS, Tenant.name).join(Tenant, Tenant.id == Delivery.tenant_id)
        if state:
            query = query.where(Delivery.state == state)
        if tenant_name:
            query = query.where(Tenant.name == tenant_name)
        rows = s.execute(query.order_by(Delivery.created_at)).all()
    return [_status(row, row.name) for row in rows]


def retry_dead(store: Store, ids: list[str] | None = None, settings=None) -> list[str]:
    """Dead deliveries (these, or all) back to pending, due now, with a fresh attempt count;
    the last error stays until the next attempt replaces it. One that died before it had a
    document (its rendering failed) is rendered again first (with `settings`); if that
    still fails it stays dead with the new reason."""
    with store.session() as s, s.begin():
        query = select(Delivery).where(Delivery.state == "dead")
        if ids:
            query = query.where(Delivery.id.in_(ids))
        retried = []
        for row in list(s.scalars(query.with_for_update())):
            if not row.document and not _render_again(s, row, settings):
                continue
            row.state, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
            retried.append(row.id)
        return retried


def _render_again(session: Session, delivery: Delivery, settings) -> bool:
    target = next((t for t in settings.deliveries.targets if t.name == delivery.target),
                  None) if settings is not None else None
    renderer = RENDERERS.get(delivery.kind)
    if target is None or renderer is None:
        return False
    dictation = session.get(Dictation, delivery.dictation_id)
    version = session.scalar(select(NoteVersion).where(
        NoteVersion.dictation_id == delivery.dictation_id,
        NoteVersion.version == delivery.version))
    try:
        document = renderer(session, dictation, version, target)
    except DiktaError as exc:
        delivery.last_error = _bounded(
            f"could not render the document ({type(exc).__name__}: {exc})")
        return False
    if not document:
        return False
    delivery.document = document
    return True


def submit_deliveries(worker, ids: list[str]) -> None:
    """Hand new outbox rows to the worker; one that is lost (a crash right after the commit)
    is found again by the worker's sweep of due rows."""
    if worker is None:
        return
    for delivery_id in ids:
        try:
            worker.submit_delivery(delivery_id)
        except Exception:  # noqa: BLE001 -- the broker is down: the sweep submits it later
            log.warning("delivery not submitted; the sweep will", extra={
                "delivery_id": delivery_id})
