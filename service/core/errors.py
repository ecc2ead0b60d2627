"""What a use case says when it cannot do what was asked: an RFC 9457 problem (status,
title, detail, kind). The core raises it without knowing HTTP; the HTTP layer answers it as
application/problem+json and the CLI prints its detail."""

from __future__ import annotations


class Problem(Exception):
    """A refusal with its status (HTTP semantics: 404, 409, 422 …), for any caller."""

    def __init__(self, status: int, title: str, detail: str, *, kind: str = "error",
                 headers: dict[str, str] | None = None,
                 errors: list[dict] | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.kind = status, title, detail, kind
        self.headers = headers or {}
        self.errors = errors
        """Invalid fields or elements ({"loc": [...], "msg": ...}), as a 422 lists them."""
