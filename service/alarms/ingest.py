"""Alarm ingestion: a VKP/JFT Bundle, a single DetectedIssue, or the documented plain JSON
becomes alarms of the tenant, stored once per (tenant, source, source_id).

The FHIR shapes are read and checked by `structuring.vkp` against the VKP-R4 profiles of the
folder the operator configured (`alarms.vkp_profiles_dir`); plain JSON is checked here. A
problem is a 422 naming the element. The national ID is turned into the tenant's pseudonym and
otherwise only stored sealed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.alarms.pseudonym import pseudonym
from service.alarms.tables import Alarm
from service.core.errors import Problem
from service.core.text_fields import MultiLine, SingleLine
from structuring.alarm import AlarmInput
from structuring.privacy import contains_national_id, is_national_id, mask_national_ids
from structuring.rules import load_rules

ALERT_SYSTEM = "http://ehelse.no/fhir/CodeSystem/vkp-alert-code-v090"
FHIR_TYPES = ("application/fhir+json", "application/json")


class PlainAlarm(BaseModel):
    """The plain JSON format of `POST /v1/alarms` (docs/api.md, "Alarms")."""

    model_config = ConfigDict(extra="forbid")
    source: SingleLine = Field(..., min_length=1, max_length=200,
                               description="The sending system, e.g. the response centre")
    source_id: SingleLine = Field(..., min_length=1, max_length=200,
                                  description="The alarm's id in the sending system")
    vkp_code: SingleLine = Field(..., max_length=20, pattern=r"^\d+(\.\d+)*$",
                                 description="Code of vkp-alert-code-v090, e.g. 4.1 (fall)")
    occurred_at: AwareDatetime = Field(..., description="When the alarm went off (with zone)")
    patient_ref: SingleLine | None = Field(None, min_length=1, max_length=200,
                                           description="Opaque patient reference (no "
                                                       "national ID)")
    national_id: str | None = Field(None, description="Fødselsnummer/D-nummer (11 digits); "
                                    "stored sealed, matched by pseudonym, never shown")
    device_id: SingleLine | None = Field(None, max_length=200)
    severity: Literal["high", "moderate", "low"] | None = None
    detail: MultiLine | None = Field(None, max_length=2000)

    @field_validator("national_id")
    @classmethod
    def _national_id(cls, value: str | None) -> str | None:
        if value is not None and not (value.isdigit() and is_national_id(value)):
            raise ValueError("is not a valid Norwegian national ID number (11 digits)")
        return value

    @field_validator("patient_ref")
    @classmethod
    def _opaque(cls, value: str | None) -> str | None:
        if value is not None and contains_national_id(value):
            raise ValueError("holds a national ID number; send it as national_id")
        return value


def _problem(element: str, message: str) -> Problem:
    # A profile message may quote the value it refused: never a national ID back out.
    element, message = mask_national_ids(element), mask_national_ids(message)
    return Problem(422, "Invalid alarm", f"{element}: {message}", kind="invalid-alarm",
                   errors=[{"loc": element.split("."), "msg": message}])


# --- reading the payload ------------------------------------------------------------


def parse_payload(body: bytes, content_type: str | None, settings) -> list[AlarmInput]:
    """The alarms in a request body; a Problem (415, 422, 503) when it cannot be used."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in FHIR_TYPES:
        raise Problem(415, "Unsupported content type",
                      "send application/fhir+json (a Bundle or DetectedIssue) or "
                      "application/json (FHIR, or the plain alarm format)",
                      kind="unsupported-content-type")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _problem("body", "is not valid JSON") from None
    if not isinstance(payload, dict):
        raise _problem("body", "must be a JSON object")
    if "resourceType" in payload:
        return _from_fhir(payload, settings)
    if media == "application/fhir+json":
        raise _problem("resourceType", "is required in a FHIR payload")
    return [_from_plain(payload, settings)]


def _from_plain(payload: dict, settings) -> AlarmInput:
    try:
        plain = PlainAlarm.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        element = ".".join(map(str, first["loc"])) or "body"
        raise _problem(element, first["msg"].removeprefix("Value error, ")) from None
    if plain.patient_ref is None and plain.national_id is None:
        raise _problem("patient_ref", "patient_ref or national_id is required")
    if plain.vkp_code not in known_alert_codes(settings):
        raise _problem("vkp_code", f"'{plain.vkp_code}' is not a code of {ALERT_SYSTEM}")
    return AlarmInput(source=plain.source, source_id=plain.source_id,
                         vkp_code=plain.vkp_code,
                         occurred_at=plain.occurred_at.astimezone(UTC),
                         severity=plain.severity, device_id=plain.device_id,
                         patient_ref=plain.patient_ref, national_id=plain.national_id,
                         detail=plain.detail)


def _from_fhir(payload: dict, settings) -> list[AlarmInput]:
    profiles = profile_set(settings)
    from structuring.vkp import AlarmDocumentError, alarms_from_fhir

    source = _fhir_source(payload)
    try:
        found = alarms_from_fhir(payload, profiles, source=source)
    except AlarmDocumentError as exc:
        raise _problem(exc.element, exc.message) from None
    if not found:
        raise _problem(f"{payload.get('resourceType')}", "holds no DetectedIssue (alarm)")
    alarms = []
    for alarm in found:
        if alarm.patient_ref and contains_national_id(alarm.patient_ref):
            # a reference that is itself the ID would leak it into responses and the audit
            alarms.append(AlarmInput(**{**_fields(alarm), "patient_ref": None}))
        else:
            alarms.append(AlarmInput(**_fields(alarm)))
    alarms = [AlarmInput(**{**_fields(a), "occurred_at": a.occurred_at.astimezone(UTC)})
              for a in alarms]
    return alarms


def _fields(alarm) -> dict:
    return {name: getattr(alarm, name) for name in AlarmInput.__dataclass_fields__}


def _fhir_source(payload: dict) -> str:
    """Whom a FHIR alarm is from: the payload's meta.source (the sending system), else
    "vkp" (VKP identifiers are UUIDs, unique without a source)."""
    meta = payload.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("source"), str):
        return meta["source"][:200]
    return "vkp"


def profile_set(settings):
    """The VKP profiles of `alarms.vkp_profiles_dir`; 503 while none are configured."""
    directory = settings.alarms.vkp_profiles_dir
    if directory is None or not Path(directory).is_dir():
        raise Problem(503, "VKP profiles not configured",
                      "FHIR alarms are checked against the VKP-R4 profiles; the operator has "
                      "not configured their folder (DIKTA_ALARMS__VKP_PROFILES_DIR). Plain "
                      "JSON alarms are accepted meanwhile.", kind="profiles-not-configured")
    return _load_profiles(str(Path(directory).resolve()))


@lru_cache(maxsize=4)
def _load_profiles(directory: str):
    from structuring.fhir_profiles import ProfileSet

    return ProfileSet.load(Path(directory))


def known_alert_codes(settings) -> frozenset[str]:
    """The alert codes a plain alarm may carry: the code system of the configured profiles,
    else the codes Dikta's own welfare-technology rules know and their families."""
    directory = settings.alarms.vkp_profiles_dir
    if directory is not None and Path(directory).is_dir():
        codes = profile_set(settings).codes(ALERT_SYSTEM)
        if codes:
            return codes
    return _own_codes()


@lru_cache(maxsize=1)
def _own_codes() -> frozenset[str]:
    codes: set[str] = set()
    for technology in load_rules("welfare_technology")["technologies"].values():
        for code in technology.get("vkp_codes", {}).values():
            codes.update({code, code.split(".")[0]})
    return frozenset(codes)


# --- storing ------------------------------------------------------------------------


def _fingerprint(alarm: AlarmInput, patient_pseudonym: str | None) -> str:
    """What a (source, source_id) stands for: the alarm's content, not the transport (a
    resent Bundle with a new meta.lastUpdated is the same alarm)."""
    canonical = json.dumps({
        "vkp_code": alarm.vkp_code, "occurred_at": alarm.occurred_at.astimezone(
            UTC).isoformat(), "severity": alarm.severity,
        "device_id": alarm.device_id, "patient_ref": alarm.patient_ref,
        "patient": patient_pseudonym, "detail": alarm.detail}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Ingested:
    alarm: Alarm
    created: bool


def ingest(state, tenant_id: str, body: bytes, content_type: str | None) -> list[Ingested]:
    """Store the alarms of a request, all or none (one transaction); a replay returns the
    stored alarms (created=False)."""
    alarms = parse_payload(body, content_type, state.settings)
    with state.store.session() as s, s.begin():
        return [store_alarm(s, tenant_id, alarm) for alarm in alarms]


def store_alarm(session, tenant_id: str, alarm: AlarmInput) -> Ingested:
    from service.stats.aggregates import bump

    patient = pseudonym(session, tenant_id, alarm.national_id) if alarm.national_id else None
    fingerprint = _fingerprint(alarm, patient)
    existing = _by_source(session, tenant_id, alarm)
    if existing is not None:
        return Ingested(_same_alarm(existing, fingerprint), False)
    row = Alarm(tenant_id=tenant_id, source=alarm.source, source_id=alarm.source_id,
                fingerprint=fingerprint, vkp_code=alarm.vkp_code,
                occurred_at=alarm.occurred_at, severity=alarm.severity,
                device_id=alarm.device_id, patient_pseudonym=patient,
                national_id=alarm.national_id, patient_ref=alarm.patient_ref,
                detail=alarm.detail, resources=alarm.resources or None, status="open")
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same alarm raced in from a parallel retry
        return Ingested(_same_alarm(_by_source(session, tenant_id, alarm), fingerprint), False)
    bump(session, tenant_id, row.created_at, alarms_received=1)
    return Ingested(row, True)


def _by_source(session, tenant_id: str, alarm: AlarmInput) -> Alarm | None:
    return session.scalar(select(Alarm).where(Alarm.tenant_id == tenant_id,
                                              Alarm.source == alarm.source,
                                              Alarm.source_id == alarm.source_id))


def _same_alarm(existing: Alarm, fingerprint: str) -> Alarm:
    if existing.fingerprint != fingerprint:
        raise Problem(409, "Alarm conflict",
                      "an alarm with this source and source_id was stored with other content; "
                      "a correction needs a new source_id", kind="alarm-conflict")
    return existing
