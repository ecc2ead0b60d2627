"""Optional system resources: Dikta works without them, a little worse, and says so — once
at start in the log and always in `/readyz`'s detail — instead of skipping quietly."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

log = logging.getLogger("dikta.resources")


@dataclass(frozen=True)
class Resource:
    name: str
    available: bool
    without_it: str


def optional_resources() -> list[Resource]:
    from pipelines import orthography
    from structuring import written_standard

    return [
        Resource("wnorwegian bokmål word list", orthography.available("bokmaal"),
                 "Whisper's Danish/Swedish spellings are kept (bokmål)"),
        Resource("wnorwegian nynorsk word list", orthography.available("nynorsk"),
                 "Whisper's Danish/Swedish spellings are kept (nynorsk)"),
        Resource("Apertium nob→nno", written_standard.available(
            written_standard.STANDARDS["nynorsk"][1]),
                 "notes of a nynorsk tenant stay in bokmål, with a warning on the note"),
        Resource("Apertium nno→nob", written_standard.available(written_standard.TO_BOKMAAL),
                 "nynorsk dictations are structured without translation to bokmål first"),
    ]


def report_missing(resources: list[Resource] | None = None) -> list[dict]:
    """Log each missing resource once; the list for `/readyz`."""
    resources = optional_resources() if resources is None else resources
    for resource in resources:
        if not resource.available:
            log.warning("optional resource missing", extra={
                "event": f"{resource.name}: {resource.without_it}"})
    return [asdict(r) for r in resources]
