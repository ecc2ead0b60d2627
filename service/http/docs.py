"""The interactive API docs (/docs Swagger UI, /redoc ReDoc), served wholly by Dikta.

FastAPI's default pages load Swagger UI and ReDoc from a CDN (and ReDoc Google Fonts): an
offline site shows a blank page, and a connected one tells a third party who reads the
docs. Here the JavaScript and CSS come from the `fastapi-offline` package's copies under
/docs/static, and each page carries a Content-Security-Policy that allows only this origin
(the one inline script of Swagger UI by its SHA-256, not 'unsafe-inline').
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_URL = "/docs/static"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def assets_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def docs_policy(html: bytes) -> str:
    """CSP for a docs page: own origin only; inline scripts only those in `html`, by hash."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'"
                      for s in _INLINE_SCRIPT.findall(html))
    return ("default-src 'none'; "
            f"script-src 'self' {hashes}".rstrip() + "; "
            "style-src 'self' 'unsafe-inline'; "  # both UIs set inline styles
            "img-src 'self' data:; font-src 'self' data:; "
            "connect-src 'self'; worker-src 'self' blob:; "  # ReDoc searches in a worker
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def mount_docs(app: FastAPI) -> None:
    """/docs and /redoc with self-hosted assets. The app must be created with
    docs_url=None, redoc_url=None (FastAPI's CDN pages off)."""
    app.mount(STATIC_URL, StaticFiles(directory=assets_dir()), name="docs-static")
    title = app.title

    def page(html: HTMLResponse) -> HTMLResponse:
        html.headers["content-security-policy"] = docs_policy(html.body)
        return html

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return page(get_swagger_ui_html(
            openapi_url=app.openapi_url, title=f"{title} – API",
            swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/favicon.png",
            oauth2_redirect_url=None,
            # No validator badge: Swagger UI would send the spec's URL to validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None}))

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return page(get_redoc_html(
            openapi_url=app.openapi_url, title=f"{title} – API",
            redoc_js_url=f"{STATIC_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{STATIC_URL}/favicon.png", with_google_fonts=False))
