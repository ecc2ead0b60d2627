"""A municipality's proprietary journal API as configuration: which note field goes under
which key of the JSON body (the generic REST-JSON connector, service/deliveries/rest_json.py).

The mapping is a small JSON or YAML file a municipality's IT can read and edit. Its `body` is
the request body as the EPJ wants it; a string `$field` is replaced by that field of the note,
anything else is sent as written (`$$` starts a literal dollar):

```yaml
body:
  pasientId: $patient_ref
  notat: $text                  # paste-ready text with section headings
  forfatter: $author
  tidspunkt: $approved_at
  kilde: Dikta                  # a constant
  avsnitt:                      # one object per section, in template order
    $each: sections
    as: {overskrift: $heading, tekst: $text}
omit_empty: true                # leave out keys whose field is empty (null, "", [])
```

Fields: see `FIELDS` (and `SECTION_FIELDS` inside `$each: sections`). A mapping is checked
when it is loaded: an unknown field or key is an error naming its place, e.g.
`gerica.yaml: body.avsnitt.as.tekst: unknown section field '$txt'`. Pure: dicts in, dicts out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from structuring.errors import DiktaError
from structuring.export import section_titles, to_text
from structuring.note import StructuredNote

FIELDS = {
    "text": "the paste-ready note: sections with headings (as GET …/text without a template)",
    "plain_text": "the note's sentences as one paragraph, no headings",
    "sections": "list of sections in template order (use with $each)",
    "author": "who approved the note (as given at approval), or null",
    "recorded_at": "when the dictation was recorded (ISO 8601), or null",
    "approved_at": "when this version was approved (ISO 8601)",
    "patient_ref": "the EPJ's patient id the dictation was made for (never a national ID)",
    "dictation_id": "Dikta's dictation id",
    "version": "the approved note version (a number)",
    "supersedes": "on an amendment: the approved version it replaces (a number), else null",
    "external_id": "dictation id and version, e.g. 'abc123/3': unique per approved version",
    "note_type": "the dictation's note type, or null",
    "language": "nb or nn",
}
SECTION_FIELDS = {
    "key": "the section's key in the template, e.g. 'ernaering'",
    "heading": "the section's heading as the note's language writes it",
    "text": "the section's sentences",
}
_TOP_KEYS = ("body", "omit_empty")


class MappingError(DiktaError):
    """A journal mapping that cannot be used; the message names the element."""


@dataclass(frozen=True)
class JournalMapping:
    body: object
    omit_empty: bool = False

    @classmethod
    def parse(cls, data: object, *, where: str = "mapping") -> JournalMapping:
        """Check a loaded mapping (from JSON or YAML); errors name the offending element."""
        if not isinstance(data, dict):
            raise MappingError(f"{where}: must be an object with 'body'")
        unknown = sorted(set(data) - set(_TOP_KEYS))
        if unknown:
            raise MappingError(f"{where}: {unknown[0]}: unknown key (allowed: "
                               f"{', '.join(_TOP_KEYS)})")
        if "body" not in data:
            raise MappingError(f"{where}: body: missing")
        if not isinstance(data.get("omit_empty", False), bool):
            raise MappingError(f"{where}: omit_empty: must be true or false")
        try:
            _check(data["body"], "body", FIELDS, "field")
        except MappingError as exc:
            raise MappingError(f"{where}: {exc}") from None
        return cls(body=data["body"], omit_empty=data.get("omit_empty", False))

    @classmethod
    def from_text(cls, text: str, *, name: str = "mapping") -> JournalMapping:
        """A mapping file's text: JSON, or YAML when the name ends in .yaml/.yml."""
        if name.endswith((".yaml", ".yml")):
            import yaml

            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                at = f" at line {mark.line + 1}" if mark is not None else ""
                raise MappingError(f"{name}: not valid YAML{at}") from None
        else:
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise MappingError(f"{name}: not valid JSON (line {exc.lineno})") from None
        return cls.parse(data, where=name)

    def apply(self, fields: dict) -> object:
        """The request body for one note's `fields` (see `journal_fields`)."""
        return _fill(self.body, fields, self.omit_empty)


def _check(template: object, path: str, names: dict, what: str) -> None:
    if isinstance(template, str):
        if template.startswith("$") and not template.startswith("$$") \
                and template[1:] not in names:
            raise MappingError(f"{path}: unknown {what} '{template}' (known: "
                               f"{', '.join(sorted(names))})")
    elif isinstance(template, list):
        for index, item in enumerate(template):
            _check(item, f"{path}[{index}]", names, what)
    elif isinstance(template, dict):
        if "$each" in template:
            if set(template) != {"$each", "as"}:
                raise MappingError(f"{path}: '$each' takes exactly 'as' beside it")
            if template["$each"] != "sections":
                raise MappingError(f"{path}.$each: only 'sections' can be repeated")
            _check(template["as"], f"{path}.as", SECTION_FIELDS, "section field")
            return
        for key, value in template.items():
            if not isinstance(key, str):
                raise MappingError(f"{path}: keys must be text")
            _check(value, f"{path}.{key}", names, what)
    elif template is not None and not isinstance(template, (bool, int, float)):
        raise MappingError(f"{path}: unsupported value ({type(template).__name__})")


def _empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _fill(template: object, fields: dict, omit_empty: bool) -> object:
    if isinstance(template, str):
        if template.startswith("$$"):
            return template[1:]
        return fields[template[1:]] if template.startswith("$") else template
    if isinstance(template, list):
        return [_fill(item, fields, omit_empty) for item in template]
    if isinstance(template, dict):
        if "$each" in template:
            return [_fill(template["as"], section, omit_empty)
                    for section in fields[template["$each"]]]
        filled = {key: _fill(value, fields, omit_empty) for key, value in template.items()}
        return {k: v for k, v in filled.items() if not (omit_empty and _empty(v))}
    return template


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def journal_fields(note: dict, *, dictation_id: str, version: int, approved_at: datetime,
                   patient_ref: str | None, author: str | None = None,
                   recorded_at: datetime | None = None, supersedes: int | None = None,
                   note_type: str | None = None) -> dict:
    """Every field a mapping may name, for one approved note version."""
    structured = StructuredNote.from_dict(note)
    titles = section_titles(structured.template, structured.language)
    order = {key: i for i, key in enumerate(titles)}
    ordered = sorted(structured.sentences, key=lambda s: order.get(s.section, len(order)))
    sections = [{"key": key, "heading": titles.get(key, key),
                 "text": " ".join(s.text for s in group)}
                for key, group in ((k, list(g)) for k, g in
                                   groupby(ordered, key=lambda s: s.section))]
    return {
        "text": to_text(structured),
        "plain_text": structured.text,
        "sections": sections,
        "author": author,
        "recorded_at": _iso(recorded_at),
        "approved_at": _iso(approved_at),
        "patient_ref": patient_ref,
        "dictation_id": dictation_id,
        "version": version,
        "supersedes": supersedes,
        "external_id": f"{dictation_id}/{version}",
        "note_type": note_type,
        "language": "nn" if structured.language == "nn" else "nb",
    }
