"""The ASR draft and the approved text of every approved note, for `dikta eval corrections`
(the figures are computed by evaluation.corrections; the texts never leave the process)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from service.core.store import Dictation, NoteVersion, Store, Tenant


def draft_and_approved(store: Store) -> Iterator[tuple[str, str, str, str, str]]:
    """(tenant name, dialect, approval month YYYY-MM, ASR draft, approved text)."""
    with store.session() as s:
        approved = s.execute(
            select(Dictation, Tenant.name).join(Tenant, Tenant.id == Dictation.tenant_id)
            .where(Dictation.approved_at.is_not(None)))
        for row, tenant in approved:
            # Newest first, so the first approval wins: an amendment made later corrects the
            # journal, not what the recogniser heard.
            versions = {v.kind: v for v in s.scalars(
                select(NoteVersion).where(NoteVersion.dictation_id == row.id)
                .order_by(NoteVersion.version.desc()))}
            draft, final = versions.get("asr_draft"), versions.get("approved")
            if draft is not None and final is not None:
                yield (tenant, row.dialect or "ukjent", row.approved_at.strftime("%Y-%m"),
                       draft.text, final.text)
