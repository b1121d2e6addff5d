"""Retention: purge a case's data once its `retain_until` date has passed.

What goes: every row of every table that carries the case's `case_id` (records,
sources, mentions, quarantine, reviews, approvals, and whatever later stages
add), every row that hangs off those records through a `record_id` column
(stages, attachments …), and every blob no remaining row of any case still
refers to. What stays: the case row itself (marked `purged_at`, so its name is
not reused and its audit trail can still be read), its memberships (so auditors
keep access to that trail) and the audit log, which gains one `case.purged`
event with counts only. Audit events are never touched, so the chain verifies
as before.

Tables are found from the schema, so a new derived table is purged without a
change here as long as it has a `case_id` or `record_id` column (the contract
for new stages). Blob files are unlinked only after the database commit: a
failed purge never loses bytes still referenced.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, exists, func, or_, select, union
from sqlalchemy.orm import Session

from threadline import audit
from threadline.errors import NotFound
from threadline.safeguards.access import guard_global
from threadline.store.db import Store, utcnow
from threadline.store.models import AuditEvent, AuditHead, Base, Blob, Case, CaseMember

# Kept after a purge (see the module docstring).
KEEP = frozenset({Case.__tablename__, CaseMember.__tablename__, AuditEvent.__tablename__,
                  AuditHead.__tablename__})  # fmt: skip


@dataclass(frozen=True, slots=True)
class PurgeResult:
    case_id: int
    case_name: str
    retain_until: datetime
    rows: dict[str, int] = field(default_factory=dict)  # table → rows deleted (or to delete)
    blobs: int = 0  # blob files no longer referenced by any case
    blob_bytes: int = 0


def _case_filters(case_id: int) -> dict[str, Any]:
    """Per table, the condition selecting the case's rows.

    A table with a ``case_id`` holds its own case's id (the contract for new
    tables); any other table belongs to the case through a foreign key into a
    table that does (links through their run, memberships through their
    network, stages through their record). Tables reached by neither are not
    case data (users, blobs, credentials) and are never touched here.
    """
    filters: dict[str, Any] = {}
    for table in Base.metadata.sorted_tables:  # parents before children
        if table.name in KEEP:
            continue
        if "case_id" in table.c:
            filters[table.name] = table.c.case_id == case_id
            continue
        conditions = [
            col.in_(select(fk.column).where(filters[fk.column.table.name]))
            for col in table.c
            for fk in col.foreign_keys
            if fk.column.table.name in filters
        ]
        if conditions:
            filters[table.name] = or_(*conditions)
    return filters


def _blob_columns() -> list:  # type: ignore[type-arg]
    cols = []
    for table in Base.metadata.sorted_tables:
        for col in table.c:
            if any(fk.column.table.name == Blob.__tablename__ for fk in col.foreign_keys):
                cols.append(col)
    return cols


def _case_blobs(session: Session, case_id: int) -> set[str]:
    parts = [
        select(col).where(col.table.c.case_id == case_id, col.isnot(None))
        for col in _blob_columns()
        if "case_id" in col.table.c
    ]
    return set(session.scalars(union(*parts))) if parts else set()


def _still_referenced(session: Session, sha: str) -> bool:
    return any(session.scalar(select(exists().where(col == sha))) for col in _blob_columns())


def _count(session: Session, table: Table, where) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(table).where(where)) or 0


def due_cases(session: Session, now: datetime | None = None) -> list[Case]:
    now = now or utcnow()
    return list(
        session.scalars(
            select(Case).where(Case.retain_until <= now, Case.purged_at.is_(None)).order_by(Case.id)
        )
    )


def purge_case(store: Store, actor: str, case: Case, *, dry_run: bool) -> PurgeResult:
    """Delete (or, dry, count) one expired case's data in one transaction."""
    rows: dict[str, int] = {}
    with store.write() as session:
        current = session.get(Case, case.id)
        if current is None:
            raise NotFound(f"case {case.name!r} no longer exists")
        case = current
        candidate_blobs = _case_blobs(session, case.id)
        # children first, in reverse dependency order, every table that holds case data
        filters = _case_filters(case.id)
        for table in reversed(Base.metadata.sorted_tables):
            where = filters.get(table.name)
            if where is None:
                continue
            rows[table.name] = _count(session, table, where)
            if not dry_run and rows[table.name]:
                session.execute(delete(table).where(where))
        if dry_run:
            # blobs shared with another case survive; count those only this case holds
            orphaned = [
                sha for sha in candidate_blobs if not _shared_elsewhere(session, sha, case.id)
            ]
        else:
            session.flush()
            orphaned = [sha for sha in candidate_blobs if not _still_referenced(session, sha)]
        sizes = dict(
            session.execute(select(Blob.sha256, Blob.size).where(Blob.sha256.in_(orphaned))).all()
        ) if orphaned else {}  # fmt: skip
        result = PurgeResult(
            case.id,
            case.name,
            case.retain_until,
            {k: v for k, v in rows.items() if v},
            len(orphaned),
            sum(sizes.values()),
        )
        if dry_run:
            session.rollback()
            return result
        if orphaned:
            session.execute(delete(Blob).where(Blob.sha256.in_(orphaned)))
        case.purged_at = utcnow()
        audit.append(
            session,
            actor=actor,
            action="case.purged",
            case_id=case.id,
            target=f"case:{case.id}",
            details={
                "retain_until": case.retain_until.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "rows": result.rows,
                "blobs": result.blobs,
                "blob_bytes": result.blob_bytes,
            },
        )
    for sha in orphaned:  # after commit: a rolled-back purge must not lose bytes
        path = store.blobs.path(sha)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return result


def _shared_elsewhere(session: Session, sha: str, case_id: int) -> bool:
    for col in _blob_columns():
        query = select(exists().where(col == sha))
        if "case_id" in col.table.c:
            query = select(exists().where(col == sha, col.table.c.case_id != case_id))
        if session.scalar(query):
            return True
    return False


def run_retention(
    store: Store, actor: str, *, dry_run: bool = False, now: datetime | None = None
) -> list[PurgeResult]:
    """Purge every case past its deadline (admins only). With dry_run, only count."""
    guard_global(store, actor, "run_retention")
    with store.read() as session:
        cases = due_cases(session, now)
    return [purge_case(store, actor, c, dry_run=dry_run) for c in cases]
