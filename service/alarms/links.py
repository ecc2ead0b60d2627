"""Which alarms a dictation documents.

Explicitly: `alarm_ids` sent with the recording (upload form, tus `Upload-Metadata`, stream
start) — checked now, a 422 naming the field otherwise. Else, after structuring, by a match:
an open alarm of the dictation's patient, within the tenant's time window around the
recording, whose technology (VKP code family) one of the note's events names. Either way the
link is a proposal on the draft — `events[i].alarm_id`, `links` — re-matched to the events
every time the note is structured again (an edit renumbers events: the match is by
technology and time, never by index), and settled at approval, when the alarm becomes
`documented`. The alarm's code and time win over what was dictated; a difference becomes a
warning on the note.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.alarms.pseudonym import PREFIX
from service.alarms.tables import Alarm, AlarmLink
from service.core.errors import Problem
from service.core.store import Dictation, Tenant, as_utc, utcnow

MAX_IDS = 20
SCHEMA_WITH_LINKS = "1.2"
_ID = re.compile(r"^[0-9a-f]{32}$")
_WARNING_MARK = "alarm "
"""Warnings this module writes start so, and are rewritten on every re-match."""


def parse_alarm_ids(value: object) -> list[str]:
    """`alarm_ids` as clients send it: a list, or one string of ids separated by commas or
    spaces (a form field, a tus metadata value). Order kept, duplicates dropped."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    ids: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError("alarm ids are strings")  # noqa: TRY004 (pydantic needs ValueError)
        for part in re.split(r"[,\s]+", item.strip()):
            if not part:
                continue
            if not _ID.match(part):
                raise ValueError(f"'{part[:40]}' is not an alarm id (32 hex digits)")
            if part not in ids:
                ids.append(part)
    if len(ids) > MAX_IDS:
        raise ValueError(f"at most {MAX_IDS} alarm ids")
    return ids


def check_alarm_ids(session: Session, tenant_id: str, ids: list[str]) -> list[Alarm]:
    """The tenant's alarms of these ids; 422 naming the field (and the id's position) for an
    id that does not exist or is another tenant's — the same answer for both."""
    if not ids:
        return []
    found = {a.id: a for a in session.scalars(select(Alarm).where(Alarm.tenant_id == tenant_id,
                                                                  Alarm.id.in_(ids)))}
    for position, alarm_id in enumerate(ids):
        if alarm_id not in found:
            raise Problem(422, "Invalid request", f"alarm_ids.{position}: no alarm with id "
                          f"{alarm_id}", kind="invalid-request",
                          errors=[{"loc": ["alarm_ids", position], "msg": "no such alarm"}])
    return [found[i] for i in ids]


def link_explicitly(session: Session, tenant_id: str, dictation_id: str,
                    ids: list[str]) -> None:
    """Link the checked alarms to a new dictation, in the transaction that stores it."""
    for alarm in check_alarm_ids(session, tenant_id, ids):
        session.add(AlarmLink(tenant_id=tenant_id, alarm_id=alarm.id,
                              dictation_id=dictation_id, origin="explicit", state="proposed"))


def linked_alarms(session: Session, dictation_id: str) -> list[Alarm]:
    """The alarms a dictation's approval settled, in the order of the note's events."""
    return [alarm for _, alarm in linked_alarm_events(session, dictation_id)]


def linked_alarm_events(session: Session, dictation_id: str) -> list[tuple[int | None, Alarm]]:
    """(index into note.events, alarm) of the settled links, in event order; None: the
    alarm was linked explicitly but no event names its technology (last)."""
    rows = session.execute(select(AlarmLink.event_index, Alarm)
                           .join(AlarmLink, AlarmLink.alarm_id == Alarm.id)
                           .where(AlarmLink.dictation_id == dictation_id,
                                  AlarmLink.state == "settled")).all()
    return [(index, alarm) for index, alarm in
            sorted(rows, key=lambda r: (r[0] is None, r[0] or 0, as_utc(r[1].occurred_at)))]


# --- matching --------------------------------------------------------------------------


def _family(code: str | None) -> str | None:
    return code.split(".")[0] if code else None


def _code_score(alarm: Alarm, event: dict) -> int:
    """2: the same alert code; 1: the same technology (code family); 0: unrelated."""
    if event.get("vkp_code") == alarm.vkp_code:
        return 2
    return 1 if _family(event.get("vkp_code")) == _family(alarm.vkp_code) else 0


def _local_hhmm(moment: datetime, zone: ZoneInfo) -> str:
    return as_utc(moment).astimezone(zone).strftime("%H:%M")


def _minutes_apart(hhmm: str | None, other: str) -> int:
    """Minutes between two clock times, across midnight; unknown: far."""
    if not hhmm:
        return 24 * 60
    a = int(hhmm[:2]) * 60 + int(hhmm[3:])
    b = int(other[:2]) * 60 + int(other[3:])
    return min(abs(a - b), 24 * 60 - abs(a - b))


def _assign(alarms: list[Alarm], events: list[dict], zone: ZoneInfo) -> dict[str, int]:
    """Alarm id → event index: best code match first, then the nearest time; one alarm per
    event, only events of the alarm's technology."""
    pairs = []
    for alarm in alarms:
        hhmm = _local_hhmm(alarm.occurred_at, zone)
        for index, event in enumerate(events):
            score = _code_score(alarm, event)
            if score:
                pairs.append((-score, _minutes_apart(event.get("time"), hhmm),
                              as_utc(alarm.occurred_at), index, alarm.id))
    assigned: dict[str, int] = {}
    for _, _, _, index, alarm_id in sorted(pairs):
        if alarm_id not in assigned and index not in assigned.values():
            assigned[alarm_id] = index
    return assigned


def _window(session: Session, row: Dictation, settings) -> tuple[datetime, datetime]:
    tenant = session.get(Tenant, row.tenant_id)
    before = settings.tenant_link_windows.get(tenant.name if tenant else "",
                                              settings.link_window_before_min)
    if row.recorded_at is None:
        at = as_utc(row.created_at or utcnow())
    elif row.recorded_at.tzinfo is None:
        # SQLite keeps the wall-clock time the client sent and drops its offset: a phone's
        # local time, so read it in the local zone (PostgreSQL keeps the instant).
        at = row.recorded_at.replace(tzinfo=ZoneInfo(settings.local_timezone))
    else:
        at = row.recorded_at
    at = at.astimezone(UTC)  # SQLite compares the stored UTC wall-clock: bounds in UTC
    return at - timedelta(minutes=before), at + timedelta(minutes=settings.link_window_after_min)


def _patient_filter(patient_ref: str):
    digits = patient_ref[len(PREFIX):]
    if patient_ref.startswith(PREFIX) and _ID.match(digits):
        return Alarm.patient_pseudonym.startswith(digits)
    return Alarm.patient_ref == patient_ref


def _candidates(session: Session, row: Dictation, events: list[dict], settings) -> list[Alarm]:
    """Open alarms of the dictation's patient in the window, of a technology the note names."""
    if not row.patient_ref or not events:
        return []
    start, end = _window(session, row, settings)
    alarms = session.scalars(select(Alarm).where(
        Alarm.tenant_id == row.tenant_id, Alarm.status == "open",
        _patient_filter(row.patient_ref), Alarm.occurred_at >= start,
        Alarm.occurred_at <= end))
    return [a for a in alarms if any(_code_score(a, e) for e in events)]


def _links(session: Session, dictation_id: str) -> list[AlarmLink]:
    return list(session.scalars(select(AlarmLink).where(AlarmLink.dictation_id == dictation_id)
                                .order_by(AlarmLink.created_at, AlarmLink.id)))


def annotate(session: Session, row: Dictation, note: dict | None, settings, *,
             propose: bool = True) -> dict | None:
    """The note with its alarm links (schema 1.2), and the links stored to match it.

    `propose`: look for matching alarms too (after structuring; not when explicit
    alarm_ids came with the recording). Proposals whose event an edit removed are dropped.
    """
    if not note or not isinstance(note.get("events"), list):
        return note
    events = note["events"]
    links = _links(session, row.id)
    if propose and not any(link.origin == "explicit" for link in links):
        known = {link.alarm_id for link in links}
        for alarm in _candidates(session, row, events, settings):
            if alarm.id not in known:
                link = AlarmLink(tenant_id=row.tenant_id, alarm_id=alarm.id,
                                 dictation_id=row.id, origin="match", state="proposed")
                session.add(link)
                links.append(link)
    session.flush()
    alarms = {a.id: a for a in session.scalars(
        select(Alarm).where(Alarm.id.in_([link.alarm_id for link in links])))}
    zone = ZoneInfo(settings.local_timezone)
    assigned = _assign([alarms[link.alarm_id] for link in links], events, zone)
    kept = []
    for link in links:
        link.event_index = assigned.get(link.alarm_id)
        if link.origin == "match" and link.event_index is None and link.state == "proposed":
            session.delete(link)  # its event was edited away: no longer a proposal
        else:
            kept.append(link)
    return _annotated(note, kept, alarms, zone)


def _annotated(note: dict, links: list[AlarmLink], alarms: dict[str, Alarm],
               zone: ZoneInfo) -> dict:
    events = [{k: v for k, v in e.items() if k != "alarm_id"} for e in note["events"]]
    warnings = [w for w in note.get("warnings", []) if not w.startswith(_WARNING_MARK)]
    shown = []
    for link in links:
        alarm = alarms[link.alarm_id]
        shown.append({"alarm_id": alarm.id, "event": link.event_index, "origin": link.origin,
                      "state": link.state, "vkp_code": alarm.vkp_code,
                      "occurred_at": as_utc(alarm.occurred_at).astimezone(UTC)
                      .isoformat().replace("+00:00", "Z")})
        if link.event_index is None:
            warnings.append(f"{_WARNING_MARK}{alarm.vkp_code} "
                            f"{_local_hhmm(alarm.occurred_at, zone)}: no event in the note "
                            "names its technology")
            continue
        event = events[link.event_index]
        event["alarm_id"] = alarm.id
        hhmm = _local_hhmm(alarm.occurred_at, zone)
        number = link.event_index + 1
        if event.get("vkp_code") != alarm.vkp_code:
            warnings.append(f"{_WARNING_MARK}{alarm.vkp_code}: the alarm's code replaces "
                            f"{event.get('vkp_code') or 'none'} said in event {number}")
            event["vkp_code"] = alarm.vkp_code
        if event.get("time") not in (None, hhmm):
            warnings.append(f"{_WARNING_MARK}{alarm.vkp_code}: the alarm's time {hhmm} "
                            f"replaces {event['time']} said in event {number}")
        event["time"] = hhmm
    annotated = {**note, "events": events, "warnings": warnings}
    if shown:
        annotated["links"] = shown
        annotated["schema_version"] = SCHEMA_WITH_LINKS
    else:
        annotated.pop("links", None)
    return annotated


# --- approval ---------------------------------------------------------------------------


def settle_links(session: Session, row: Dictation, note: dict | None,
                 settings=None) -> dict | None:
    """At approval, in its transaction: the links as the approved note stands become
    settled, their alarms `documented` (counted for the gains report), and the note shows
    it. A proposal for an alarm another dictation documented meanwhile is dropped."""
    from service.core.settings import AlarmSettings
    from service.stats.aggregates import bump

    settings = settings or AlarmSettings()
    note = annotate(session, row, note, settings, propose=False)
    approved_at = as_utc(row.approved_at or utcnow())
    events = (note or {}).get("events", [])
    for link in _links(session, row.id):
        alarm = session.get(Alarm, link.alarm_id, with_for_update=True, populate_existing=True)
        if alarm.status == "documented" and alarm.dictation_id != row.id \
                and link.origin == "match":
            session.delete(link)
            continue
        link.state = "settled"
        if alarm.status != "documented":
            alarm.status, alarm.dictation_id, alarm.documented_at = "documented", row.id, \
                approved_at
            event = events[link.event_index] if link.event_index is not None else {}
            minutes = (approved_at - as_utc(alarm.occurred_at)).total_seconds() / 60
            bump(session, row.tenant_id, approved_at, alarms_documented=1,
                 alarm_minutes=minutes,
                 technology=event.get("technology") or f"vkp-{_family(alarm.vkp_code)}",
                 false_alarm=bool(event.get("false_alarm")))
    session.flush()
    return annotate(session, row, note, settings, propose=False)
