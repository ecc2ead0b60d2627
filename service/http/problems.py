"""Every error as an RFC 9457 problem document (application/problem+json)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.errors import ModelError, ModelNotFoundError
from pipelines.errors import (
    AudioError,
    AudioTooLargeError,
    AudioTooLongError,
    UnsupportedFormatError,
)
from service.core.errors import Problem
from structuring.errors import DiktaError

PROBLEM_TYPE = "https://dikta.no/problems/"
_log = logging.getLogger("dikta.service")


class ProblemDocument(BaseModel):
    """RFC 9457 problem details, as every Dikta error is answered."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    request_id: str | None = None
    errors: list[dict] | None = Field(None, description="Invalid fields (422 only)")


def document_problems(app: FastAPI) -> None:
    """Make the OpenAPI document say what errors really look like: problem+json."""
    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version,
                           description=app.description, routes=app.routes)
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas["ProblemDocument"] = ProblemDocument.model_json_schema(
            ref_template="#/components/schemas/{model}")
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        problem = {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/ProblemDocument"}}}
        outcome = {"application/fhir+json": {"schema": {
            "type": "object", "required": ["resourceType", "issue"],
            "properties": {"resourceType": {"const": "OperationOutcome"},
                           "issue": {"type": "array", "items": {"type": "object"}}}}}}
        for path, operations in spec.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                if path.startswith("/v1") and method in ("post", "put", "patch"):
                    responses.setdefault("413", {"description": "Request body too large"})
                if path.startswith("/v1"):
                    # Every /v1 operation authenticates, checks scopes, validates input and
                    # is rate limited; one naming a resource may not find it.
                    for status, text in (("401", "No or unknown API key"),
                                         ("403", "The API key lacks the needed scope"),
                                         ("422", "Invalid request"),
                                         ("429", "Rate limit or queue full (Retry-After)")):
                        responses.setdefault(status, {"description": text})
                    if "{" in path:
                        responses.setdefault("404", {"description": "No such resource "
                                                     "for this tenant"})
                if path.startswith("/fhir/") and path != "/fhir/metadata":
                    for status, text in (("400", "Invalid search parameter or cursor"),
                                         ("401", "No or unacceptable access token"),
                                         ("403", "The access token lacks the scope"),
                                         ("429", "Rate limit (Retry-After)")):
                        responses.setdefault(status, {"description": text})
                    if "{" in path:
                        responses.setdefault("404", {"description": "Not found"})
                for status, response in responses.items():
                    if status.startswith(("4", "5")):
                        response["content"] = outcome if path.startswith("/fhir/") \
                            else problem
        app.openapi_schema = spec
        return spec

    app.openapi = openapi


def problem_response(request: Request, status: int, title: str, detail: str, kind: str,
                     headers: dict[str, str] | None = None, **extra: object) -> JSONResponse:
    if request.url.path.startswith("/fhir/"):  # FHIR clients read OperationOutcome
        return JSONResponse(operation_outcome(status, detail), status_code=status,
                            headers=headers, media_type="application/fhir+json")
    body = {"type": PROBLEM_TYPE + kind, "title": title, "status": status, "detail": detail,
            "instance": request.url.path,
            "request_id": getattr(request.state, "request_id", None), **extra}
    return JSONResponse(body, status_code=status, headers=headers,
                        media_type="application/problem+json")


FHIR_ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found",
                    405: "not-supported", 413: "too-costly", 422: "invalid",
                    429: "throttled"}


def operation_outcome(status: int, detail: str) -> dict:
    """A FHIR R4 OperationOutcome: the feed's errors, in the form its clients expect."""
    return {"resourceType": "OperationOutcome", "issue": [{
        "severity": "error" if status < 500 else "fatal",
        "code": FHIR_ISSUE_CODES.get(status, "exception"), "diagnostics": detail}]}


def _audio_status(exc: AudioError) -> tuple[int, str, str]:
    if isinstance(exc, (AudioTooLargeError, AudioTooLongError)):
        return 413, "Audio too large", "audio-too-large"
    if isinstance(exc, UnsupportedFormatError):
        return 415, "Unsupported audio format", "unsupported-audio"
    return 422, "Audio cannot be used", "bad-audio"


def register_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem):
        extra = {"errors": exc.errors} if exc.errors is not None else {}
        return problem_response(request, exc.status, exc.title, exc.detail, exc.kind,
                                exc.headers, **extra)

    @app.exception_handler(AudioError)
    async def _audio(request: Request, exc: AudioError):
        status, title, kind = _audio_status(exc)
        return problem_response(request, status, title, str(exc), kind)

    @app.exception_handler(ModelNotFoundError)
    async def _model(request: Request, exc: ModelNotFoundError):
        return problem_response(request, 404, "Model not found", str(exc), "model-not-found")

    @app.exception_handler(ModelError)
    async def _model_error(request: Request, exc: ModelError):
        return problem_response(request, 503, "Model unavailable", str(exc),
                                "model-unavailable")

    @app.exception_handler(DiktaError)
    async def _dikta(request: Request, exc: DiktaError):
        return problem_response(request, 500, "Server problem", str(exc), "server")

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")}
                  for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem_response(request, 422, "Invalid request", detail, "invalid-request",
                                errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return problem_response(request, exc.status_code, str(exc.detail), str(exc.detail),
                                "http", dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # Never echo the exception text: it might hold patient data. The log line (JSON,
        # exception type and frames only) carries the request id the client was given.
        from service.core.logs import request_id_var

        token = request_id_var.set(getattr(request.state, "request_id", None))
        try:
            _log.error("unhandled error", exc_info=exc,
                       extra={"route": getattr(request.scope.get("route"), "path", None),
                              "error_type": type(exc).__name__})
        finally:
            request_id_var.reset(token)
        return problem_response(request, 500, "Internal error",
                                "an unexpected error occurred; see the server log by request id",
                                "internal")
