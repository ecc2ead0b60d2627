"""The OpenAPI document as checked into docs/openapi.json (the versioned API contract).

`python scripts/openapi.py` (or `make openapi`) writes it; tests/test_openapi_doc.py fails
when the app's schema drifts from the file, so a change of the API is a change of the file
in the same commit — reviewable, and visible to client authors.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def openapi_document() -> dict:
    """The schema of an app built with default settings in a throw-away data directory."""
    from service.core.settings import Settings
    from service.http.app import create_app

    with tempfile.TemporaryDirectory(prefix="dikta-openapi-") as tmp:
        app = create_app(Settings(data_dir=Path(tmp), database_url=None), load_model=False)
        try:
            return app.openapi()
        finally:
            app.state.dikta.store.engine.dispose()


def render(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write(path: Path = DOCUMENT) -> bool:
    """Write the document; True when the file changed."""
    text = render(openapi_document())
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
