"""The note's life after ASR: the nurse edits it, then approves it.

Every change is a new NoteVersion (asr_draft → edited … → approved); nothing is overwritten.
Approval is when the recording has served its purpose: by default it is deleted then
(pasientjournalforskriften § 8: audio is part of the journal only until written down).
"""

from __future__ import annotations

from sqlalchemy import func, select

from service.alarms.links import annotate, settle_links
from service.core import audio_files
from service.core.errors import Problem
from service.core.retention import kept_for_training
from service.core.store import Dictation, NoteVersion, utcnow
from service.deliveries.outbox import enqueue_deliveries, submit_deliveries
from service.dictations.create import owned_dictation
from service.notes.structure import structure_for_tenant
from service.stats.aggregates import bump
from service.tenants.profile import tenant_profile
from structuring.privacy import mask_national_ids


def _count_approval(session, row: Dictation, text: str) -> None:
    """The approval in the tenant's gains figures: words approved, audio behind them, and
    whether the nurse edited the draft first."""
    edited = session.scalar(select(func.count()).select_from(NoteVersion).where(
        NoteVersion.dictation_id == row.id, NoteVersion.kind == "edited")) or 0
    bump(session, row.tenant_id, row.approved_at, notes_approved=1,
         notes_edited=1 if edited else 0, approved_words=len(text.split()),
         approved_audio_seconds=row.audio_duration_s or 0.0)


def _latest(session, dictation_id: str) -> NoteVersion | None:
    return session.scalar(select(NoteVersion).where(NoteVersion.dictation_id == dictation_id)
                          .order_by(NoteVersion.version.desc()).limit(1))


def edit_note(state, tenant_id: str, dictation_id: str, text: str,
              author: str | None) -> Dictation:
    """Store the nurse's corrected text as a new version, structured again."""
    return _add_version(state, tenant_id, dictation_id, "edited", author, text)


def approve_note(state, tenant_id: str, dictation_id: str, author: str | None) -> Dictation:
    """Approve the latest version as it stands; the recording goes now unless retention
    keeps it."""
    return _add_version(state, tenant_id, dictation_id, "approved", author)


def _add_version(state, tenant_id: str, dictation_id: str, kind: str, author: str | None,
                 text: str | None = None) -> Dictation:
    owned = owned_dictation(state, tenant_id, dictation_id)
    outbox: list[str] = []
    with state.store.session() as s, s.begin():
        row = s.get(Dictation, owned.id, with_for_update=True)
        if row.status != "done":
            raise Problem(409, "Not transcribed yet", f"the dictation is {row.status}",
                          kind="not-ready")
        if row.approved_at is not None:
            raise Problem(409, "Already approved", "an approved note cannot be changed",
                          kind="approved")
        latest = _latest(s, row.id)
        number = s.scalar(select(func.max(NoteVersion.version))
                          .where(NoteVersion.dictation_id == row.id)) or 0
        if text is None:  # approval takes the latest text as it stands
            text, note = latest.text, latest.note  # a done dictation has its ASR draft
        else:
            text = mask_national_ids(text)  # an ID typed into a note is never stored
            profile = tenant_profile(state.store, state.settings, tenant_id)
            # The nurse edits the note in its own written standard.
            written_in = (latest.note or {}).get("language", row.language)
            note = structure_for_tenant(text, profile, language=written_in,
                                        recorded_at=row.recorded_at).to_dict()
        if kind == "approved":
            row.approved_at = utcnow()
            # Alarms linked to the note are documented by this approval (same transaction).
            note = settle_links(s, row, note, state.settings.alarms)
            _count_approval(s, row, text)
        else:  # the edited note's events are matched to the alarms again
            note = annotate(s, row, note, state.settings.alarms)
        version = NoteVersion(dictation_id=row.id, version=number + 1, kind=kind, text=text,
                              note=note, author=author)
        s.add(version)
        row.note, row.updated_at = note, row.approved_at or utcnow()
        if kind == "approved" and state.settings.retention.audio == "on_approval" and \
                not kept_for_training(row, state.settings.retention, row.approved_at):
            audio_files.remove(row.audio_path)
            row.audio_path = None
        if kind == "approved":
            s.flush()
            # After settle_links: the JFT document carries the settled alarms.
            outbox = enqueue_deliveries(s, row, version, state.settings)
    submit_deliveries(state.worker, outbox)  # after the commit, so a worker sees the rows
    return row
