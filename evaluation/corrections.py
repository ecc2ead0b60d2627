"""Live accuracy: every approved note is a free reference for the ASR draft it came from.

WER of the ASR draft (note version 1) against the approved text, per tenant, dialect and
month — computed inside the database's process; only the figures leave it, never text.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from evaluation.metrics import corpus_rate, word_errors
from evaluation.normalize import NorwegianNormalizer
from service.store import Dictation, NoteVersion, Store, Tenant


def correction_report(store: Store, normalizer=NorwegianNormalizer()) -> list[dict]:
    groups: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    with store.session() as s:
        approved = s.execute(
            select(Dictation, Tenant.name).join(Tenant, Tenant.id == Dictation.tenant_id)
            .where(Dictation.approved_at.is_not(None)))
        for row, tenant in approved:
            versions = {v.kind: v for v in s.scalars(
                select(NoteVersion).where(NoteVersion.dictation_id == row.id))}
            draft, final = versions.get("asr_draft"), versions.get("approved")
            if draft is None or final is None:
                continue
            counts = word_errors(normalizer(final.text), normalizer(draft.text))
            month = row.approved_at.strftime("%Y-%m")
            groups[(tenant, row.dialect or "ukjent", month)].append(
                (counts.errors, counts.reference_words))
    return [{"tenant": tenant, "dialect": dialect, "month": month, "notes": len(items),
             "wer": corpus_rate([e for e, _ in items], [w for _, w in items])}
            for (tenant, dialect, month), items in sorted(groups.items())]
