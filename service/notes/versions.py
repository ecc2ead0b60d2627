"""The note's life after ASR: the nurse edits it, approves it, and may amend it later.

Every change is a new NoteVersion; nothing is overwritten:

    asr_draft → edited … → approved → amended … → approved → amended … → approved
                                     (POST …/amend)           (each approval supersedes
                                                               the approved one before it)

Before the first approval, edits are `edited`; after it, the amendment and every edit of it are
`amended`, so the history shows what changed after the journal had the note. While an
amendment is open the journal still holds the previous approved version
(`Dictation.approved_version`); approving again makes a new approved version that names the
one it `supersedes` (what write-back sends as FHIR `relatesTo` replaces).

Approval is when the recording has served its purpose: by default it is deleted then
(pasientjournalforskriften § 8: audio is part of the journal only until written down).

Concurrency: every change locks the dictation row first (SELECT … FOR UPDATE on PostgreSQL;
on SQLite a no-op UPDATE takes the write lock before anything is read, so no transaction
decides on a stale snapshot). Two nurses racing: the first wins, the second gets a 409 that
says why; the (dictation, version) unique key is the last guard that no version is lost.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

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
from structuring.clock_times import states_a_time
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


def approved_version(session, dictation_id: str,
                     version: int | None = None) -> NoteVersion | None:
    """The approved version the journal holds now (the newest approval), or approved
    `version` itself; None when there is none. Readers that must show what was approved
    (exports, feeds, write-back) use this rather than `Dictation.note`, which is the working
    version during an amendment."""
    query = select(NoteVersion).where(NoteVersion.dictation_id == dictation_id,
                                      NoteVersion.kind == "approved")
    if version is not None:
        query = query.where(NoteVersion.version == version)
    return session.scalar(query.order_by(NoteVersion.version.desc()).limit(1))


def edit_note(state, tenant_id: str, dictation_id: str, text: str,
              author: str | None) -> Dictation:
    """Store the nurse's corrected text as a new version, structured again (during an open
    amendment: a new `amended` version)."""
    return _add_version(state, tenant_id, dictation_id, "edited", author, text)


def amend_note(state, tenant_id: str, dictation_id: str, text: str,
               author: str | None) -> Dictation:
    """Open an amendment of the approved note with its corrected text: a new `amended`
    working version; the journal keeps the approved one until the amendment is approved."""
    return _add_version(state, tenant_id, dictation_id, "amended", author, text)


def edit_sections(state, tenant_id: str, dictation_id: str, sections: dict[str, str],
                  author: str | None) -> Dictation:
    """Store the nurse's text per section as a new version. Each section's text is
    structured on its own (entities, events, times) and every sentence stays in the section
    the nurse wrote it under: a section she chose is not second-guessed by the classifier.
    Sections left out are dropped; an empty text empties its section."""
    return _add_version(state, tenant_id, dictation_id, "edited", author, sections=sections)


def approve_note(state, tenant_id: str, dictation_id: str, author: str | None) -> Dictation:
    """Approve the latest version as it stands; the recording goes now unless retention
    keeps it. Approving an amendment supersedes the approved version before it."""
    return _add_version(state, tenant_id, dictation_id, "approved", author)


def _lock(session, dictation_id: str) -> Dictation:
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks; this write takes the database's write lock (waiting out
        # the busy timeout) before the transaction reads anything.
        session.execute(update(Dictation).where(Dictation.id == dictation_id)
                        .values(amending=Dictation.amending))
    return session.get(Dictation, dictation_id, with_for_update=True)


def _refusal(row: Dictation, latest: NoteVersion | None, kind: str) -> Problem | None:
    """Why `kind` cannot follow the note's state now, or None."""
    if row.status != "done" or latest is None:
        return Problem(409, "Not transcribed yet", f"the dictation is {row.status}",
                       kind="not-ready")
    approved_now = latest.kind == "approved"
    if kind == "amended" and row.approved_version is None:
        return Problem(409, "Not approved yet",
                       "only an approved note is amended; edit the note instead",
                       kind="not-approved")
    if kind == "amended" and not approved_now:
        return Problem(409, "Amendment in progress",
                       f"version {latest.version} is an open amendment; edit or approve it",
                       kind="amending")
    if kind != "amended" and approved_now:
        return Problem(409, "Already approved",
                       f"version {latest.version} is approved; amend it to change it",
                       kind="approved")
    return None


def _add_version(state, tenant_id: str, dictation_id: str, kind: str, author: str | None,
                 text: str | None = None, sections: dict[str, str] | None = None
                 ) -> Dictation:
    owned = owned_dictation(state, tenant_id, dictation_id)
    outbox: list[str] = []
    with state.store.session() as s, s.begin():
        row = _lock(s, owned.id)
        latest = _latest(s, row.id)
        refusal = _refusal(row, latest, kind)
        if refusal is not None:
            raise refusal
        if kind == "edited" and row.approved_version is not None:
            kind = "amended"  # an edit of an open amendment stays part of it
        number = s.scalar(select(func.max(NoteVersion.version))
                          .where(NoteVersion.dictation_id == row.id)) or 0
        if sections is not None:
            profile = tenant_profile(state.store, state.settings, tenant_id)
            text, note = _sectioned(sections, profile, latest.note or {},
                                    row.language, row.recorded_at)
        elif text is None:  # approval takes the latest text as it stands
            text, note = latest.text, latest.note  # a done dictation has its ASR draft
        else:
            text = mask_national_ids(text)  # an ID typed into a note is never stored
            profile = tenant_profile(state.store, state.settings, tenant_id)
            # The nurse edits the note in its own written standard.
            written_in = (latest.note or {}).get("language", row.language)
            note = structure_for_tenant(text, profile, language=written_in,
                                        recorded_at=row.recorded_at).to_dict()
        now = utcnow()
        if kind == "approved":
            row.approved_at = now
            # Alarms linked to the note are documented by this approval (same transaction).
            note = settle_links(s, row, note, state.settings.alarms)
            if row.approved_version is None:  # an amendment is not another note approved
                _count_approval(s, row, text)
        else:  # the edited note's events are matched to the alarms again
            note = annotate(s, row, note, state.settings.alarms)
        version = NoteVersion(dictation_id=row.id, version=number + 1, kind=kind,
                              text=text, note=note, author=author)
        s.add(version)
        try:
            s.flush()
        except IntegrityError:
            # Only reachable if a writer slipped past the lock (it should not): that version
            # exists already; the nurse reloads rather than overwrites.
            raise Problem(409, "Changed meanwhile", "another change of this note was stored "
                          "first; reload and retry", kind="conflict") from None
        row.note, row.updated_at = note, now
        if kind == "amended":
            row.amending = True
        if kind == "approved":
            version.supersedes = row.approved_version
            row.approved_version = number + 1
            row.amending = False
            if state.settings.retention.audio == "on_approval" and not kept_for_training(
                    row, state.settings.retention, row.approved_at):
                audio_files.remove(row.audio_path)
                row.audio_path = None
            s.flush()
            # After settle_links: the JFT document carries the settled alarms.
            outbox = enqueue_deliveries(s, row, version, state.settings)
    submit_deliveries(state.worker, outbox)  # after the commit, so a worker sees the rows
    return row


def _sectioned(sections: dict[str, str], profile, latest: dict, language: str,
               recorded_at) -> tuple[str, dict]:
    """(version text, note) of an edit by section, in the template's section order."""
    from structuring.sections import template

    template_name = latest.get("template") or profile.template
    order = [info.key for info in template(template_name)]
    unknown = sorted(set(sections) - set(order))
    if unknown:
        raise Problem(422, "Unknown section",
                      f"sections.{unknown[0]}: not a section of the template "
                      f"{template_name!r}", kind="invalid-request")
    written_in = latest.get("language", language)
    merged: dict = {"sentences": [], "entities": [], "events": [], "warnings": []}
    texts = []
    for key in order:
        body = mask_national_ids((sections.get(key) or "").strip())
        if not body:
            continue
        texts.append(body)
        part = structure_for_tenant(body, profile, language=written_in,
                                    recorded_at=recorded_at,
                                    template=template_name).to_dict()
        offset = len(merged["sentences"])
        paragraph = 1 + max((s["paragraph"] for s in merged["sentences"]), default=-1)
        for sentence in part["sentences"]:
            # The nurse filed it: the section is certain; a flag for an unsure clock time
            # stays, one for an unsure section does not.
            merged["sentences"].append({**sentence, "section": key, "confidence": 1.0,
                                        "paragraph": paragraph + sentence["paragraph"],
                                        "review": bool(sentence.get("review")) and
                                        bool(_unsure_time(part, sentence))})
        merged["entities"] += [{**e, "sentence": e["sentence"] + offset}
                               for e in part["entities"]]
        merged["events"] += [{**e, "sentences": [i + offset for i in e["sentences"]]}
                             for e in part["events"]]
        merged["warnings"] += [w for w in part["warnings"] if w not in merged["warnings"]]
        base = part
    if not texts:
        raise Problem(422, "Empty note", "sections: at least one section needs text",
                      kind="invalid-request")
    note = {**base, **merged}
    return "\n\n".join(texts), note


def _unsure_time(part: dict, sentence: dict) -> bool:
    """Whether a sentence's review flag can come from a clock time (it holds one: a time
    said again is listed once, with the sentence that said it first)."""
    index = part["sentences"].index(sentence)
    return any(e["type"] == "time" and e["sentence"] == index for e in part["entities"]) or \
        states_a_time(sentence["text"])
