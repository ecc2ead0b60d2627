"""Approved notes as the feed serves them: search, read and acknowledge.

Every approved note version is one entry: a DocumentReference with the stable id of its
dictation and version (structuring/document_reference.py), and its Composition. Drafts are
never entries. An amendment (a later approved version of the same dictation) replaces the
earlier entry, which is then `superseded`.

`_lastUpdated` of an entry is when its version was approved; an acknowledgement does not
change it (otherwise every journaled entry would come back to a `_lastUpdated=gt` poll).
Entries come oldest first, paged by keyset on (approved time, version row id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError

from service.core.cursors import CursorCodec
from service.core.errors import Problem
from service.core.masking import masked_json
from service.core.store import Dictation, NoteVersion, as_utc
from service.feed.tables import Acknowledgement
from structuring.document_reference import (
    DocumentReferenceContext,
    DocumentType,
    composition_document,
    document_reference,
    document_reference_id,
)

# Note versions that are journal documents. Amendments (issue 17.2) add theirs here.
APPROVED_KINDS = ("approved",)
JOURNALING_SYSTEM = "urn:dikta:journaling"
JOURNALED = "journaled"
COMPARATORS = {"gt": "__gt__", "ge": "__ge__", "lt": "__lt__", "le": "__le__"}


@dataclass(frozen=True)
class FeedQuery:
    patient_ref: str | None = None
    last_updated: tuple[tuple[str, datetime], ...] = ()  # (gt|ge|lt|le, time)
    unacknowledged: bool = False
    cursor: str | None = None
    count: int = 25

    def scope(self, tenant_id: str, resource_type: str) -> str:
        """What a cursor is bound to: tenant, resource type and every filter."""
        updated = ",".join(f"{op}{as_utc(at).isoformat()}" for op, at in self.last_updated)
        return "\n".join(["feed", tenant_id, resource_type, self.patient_ref or "", updated,
                          str(self.unacknowledged)])


@dataclass(frozen=True)
class FeedEntry:
    dictation_id: str
    version: int
    patient_ref: str | None
    approved_at: datetime
    author: str | None
    note: dict
    replaces_version: int | None
    superseded: bool
    acknowledged_at: datetime | None

    @property
    def document_id(self) -> str:
        return document_reference_id(self.dictation_id, self.version)


def _approved(tenant_id: str):
    return (select(NoteVersion, Dictation.patient_ref)
            .join(Dictation, NoteVersion.dictation_id == Dictation.id)
            .where(Dictation.tenant_id == tenant_id, NoteVersion.kind.in_(APPROVED_KINDS),
                   NoteVersion.note.is_not(None)))


def _acknowledged(tenant_id: str):
    return exists().where(Acknowledgement.tenant_id == tenant_id,
                          Acknowledgement.dictation_id == NoteVersion.dictation_id,
                          Acknowledgement.version == NoteVersion.version)


def search(state, tenant_id: str, resource_type: str, query: FeedQuery,
           codec: CursorCodec) -> tuple[list[FeedEntry], str | None]:
    """One page of the tenant's approved note versions and the cursor of the next page."""
    scope = query.scope(tenant_id, resource_type)
    statement = _approved(tenant_id).order_by(NoteVersion.created_at, NoteVersion.id) \
        .limit(query.count + 1)
    if query.patient_ref is not None:
        statement = statement.where(Dictation.patient_ref == query.patient_ref)
    for op, at in query.last_updated:
        statement = statement.where(getattr(NoteVersion.created_at, COMPARATORS[op])(
            as_utc(at)))
    if query.unacknowledged:
        statement = statement.where(~_acknowledged(tenant_id))
    if query.cursor:
        at, row_id = codec.decode(scope, query.cursor, field="_cursor")
        statement = statement.where(or_(NoteVersion.created_at > at,
                                        and_(NoteVersion.created_at == at,
                                             NoteVersion.id > row_id)))
    with state.store.session() as s:
        found = list(s.execute(statement))
        more = len(found) > query.count
        found = found[:query.count]
        entries = _entries(s, tenant_id, found)
    cursor = None
    if more:
        last = found[-1][0]
        cursor = codec.encode(scope, (as_utc(last.created_at), last.id))
    return entries, cursor


def entry(state, tenant_id: str, document_id: str) -> FeedEntry:
    """The entry with this DocumentReference id; 404 for drafts, other tenants, unknowns."""
    return entry_by(state, tenant_id,
                    lambda d, v: document_reference_id(d, v) == document_id)


def entry_by(state, tenant_id: str, matches) -> FeedEntry:
    """The tenant's approved entry whose (dictation id, version) `matches`; else 404.

    Resource ids are uuid5 and cannot be read backwards: the tenant's approved pairs are
    hashed until one matches — two short columns per approved note, no note text."""
    with state.store.session() as s:
        pairs = s.execute(select(NoteVersion.dictation_id, NoteVersion.version)
                          .join(Dictation, NoteVersion.dictation_id == Dictation.id)
                          .where(Dictation.tenant_id == tenant_id,
                                 NoteVersion.kind.in_(APPROVED_KINDS)))
        for dictation_id, version in pairs:
            if matches(dictation_id, version):
                found = list(s.execute(_approved(tenant_id).where(
                    NoteVersion.dictation_id == dictation_id,
                    NoteVersion.version == version)))
                if found:
                    return _entries(s, tenant_id, found)[0]
    raise Problem(404, "Not found", "no resource with that id", kind="not-found")


def _entries(session, tenant_id: str, found: list) -> list[FeedEntry]:
    ids = {row.dictation_id for row, _ in found}
    approved: dict[str, list[int]] = {}
    acks: dict[tuple[str, int], datetime] = {}
    if ids:
        for dictation_id, version in session.execute(
                select(NoteVersion.dictation_id, NoteVersion.version)
                .where(NoteVersion.dictation_id.in_(ids),
                       NoteVersion.kind.in_(APPROVED_KINDS))
                .order_by(NoteVersion.version)):
            approved.setdefault(dictation_id, []).append(version)
        for ack in session.scalars(select(Acknowledgement).where(
                Acknowledgement.tenant_id == tenant_id,
                Acknowledgement.dictation_id.in_(ids))):
            acks[(ack.dictation_id, ack.version)] = as_utc(ack.acknowledged_at)
    entries = []
    for row, patient_ref in found:
        versions = approved.get(row.dictation_id, [row.version])
        earlier = [v for v in versions if v < row.version]
        entries.append(FeedEntry(
            dictation_id=row.dictation_id, version=row.version, patient_ref=patient_ref,
            approved_at=as_utc(row.created_at), author=row.author,
            note=masked_json(row.note),
            replaces_version=earlier[-1] if earlier else None,
            superseded=any(v > row.version for v in versions),
            acknowledged_at=acks.get((row.dictation_id, row.version))))
    return entries


def acknowledge(state, tenant_id: str, document_id: str, client_id: str
                ) -> tuple[FeedEntry, datetime, bool]:
    """Mark the entry journaled; idempotent. Returns (entry, when first acknowledged,
    whether this call did it)."""
    found = entry(state, tenant_id, document_id)
    if found.acknowledged_at is not None:
        return found, found.acknowledged_at, False
    try:
        with state.store.session() as s, s.begin():
            ack = Acknowledgement(tenant_id=tenant_id, document_id=document_id,
                                  dictation_id=found.dictation_id, version=found.version,
                                  client_id=client_id[:256])
            s.add(ack)
        return found, as_utc(ack.acknowledged_at), True
    except IntegrityError:  # acknowledged at the same moment by another request
        again = entry(state, tenant_id, document_id)
        return again, again.acknowledged_at, False


def _context(entry: FeedEntry, document_type: DocumentType,
             tenant_name: str | None) -> DocumentReferenceContext:
    return DocumentReferenceContext(
        dictation_id=entry.dictation_id, version=entry.version, date=entry.approved_at,
        document_type=document_type, approved=True, patient_ref=entry.patient_ref,
        author_display=entry.author, custodian_display=tenant_name,
        replaces_version=entry.replaces_version, superseded=entry.superseded)


def _meta(entry: FeedEntry) -> dict:
    meta: dict = {"lastUpdated": entry.approved_at.isoformat(timespec="seconds")}
    if entry.acknowledged_at is not None:
        meta["tag"] = [{"system": JOURNALING_SYSTEM, "code": JOURNALED,
                        "display": "Journalført i EPJ"}]
    return meta


def document_reference_resource(entry: FeedEntry, document_type: DocumentType,
                                tenant_name: str | None = None) -> dict:
    resource = document_reference(entry.note, _context(entry, document_type, tenant_name))
    return {**resource, "meta": _meta(entry)}


def composition_resource(entry: FeedEntry, document_type: DocumentType,
                         tenant_name: str | None = None) -> dict:
    bundle = composition_document(entry.note, _context(entry, document_type, tenant_name))
    composition = bundle["entry"][0]["resource"]
    composition["meta"] = _meta(entry)
    return composition
