"""A StructuredNote as paste-ready text, JSON, or a FHIR R4 Bundle for the EPJ.

FHIR: a `document` Bundle whose Composition has one section per journal section, vitals as
Observations with LOINC codes and UCUM units, given medications as MedicationAdministration,
and each welfare-technology event as its own Communication coded with the VKP alert code.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from itertools import groupby

from structuring.fhir_ids import stable_uuid
from structuring.note import StructuredNote
from structuring.rules import load_rules
from structuring.sections import template

# Vital sign → (LOINC code, display, UCUM unit).
VITALS_LOINC = {
    "vital.pulse": ("8867-4", "Heart rate", "/min"),
    "vital.temperature": ("8310-5", "Body temperature", "Cel"),
    "vital.spo2": ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%"),
    "vital.respiratory_rate": ("9279-1", "Respiratory rate", "/min"),
    "vital.blood_glucose": ("2339-0", "Glucose [Mass/volume] in Blood", "mmol/L"),
    "vital.weight": ("29463-7", "Body weight", "kg"),
    "pain_score": ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
                   "{score}"),
    "fluid_intake": ("9000-1", "Fluid intake oral Estimated", "mL"),
}
BLOOD_PRESSURE = ("85354-9", "Blood pressure panel", "8480-6", "8462-4")
LOINC, UCUM = "http://loinc.org", "http://unitsofmeasure.org"
SECTION_SYSTEM = "urn:dikta:journal-section"
HPR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.4"  # Helsepersonellregisteret number


REVIEW_MARK = "[kontroller]"  # after a sentence the nurse should check (section or time unsure)


def _marked(sentence) -> str:
    return f"{sentence.text} {REVIEW_MARK}" if getattr(sentence, "review", False) \
        else sentence.text


def section_titles(template_name: str, language: str = "nb") -> dict[str, str]:
    return {s.key: s.title_nn if language == "nn" else s.title for s in template(template_name)}


def to_text(note: StructuredNote) -> str:
    """Paste-ready text: sentences grouped under their section headings, in template order."""
    titles = section_titles(note.template, note.language)
    order = {key: i for i, key in enumerate(titles)}
    blocks = []
    ordered = sorted(note.sentences, key=lambda s: order.get(s.section, len(order)))
    for key, sentences in groupby(ordered, key=lambda s: s.section):
        blocks.append(f"{titles.get(key, key)}:\n" + " ".join(_marked(s) for s in sentences))
    for event in note.events:
        label = "hending" if note.language == "nn" else "hendelse"
        blocks.append(f"Velferdsteknologi – {label}: {_event_line(event)}")
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _event_line(event) -> str:
    parts = [event.technology, event.event.replace("_", " ")]
    if event.time:
        parts.append(f"kl. {event.time.replace(':', '.')}")
    if event.response:
        parts.append("tiltak: " + ", ".join(r.replace("_", " ") for r in event.response))
    if event.false_alarm:
        parts.append("falsk alarm")
    return "; ".join(parts)


def to_json(note: StructuredNote) -> str:
    return json.dumps(note.to_dict(), ensure_ascii=False, indent=2) + "\n"


def to_fhir(note: StructuredNote, *, patient_reference: str = "Patient/ukjent",
            now: datetime | None = None, dictation_id: str | None = None,
            version: int | None = None, recorded_at: datetime | None = None,
            approved_at: datetime | None = None, approver: str | None = None,
            approver_id: str | None = None) -> dict:
    """A FHIR R4 document Bundle (as a dict), validated against the fhir.resources models.

    With `dictation_id` (and `version`) every id is derived from them, so exporting the same
    version twice gives the same document (receivers de-duplicate on ids); without, ids are
    random (a note that is not stored). `approved_at` makes the document `final` with the
    approver as author and legal attester; before approval it is `preliminary`. Clinical
    times are `recorded_at` (when the nurse dictated), else `now`.
    """
    now = _aware(now or datetime.now(UTC))
    effective = _aware(recorded_at) or now
    stamp = effective.isoformat(timespec="seconds")
    approved = _aware(approved_at)
    subject = {"reference": patient_reference}
    entries: list[dict] = []
    by_section: dict[str, list[str]] = {}
    ids = _id_maker(dictation_id, version)
    status = "final" if approved else "preliminary"

    def add(resource: dict, section: str) -> None:
        resource["id"] = ids(f"entry:{len(entries)}")
        entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
        by_section.setdefault(section, []).append(f"urn:uuid:{resource['id']}")

    for entity in note.entities:
        section = note.sentences[entity.sentence].section
        if entity.type == "vital.blood_pressure":
            add(_blood_pressure(entity.value, subject, stamp, status), section)
        elif entity.type in VITALS_LOINC:
            add(_observation(entity.type, entity.value, subject, stamp, status), section)
        elif entity.type == "medication":
            add(_medication(entity, subject, stamp), section)
    for event in note.events:
        add(_event_communication(event, subject, stamp), "velferdsteknologi")
    composition = _composition(note, subject, stamp, by_section)
    composition["id"] = ids("composition")
    if approved:
        party = {"display": approver or "ukjent"}
        if approver_id:
            party["identifier"] = {"system": HPR_SYSTEM, "value": approver_id}
        composition.update(status="final", author=[party], attester=[
            {"mode": "legal", "time": approved.isoformat(timespec="seconds"), "party": party}])
    bundle = {
        "resourceType": "Bundle", "id": ids("bundle"), "type": "document",
        "timestamp": (approved or (effective if recorded_at else now)).isoformat(
            timespec="seconds"),
        "entry": [{"fullUrl": f"urn:uuid:{composition['id']}", "resource": composition},
                  *entries],
    }
    validate_fhir(bundle)
    return bundle


def _aware(moment: datetime | None) -> datetime | None:
    """A stored time without zone is UTC (SQLite drops the zone of timestamptz columns)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _id_maker(dictation_id: str | None, version: int | None):
    if dictation_id is None:
        return lambda role: str(uuid.uuid4())
    return lambda role: stable_uuid(dictation_id, version, role)


def validate_fhir(bundle: dict) -> None:
    """Raise if the bundle is not valid FHIR (fhir.resources R4B models, R4-compatible)."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)


def _composition(note: StructuredNote, subject: dict, stamp: str,
                 refs: dict[str, list[str]]) -> dict:
    titles = section_titles(note.template, note.language)
    sections = []
    for key, title in titles.items():
        sentences = [_marked(s) for s in note.sentences if s.section == key]
        if not sentences and key not in refs:
            continue
        section = {
            "title": title,
            "code": {"coding": [{"system": SECTION_SYSTEM, "code": key, "display": title}]},
            "text": {"status": "generated",
                     "div": _xhtml(" ".join(sentences) or title)},
        }
        if key in refs:
            section["entry"] = [{"reference": ref} for ref in refs[key]]
        sections.append(section)
    return {
        "resourceType": "Composition", "status": "preliminary",
        "type": {"text": "Sykepleienotat"}, "subject": subject, "date": stamp,
        "author": [{"display": "Dikta (diktert, ikke godkjent)"}],
        "title": "Journalnotat", "language": "nb" if note.language != "nn" else "nn",
        "section": sections,
    }


def _xhtml(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{escaped}</p></div>'


def _vital_category() -> list[dict]:
    return [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                         "code": "vital-signs", "display": "Vital Signs"}]}]


def _observation(kind: str, value: str, subject: dict, stamp: str,
                 status: str = "preliminary") -> dict:
    code, display, unit = VITALS_LOINC[kind]
    return {
        "resourceType": "Observation", "status": status, "category": _vital_category(),
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
        "subject": subject, "effectiveDateTime": stamp,
        "valueQuantity": {"value": float(value), "unit": unit, "system": UCUM, "code": unit},
    }


def _blood_pressure(value: str, subject: dict, stamp: str,
                    status: str = "preliminary") -> dict:
    panel, display, systolic, diastolic = BLOOD_PRESSURE
    high, low = (float(v) for v in value.split("/"))
    component = lambda code, name, v: {
        "code": {"coding": [{"system": LOINC, "code": code, "display": name}]},
        "valueQuantity": {"value": v, "unit": "mm[Hg]", "system": UCUM, "code": "mm[Hg]"}}
    return {
        "resourceType": "Observation", "status": status, "category": _vital_category(),
        "code": {"coding": [{"system": LOINC, "code": panel, "display": display}]},
        "subject": subject, "effectiveDateTime": stamp,
        "component": [component(systolic, "Systolic blood pressure", high),
                      component(diastolic, "Diastolic blood pressure", low)],
    }


def _medication(entity, subject: dict, stamp: str) -> dict:
    resource = {
        "resourceType": "MedicationAdministration", "status": "completed",
        "medicationCodeableConcept": {"text": entity.value},
        "subject": subject, "effectiveDateTime": stamp,
    }
    if entity.dose or entity.route:
        dosage: dict = {}
        if entity.dose:
            dosage["text"] = entity.dose
        if entity.route:
            dosage["route"] = {"text": entity.route}
        resource["dosage"] = dosage
    return resource


def _event_communication(event, subject: dict, stamp: str) -> dict:
    system = load_rules("welfare_technology")["vkp_alert_system"]
    coding = [{"system": system, "code": event.vkp_code}] if event.vkp_code else []
    return {
        "resourceType": "Communication", "status": "completed",
        "category": [{"coding": coding, "text": f"{event.technology}: {event.event}"}],
        "subject": subject, "sent": stamp,
        "payload": [{"contentString": _event_line(event)}],
    }
