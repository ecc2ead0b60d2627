"""What each kind of target receives: a renderer per connector kind turns an approved note
version into the document to send (or None: this note has nothing for that target).

Renderers run inside the approval transaction (`enqueue_deliveries`), so they read what they
need through the session they get and never talk to the network.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from service.core.store import Dictation, NoteVersion

Renderer = Callable[[Session, Dictation, NoteVersion, object], "dict | None"]


def _jft(session: Session, row: Dictation, version: NoteVersion, target) -> dict | None:
    from service.deliveries.jft import render_jft

    return render_jft(session, row, version, target)


def _fhir(session: Session, row: Dictation, version: NoteVersion, target) -> dict | None:
    from service.deliveries.fhir import render_fhir

    return render_fhir(session, row, version, target)


def _rest_json(session: Session, row: Dictation, version: NoteVersion,
               target) -> dict | None:
    from service.deliveries.rest_json import render_rest_json

    return render_rest_json(session, row, version, target)


RENDERERS: dict[str, Renderer] = {"jft": _jft, "fhir": _fhir, "rest_json": _rest_json}
"""`RENDERERS[kind](session, row, version, target) -> dict | None`."""


def register_renderer(kind: str, renderer: Renderer) -> None:
    RENDERERS[kind] = renderer
