"""All configuration, in one place: environment variables `DIKTA_*` or a `.env` file.

Nested sections use `__`, e.g. `DIKTA_ASR__BEAM_SIZE=1`, `DIKTA_MODEL__NAME=nb-whisper-large`.
Nothing else in Dikta reads the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_model_dir() -> Path:
    return Path.home() / ".cache" / "dikta" / "models"


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "dikta"


class ModelSettings(BaseModel):
    name: str = "whisper-base"
    """Registered model name (`dikta models list`) or a CTranslate2 Whisper directory."""
    device: str = "auto"
    """`auto` (CUDA when CTranslate2 sees a GPU, else CPU), `cpu` or `cuda`."""
    compute_type: str = "auto"
    """`auto` (float16 on CUDA, int8 on CPU) or any CTranslate2 compute type."""
    device_index: int = 0
    cpu_threads: int = 0
    """Threads per model replica; 0 divides this machine's cores between the replicas."""
    num_workers: int = 1
    """Model replicas that may decode concurrently."""
    idle_unload_s: float | None = None
    """Unload a model unused for this long (seconds); unset keeps it loaded."""


class AsrSettings(BaseModel):
    language: str = "no"
    """`no`/`nb` (bokmål) or `nn` (nynorsk)."""
    beam_size: int = 5
    batch_size: int = 1
    """>1 decodes several speech windows at once (faster on GPU and long files)."""
    word_timestamps: bool = True
    vad: bool = True
    """Send only detected speech to Whisper; off transcribes everything (risks invented text)."""
    vad_min_silence_ms: int = 600
    initial_prompt: str | None = None
    hotwords: str | None = None
    lexicon_file: Path | None = None
    """Service-wide terms (one per line) for near-miss correction (and hotwords), after each
    tenant's own lexicon (`dikta tenants set-lexicon`)."""
    lexicon_hotwords: bool = False
    """Also give the lexicon to Whisper as hotwords: raises term recall a lot, but on poorly
    heard audio Whisper may write terms nobody said; check with `dikta eval asr` first."""
    orthography: str = "auto"
    """Norwegian spelling of Whisper's Danish/Swedish forms: auto (bokmål, or nynorsk for
    nn, when Debian's wnorwegian word list is installed), bokmaal, nynorsk or none."""


class AudioSettings(BaseModel):
    max_duration_s: float = 3 * 3600.0
    max_bytes: int = 512 * 1024 * 1024


class ServiceSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    max_queue: int = 8
    """Requests waiting for the model beyond this get 429 with Retry-After."""
    inference_slots: int = 1
    """Transcriptions running at once (one per model replica: DIKTA_MODEL__NUM_WORKERS)."""
    dictation_workers: int = 1
    """In-process threads working through queued dictations."""
    retry_after_s: int = 5
    request_max_bytes: int = 100 * 1024 * 1024
    """Largest request body (uploads); larger gets 413. Resumable uploads go beyond this."""
    upload_max_bytes: int = 2 * 1024 * 1024 * 1024
    upload_expiry_hours: float = 24.0
    """A resumable upload with no new bytes for this long expires; its partial data is
    deleted by the purge (tus expiration: `Upload-Expires`)."""
    rate_limit_per_minute: int = 600
    """Requests per API key per minute (0: no limit)."""
    auth_failures_per_minute: int = 20
    """Failed authentications allowed per client address and per key prefix per minute;
    beyond them 429 with Retry-After, even for a right key (0: no limit)."""
    max_authorization_bytes: int = 8 * 1024
    """Largest `Authorization` (or `X-API-Key`, `?api_key=`) credential; larger gets 431
    before anything decodes it."""
    max_header_bytes: int = 32 * 1024
    """Largest total of all request headers (names and values); larger gets 431."""
    cors_origins: list[str] = []
    """Browser origins allowed to call the API (the reference web page's origin)."""
    hsts: bool = False
    """Send Strict-Transport-Security (set when served over TLS)."""
    batch_roots: list[Path] = []
    """Server folders that `POST /v1/batches/folder` may read from; empty: none."""
    stream_interim_every_s: float = 1.0
    """Live dictation: how often interim hypotheses are sent."""
    stream_endpoint_silence_ms: int = 600
    """Live dictation: silence that ends (finalises) a segment."""


class WorkerSettings(BaseModel):
    backend: str = "inprocess"
    """`inprocess` (threads in the API process) or `celery` (separate `dikta worker`s)."""
    broker_url: str = "redis://127.0.0.1:6379/0"
    """Celery broker: redis://… or amqp://guest:guest@127.0.0.1:5672//"""
    queue: str = "cpu"
    """Celery queue the API sends to and `dikta worker` consumes (e.g. `gpu`, `cpu`)."""
    max_attempts: int = 3
    """Attempts before a dictation is dead-lettered with its last error kept."""
    retry_backoff_s: float = 5.0
    """First retry delay; doubles with each attempt."""
    visibility_timeout_s: int = 3600
    """Redis broker: an unacknowledged job is redelivered after this long."""


class RetentionSettings(BaseModel):
    audio: str = "on_approval"
    """When a recording is deleted: `on_approval` (default), `after_transcription`,
    `hours_after_approval` (see audio_hours_after_approval) or `keep` (until DELETE)."""
    audio_hours_after_approval: float = 24.0
    notes_days_after_approval: float | None = None
    """Delete dictations (rows, versions, files) this long after approval; unset: never
    (the EPJ holds the journal; Dikta's copy is a working copy)."""
    purge_interval_s: float = 3600.0
    """How often the service runs the purge by itself (0: only `dikta purge`)."""
    training_audio_days: float = 0.0
    """Keep the recording of an approved dictation whose speaker consented to training use
    this many days, for `dikta adapt export`; 0 (default): never kept for training."""
    alarms_days_after_documented: float | None = 180.0
    """Delete a documented alarm (its row, sealed national ID and FHIR resources, links)
    this long after it was documented; unset: never. The journal (EPJ, JFT) holds the
    documentation; the gains figures are aggregates and stay. An alarm whose documenting
    note is not yet delivered is kept until it is."""
    alarms_days_open: float | None = 365.0
    """Delete an alarm never documented this long after it arrived; unset: never. Generous
    on purpose: an open alarm is work someone may still do."""


class OidcSettings(BaseModel):
    jwks_file: Path | None = None
    """Local JWKS file of the trusted issuer; unset: OIDC tokens are not accepted."""
    issuer: str | None = None
    audience: str = "dikta"
    tenant_claim: str = "tenant"
    """Claim naming the tenant (an existing tenant's name)."""
    max_token_lifetime_s: int = 3600
    """Longest lifetime a token may claim (exp - iat); longer-lived tokens are refused."""
    require_iat: bool = True
    """Refuse tokens without an `iat` (issued-at) claim."""
    leeway_s: int = 30
    """Clock skew allowed between the identity provider and this server."""


class SecuritySettings(BaseModel):
    data_key: SecretStr | None = None
    """Base64 of a 32-byte AES key (`DIKTA_SECURITY__DATA_KEY`); unset: the key file."""
    data_key_file: Path | None = None
    """Key file (created 0600 on first use); unset: <data_dir>/keys/data-keys.json."""
    audit_key: SecretStr | None = None
    """Hex of the audit chain's HMAC key (`DIKTA_SECURITY__AUDIT_KEY`); unset: the key file.
    Keep it away from the database: whoever holds both can rewrite the audit."""
    audit_key_file: Path | None = None
    """Audit key file (created 0600 on first use); unset: <data_dir>/keys/audit-key.json."""
    audit_checkpoint_file: Path | None = None
    """Where the audit chain's head is checkpointed after every row, outside the database;
    unset: <data_dir>/audit/checkpoints.jsonl (better: an append-only volume)."""
    oidc: OidcSettings = OidcSettings()


class StructuringSettings(BaseModel):
    template: str = "funksjonsomrader"
    """Section template for notes: `funksjonsomrader`, or `isbar` for handover reports."""
    written_standard: Literal["bokmaal", "nynorsk", "nynorsk-a"] | None = None
    """Written standard of notes (språkloven); unset: as dictated (nynorsk dictation →
    nynorsk note). A tenant's own standard (`dikta tenants set-standard`) wins."""


SMART_SCOPES = "launch openid fhirUser patient/Patient.read patient/DocumentReference.write"


class EpjLauncher(BaseModel):
    """One EPJ that may launch Dikta (SMART App Launch 2.x)."""

    issuer: str
    """The EPJ's FHIR base URL exactly as it sends it as `iss`; launches from any other `iss`
    are refused, and Dikta contacts only this URL's host (plus `auth_hosts`)."""
    tenant: str
    """The Dikta tenant (by name) whose dictations a session from this EPJ creates."""
    client_id: str
    """Dikta's client id as registered at this EPJ's authorization server."""
    client_auth: Literal["public", "private_key_jwt"] = "public"
    """`public` (PKCE only) or `private_key_jwt` (a signed client assertion, and PKCE)."""
    private_key_file: Path | None = None
    """private_key_jwt: the signing key, a PEM or JWK file, plain or sealed with the data key
    (a file whose content is the data key's sealed text); readable by the service only."""
    private_key_id: str | None = None
    """private_key_jwt: the `kid` the EPJ knows the key by."""
    private_key_alg: str = "RS256"
    """private_key_jwt: signing algorithm of the client assertion (RS256, RS384, ES256 …)."""
    scopes: str = SMART_SCOPES
    """Scopes of an EHR launch; a standalone launch asks `launch/patient` instead of
    `launch`."""
    frame_ancestors: list[str] = []
    """Origins (scheme://host[:port]) allowed to embed Dikta's pages (`/`, `/smart/*`) in a
    frame; non-empty also makes the session cookie SameSite=None (it is sent in the frame)."""
    fhir_base: str | None = None
    """Where write-back goes (FHIR base URL); unset: the issuer."""
    auth_hosts: list[str] = []
    """Further hosts (host or host:port) the token endpoint and JWKS may be on, e.g. the
    EPJ's separate authorization server; by default only the issuer's host is contacted."""
    id_token_issuer: str | None = None
    """The `iss` its id tokens carry; unset: the `issuer` of its smart-configuration (or
    OIDC discovery), else `issuer` above."""


class EpjSettings(BaseModel):
    launchers: list[EpjLauncher] = []
    """The EPJs that may launch Dikta; none: /smart/launch refuses every `iss`."""
    public_url: str | None = None
    """Dikta's own base URL as the browser reaches it (e.g. https://dikta.kommune.no), for
    the redirect URI `<public_url>/smart/callback`; unset: taken from the request."""
    session_ttl_s: int = 3600
    """Lifetime of a launch session (and its cookie); after it, the nurse launches again."""
    launch_ttl_s: int = 300
    """How long a launch may wait for its callback (authorization at the EPJ)."""
    http_timeout_s: float = 10.0
    """Timeout of each request to an EPJ (discovery, token, JWKS)."""
    leeway_s: int = 30
    """Clock skew allowed between an EPJ's authorization server and this server."""
    max_id_token_lifetime_s: int = 3600
    """Longest lifetime an id token may claim (exp - iat)."""
class DocumentTypeSettings(BaseModel):
    system: str = "urn:oid:2.16.578.1.12.4.1.1.9602"
    """Code system of the EPJ's document types (default: the Volven 9602 "dokumenttype"
    OID; an EPJ vendor may require its own)."""
    code: str = "J-SYKEPL"
    """Document type code of a nursing note in that system."""
    display: str = "Sykepleienotat"
    """Display text of the document type."""


class FeedSettings(BaseModel):
    """The pull feed for EPJs (/fhir), the worklist (GET /v1/dictations) and text templates."""

    cursor_key: SecretStr | None = None
    """Hex HMAC key that signs worklist and feed paging cursors; unset: derived from the data
    keyring, so cursors survive restarts and work across processes sharing that keyring."""
    page_size: int = Field(25, ge=1, le=200)
    """Items per page when the client names no limit."""
    max_page_size: int = Field(100, ge=1, le=1000)
    """Largest limit (`limit`, `_count`) a client may ask for; more is a 400."""
    document_type: DocumentTypeSettings = DocumentTypeSettings()
    """Document type of the DocumentReferences Dikta serves and writes."""
    issuer: str | None = None
    """Issuer (`iss`) of the EPJ systems' access tokens (the identity provider, e.g.
    HelseID); unset: /fhir accepts no token and answers 401."""
    audience: str = "dikta-fhir"
    """Audience (`aud`) the access tokens must carry for the feed."""
    jwks_file: Path | None = None
    """The identity provider's JWKS as a local file (re-read when it changes)."""
    jwks_url: str | None = None
    """Or its JWKS URL, fetched only if its host is `jwks_host` (and cached)."""
    jwks_host: str | None = None
    """The one host a JWKS URL may point at (the identity provider's host[:port])."""
    jwks_cache_s: float = 300.0
    """How long a fetched JWKS is used before it is fetched again."""
    clients: dict[str, str] = {}
    """EPJ client id (the token's `client_id`, else `sub`) → tenant name; a token of a
    client not listed is refused."""
    document_reference_scope: str = "system/DocumentReference.read"
    """Scope that allows reading /fhir/DocumentReference."""
    composition_scope: str = "system/Composition.read"
    """Scope that allows reading /fhir/Composition."""
    acknowledge_scope: str = "system/DocumentReference.write"
    """Scope that allows `$journaling-acknowledged` (marking entries journaled)."""
    max_token_lifetime_s: int = 3600
    """Longest lifetime an access token may claim (exp - iat)."""
    leeway_s: int = 30
    """Clock skew allowed between the identity provider and this server."""


class DeliveryTarget(BaseModel):
    """One place approved notes are delivered to (an outbound connector's endpoint)."""

    name: str
    """Operator's name for the target (`dikta deliveries keygen --target NAME`), unique."""
    kind: str
    """Connector kind: `jft` (Journalføringstjenesten); others as connectors register."""
    base_url: str
    """The receiving API's base URL, e.g. https://jft.example.no (no trailing /v1)."""
    tenant: str | None = None
    """Only this tenant's (by name) notes go here; unset: every tenant's."""
    token_endpoint: str | None = None
    """HelseID-style token endpoint (client credentials); unset: no access token is sent."""
    client_id: str | None = None
    """The client id registered at the identity provider."""
    private_key_file: Path | None = None
    """The client's private JWK for `private_key_jwt`, sealed with the data key (made by
    `dikta deliveries keygen`, created 0600); unset: <data_dir>/keys/deliveries/NAME.jwk."""
    scope: str | None = None
    """Scope asked for at the token endpoint, e.g. `nhn:jft/api`."""
    status_base_url: str | None = None
    """Where the receiver's status URLs may lie, if not on base_url (JFT: the ReadAPI, e.g.
    https://api.read.jft.nhn.no, while base_url is the WriteAPI). A status URL on any other
    origin is never fetched; this origin joins the outbound allow-list."""
    options: dict = {}
    """Kind-specific options (see the connector's documentation)."""


class DeliverySettings(BaseModel):
    targets: list[DeliveryTarget] = []
    """Where approved notes go (JSON list in `DIKTA_DELIVERIES__TARGETS`); empty: nowhere.
    Outbound connections go only to these targets' base URLs and token endpoints."""
    max_attempts: int = 10
    """Attempts before a delivery is dead-lettered (`dikta deliveries list --state dead`)."""
    retry_backoff_s: float = 30.0
    """First retry delay; doubles with each attempt, up to max_backoff_s."""
    max_backoff_s: float = 3600.0
    """Longest wait between two attempts."""
    poll_interval_s: float = 5.0
    """How often the service looks for deliveries that are due (retries, lost submissions)."""
    sending_timeout_s: float = 300.0
    """A delivery `sending` for longer than this (its worker died) is claimed again."""
    request_timeout_s: float = 30.0
    """Connect and read timeout of one outbound request."""
    token_leeway_s: float = 30.0
    """An access token is renewed this long before it expires."""
    status_poll_initial_s: float = 60.0
    """Status follow-up (JFT: registered → read → journaled): the first look at a delivered
    entry's status URL comes this long after delivery; each later one waits as long as the
    entry has been out (so the gaps double), at least this long."""
    status_poll_max_s: float = 3600.0
    """Longest wait between two looks at a status URL."""
    status_give_up_h: float = 336.0
    """Stop following an entry not journaled this many hours after delivery (default 14
    days); its last status stays on the note and `last_error` says it was given up."""

    @field_validator("targets")
    @classmethod
    def _unique_names(cls, targets: list[DeliveryTarget]) -> list[DeliveryTarget]:
        names = [target.name for target in targets]
        if len(set(names)) != len(names):
            raise ValueError("delivery target names must be unique")
        return targets
class AlarmSettings(BaseModel):
    vkp_profiles_dir: Path | None = None
    """The VKP-R4 conformance folder (StructureDefinitions, CodeSystems, ValueSets) that
    FHIR alarms are validated against; unset: FHIR payloads to `POST /v1/alarms` are refused
    (503) and plain JSON alarms are checked against the alert codes in Dikta's own data."""
    link_window_before_min: float = 120.0
    """Linking: an alarm of the dictation's patient counts when it occurred at most this
    many minutes before the recording started."""
    link_window_after_min: float = 30.0
    """Linking: … or at most this many minutes after it (a dictation started during the
    call-out)."""
    local_timezone: str = "Europe/Oslo"
    """Zone of the clock times said in dictations (events' HH:MM) when matching alarms."""
    tenant_link_windows: dict[str, float] = {}
    """Per tenant (by name): minutes before the recording, overriding link_window_before_min."""
    typing_words_per_minute: float = 25.0
    """Gains model: words per minute a nurse types a journal note (including corrections)."""
    review_words_per_minute: float = 180.0
    """Gains model: words per minute a nurse reads a dictated draft when reviewing it."""
    edit_minutes: float = 1.0
    """Gains model: extra minutes for a draft the nurse edited before approving."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DIKTA_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        protected_namespaces=(),
    )

    model_dir: Path = Field(default_factory=_default_model_dir)
    """Model cache: the assembled default model and `registry.json` of added models."""
    model: ModelSettings = ModelSettings()
    asr: AsrSettings = AsrSettings()
    audio: AudioSettings = AudioSettings()
    structuring: StructuringSettings = StructuringSettings()
    service: ServiceSettings = ServiceSettings()
    worker: WorkerSettings = WorkerSettings()
    retention: RetentionSettings = RetentionSettings()
    security: SecuritySettings = SecuritySettings()
    epj: EpjSettings = EpjSettings()
    """EPJ plugin: SMART on FHIR launch (docs/api.md, "SMART launch")."""
    feed: FeedSettings = FeedSettings()


    deliveries: DeliverySettings = DeliverySettings()
    alarms: AlarmSettings = AlarmSettings()
    data_dir: Path = Field(default_factory=_default_data_dir)
    """Stored audio of dictations in progress, and the embedded SQLite database."""
    database_url: str | None = None
    """SQLAlchemy URL (`DIKTA_DATABASE_URL`), e.g. postgresql+psycopg://user@host/db;
    unset: SQLite (WAL) in the data directory."""

    @property
    def sql_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'dikta.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
