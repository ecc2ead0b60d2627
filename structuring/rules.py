"""Loading the rule files in structuring/data: validated on load, unknown keys rejected.

The rules are data so that a clinician can review and extend them without reading code.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from structuring.errors import DiktaError


class RuleFileError(DiktaError, ValueError):
    """A rule file is missing keys, has unknown ones, or values of the wrong kind."""


@lru_cache(maxsize=None)
def load_rules(name: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
               ) -> dict[str, Any]:
    """The parsed rule file `structuring/data/<name>.json`, checked against its keys."""
    text = resources.files("structuring").joinpath(f"data/{name}.json").read_text("utf-8")
    data = json.loads(text)
    keys = {k for k in data if not k.startswith("_")} - {"version"}
    missing = set(required) - keys
    unknown = keys - set(required) - set(optional)
    if missing or unknown:
        raise RuleFileError(f"{name}.json: missing keys {sorted(missing)}, "
                            f"unknown keys {sorted(unknown)}")
    return data
