"""Database engine and sessions for SQLite (embedded default) and PostgreSQL.

Writes go through `Store.write()`. On SQLite that transaction starts with
BEGIN IMMEDIATE, so the write lock is taken up front and two writers never
both read the audit head and then race to extend it; on PostgreSQL the head row
is locked with SELECT … FOR UPDATE (see threadline.audit).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from threadline.config import Settings
from threadline.store.blobs import BlobRef, BlobStore
from threadline.store.models import Blob

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # NORMAL is safe against a killed process in WAL mode; FULL only adds power-loss safety
    # for the last commits, and raw bytes are fsynced to the blob store before any commit.
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=60000",
    # The unique (case, content hash) index has random keys; with SQLite's default 2 MB
    # page cache, inserts slow down once it outgrows the cache (measured at 1M records).
    "PRAGMA cache_size=-65536",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # let the begin hook below issue BEGIN
            cur = dbapi_conn.cursor()
            for pragma in SQLITE_PRAGMAS:
                cur.execute(pragma)
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
            mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


class Store:
    """The database plus the blob store of one deployment."""

    def __init__(self, settings: Settings, *, migrate: bool = True) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(settings.database_url)
        if self.engine.url.get_backend_name() == "sqlite" and self.engine.url.database:
            Path(self.engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        self.blobs = BlobStore(settings.blob_dir)
        if migrate:
            from threadline.store.migrate import upgrade

            upgrade(self.engine)
        self._writer = sessionmaker(
            self.engine.execution_options(write=True), expire_on_commit=False
        )
        self._reader = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction; committed on success, rolled back on error.

        After commit the audit checkpoint is advanced if the transaction
        appended audit events.
        """
        with self._writer() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            head = session.info.pop("audit_head", None)
        if head is not None:
            from threadline.audit import write_checkpoint

            write_checkpoint(self.settings.audit_checkpoint, self.settings.database_url, *head)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    def insert_ignore(self, session: Session, model: type, rows: list[dict]) -> None:
        """INSERT … ON CONFLICT DO NOTHING: idempotent bulk writes on both dialects."""
        if not rows:
            return
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        session.execute(dialect_insert(model).on_conflict_do_nothing(), rows)

    def put_blob(self, session: Session, data: bytes) -> BlobRef:
        ref = self.blobs.put_bytes(data)
        self.register_blob(session, ref)
        return ref

    def register_blob(self, session: Session, ref: BlobRef) -> None:
        self.register_blobs(session, [ref])

    def register_blobs(self, session: Session, refs: list[BlobRef]) -> None:
        now = utcnow()
        unique = {r.sha256: r for r in refs}.values()
        self.insert_ignore(
            session, Blob, [{"sha256": r.sha256, "size": r.size, "created_at": now} for r in unique]
        )

    def dispose(self) -> None:
        self.engine.dispose()
