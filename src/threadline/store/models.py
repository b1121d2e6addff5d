"""The relational schema. Changes here need an Alembic migration (tests compare them).

Types are chosen to behave identically on SQLite and PostgreSQL: times that
enter the audit hash are stored as ISO-8601 strings, and audit details as
canonical JSON text, so no database can reorder or reformat hashed content.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BigInteger ids on PostgreSQL; SQLite needs plain INTEGER for rowid aliasing.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on the way in and out (SQLite would otherwise return naive times)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: threadline stores UTC-aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retention_days: Mapped[int] = mapped_column(Integer)
    retain_until: Mapped[datetime] = mapped_column(UTCDateTime())
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Blob(Base):
    """A file in the content-addressed blob store, registered so it can be found and purged."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Source(Base):
    """One acquired file, preserved as a blob. Records point back to byte ranges in it."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("case_id", "sha256"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    path: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    acquired_by: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    tool_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # ingesting | complete
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_count: Mapped[int] = mapped_column(Integer, default=0)
    stored_count: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0)
    quarantined_count: Mapped[int] = mapped_column(Integer, default=0)


class Record(Base):
    """One ad, job post, page or image, exactly as read from its source.

    `raw_offset`/`raw_length` locate the record's bytes in the source blob;
    `content_sha256` hashes those bytes and makes ingest idempotent per case.
    """

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("case_id", "content_sha256"),
        Index("ix_records_case_external", "case_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    image_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    content_sha256: Mapped[str] = mapped_column(String(64))
    raw_offset: Mapped[int] = mapped_column(BigInteger)
    raw_length: Mapped[int] = mapped_column(BigInteger)
    blob_sha256: Mapped[str | None] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Attachment(Base):
    """A record that refers to another one (an ad page and an image it shows)."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("record_id", "attached_id", "relation"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    attached_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    relation: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(Text)


class QuarantinedItem(Base):
    """Bytes that could not become a record, kept with the reason."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("source_id", "raw_offset"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    locator: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    raw_offset: Mapped[int] = mapped_column(BigInteger)
    raw_length: Mapped[int] = mapped_column(BigInteger)
    blob_sha256: Mapped[str] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """One link of the hash chain. See threadline.audit for the hashed form."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(Id, index=True)  # no FK: outlives purges
    target: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """Single row holding the chain head; locking it serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Id)
    hash: Mapped[str] = mapped_column(String(64))


class Mention(Base):
    """Something an extractor found in a record: a span of its original text and its value."""

    __tablename__ = "mentions"
    __table_args__ = (
        Index("ix_mentions_case_value", "case_id", "type", "normalized"),
        Index("ix_mentions_record", "record_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    field: Mapped[str] = mapped_column(String(16))  # which text the offsets index: text | title
    type: Mapped[str] = mapped_column(String(32))
    raw: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    extractor: Mapped[str] = mapped_column(String(64))
    extractor_version: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)


class RecordStage(Base):
    """Which version of a stage last processed a record, so re-runs skip finished work."""

    __tablename__ = "record_stages"

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Credential(Base):
    """A user's password for the web UI (argon2id hash; never the password)."""

    __tablename__ = "credentials"
    user: Mapped[str] = mapped_column(String(200), primary_key=True)
    password_hash: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A machine token: only its SHA-256 is stored, so a database leak leaks no token."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user: Mapped[str] = mapped_column(String(200), index=True)
    label: Mapped[str] = mapped_column(String(200))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A browser session: the cookie carries a random id, the table its SHA-256."""

    __tablename__ = "web_sessions"
    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user: Mapped[str] = mapped_column(String(200), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- access, review and approvals (threadline.safeguards) ------------------------------


class User(Base):
    """A person who may act on cases. `roles` are the roles they may hold in a case."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


class CaseMember(Base):
    """A user's role in one case; access to a case's data goes only through membership."""

    __tablename__ = "case_members"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str] = mapped_column(String(200))


class Review(Base):
    """A person's decision on a record, link or network, with rationale."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_target", "case_id", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    target_kind: Mapped[str] = mapped_column(String(16))  # record | link | network
    target_id: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(16))  # confirmed | dismissed | needs_more
    reason: Mapped[str | None] = mapped_column(String(32))
    rationale: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExportApproval(Base):
    """A supervisor's approval (four eyes) for one requester to export one target."""

    __tablename__ = "export_approvals"
    __table_args__ = (Index("ix_export_approvals_target", "case_id", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(200))
    requester: Mapped[str] = mapped_column(String(200))
    approver: Mapped[str] = mapped_column(String(200))
    rationale: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignalRow(Base):
    """An indicator that fired on a record, with its evidence spans and the catalogue's citation.

    `spans` is a list of ``{"field": "title" | "text", "start", "end"}``:
    code-point offsets into that field of the record, like a mention's.
    """

    __tablename__ = "signals"
    __table_args__ = (
        Index("ix_signals_record", "record_id"),
        Index("ix_signals_case_indicator", "case_id", "indicator"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    indicator: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    weight: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(32))
    citation: Mapped[str] = mapped_column(Text)
    spans: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    catalogue_version: Mapped[str] = mapped_column(String(32))


class ScoreRow(Base):
    """A record's risk score for review: its value, contributions and the versions behind it."""

    __tablename__ = "scores"
    __table_args__ = (Index("ix_scores_case_value", "case_id", "value"),)

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    for_review: Mapped[bool] = mapped_column(Boolean)
    weight_sum: Mapped[float] = mapped_column(Float)
    contributions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(Text)
    calibration: Mapped[dict[str, Any]] = mapped_column(JSON)
    catalogue_version: Mapped[str] = mapped_column(String(32))
    job_model: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # job ads: the prediction
    model_version: Mapped[str | None] = mapped_column(String(64))
    training_data: Mapped[str | None] = mapped_column(String(64))
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HashList(Base):
    """A named list of known-content hashes with its provenance (who, when, terms, why).

    ``match_only``: the entries are used for matching and never shown (counts only);
    images that match them are never rendered.
    """

    __tablename__ = "hash_lists"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    supplied_by: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    terms: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    match_only: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HashListEntry(Base):
    """One hash on a list: ``value`` is lower-case hex of the ``hash_type`` (pdq, md5, sha256)."""

    __tablename__ = "hash_list_entries"
    __table_args__ = (
        UniqueConstraint("list_id", "hash_type", "value"),
        Index("ix_hash_list_entries_value", "hash_type", "value"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("hash_lists.id"))
    hash_type: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean)
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ImageHash(Base):
    """The hashes of an image record's bytes (``error`` set when they could not be computed)."""

    __tablename__ = "image_hashes"
    __table_args__ = (Index("ix_image_hashes_case_sha256", "case_id", "sha256"),)

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    md5: Mapped[str | None] = mapped_column(String(32))
    pdq: Mapped[str | None] = mapped_column(String(64))
    quality: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(64))


class HashMatch(Base):
    """An image record matched a hash-list entry: a signal for review, with its evidence.

    ``entry_id`` has no foreign key: a match stays on record after its entry is removed.
    """

    __tablename__ = "hash_matches"
    __table_args__ = (UniqueConstraint("record_id", "entry_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("hash_lists.id"), index=True)
    entry_id: Mapped[int] = mapped_column(Id)
    hash_type: Mapped[str] = mapped_column(String(8))
    distance: Mapped[int] = mapped_column(Integer)
    quality: Mapped[int | None] = mapped_column(Integer)
    match_only: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[str] = mapped_column(String(64))
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LinkRun(Base):
    """One linking run over a case. Readers use the run marked ``current``; a new run is
    written beside it and swapped in with one commit, then the old one is deleted."""

    __tablename__ = "link_runs"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # writing | current
    input_digest: Mapped[str] = mapped_column(String(64))  # records, mentions and settings read
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LinkRow(Base):
    """A link between two records with its reason: a shared value, a text similarity, a
    template. ``counts`` says whether it merges networks (a hub's links do not)."""

    __tablename__ = "links"
    __table_args__ = (Index("ix_links_run_a", "run_id", "record_a"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_runs.id"))
    record_a: Mapped[int] = mapped_column(ForeignKey("records.id"))
    record_b: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # identifier | text | template
    value: Mapped[str | None] = mapped_column(Text)  # "phone:+1…", or a template id
    similarity: Mapped[float | None] = mapped_column(Float)  # exact Jaccard of text links
    strength: Mapped[float] = mapped_column(Float)
    counts: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text)


class NetworkRow(Base):
    """A network of a run: ``key`` is derived from its members' content hashes, so the same
    records give the same key on every run; ``summary`` is its analyst summary."""

    __tablename__ = "networks"
    __table_args__ = (UniqueConstraint("run_id", "key"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_runs.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


class NetworkMember(Base):
    __tablename__ = "network_members"

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True, index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_runs.id"), index=True)


class HubDecisionRow(Base):
    """Whether a frequent shared value merges networks, and why (`link.identifiers`)."""

    __tablename__ = "hub_decisions"
    __table_args__ = (Index("ix_hub_decisions_run_value", "run_id", "type", "value"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_runs.id"))
    type: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    hub: Mapped[bool] = mapped_column(Boolean)
    records: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class PseudonymKey(Base):
    """The per-case secret behind export pseudonyms. Never exported; goes with its case.

    A row here is the only copy of the key: without it, pseudonyms already handed
    out can no longer be re-identified, which is what purging a case should mean.
    """

    __tablename__ = "pseudonym_keys"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    key_hex: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
