"""Loopback HTTP stand-ins for delivery receivers: real sockets on 127.0.0.1, scripted
answers, every request kept for the test to inspect."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Answer:
    status: int
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Received], Answer]


@contextmanager
def standin(handler: Handler):
    """A real HTTP server on 127.0.0.1 answering every request with `handler(request)`;
    yields (base URL, list of received requests)."""
    received: list[Received] = []
    lock = threading.Lock()

    class _Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Received(self.command, self.path,
                               {k.lower(): v for k, v in self.headers.items()},
                               self.rfile.read(length))
            with lock:
                received.append(request)
            answer = handler(request)
            body = json.dumps(answer.body).encode() if answer.body is not None else b""
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if body:
                self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def scripted(*statuses: int, location: str | None = None) -> Handler:
    """Answers with `statuses` in turn, then the last one forever."""
    left = list(statuses)
    lock = threading.Lock()

    def handle(_request: Received) -> Answer:
        with lock:
            status = left.pop(0) if len(left) > 1 else left[0]
        headers = {"Location": location} if location and status < 300 else {}
        return Answer(status, headers=headers)

    return handle
