"""Form fields must be valid UTF-8.

Starlette decodes a multipart field that is not valid UTF-8 as Latin-1, so `pas-\\xff` would
be stored as "pas-ÿ" — a patient reference nobody sent. This parser refuses such a field with
422 naming it. Starlette offers no hook for it, hence the one replacement below, made by the
app factory.
"""

from __future__ import annotations

import starlette.requests
from fastapi import HTTPException
from starlette.formparsers import MultiPartParser


class StrictMultiPartParser(MultiPartParser):
    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None:
            try:
                bytes(part.data).decode(self._charset)
            except (UnicodeDecodeError, LookupError):
                raise HTTPException(422, f"{part.field_name}: is not valid UTF-8") from None
        super().on_part_end()


def use_strict_form_decoding() -> None:
    starlette.requests.MultiPartParser = StrictMultiPartParser  # type: ignore[misc]
