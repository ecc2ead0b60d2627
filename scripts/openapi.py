"""Regenerate docs/openapi.json from the app (`make openapi`); `--check` only compares
(exit 1 when the checked-in document is out of date)."""

from __future__ import annotations

import sys

from service.http.openapi_doc import DOCUMENT, openapi_document, render


def main(argv: list[str]) -> int:
    text = render(openapi_document())
    current = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
    if "--check" in argv:
        if text != current:
            print(f"{DOCUMENT} is out of date: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    if text != current:
        DOCUMENT.write_text(text, encoding="utf-8")
        print(f"wrote {DOCUMENT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
