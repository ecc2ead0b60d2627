"""Paste-ready note text through Jinja2 templates: the shipped ones (`plain`, `isbar`,
`funksjonsomrader`, package data in data/text_templates/) and a tenant's own.

Templates run in Jinja2's immutable sandbox with autoescape off (the output is plain text
for an EPJ field, not HTML). They see only plain data — dicts, lists, strings — built here
from the note: never an ORM row, a settings object or a Python internal; attributes that
start with an underscore and every mutating method are refused by the sandbox.

What a template sees (all of it, documented for template authors in docs/epj-integration.md):

    note.language     "nb" | "nn"
    note.template     the note's section template: "funksjonsomrader" | "isbar"
    note.sections     non-empty sections in template order: {key, title, text, sentences}
                      (sentences: [{text, review}]; text: the sentences joined, unsure ones
                      marked "[kontroller]")
    section.<key>     every section of both section templates, empty ones with text ""
    note.events       welfare-technology events: {technology, event, time, response,
                      false_alarm, vkp_code, line}
    note.entities     {type, value, dose, route, negated}
    meta.patient_ref, meta.author, meta.date ("04.03.2026 kl. 14.45", Norwegian time),
    meta.dictation_id, meta.approved (bool)

A rendered text has trailing spaces removed, at most one blank line in a row, and ends with
exactly one newline — templates need not fight Jinja's whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from structuring.errors import DiktaError
from structuring.export import REVIEW_MARK, _event_line
from structuring.note import StructuredNote
from structuring.sections import template as section_template

SHIPPED = ("plain", "isbar", "funksjonsomrader")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_SOURCE_CHARS = 64 * 1024
MAX_OUTPUT_CHARS = 256 * 1024
OSLO = ZoneInfo("Europe/Oslo")


class TextTemplateError(DiktaError):
    """A template cannot be used; the message names the line (or the name) at fault."""


@dataclass(frozen=True)
class TextMeta:
    dictation_id: str | None = None
    patient_ref: str | None = None
    author: str | None = None
    date: datetime | None = None
    approved: bool = False


def check_name(name: str) -> str:
    if not NAME_PATTERN.match(name or ""):
        raise TextTemplateError("template name must be 1–64 characters: lower-case letters, "
                                "digits, '-' or '_', starting with a letter or digit")
    return name


def shipped_source(name: str) -> str:
    """The source of a shipped template; TextTemplateError for other names."""
    if name not in SHIPPED:
        raise TextTemplateError(f"no template named '{name}'")
    return (resources.files("structuring") / "data" / "text_templates" / f"{name}.j2") \
        .read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined,
                                        trim_blocks=True, lstrip_blocks=True,
                                        keep_trailing_newline=True)
    env.globals = {"range": env.globals["range"], "namespace": env.globals["namespace"]}
    return env


@lru_cache(maxsize=64)
def _compiled(source: str):
    from jinja2 import TemplateSyntaxError

    if len(source) > MAX_SOURCE_CHARS:
        raise TextTemplateError(f"template is longer than {MAX_SOURCE_CHARS} characters")
    try:
        return _environment().from_string(source)
    except TemplateSyntaxError as exc:
        raise TextTemplateError(f"line {exc.lineno}: {exc.message}") from None


def render_text(note: dict, source: str, meta: TextMeta | None = None) -> str:
    """The note as text through the template `source` (a shipped one: shipped_source)."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    compiled = _compiled(source)
    context = template_context(note, meta or TextMeta())
    parts, size = [], 0
    try:
        for chunk in compiled.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TextTemplateError(f"template output is over {MAX_OUTPUT_CHARS} "
                                        "characters")
            parts.append(chunk)
    except SecurityError:
        raise TextTemplateError("template reaches outside the note data "
                                "(not allowed)") from None
    except TemplateError as exc:
        raise TextTemplateError(f"template cannot render: {exc.message}"[:300]) from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TextTemplateError(f"template cannot render ({type(exc).__name__})") from None
    return _tidy("".join(parts))


def validate_template(source: str) -> None:
    """Refuse (TextTemplateError) a template that does not parse, or that fails on any of
    the sample notes: both section templates, with and without events, empty, nynorsk."""
    _compiled(source)
    for note, meta in _samples():
        render_text(note, source, meta)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return tidy + "\n" if tidy else ""


def template_context(note: dict, meta: TextMeta) -> dict:
    structured = StructuredNote.from_dict(note)
    nn = structured.language == "nn"
    sections = {}
    for name in ("funksjonsomrader", "isbar"):
        for info in section_template(name):
            sections.setdefault(info.key, {"key": info.key,
                                           "title": info.title_nn if nn else info.title,
                                           "text": "", "sentences": []})
    for info in section_template(structured.template):  # the note's own titles win
        sections[info.key]["title"] = info.title_nn if nn else info.title
    for sentence in structured.sentences:
        entry = sections.setdefault(sentence.section, {"key": sentence.section,
                                                       "title": sentence.section,
                                                       "text": "", "sentences": []})
        entry["sentences"].append({"text": sentence.text, "review": sentence.review})
    for entry in sections.values():
        entry["text"] = " ".join(f"{s['text']} {REVIEW_MARK}" if s["review"] else s["text"]
                                 for s in entry["sentences"])
    order = [info.key for info in section_template(structured.template)]
    present = [sections[k] for k in order if sections[k]["sentences"]]
    present += [v for k, v in sections.items() if k not in order and v["sentences"]]
    return {
        "note": {
            "language": structured.language, "template": structured.template,
            "sections": present,
            "events": [{"technology": e.technology, "event": e.event.replace("_", " "),
                        "time": e.time, "false_alarm": e.false_alarm,
                        "response": [r.replace("_", " ") for r in e.response],
                        "vkp_code": e.vkp_code, "line": _event_line(e)}
                       for e in structured.events],
            "entities": [{"type": e.type, "value": e.value, "dose": e.dose,
                          "route": e.route, "negated": e.negated}
                         for e in structured.entities],
        },
        "section": sections,
        "meta": {"dictation_id": meta.dictation_id, "patient_ref": meta.patient_ref,
                 "author": meta.author, "approved": meta.approved,
                 "date": _norwegian_time(meta.date) if meta.date else None},
    }


def _norwegian_time(at: datetime) -> str:
    local = at.astimezone(OSLO) if at.tzinfo else at
    return local.strftime("%d.%m.%Y kl. %H.%M")


@lru_cache(maxsize=1)
def _samples() -> tuple:
    from structuring.note import ClinicalEntity, NoteSentence, WelfareTechEvent

    def note(template: str, language: str, keys: list[str], events: bool) -> dict:
        sentences = tuple(NoteSentence(f"Setning {i}.", key, review=i == 0)
                          for i, key in enumerate(keys))
        entities = (ClinicalEntity("vital.pulse", "60", 0),) if sentences else ()
        found = (WelfareTechEvent("trygghetsalarm", "alarm_utlost", "02:10",
                                  ("tilsyn",), False, "3", (0,)),) if events else ()
        return StructuredNote(sentences, entities, found, template=template,
                              language=language).to_dict()

    meta = TextMeta("d0", "pas-1", "Kari", datetime(2026, 3, 4, 13, 45, tzinfo=OSLO), True)
    everything = [s.key for s in section_template("funksjonsomrader")]
    isbar = [s.key for s in section_template("isbar")]
    return (
        (note("funksjonsomrader", "nb", everything, True), meta),
        (note("funksjonsomrader", "nn", ["annet"], False), TextMeta()),
        (note("isbar", "nb", isbar, True), meta),
        (note("isbar", "nn", [], False), TextMeta()),
    )
