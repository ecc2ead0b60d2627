"""Structuring a dictation's text for a tenant — the one place that decides which template,
written standard and language a note gets: the tenant's own settings where set, the
service's otherwise, explicit choices (a CLI flag) over both. Used by the dictation job,
nurse edits, `dikta batch` and `dikta structure|note`."""

from __future__ import annotations

from datetime import datetime

from service.tenants.profile import TenantProfile
from structuring.note import StructuredNote


def structure_for_tenant(text: str, profile: TenantProfile, *, language: str = "nb",
                         recorded_at: datetime | None = None, template: str | None = None,
                         standard: str | None = None) -> StructuredNote:
    """The structured note of `text` (dictated in `language`) as `profile`'s tenant writes
    notes; `template`/`standard` override the profile (e.g. `dikta structure --template`)."""
    from structuring.written_standard import write_note

    return write_note(text, template=template or profile.template,
                      language="nn" if language == "nn" else "nb",
                      standard=standard or profile.written_standard, recorded_at=recorded_at)
