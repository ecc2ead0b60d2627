"""The nurse's web app: `/` and its files under `/app/` (package data in
service/http/webapp/), served with a Content-Security-Policy that allows exactly the app's
own scripts, styles, manifest, icons and its WebSocket, and the microphone for this origin
only. The app talks to the same /v1 API as any other client; it needs no key to load."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from fastapi import APIRouter, Request, Response

from service.core.errors import Problem
from structuring.sections import template

router = APIRouter(include_in_schema=False)

TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".webmanifest": "application/manifest+json",
         ".png": "image/png", ".svg": "image/svg+xml", ".json": "application/json"}
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)?$")
# A Host header only ever becomes part of the policy if it is a plain host[:port].
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def app_policy(host: str | None) -> str:
    """The app's CSP: its own files only, no inline script or style, the API and live
    stream on this origin (CSP 'self' does not cover ws: in every browser, so the
    WebSocket origin is named)."""
    sockets = f" ws://{host} wss://{host}" if host and _HOST.match(host) else ""
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"manifest-src 'self'; connect-src 'self'{sockets}; media-src 'self' blob:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _headers(request: Request, cache: str) -> dict[str, str]:
    return {"Content-Security-Policy": app_policy(request.headers.get("host")),
            "Permissions-Policy": "microphone=(self), camera=(), geolocation=()",
            "Cache-Control": cache}


@lru_cache(maxsize=64)
def _asset(name: str) -> bytes | None:
    node = resources.files("service.http").joinpath("webapp")
    for part in name.split("/"):
        node = node.joinpath(part)
    return node.read_bytes() if node.is_file() else None


def _serve(request: Request, name: str, cache: str) -> Response:
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    data = _asset(name) if _NAME.match(name) and suffix in TYPES else None
    if data is None:
        raise Problem(404, "Not found", "no such file in the web app", kind="not-found")
    return Response(data, media_type=TYPES[suffix], headers=_headers(request, cache))


@router.get("/")
def index(request: Request) -> Response:
    """The app's page; always revalidated, so a new version reaches phones at once."""
    return _serve(request, "index.html", "no-cache")


@router.get("/app/sections.json")
def section_titles(request: Request) -> Response:
    """Section keys and their headings (bokmål, nynorsk) per template, from the same
    sections.json the structuring uses."""
    import json

    body = {name: [{"key": s.key, "nb": s.title, "nn": s.title_nn} for s in template(name)]
            for name in ("funksjonsomrader", "isbar")}
    return Response(json.dumps(body, ensure_ascii=False), media_type=TYPES[".json"],
                    headers=_headers(request, "no-cache"))


@router.get("/app/features.json")
def features(request: Request) -> Response:
    """Which optional parts of Dikta this server runs (the worklist, alarms, EPJ launch), so
    the app shows only what works instead of asking and failing."""
    import json

    routes = {(getattr(r, "path", ""), m) for r in request.app.routes
              for m in (getattr(r, "methods", None) or {"WS"})}
    paths = {path for path, _ in routes}
    body = {"worklist": ("/v1/dictations", "GET") in routes,
            "alarms": any(p.startswith("/v1/alarms") for p in paths),
            "smart": "/smart/context" in paths}
    return Response(json.dumps(body), media_type=TYPES[".json"],
                    headers=_headers(request, "no-store"))


@router.get("/app/{name:path}")
def asset(request: Request, name: str) -> Response:
    return _serve(request, name, "no-cache")
