"""Opaque paging cursors: a keyset position signed with HMAC, bound to who asked and what.

A client gets a cursor with a page and hands it back unchanged; Dikta alone reads it. The
signature covers the position, the tenant and the query's filters, so a cursor that was
edited, made up, or taken to another tenant or another query is refused (400), never
followed — keyset paging must not become a way to probe rows by guessing positions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime

from service.core.errors import Problem

MAX_CURSOR_CHARS = 512


class CursorCodec:
    def __init__(self, key: bytes | None = None) -> None:
        self.key = key or secrets.token_bytes(32)

    @classmethod
    def for_settings(cls, settings) -> CursorCodec:
        secret = settings.feed.cursor_key
        return cls(bytes.fromhex(secret.get_secret_value()) if secret else None)

    def encode(self, scope: str, position: tuple[datetime, str]) -> str:
        """A cursor for the page after `position` (created/updated time, id) in `scope`
        (tenant + filters)."""
        at, row_id = position
        body = json.dumps([at.isoformat(), row_id], separators=(",", ":")).encode()
        payload = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
        return f"{payload}.{self._sign(scope, payload)}"

    def decode(self, scope: str, cursor: str, *, field: str = "cursor") -> tuple[datetime, str]:
        def bad() -> Problem:
            return Problem(400, "Invalid cursor", f"'{field}' is not a cursor this server "
                           "issued for this query", kind="invalid-cursor")

        if len(cursor) > MAX_CURSOR_CHARS or cursor.count(".") != 1:
            raise bad()
        payload, signature = cursor.split(".")
        if not hmac.compare_digest(signature, self._sign(scope, payload)):
            raise bad()
        try:
            at, row_id = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            return datetime.fromisoformat(at), str(row_id)
        except (ValueError, TypeError):  # signed by us, so only a key change gets here
            raise bad() from None

    def _sign(self, scope: str, payload: str) -> str:
        mac = hmac.new(self.key, f"{scope}\n{payload}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode()
