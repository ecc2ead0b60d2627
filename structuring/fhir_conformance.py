"""Reading a FHIR conformance folder (StructureDefinitions, CodeSystems, ValueSets).

The VKP specification ships its resources in both FHIR XML and FHIR JSON; both are turned
into the JSON shape here so the checker in `fhir_profiles.py` sees one form. The files are
read from a directory the caller passes in (they are licensed reference data that must not
be copied into the repository), never from package data.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

FHIR_NS = "{http://hl7.org/fhir}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"


def read_resource(path: Path) -> dict:
    """One FHIR resource file (XML or JSON) as a JSON-shaped dict."""
    try:
        if path.suffix.lower() == ".json":
            return json.loads(path.read_text(encoding="utf-8"))
        root = ET.parse(path).getroot()  # expat resolves no external entities
    except (ValueError, ET.ParseError) as exc:
        raise ValueError(f"{path.name}: not a readable FHIR resource ({exc})") from None
    resource = _xml_node(root)
    if not isinstance(resource, dict):
        resource = {}
    resource["resourceType"] = _local(root.tag)
    return resource


def read_folder(directory: Path) -> list[dict]:
    """Every resource file under `directory` (recursively), in a stable order."""
    files = sorted(p for p in directory.rglob("*") if p.suffix.lower() in (".xml", ".json"))
    return [read_resource(p) for p in files]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_node(node: ET.Element) -> object:
    """FHIR XML → JSON shape: a `value` attribute is a primitive; children become keys.

    XML does not say which children repeat, so a child seen once is a single value and one
    seen more often a list; readers treat both alike (see `many`).
    """
    children = [c for c in node if isinstance(c.tag, str) and not c.tag.startswith(XHTML_NS)]
    if not children and "value" in node.attrib:
        return node.attrib["value"]
    grouped: dict[str, list] = {}
    for attribute in ("id", "url"):  # element/@id and extension/@url are XML attributes
        if attribute in node.attrib:
            grouped[attribute] = [node.attrib[attribute]]
    if "value" in node.attrib:
        grouped["value"] = [node.attrib["value"]]
    for child in children:
        grouped.setdefault(_local(child.tag), []).append(_xml_node(child))
    return {k: v[0] if len(v) == 1 else v for k, v in grouped.items()}


def many(value: object) -> list:
    """A JSON value as a list (absent → [], single → [value])."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
