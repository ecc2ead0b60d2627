"""docs/openapi.json is the app's schema: a change of the API without `make openapi` fails."""

from __future__ import annotations

import json

from service.http.openapi_doc import DOCUMENT, openapi_document, render


def test_checked_in_openapi_document_matches_the_app():
    current = openapi_document()
    recorded = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    changed = sorted(set(current["paths"]) ^ set(recorded["paths"])) + sorted(
        p for p in set(current["paths"]) & set(recorded["paths"])
        if current["paths"][p] != recorded["paths"][p])
    assert render(current) == DOCUMENT.read_text(encoding="utf-8"), (
        f"docs/openapi.json is out of date (paths differing: {changed or 'none; components'}); "
        "run `make openapi` and commit the file")


def test_document_declares_the_feed_and_worklist_contract():
    recorded = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    paths = recorded["paths"]
    for path in ("/v1/dictations", "/v1/dictations/{dictation_id}/text",
                 "/fhir/DocumentReference", "/fhir/Composition", "/fhir/metadata",
                 "/fhir/DocumentReference/{document_id}/$journaling-acknowledged"):
        assert path in paths, path
    listing = paths["/v1/dictations"]["get"]
    assert [p["name"] for p in listing["parameters"]] == [
        "patient_ref", "status", "since", "cursor", "limit"]
    page = recorded["components"]["schemas"]["DictationPage"]
    assert set(page["properties"]) == {"items", "next_cursor"}
