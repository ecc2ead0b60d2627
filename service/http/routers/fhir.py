"""The pull feed for EPJs that fetch (use cases: service/feed/documents.py).

    GET  /fhir/metadata                                   CapabilityStatement (no token)
    GET  /fhir/DocumentReference?patient=&_lastUpdated=&_tag:not=&_count=&_cursor=
    GET  /fhir/DocumentReference/{id}
    POST /fhir/DocumentReference/{id}/$journaling-acknowledged
    GET  /fhir/Composition?…   (the same search parameters)
    GET  /fhir/Composition/{id}

Only approved notes of the calling EPJ client's tenant; drafts never. Unknown search
parameters are refused (400), never ignored: a misspelt filter must not return everything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.core.errors import Problem
from service.feed import documents
from service.feed.documents import FeedQuery
from service.http.deps import audit
from service.http.feed_auth import EpjClientDep, require_epj_scope
from structuring.document_reference import DocumentType, stable_id

router = APIRouter(prefix="/fhir", tags=["fhir feed"])
FHIR_JSON = "application/fhir+json"
SEARCH_PARAMETERS = ("patient", "_lastUpdated", "_tag:not", "_count", "_cursor", "_format")
ACKNOWLEDGE = "$journaling-acknowledged"
UNACKNOWLEDGED_TAG = f"{documents.JOURNALING_SYSTEM}|{documents.JOURNALED}"


def _fhir(body: dict, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)


def _bad(field: str, detail: str) -> Problem:
    return Problem(400, "Invalid search", f"'{field}' {detail}", kind="invalid-query")


def _query(request: Request) -> FeedQuery:
    params = request.query_params
    for name in params:
        if name not in SEARCH_PARAMETERS:
            raise _bad(name, "is not a supported search parameter (see /fhir/metadata)")
    for name in ("patient", "_tag:not", "_count", "_cursor"):
        if len(params.getlist(name)) > 1:
            raise _bad(name, "may be given once")
    patient = params.get("patient")
    if patient is not None:
        patient = patient.removeprefix("Patient/")
        if not patient or len(patient) > 200 or "/" in patient:
            raise _bad("patient", "must be a patient id or Patient/<id>")
    updated = []
    for value in params.getlist("_lastUpdated"):
        op, text = value[:2], value[2:]
        if op not in documents.COMPARATORS:
            raise _bad("_lastUpdated", "must start with gt, ge, lt or le")
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            raise _bad("_lastUpdated", "must be a FHIR dateTime after its prefix") from None
        updated.append((op, at if at.tzinfo else at.replace(tzinfo=UTC)))
    tag = params.get("_tag:not")
    if tag is not None and tag != UNACKNOWLEDGED_TAG:
        raise _bad("_tag:not", f"supports only {UNACKNOWLEDGED_TAG} (not yet journaled)")
    feed = request.app.state.dikta.settings.feed
    count = feed.page_size
    if "_count" in params:
        try:
            count = int(params["_count"])
        except ValueError:
            raise _bad("_count", "must be a whole number") from None
        if not 1 <= count <= feed.max_page_size:
            raise _bad("_count", f"must be between 1 and {feed.max_page_size}")
    cursor = params.get("_cursor")
    if cursor is not None and len(cursor) > 512:
        raise _bad("_cursor", "is not a cursor this server issued")
    return FeedQuery(patient_ref=patient, last_updated=tuple(updated),
                     unacknowledged=tag is not None, cursor=cursor, count=count)


def _document_type(request: Request) -> DocumentType:
    configured = request.app.state.dikta.settings.feed.document_type
    return DocumentType(configured.system, configured.code, configured.display)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def _searchset(request: Request, resource_type: str, client, render) -> JSONResponse:
    state = request.app.state.dikta
    query = _query(request)
    entries, cursor = documents.search(state, client.id, resource_type, query, state.cursors)
    audit(request, "list", resource_type, None, query.patient_ref)
    base = _base(request)
    links = [{"relation": "self", "url": str(request.url)}]
    if cursor:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "_cursor"]
        params.append(("_cursor", cursor))
        links.append({"relation": "next",
                      "url": f"{base}/{resource_type}?{urlencode(params)}"})
    bundle_entries = []
    for item in entries:
        resource = render(item, _document_type(request), client.tenant_name)
        audit(request, "read", resource_type, resource["id"], item.patient_ref)
        bundle_entries.append({"fullUrl": f"{base}/{resource_type}/{resource['id']}",
                               "resource": resource, "search": {"mode": "match"}})
    return _fhir({"resourceType": "Bundle", "type": "searchset",
                  "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
                  "link": links, "entry": bundle_entries})


@router.get("/DocumentReference", dependencies=[require_epj_scope("document_reference_scope")],
            responses={200: {"description": "searchset Bundle of DocumentReferences",
                             "content": {FHIR_JSON: {}}}})
def search_document_references(request: Request, client: EpjClientDep):
    """Approved notes of the client's tenant as DocumentReferences, oldest first."""
    return _searchset(request, "DocumentReference", client,
                      documents.document_reference_resource)


@router.get("/Composition", dependencies=[require_epj_scope("composition_scope")],
            responses={200: {"description": "searchset Bundle of Compositions",
                             "content": {FHIR_JSON: {}}}})
def search_compositions(request: Request, client: EpjClientDep):
    """Approved notes of the client's tenant as Compositions, oldest first."""
    return _searchset(request, "Composition", client, documents.composition_resource)


@router.get("/DocumentReference/{document_id}",
            dependencies=[require_epj_scope("document_reference_scope")],
            responses={200: {"content": {FHIR_JSON: {}}}, 404: {"description": "Not found"}})
def read_document_reference(request: Request, client: EpjClientDep, document_id: str):
    """One approved note as a DocumentReference."""
    entry = documents.entry(request.app.state.dikta, client.id, document_id)
    audit(request, "read", "DocumentReference", document_id, entry.patient_ref)
    return _fhir(documents.document_reference_resource(entry, _document_type(request),
                                                       client.tenant_name))


@router.get("/Composition/{composition_id}", dependencies=[require_epj_scope("composition_scope")],
            responses={200: {"content": {FHIR_JSON: {}}}, 404: {"description": "Not found"}})
def read_composition(request: Request, client: EpjClientDep, composition_id: str):
    """One approved note as a Composition (its id: see the DocumentReference's attachment)."""
    entry = documents.entry_by(request.app.state.dikta, client.id,
                               lambda d, v: stable_id(d, v, "entry-0") == composition_id)
    audit(request, "read", "Composition", composition_id, entry.patient_ref)
    return _fhir(documents.composition_resource(entry, _document_type(request),
                                                client.tenant_name))


@router.post(f"/DocumentReference/{{document_id}}/{ACKNOWLEDGE}",
             dependencies=[require_epj_scope("acknowledge_scope")],
             responses={200: {"description": "Parameters: when it was acknowledged",
                              "content": {FHIR_JSON: {}}},
                        404: {"description": "No approved note with that id"}})
def acknowledge(request: Request, client: EpjClientDep, document_id: str):
    """Mark the note journaled in the EPJ (idempotent: a repeat answers the first time).
    Journaled entries carry the tag urn:dikta:journaling|journaled; search with
    `_tag:not=urn:dikta:journaling|journaled` for those not yet journaled."""
    state = request.app.state.dikta
    entry, at, created = documents.acknowledge(state, client.id, document_id,
                                               client.actor.removeprefix("epj:"))
    audit(request, "acknowledge", "DocumentReference", document_id, entry.patient_ref)
    return _fhir({"resourceType": "Parameters", "parameter": [
        {"name": "acknowledged", "valueDateTime": at.isoformat(timespec="seconds")},
        {"name": "created", "valueBoolean": created}]})


@router.get("/metadata", responses={200: {"description": "CapabilityStatement",
                                          "content": {FHIR_JSON: {}}}})
def metadata(request: Request):
    """What this FHIR endpoint supports — exactly that, nothing more."""
    feed = request.app.state.dikta.settings.feed
    return _fhir(capability_statement(_base(request), feed, request.app.version))


def capability_statement(base: str, feed, version: str) -> dict:
    search = [
        {"name": "patient", "type": "reference",
         "documentation": "Patient/<id> or <id>: the EPJ's patient id"},
        {"name": "_lastUpdated", "type": "date",
         "documentation": "When the note version was approved; prefixes gt, ge, lt, le; "
                          "may repeat (a range)"},
        {"name": "_tag:not", "type": "token",
         "documentation": f"Only {UNACKNOWLEDGED_TAG}: entries not yet journaled"},
        {"name": "_count", "type": "number",
         "documentation": f"Page size, 1 to {feed.max_page_size}"},
        {"name": "_cursor", "type": "string",
         "documentation": "Opaque page token from the Bundle's next link"},
    ]
    ack = {"name": "journaling-acknowledged",
           "definition": f"{base}/OperationDefinition/journaling-acknowledged",
           "documentation": "POST /fhir/DocumentReference/{id}/$journaling-acknowledged "
                            "marks the note journaled (idempotent); needs the scope "
                            f"{feed.acknowledge_scope}"}
    security = {"cors": False, "service": [{"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
        "code": "SMART-on-FHIR"}]}],
        "description": "OAuth2 client credentials (private_key_jwt) access tokens of the "
                       f"configured identity provider (issuer {feed.issuer or 'not set'}, "
                       f"audience {feed.audience}); client id mapped to a tenant by "
                       "configuration"}
    return {
        "resourceType": "CapabilityStatement", "status": "active",
        "date": "2026-03-01", "kind": "instance", "fhirVersion": "4.0.1",
        "format": [FHIR_JSON, "json"],
        "software": {"name": "Dikta", "version": version},
        "implementation": {"description": "Dikta pull feed: approved nursing notes",
                           "url": base},
        "rest": [{"mode": "server", "security": security, "resource": [
            {"type": "DocumentReference", "interaction": [{"code": "read"},
                                                          {"code": "search-type"}],
             "searchParam": search, "operation": [ack],
             "documentation": f"Read scope {feed.document_reference_scope}"},
            {"type": "Composition", "interaction": [{"code": "read"},
                                                    {"code": "search-type"}],
             "searchParam": search,
             "documentation": f"Read scope {feed.composition_scope}"},
        ]}],
    }
