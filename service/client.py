"""A typed Python client for Dikta's HTTP API (httpx), for EPJ integrators and scripts.

It speaks HTTP only and imports nothing of the server, so it can be copied out alone (with
httpx). Errors come back as `DiktaApiError` carrying the problem document (RFC 9457).

    from service.client import DiktaClient

    with DiktaClient("https://dikta.kommune.no", token="dk_…") as dikta:
        for dictation in dikta.iter_dictations(status="draft", patient_ref="pas-778"):
            print(dictation.id, dictation.stage)
        text = dikta.get_text(dictation_id, template="isbar")

With `session=True` the client authenticates with the SMART session cookie (after an EPJ
launch) and sends the `X-Dikta-Session: 1` header the server requires with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Self

import httpx

__all__ = ["Dictation", "DictationPage", "DiktaApiError", "DiktaClient", "NoteVersion",
           "TextTemplate"]


class DiktaApiError(Exception):
    """The server refused: `status`, and the problem document's title, detail and kind."""

    def __init__(self, status: int, problem: dict) -> None:
        self.status = status
        self.problem = problem
        self.title = str(problem.get("title", ""))
        self.detail = str(problem.get("detail", problem.get("issue", "")))
        self.kind = str(problem.get("type", "")).rsplit("/", 1)[-1]
        super().__init__(f"{status} {self.title}: {self.detail}")


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _form_value(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _known(cls, data: dict) -> dict:
    """Only the fields this client knows: a newer server may send more."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


@dataclass(frozen=True)
class Dictation:
    id: str
    status: str  # queued | running | done | failed | dead (processing)
    stage: str  # queued | transcribing | draft | approved | failed (as the nurse sees it)
    created_at: datetime
    updated_at: datetime
    attempts: int = 0
    patient_ref: str | None = None
    note_type: str | None = None
    language: str = "nb"
    recorded_at: datetime | None = None
    approved_at: datetime | None = None
    audio_stored: bool = False
    audio_duration_s: float | None = None
    error: str | None = None
    transcript: str | None = None  # only with the read_notes scope
    note: dict | None = None  # StructuredNote, only with the read_notes scope
    extra: dict = field(default_factory=dict)  # fields this client does not know

    @classmethod
    def from_json(cls, data: dict) -> Dictation:
        known = _known(cls, data)
        for name in ("created_at", "updated_at", "recorded_at", "approved_at"):
            known[name] = _time(data.get(name))
        known.setdefault("stage", "")
        extra = {k: v for k, v in data.items() if k not in known}
        return cls(**known, extra=extra)


@dataclass(frozen=True)
class DictationPage:
    items: list[Dictation]
    next_cursor: str | None


@dataclass(frozen=True)
class NoteVersion:
    version: int
    kind: str  # asr_draft | edited | approved
    text: str
    note: dict | None
    author: str | None
    created_at: datetime


@dataclass(frozen=True)
class TextTemplate:
    name: str
    origin: str  # shipped | tenant
    updated_at: datetime | None


class DiktaClient:
    def __init__(self, base_url: str, token: str | None = None, *, session: bool = False,
                 timeout_s: float = 30.0, transport: httpx.BaseTransport | None = None,
                 cookies: dict[str, str] | None = None) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if session:
            headers["X-Dikta-Session"] = "1"  # the server's CSRF guard for cookie sessions
        self._http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers,
                                  timeout=timeout_s, transport=transport, cookies=cookies,
                                  trust_env=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"title": response.reason_phrase, "detail": response.text[:300]}
            raise DiktaApiError(response.status_code, problem if isinstance(problem, dict)
                                else {"detail": str(problem)})
        return response

    # --- dictations ------------------------------------------------------------------

    def create_dictation(self, audio: bytes, filename: str = "dictation.wav", *,
                         idempotency_key: str | None = None, **metadata: Any) -> Dictation:
        """Upload a recording (metadata: patient_ref, note_type, language, recorded_at …)."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        data = {k: _form_value(v) for k, v in metadata.items() if v is not None}
        response = self._call("POST", "/v1/dictations", files={"file": (filename, audio)},
                              data=data, headers=headers)
        return Dictation.from_json(response.json())

    def list_dictations(self, *, patient_ref: str | None = None,
                        status: str | list[str] | None = None,
                        since: datetime | None = None, cursor: str | None = None,
                        limit: int | None = None) -> DictationPage:
        """One page of the worklist, newest first (status: stages, e.g. "draft")."""
        params: dict[str, Any] = {}
        if patient_ref is not None:
            params["patient_ref"] = patient_ref
        if status:
            params["status"] = status if isinstance(status, str) else ",".join(status)
        if since is not None:
            params["since"] = since.isoformat()
        if cursor:
            params["cursor"] = cursor
        if limit is not None:
            params["limit"] = limit
        body = self._call("GET", "/v1/dictations", params=params).json()
        return DictationPage([Dictation.from_json(i) for i in body["items"]],
                             body.get("next_cursor"))

    def iter_dictations(self, **filters: Any) -> Iterator[Dictation]:
        """Every dictation matching the filters, following the cursors."""
        cursor = None
        while True:
            page = self.list_dictations(**filters, cursor=cursor)
            yield from page.items
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def get_dictation(self, dictation_id: str) -> Dictation:
        return Dictation.from_json(self._call("GET", f"/v1/dictations/{dictation_id}").json())

    def delete_dictation(self, dictation_id: str) -> None:
        self._call("DELETE", f"/v1/dictations/{dictation_id}")

    # --- the note --------------------------------------------------------------------

    def put_note(self, dictation_id: str, note: str | dict[str, str],
                 author: str | None = None) -> Dictation:
        """Store the nurse's correction as a new version: the whole note as text (structured
        again), or its text per section key (the sentences stay in their sections)."""
        body = {"text": note} if isinstance(note, str) else {"sections": note}
        response = self._call("PUT", f"/v1/dictations/{dictation_id}/note",
                              json={**body, "author": author})
        return Dictation.from_json(response.json())

    def approve(self, dictation_id: str, author: str | None = None) -> Dictation:
        body = self._call("POST", f"/v1/dictations/{dictation_id}/approve",
                          json={"author": author}).json()
        return Dictation.from_json(body)

    def versions(self, dictation_id: str) -> list[NoteVersion]:
        body = self._call("GET", f"/v1/dictations/{dictation_id}/versions").json()
        return [NoteVersion(v["version"], v["kind"], v["text"], v.get("note"),
                            v.get("author"), _time(v["created_at"])) for v in body]

    def get_text(self, dictation_id: str, template: str = "plain") -> str:
        """The note as paste-ready text through a text template."""
        return self._call("GET", f"/v1/dictations/{dictation_id}/text",
                          params={"template": template}).text

    def get_fhir(self, dictation_id: str) -> dict:
        """The note as a FHIR R4 document Bundle (needs the export scope)."""
        return self._call("GET", f"/v1/dictations/{dictation_id}/fhir").json()

    # --- text templates --------------------------------------------------------------

    def text_templates(self) -> list[TextTemplate]:
        return [TextTemplate(t["name"], t["origin"], _time(t.get("updated_at")))
                for t in self._call("GET", "/v1/text-templates").json()]

    def put_text_template(self, name: str, source: str) -> TextTemplate:
        """Register the tenant's own template (admin scope); validated by the server."""
        t = self._call("PUT", f"/v1/text-templates/{name}", json={"source": source}).json()
        return TextTemplate(t["name"], t["origin"], _time(t.get("updated_at")))

    def delete_text_template(self, name: str) -> None:
        self._call("DELETE", f"/v1/text-templates/{name}")

    # --- welfare-technology alarms (issue 16) ---------------------------------------

    def list_alarms(self, **params: Any) -> Any:
        """The tenant's alarms (GET /v1/alarms; its shape is the alarms API's)."""
        return self._call("GET", "/v1/alarms",
                          params={k: v for k, v in params.items() if v is not None}).json()
