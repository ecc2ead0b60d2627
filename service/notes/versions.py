"""The note's life after ASR: the nurse edits it, then approves it.

Every change is a new NoteVersion (asr_draft → edited … → approved); nothing is overwritten.
Approval is when the recording has served its purpose: by default it is deleted then
(pasientjournalforskriften § 8: audio is part of the journal only until written down).
"""

from __future__ import annotations

from sqlalchemy import func, select

from service.core import audio_files
from service.core.errors import Problem
from service.core.retention import kept_for_training
from service.core.store import Dictation, NoteVersion, utcnow
from service.dictations.create import owned_dictation
from service.notes.structure import structure_for_tenant
from service.tenants.profile import tenant_profile
from structuring.privacy import mask_national_ids


def _latest(session, dictation_id: str) -> NoteVersion | None:
    return session.scalar(select(NoteVersion).where(NoteVersion.dictation_id == dictation_id)
                          .order_by(NoteVersion.version.desc()).limit(1))


def edit_note(state, tenant_id: str, dictation_id: str, text: str,
              author: str | None) -> Dictation:
    """Store the nurse's corrected text as a new version, structured again."""
    return _add_version(state, tenant_id, dictation_id, "edited", author, text)


def edit_sections(state, tenant_id: str, dictation_id: str, sections: dict[str, str],
                  author: str | None) -> Dictation:
    """Store the nurse's text per section as a new version. Each section's text is
    structured on its own (entities, events, times) and every sentence stays in the section
    the nurse wrote it under: a section she chose is not second-guessed by the classifier.
    Sections left out are dropped; an empty text empties its section."""
    return _add_version(state, tenant_id, dictation_id, "edited", author, sections=sections)


def approve_note(state, tenant_id: str, dictation_id: str, author: str | None) -> Dictation:
    """Approve the latest version as it stands; the recording goes now unless retention
    keeps it."""
    return _add_version(state, tenant_id, dictation_id, "approved", author)


def _add_version(state, tenant_id: str, dictation_id: str, kind: str, author: str | None,
                 text: str | None = None, sections: dict[str, str] | None = None
                 ) -> Dictation:
    owned = owned_dictation(state, tenant_id, dictation_id)
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
        s.add(NoteVersion(dictation_id=row.id, version=number + 1, kind=kind, text=text,
                          note=note, author=author))
        row.note, row.updated_at = note, utcnow()
        if kind == "approved":
            row.approved_at = row.updated_at
            if state.settings.retention.audio == "on_approval" and not kept_for_training(
                    row, state.settings.retention, row.approved_at):
                audio_files.remove(row.audio_path)
                row.audio_path = None
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
    """Whether a sentence's review flag can come from a clock time (it holds one)."""
    index = part["sentences"].index(sentence)
    return any(e["type"] == "time" and e["sentence"] == index for e in part["entities"])
