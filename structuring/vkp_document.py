"""An approved note about welfare-technology alarms as a VKP journal document (FHIR Bundle).

JFT (and VKP before it) takes a `document` Bundle whose first entry is a Composition with the
`vkp-Composition-v090` profile: LOINC 34133-9, a category, the patient, a timeline of
`event.code`s (0 meldt at the alarm's time, then the response steps), sections with narrative
text, and `section.entry` pointing at the DetectedIssue(s) the note documents, carried in the
same Bundle. The mapping from what the nurse said (responses, false alarm) to event codes is
data (`structuring/data/vkp_timeline.json`) so a clinician can review it.

The alarm's code and time win over the dictation's: the dictated time is what the nurse
remembered, the alarm's is what the device recorded. Ids are derived from the dictation id and
version, so a retried delivery sends the same document.
"""

from __future__ import annotations

import copy
import html
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from urllib.parse import quote

from structuring.alarm import AlarmInput
from structuring.errors import DiktaError
from structuring.fhir_ids import stable_uuid
from structuring.rules import load_rules

VKP = "http://ehelse.no/fhir"
COMPOSITION_PROFILE = f"{VKP}/StructureDefinition/vkp-Composition-v090"
DETECTED_ISSUE_PROFILE = f"{VKP}/StructureDefinition/vkp-DetectedIssue-v090"
ALERT_SYSTEM = f"{VKP}/CodeSystem/vkp-alert-code-v090"
CATEGORY_SYSTEM = f"{VKP}/CodeSystem/vkp-composition-category-v090"
EVENT_SYSTEM = f"{VKP}/CodeSystem/vkp-composition-event-v090"
SECTION_SYSTEM = f"{VKP}/CodeSystem/vkp-composition-section-v090"
NATIONAL_ID_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.1"
HPR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.4"  # Helsepersonellregisteret number
ORGNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.101"  # Enhetsregisteret (organisation number)
PATIENT_REF_SYSTEM = "urn:dikta:patient-ref"  # a tenant's own patient reference, by default
SEVERITIES = ("high", "moderate", "low")  # DetectedIssue.severity (required binding in R4)
DRAFT_AUTHOR = "Dikta (diktert, ikke godkjent)"


class VkpDocumentError(DiktaError):
    """The note cannot become a VKP document (no patient, approval data missing, …)."""


@dataclass(frozen=True)
class Approver:
    """Who approved the note: display name and (when known) an id, by default an HPR number."""

    display: str
    id: str | None = None
    system: str = HPR_SYSTEM


@dataclass(frozen=True)
class Organisation:
    """The municipality/unit responsible for the journal (custodian)."""

    orgnr: str | None
    name: str | None = None


@dataclass(frozen=True)
class DocumentContext:
    """What the document needs beyond the note: which version, whose, approved when/by whom.

    `patient_ref` is the tenant's own patient reference (used as the subject's identifier
    in `patient_system` when no national ID is known).
    """

    dictation_id: str
    version: int
    status: str  # "preliminary" | "final"
    recorded_at: datetime
    approved_at: datetime | None = None
    approver: Approver | None = None
    organisation: Organisation | None = None
    patient_ref: str | None = None
    patient_system: str = PATIENT_REF_SYSTEM


@dataclass(frozen=True)
class LinkedAlarm(AlarmInput):
    """An alarm documented by the note's event number `event_index`."""

    event_index: int = 0

    @classmethod
    def of(cls, event_index: int, alarm: object) -> LinkedAlarm:
        """From an AlarmInput or any object with the same fields (e.g. a stored alarm)."""
        values = {f.name: getattr(alarm, f.name, None) for f in fields(AlarmInput)}
        values["resources"] = values["resources"] or {}
        return cls(event_index=event_index, **values)


def vkp_document(note: dict, alarms: list[LinkedAlarm], ctx: DocumentContext) -> dict:
    """The VKP Composition document Bundle for one note version (see the module docstring).

    Lenient in what it takes from callers: a StructuredNote for `note`, (event index, alarm)
    pairs for `alarms`, a plain name or dict for the approver/organisation.
    """
    if hasattr(note, "to_dict"):
        note = note.to_dict()
    alarms = [a if isinstance(a, LinkedAlarm) else LinkedAlarm.of(*a) for a in alarms]
    ctx = _normalised(ctx)
    _check_context(ctx)
    table = load_rules("vkp_timeline")
    ids = _Ids(ctx)
    alarms = sorted(alarms, key=lambda a: (a.event_index, a.occurred_at))
    subject = _subject(alarms, ctx)
    issues = [(ids.url(_alarm_role(a)), _detected_issue(a, subject, ids)) for a in alarms]
    urls = {_alarm_role(a): url for a, (url, _) in zip(alarms, issues)}
    known = {url for url, _ in issues}
    for _url, resource in issues:
        _drop_dangling(resource, known, subject)
    composition = {
        "resourceType": "Composition", "id": ids.id("composition"),
        "meta": {"profile": [COMPOSITION_PROFILE]},
        "identifier": {"system": "urn:ietf:rfc:3986", "value": ids.url("composition")},
        "status": ctx.status,
        "type": {"coding": [dict(table["document_type"])]},
        "category": [_category(alarms, note, table)],
        "subject": subject,
        "date": _iso(ctx.recorded_at),
        "author": [_author(ctx)],
        "title": table["title"].get(note.get("language", "nb"), table["title"]["nb"]),
        "event": _timeline(note, alarms, urls, ctx, table),
        "section": _sections(note, alarms, urls, ctx, table),
    }
    if note.get("language") in ("nb", "nn"):
        composition["language"] = note["language"]
    if ctx.status == "final":
        composition["attester"] = [{"mode": "legal", "time": _iso(ctx.approved_at),
                                    "party": _approver_reference(ctx.approver)}]
    if ctx.organisation is not None and (ctx.organisation.orgnr or ctx.organisation.name):
        composition["custodian"] = _organisation(ctx.organisation)
    return {
        "resourceType": "Bundle", "id": ids.id("bundle"),
        "identifier": {"system": "urn:ietf:rfc:3986", "value": ids.url("bundle")},
        "type": "document",
        "timestamp": _iso(ctx.approved_at if ctx.status == "final" else ctx.recorded_at),
        "entry": [{"fullUrl": ids.url("composition"), "resource": composition},
                  *({"fullUrl": url, "resource": resource} for url, resource in issues)],
    }


class _Ids:
    def __init__(self, ctx: DocumentContext) -> None:
        self.ctx = ctx

    def id(self, role: str) -> str:
        return stable_uuid(self.ctx.dictation_id, self.ctx.version, role)

    def url(self, role: str) -> str:
        return f"urn:uuid:{self.id(role)}"


def _normalised(ctx: DocumentContext) -> DocumentContext:
    changes: dict = {}
    if isinstance(ctx.approver, str):
        changes["approver"] = Approver(display=ctx.approver)
    elif isinstance(ctx.approver, dict):
        changes["approver"] = Approver(**ctx.approver)
    if isinstance(ctx.organisation, dict):
        changes["organisation"] = Organisation(**ctx.organisation)
    return replace(ctx, **changes) if changes else ctx


def _check_context(ctx: DocumentContext) -> None:
    if ctx.status not in ("preliminary", "final"):
        raise VkpDocumentError(f"status must be preliminary or final, not {ctx.status!r}")
    moments = [ctx.recorded_at] + ([ctx.approved_at] if ctx.approved_at else [])
    if any(m.tzinfo is None for m in moments):
        raise VkpDocumentError("recorded_at and approved_at must carry a time zone")
    if ctx.status == "final" and (ctx.approved_at is None or ctx.approver is None):
        raise VkpDocumentError("a final VKP document needs approved_at and the approver")


def _alarm_role(alarm: LinkedAlarm) -> str:
    return f"alarm:{alarm.source}:{alarm.source_id}"


def _subject(alarms: list[LinkedAlarm], ctx: DocumentContext) -> dict:
    """VKP names the patient by a logical reference: the national ID when any alarm has it."""
    national_id = next((a.national_id for a in alarms if a.national_id), None)
    if national_id:
        return {"type": "Patient",
                "identifier": {"system": NATIONAL_ID_SYSTEM, "value": national_id}}
    patient_ref = ctx.patient_ref or next((a.patient_ref for a in alarms if a.patient_ref),
                                          None)
    if not patient_ref:
        raise VkpDocumentError("no patient: neither a national ID nor a patient reference")
    return {"type": "Patient", "identifier": {"system": ctx.patient_system, "value": patient_ref}}


def _detected_issue(alarm: LinkedAlarm, subject: dict, ids: _Ids) -> dict:
    """The alarm as received when it came as FHIR, else built from its fields."""
    original = [r for r in alarm.resources.get("DetectedIssue") or [] if isinstance(r, dict)]
    if original:
        return copy.deepcopy(original[0])
    resource = {
        "resourceType": "DetectedIssue", "id": ids.id(_alarm_role(alarm)),
        "meta": {"profile": [DETECTED_ISSUE_PROFILE]},
        "identifier": [{"system": f"urn:dikta:alarm-source:{quote(alarm.source, safe='')}",
                        "value": alarm.source_id}],
        "status": "final",
        "code": {"coding": [{"system": ALERT_SYSTEM, "code": alarm.vkp_code}]},
        "patient": copy.deepcopy(subject),
        "identifiedDateTime": _iso(alarm.occurred_at),
    }
    if alarm.severity in SEVERITIES:
        resource["severity"] = alarm.severity
    if alarm.device_id:
        resource["author"] = {"type": "Device", "identifier": {"value": alarm.device_id}}
    if alarm.detail:
        resource["detail"] = alarm.detail
    return resource


def _drop_dangling(resource: dict, known: set[str], subject: dict) -> None:
    """A urn:uuid reference into the sender's Bundle would dangle in ours: keep what else
    the reference says (identifier, display), and name the patient as the document does."""
    patient = resource.get("patient")
    if isinstance(patient, dict) and str(patient.get("reference", "")).startswith("urn:") \
            and patient["reference"] not in known:
        resource["patient"] = copy.deepcopy(subject)

    def walk(value: object) -> None:
        if isinstance(value, dict):
            reference = value.get("reference")
            if isinstance(reference, str) and reference.startswith("urn:uuid:") \
                    and reference not in known:
                del value["reference"]
                if not value:
                    value["display"] = "utenfor dokumentet"
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(resource)


def _category(alarms: list[LinkedAlarm], note: dict, table: dict) -> dict:
    codes = [a.vkp_code for a in alarms] + [e.get("vkp_code") for e in note.get("events", [])]
    first = next((c for c in codes if c), "")
    by_code = table["category_by_alert_code"]
    code = by_code.get(first.split(".", 1)[0], by_code["*"])
    return {"coding": [{"system": CATEGORY_SYSTEM, "code": code,
                        "display": table["categories"][code]}]}


def _author(ctx: DocumentContext) -> dict:
    if ctx.approver is not None:
        return _approver_reference(ctx.approver)
    return {"type": "Device", "display": DRAFT_AUTHOR}


def _approver_reference(approver: Approver | None) -> dict:
    if approver is None:
        raise VkpDocumentError("the approver is missing")
    reference: dict = {"type": "Practitioner", "display": approver.display}
    if approver.id:
        reference["identifier"] = {"system": approver.system, "value": approver.id}
    return reference


def _organisation(organisation: Organisation) -> dict:
    reference: dict = {"type": "Organization"}
    if organisation.orgnr:
        reference["identifier"] = {"system": ORGNR_SYSTEM, "value": organisation.orgnr}
    if organisation.name:
        reference["display"] = organisation.name
    return reference


# -- the timeline ---------------------------------------------------------------------------

def _timeline(note: dict, alarms: list[LinkedAlarm], urls: dict[str, str],
              ctx: DocumentContext, table: dict) -> list[dict]:
    """0 meldt at each alarm's time, then per note event: handling, responses, false alarm
    (a period from the alarm to the dictation) and the closing step at the dictation."""
    out: list[dict] = []
    events = note.get("events", [])

    def step(code: str, start: datetime, end: datetime | None = None,
             detail: list[dict] | None = None) -> None:
        period = {"start": _iso(start)}
        if end is not None and end > start:
            period["end"] = _iso(end)
        item: dict = {"code": [{"coding": [{"system": EVENT_SYSTEM, "code": code,
                                            "display": table["events"][code]}]}],
                      "period": period}
        if detail:
            item["detail"] = detail
        out.append(item)

    for index in sorted({a.event_index for a in alarms} | set(range(len(events)))):
        linked = [a for a in alarms if a.event_index == index]
        event = events[index] if 0 <= index < len(events) else None
        for alarm in linked:
            step(table["reported_step"], alarm.occurred_at,
                 detail=[{"reference": urls[_alarm_role(alarm)]}])
        start = linked[0].occurred_at if linked else _said_time(event, ctx.recorded_at)
        if event is None:
            continue
        if not linked and event.get("time"):
            step(table["reported_step"], start)
        for code in _response_codes(event, table):
            step(code, start, ctx.recorded_at)
        for code in table["closing_steps"]:
            step(code, max(start, ctx.recorded_at))
    return out


def _response_codes(event: dict, table: dict) -> list[str]:
    codes = list(table["handling_steps"])
    for response in event.get("response", []):
        codes += table["response_steps"].get(response, [])
    if event.get("false_alarm"):
        codes += table["false_alarm_steps"]
    return list(dict.fromkeys(codes))


def _said_time(event: dict | None, recorded_at: datetime) -> datetime:
    """The dictated HH:MM on the dictation's day (the day before when that is later)."""
    said = (event or {}).get("time")
    if not said:
        return recorded_at
    hour, minute = (int(x) for x in said.split(":"))
    moment = recorded_at.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment - timedelta(days=1) if moment > recorded_at else moment


# -- the narrative --------------------------------------------------------------------------

def _sections(note: dict, alarms: list[LinkedAlarm], urls: dict[str, str],
              ctx: DocumentContext, table: dict) -> list[dict]:
    events = note.get("events", [])
    sentences = [s.get("text", "") for s in note.get("sentences", [])]
    about_events = {i for e in events for i in e.get("sentences", [])}
    alarm_lines = [_alarm_line(a, events, table) for a in alarms] or \
                  [_event_line(e, table) for e in events]
    responses = [table["response_labels"].get(r, r.replace("_", " "))
                 for e in events for r in e.get("response", [])]
    out = []

    def section(key: str, lines: list[str], entries: list[str] | None = None) -> None:
        lines = [line for line in lines if line]
        if not lines and not entries:
            return
        spec = table["sections"][key]
        item: dict = {"title": spec["title"],
                      "code": {"coding": [{"system": SECTION_SYSTEM, "code": spec["code"],
                                           "display": spec["display"]}]},
                      "text": {"status": "generated", "div": _xhtml(lines or [spec["title"]])}}
        if entries:
            item["entry"] = [{"reference": url} for url in entries]
        out.append(item)

    section("alarm_information", alarm_lines, [urls[_alarm_role(a)] for a in alarms])
    if any(e.get("false_alarm") for e in events):
        section("reason", [table["false_alarm_label"].capitalize() + "."])
    section("response_summary", [", ".join(dict.fromkeys(responses)).capitalize()])
    section("response_elaboration",
            [" ".join(s for i, s in enumerate(sentences) if i in about_events)])
    section("note", [" ".join(s for i, s in enumerate(sentences) if i not in about_events)])
    if ctx.status == "final" and ctx.approver is not None:
        who = ctx.approver.display + (f" ({ctx.approver.id})" if ctx.approver.id else "")
        section("signature", [f"{who}, {_local(ctx.approved_at)}"])
    return out


def _alarm_line(alarm: LinkedAlarm, events: list[dict], table: dict) -> str:
    event = events[alarm.event_index] if 0 <= alarm.event_index < len(events) else {}
    parts = [f"Alarm {alarm.vkp_code}"]
    if event.get("technology"):
        parts.append(str(event["technology"]))
    parts.append(f"meldt {_local(alarm.occurred_at)}")
    if alarm.device_id:
        parts.append(f"enhet {alarm.device_id}")
    if alarm.detail:
        parts.append(alarm.detail)
    return ", ".join(parts) + "."


def _event_line(event: dict, table: dict) -> str:
    parts = [str(event.get("technology", "")), str(event.get("event", "")).replace("_", " ")]
    if event.get("vkp_code"):
        parts.append(f"kode {event['vkp_code']}")
    if event.get("time"):
        parts.append(f"kl. {event['time'].replace(':', '.')}")
    return ", ".join(p for p in parts if p) + "."


def _xhtml(lines: list[str]) -> str:
    body = "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines)
    return f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'


def _iso(moment: datetime | None) -> str:
    if moment is None:
        raise VkpDocumentError("a time is missing")
    return moment.isoformat(timespec="seconds")


def _local(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%d.%m.%Y kl. %H.%M")
