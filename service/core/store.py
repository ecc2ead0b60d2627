"""Persistent state of the service (SQLAlchemy 2): tenants, API keys, dictations, uploads.

SQLite in WAL mode is the embedded default; PostgreSQL by `DIKTA_SERVICE__DATABASE_URL`.
Every query that touches patient data takes the tenant, so no route can reach another
tenant's rows.

The tables and the store's few tenant and key operations are one module so that the schema
is read in one place; the migrations beside it change it. The sealed column types are
`service.core.sealed_columns`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)
from sqlalchemy.orm.attributes import NO_VALUE

from service.core.sealed_columns import EncryptedJSON, EncryptedText

KEY_PREFIX = "dk_"


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored time as aware UTC (SQLite gives naive UTC datetimes back)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _named_tenant(session: Session, name: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where(Tenant.name == name))
    if tenant is None:
        raise LookupError(f"no tenant named '{name}'")
    return tenant


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    note_template: Mapped[str | None] = mapped_column(String(50), nullable=True)
    """Section template of this tenant's notes; unset: the service default."""
    written_standard: Mapped[str | None] = mapped_column(String(20), nullable=True)
    """bokmaal | nynorsk | nynorsk-a (språkloven); unset: the service default."""
    lexicon: Mapped[list | None] = mapped_column(JSON, nullable=True)
    """The tenant's own terms (drugs, places, staff words) for decoding and correction."""
    model: Mapped[str | None] = mapped_column(String(500), nullable=True)
    """The tenant's ASR model (set by a passed promotion gate); unset: the service default."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(200), default="dictate read_notes")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Dictation(Base):
    __tablename__ = "dictations"
    __table_args__ = (UniqueConstraint("tenant_id", "idempotency_key"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """SHA-256 of the recording and metadata sent with the key: a reuse of the key with
    another payload is refused, never answered with this dictation."""
    patient_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    language: Mapped[str] = mapped_column(String(8), default="nb")
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    audio_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    audio_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    audio_duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[dict | None] = mapped_column(EncryptedJSON, nullable=True)
    """The latest note version's structured note (what the nurse sees now)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
    batch_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    source_name: Mapped[str | None] = mapped_column(String(500), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    dialect: Mapped[str | None] = mapped_column(String(50), nullable=True)
    speaker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """Who dictated (staff reference); pseudonymised before it leaves the database."""
    training_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    """The speaker agreed that this recording may train the municipality's own model."""
    epj_issuer: Mapped[str | None] = mapped_column(String(500), nullable=True)
    """The EPJ (SMART `iss`) whose launch session created this dictation; write-back goes
    there. None for dictations from API keys."""
    approved_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The note version the journal holds now (the newest approval); None before approval."""
    amending: Mapped[bool] = mapped_column(Boolean, default=False)
    """An amendment of the approved note is open: `note` is a working version until the
    next approval."""
    asr_draft: Mapped[NoteVersion | None] = relationship(
        "NoteVersion", viewonly=True, uselist=False, lazy="selectin",
        primaryjoin="and_(NoteVersion.dictation_id == Dictation.id, "
                    "NoteVersion.kind == 'asr_draft')")

    @property
    def transcript(self) -> str | None:
        """What the recogniser heard: stored once, as note version 1 (the ASR draft). None
        until there is one (a row made in this request has none loaded, nor needs one)."""
        draft = inspect(self).attrs.asr_draft.loaded_value
        return None if draft is NO_VALUE or draft is None else draft.text


class Batch(Base):
    __tablename__ = "batches"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    """One attempt history of processing a dictation: state, attempts, errors, timings."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    dictation_id: Mapped[str] = mapped_column(ForeignKey("dictations.id", ondelete="CASCADE"),
                                              unique=True)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    """queued → running → done | failed (bad input) | dead (gave up after retries)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    timings: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class NoteVersion(Base):
    """The note's history: the ASR draft, then each nurse edit, then the approved text."""

    __tablename__ = "note_versions"
    __table_args__ = (UniqueConstraint("dictation_id", "version"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    dictation_id: Mapped[str] = mapped_column(ForeignKey("dictations.id", ondelete="CASCADE"),
                                              index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # asr_draft | edited | approved | amended
    text: Mapped[str] = mapped_column(EncryptedText)
    note: Mapped[dict | None] = mapped_column(EncryptedJSON, nullable=True)
    author: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    supersedes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """On an approved amendment: the approved version it replaces."""


class ModelPromotion(Base):
    """One run of the promotion gate: the decision and the figures behind it."""

    __tablename__ = "model_promotions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    old_model: Mapped[str] = mapped_column(String(500))
    new_model: Mapped[str] = mapped_column(String(500))
    promoted: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list] = mapped_column(JSON)
    figures: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEvent(Base):
    """One access to patient data: who, whose, what, when — never the content."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                     primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    tenant_id: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    patient_ref: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Upload(Base):
    """A resumable (tus) upload: its bytes live in an encrypted per-upload file until the
    last byte arrives and it becomes a dictation (exactly once)."""

    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    """Bytes of the recording received and durably stored."""
    stored_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    """Size of the partial file holding `offset` bytes (sealed frames); anything after it
    is a torn write and is cut off before the next append."""
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="receiving")
    """receiving → complete (a dictation exists) | failed (bad audio) | terminated | expired."""
    upload_metadata: Mapped[dict | None] = mapped_column(EncryptedJSON, nullable=True)
    """Dictation metadata from tus `Upload-Metadata` (patient reference etc.), sealed."""
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    dictation_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Delivery(Base):
    """One approved note version on its way to one target (the outbox): written in the
    approval transaction, sent by the workers at least once, retried with backoff and
    dead-lettered. Here, not in service/deliveries/, because retention must see it: a note
    is never purged while it has not been delivered."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("dictation_id", "version", "target"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    dictation_id: Mapped[str] = mapped_column(ForeignKey("dictations.id", ondelete="CASCADE"),
                                              index=True)
    version: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    document: Mapped[dict] = mapped_column(EncryptedJSON)
    """What is sent, rendered once at approval (the same bytes on every attempt)."""
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    """pending → sending → delivered | pending (retry) | dead (gave up; `dikta deliveries
    retry`)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                      index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Why the last attempt failed: status codes and error codes only, never patient data."""
    remote_status: Mapped[str | None] = mapped_column(String(100), nullable=True)
    """The receiver's answer (`202 Accepted`), then, where it reports more (JFT), the
    entry's life-cycle stage: registered → read → journaled (or failed)."""
    remote_status_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    remote_status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                              nullable=True)
    """When the receiver says the entry reached `remote_status` (its own timestamp)."""
    status_check_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True, index=True)
    """When the worker asks the status URL next; NULL: not followed (any more)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)


class Alarm(Base):
    """One welfare-technology alarm (a VKP DetectedIssue or its plain-JSON equivalent). Here,
    not in service/alarms/, because retention purges alarms (like `Delivery`)."""

    __tablename__ = "alarms"
    __table_args__ = (UniqueConstraint("tenant_id", "source", "source_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    source: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 of what the alarm says: the same (source, source_id) with another content is
    refused (409), never answered with this alarm."""
    vkp_code: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    severity: Mapped[str | None] = mapped_column(String(50), nullable=True)
    device_id: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)
    patient_pseudonym: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                                          index=True)
    """HMAC-SHA256 of the national ID under the tenant's pseudonym secret."""
    national_id: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)
    """Kept sealed for delivery only; never returned, logged or audited."""
    patient_ref: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    """Opaque patient reference as sent (e.g. the EPJ's), never a national ID."""
    detail: Mapped[str | None] = mapped_column(EncryptedText, nullable=True)
    resources: Mapped[dict | None] = mapped_column(EncryptedJSON, nullable=True)
    """The original FHIR resources by type (for the documentation sent back)."""
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    dictation_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """The dictation that documented it (kept after that dictation is purged)."""
    documented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlarmLink(Base):
    """A dictation documents an alarm: proposed (explicitly by the client, or matched on
    patient, time and technology) until approval settles it."""

    __tablename__ = "alarm_links"
    __table_args__ = (UniqueConstraint("alarm_id", "dictation_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(32), index=True)
    alarm_id: Mapped[str] = mapped_column(ForeignKey("alarms.id", ondelete="CASCADE"),
                                          index=True)
    dictation_id: Mapped[str] = mapped_column(ForeignKey("dictations.id", ondelete="CASCADE"),
                                              index=True)
    event_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Which of note.events documents the alarm (None: no event matched yet)."""
    origin: Mapped[str] = mapped_column(String(16), default="match")  # explicit | match
    state: Mapped[str] = mapped_column(String(16), default="proposed")  # proposed | settled
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


UNDELIVERED = ("pending", "sending", "dead")
"""Delivery states that keep a note from being purged (a dead one waits for a retry)."""


def _alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: SqlEngine, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to call from several processes at once."""
    from alembic import command

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # one migrator at a time
            connection.execute(text("SELECT pg_advisory_xact_lock(727001)"))
        command.upgrade(_alembic_config(connection), revision)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def make_engine(url: str) -> SqlEngine:
    if url.startswith("sqlite:///"):
        _private_sqlite_file(Path(url.removeprefix("sqlite:///")))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record) -> None:  # WAL: readers never block the worker
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
        return engine
    return create_engine(url, pool_pre_ping=True)


def _private_sqlite_file(path: Path) -> None:
    """The database file (and SQLite's -wal/-shm files, which copy its mode) readable by
    the service's user only: it holds patient references and sealed notes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for companion in (path, path.with_name(path.name + "-wal"),
                      path.with_name(path.name + "-shm")):
        if companion.exists():
            companion.chmod(0o600)


class Store:
    """Sessions over one database, migrated to the newest schema on first use (Alembic)."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    # --- tenants and keys --------------------------------------------------------------

    def create_key(self, tenant_name: str, scopes: str = "dictate read_notes") -> str:
        """Create (the tenant if needed and) an API key; the key is returned once only."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.session() as s, s.begin():
            tenant = s.scalar(select(Tenant).where(Tenant.name == tenant_name))
            if tenant is None:
                tenant = Tenant(name=tenant_name)
                s.add(tenant)
                s.flush()
            s.add(ApiKey(tenant_id=tenant.id, key_hash=hash_key(key), scopes=scopes))
        return key

    def set_template(self, tenant_name: str, template: str | None) -> None:
        self.update_tenant(tenant_name, note_template=template)

    def update_tenant(self, tenant_name: str, **values) -> None:
        """Set tenant columns (note_template, written_standard, lexicon, model …); None unsets."""
        with self.session() as s, s.begin():
            tenant = _named_tenant(s, tenant_name)
            for column, value in values.items():
                setattr(tenant, column, value)

    def record_promotion(self, tenant_name: str, old: str, new: str, promoted: bool,
                         reasons: list[str], figures: dict) -> None:
        """Store a promotion-gate decision; a promoted model becomes the tenant's model."""
        with self.session() as s, s.begin():
            tenant = _named_tenant(s, tenant_name)
            s.add(ModelPromotion(tenant_id=tenant.id, old_model=old, new_model=new,
                                 promoted=promoted, reasons=reasons, figures=figures))
            if promoted:
                tenant.model = new

    def promotions(self, tenant_name: str) -> list[ModelPromotion]:
        with self.session() as s:
            tenant = _named_tenant(s, tenant_name)
            return list(s.scalars(select(ModelPromotion)
                                  .where(ModelPromotion.tenant_id == tenant.id)
                                  .order_by(ModelPromotion.created_at.desc())))

    def tenant(self, tenant_id: str) -> Tenant | None:
        with self.session() as s:
            return s.get(Tenant, tenant_id)

    def tenant_by_name(self, name: str) -> Tenant | None:
        with self.session() as s:
            return s.scalar(select(Tenant).where(Tenant.name == name))

    def principal_for_key(self, key: str) -> tuple[Tenant, ApiKey] | None:
        with self.session() as s:
            row = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key),
                                                ApiKey.revoked_at.is_(None)))
            return (s.get(Tenant, row.tenant_id), row) if row else None

    def list_keys(self, tenant_name: str | None = None) -> list[tuple[str, ApiKey]]:
        with self.session() as s:
            query = select(Tenant.name, ApiKey).join(Tenant, Tenant.id == ApiKey.tenant_id)
            if tenant_name:
                query = query.where(Tenant.name == tenant_name)
            return [(name, key) for name, key in s.execute(query.order_by(ApiKey.created_at))]

    def revoke_key(self, key_id: str) -> bool:
        with self.session() as s, s.begin():
            row = s.get(ApiKey, key_id)
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = utcnow()
            return True


def open_store(settings) -> Store:
    """The store of these settings, with their data key active for encrypted columns."""
    from service.core.crypto import keyring_for, use_keyring

    use_keyring(keyring_for(settings))
    return Store(settings.sql_url)
