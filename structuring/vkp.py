"""Welfare-technology alarms in (VKP/JFT FHIR) as `AlarmInput`s (the plain JSON format is read
by the service: service/alarms/ingest.py).

VKP carries an alarm as a `DetectedIssue` (often in a Bundle with the follow-up `Encounter`
and any `MedicationDispense`). Everything is validated against the VKP profiles first, so a
sender learns which element is wrong (the error names it) instead of Dikta storing an alarm
it cannot document later. The original resources are kept (`resources`) so that the
documentation sent back can reference exactly what came in.

The VKP document going out (`vkp_document`, `LinkedAlarm`, `DocumentContext`) is written in
`structuring/vkp_document.py` and importable from here.
"""

from __future__ import annotations

from datetime import datetime

from structuring.alarm import AlarmInput
from structuring.errors import DiktaError
from structuring.fhir_conformance import many
from structuring.fhir_profiles import ProfileSet
from structuring.privacy import is_national_id, mask_national_ids
from structuring.vkp_document import (  # noqa: F401 — the pinned public names live here too
    Approver,
    DocumentContext,
    LinkedAlarm,
    Organisation,
    VkpDocumentError,
    vkp_document,
)

NATIONAL_ID_SYSTEMS = (
    "urn:oid:2.16.578.1.12.4.1.4.1",  # fødselsnummer
    "urn:oid:2.16.578.1.12.4.1.4.2",  # D-nummer: the national ID of people without one
)
ALERT_VALUE_SET = "http://ehelse.no/fhir/ValueSet/vkp-alert-code-v090"
LINKED_TYPES = ("Encounter", "MedicationDispense", "Patient", "Device")
BUNDLE_TYPES = ("collection", "transaction", "document", "batch", "message")

class AlarmDocumentError(DiktaError):
    """An alarm document Dikta cannot take; `element` names the offending element/field."""

    def __init__(self, element: str, message: str) -> None:
        # Both may quote the sender's values: a national ID never goes on into a response.
        element, message = mask_national_ids(element), mask_national_ids(message)
        super().__init__(f"{element}: {message}")
        self.element = element
        self.message = message




def alarms_from_fhir(payload: dict, profiles: ProfileSet, *, source: str) -> list[AlarmInput]:
    """Every DetectedIssue in a Bundle (or a single DetectedIssue) as an AlarmInput.

    Raises AlarmDocumentError naming the first element that breaks the VKP profiles.
    """
    if not isinstance(payload, dict):
        raise AlarmDocumentError("resourceType", "expected a FHIR Bundle or DetectedIssue")
    kind = payload.get("resourceType")
    if kind == "DetectedIssue":
        _raise_first(profiles.validate(payload))
        return [_alarm(payload, [], source, "DetectedIssue")]
    if kind != "Bundle":
        raise AlarmDocumentError("resourceType",
                                 f"expected Bundle or DetectedIssue, not {kind!r}")
    if payload.get("type") not in BUNDLE_TYPES:
        raise AlarmDocumentError("Bundle.type", f"expected one of {', '.join(BUNDLE_TYPES)}")
    _raise_first(profiles.validate_bundle(payload))
    entries = [e for e in many(payload.get("entry")) if isinstance(e, dict)]
    issues = [(i, e) for i, e in enumerate(entries)
              if (e.get("resource") or {}).get("resourceType") == "DetectedIssue"]
    if not issues:
        raise AlarmDocumentError("Bundle.entry", "no DetectedIssue in the Bundle")
    alone = len(issues) == 1
    return [_alarm(entry["resource"], _linked(entry, entries, alone), source,
                   f"Bundle.entry[{i}].resource.DetectedIssue")
            for i, entry in issues]


# -- FHIR details -----------------------------------------------------------------------------

def _raise_first(issues: list) -> None:
    if issues:
        raise AlarmDocumentError(issues[0].path, issues[0].message)


def _alarm(issue: dict, linked: list[tuple[str, dict]], source: str,
           where: str) -> AlarmInput:
    lookup = _Lookup(issue, linked)
    for name in ("patient", "code"):  # what the profiles require, read as objects below
        if not isinstance(issue.get(name), dict):
            raise AlarmDocumentError(f"{where}.{name}", "must be a JSON object")
    patient = issue["patient"]
    national_id = _national_id(patient, lookup)
    if national_id is not None and not is_national_id(national_id):
        raise AlarmDocumentError(f"{where}.patient.identifier",
                                 "not a valid national ID (fødselsnummer/D-nummer)")
    reference = patient.get("reference") if isinstance(patient.get("reference"), str) else None
    patient_ref = reference if reference and not reference.startswith(("#", "urn:")) else None
    if national_id is None and patient_ref is None:
        raise AlarmDocumentError(f"{where}.patient",
                                 "no national ID (identifier system "
                                 f"{NATIONAL_ID_SYSTEMS[0]}) and no Patient reference")
    resources: dict[str, list[dict]] = {"DetectedIssue": [issue]}
    for _url, resource in linked:
        resources.setdefault(str(resource.get("resourceType")), []).append(resource)
    return AlarmInput(
        source=source, source_id=_source_id(issue, where), vkp_code=_alert_code(issue, where),
        occurred_at=_aware(issue.get("identifiedDateTime"), f"{where}.identifiedDateTime"),
        severity=_text(issue.get("severity")), device_id=_device_id(issue, lookup),
        patient_ref=patient_ref, national_id=national_id, detail=_text(issue.get("detail")),
        resources=resources)


class _Lookup:
    """Resolves references from the DetectedIssue: contained (#id), the Bundle's entries."""

    def __init__(self, issue: dict, linked: list[tuple[str, dict]]) -> None:
        self.contained = {f"#{c.get('id')}": c for c in many(issue.get("contained"))
                          if isinstance(c, dict)}
        self.linked = linked

    def __call__(self, reference: object) -> dict | None:
        if not isinstance(reference, str):
            return None
        if reference in self.contained:
            return self.contained[reference]
        for url, resource in self.linked:
            if reference in (url,
                             f"{resource.get('resourceType')}/{resource.get('id')}"):
                return resource
        return None


def _national_id(reference: dict, lookup: _Lookup) -> str | None:
    identifiers = many(reference.get("identifier"))
    target = lookup(reference.get("reference"))
    if target is not None:
        identifiers += many(target.get("identifier"))
    for system in NATIONAL_ID_SYSTEMS:
        for identifier in identifiers:
            if isinstance(identifier, dict) and identifier.get("system") == system \
                    and identifier.get("value"):
                return str(identifier["value"])
    return None


def _source_id(issue: dict, where: str) -> str:
    for identifier in many(issue.get("identifier")):
        if isinstance(identifier, dict) and identifier.get("value"):
            return str(identifier["value"])[:200]
    if issue.get("id"):
        return str(issue["id"])
    raise AlarmDocumentError(f"{where}.identifier", "required (or id): the alarm's own id")


def _alert_code(issue: dict, where: str) -> str:
    codings = [c for c in many(issue["code"].get("coding")) if isinstance(c, dict)]
    for coding in codings:
        if "vkp-alert-code" in str(coding.get("system", "")) and coding.get("code"):
            return str(coding["code"])
    raise AlarmDocumentError(f"{where}.code", "no coding from the VKP alert code system")


def _device_id(issue: dict, lookup: _Lookup) -> str | None:
    for author in many(issue.get("author")):
        if not isinstance(author, dict):
            continue
        target = lookup(author.get("reference")) or {}
        reference = str(author.get("reference") or "")
        if author.get("type") != "Device" and target.get("resourceType") != "Device" \
                and not reference.startswith("Device/"):
            continue
        for identifier in many(author.get("identifier")) + many(target.get("identifier")):
            if isinstance(identifier, dict) and identifier.get("value"):
                return str(identifier["value"])
        return reference.removeprefix("Device/") or _text(author.get("display"))
    return None


def _linked(entry: dict, entries: list[dict], alone: bool) -> list[tuple[str, dict]]:
    """Resources belonging to one DetectedIssue: referenced by it or referring to it; when
    the Bundle holds one alarm, every Encounter/MedicationDispense/Patient/Device in it."""
    issue = entry["resource"]
    own = {str(entry.get("fullUrl")), f"DetectedIssue/{issue.get('id')}"}
    mentioned = set(_reference_strings(issue))
    out = []
    for other in entries:
        resource = other.get("resource") or {}
        if resource is issue or resource.get("resourceType") not in LINKED_TYPES:
            continue
        names = {str(other.get("fullUrl")), f"{resource.get('resourceType')}/{resource.get('id')}"}
        if alone or names & mentioned or own & set(_reference_strings(resource)):
            out.append((str(other.get("fullUrl") or ""), resource))
    return out


def _reference_strings(value: object):
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for child in value.values():
            yield from _reference_strings(child)
    elif isinstance(value, list):
        for child in value:
            yield from _reference_strings(child)


def _aware(value: object, element: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise AlarmDocumentError(element, "required: date and time with time zone")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise AlarmDocumentError(element, "not an ISO 8601 date-time") from None
    if moment.tzinfo is None or "T" not in value:
        raise AlarmDocumentError(element, "must include a time and a time zone")
    return moment


def _text(value: object) -> str | None:
    return str(value)[:2000] if isinstance(value, (str, int, float)) and value != "" else None
