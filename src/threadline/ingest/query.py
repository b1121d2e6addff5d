"""Read-only views of what ingest stored: sources with provenance, quarantine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from threadline.safeguards.access import guard
from threadline.store.db import Store
from threadline.store.models import QuarantinedItem, Source


@dataclass(frozen=True, slots=True)
class SourceInfo:
    id: int
    path: str
    format: str
    size: int
    sha256: str
    acquired_by: str
    acquired_at: datetime
    tool_version: str
    status: str
    read: int
    stored: int
    duplicate: int
    quarantined: int


@dataclass(frozen=True, slots=True)
class QuarantineInfo:
    id: int
    source_id: int
    source_path: str
    locator: str
    reason: str
    raw_offset: int
    raw_length: int
    blob_sha256: str
    created_at: datetime


def list_sources(store: Store, actor: str, case_name: str) -> list[SourceInfo]:
    case = guard(store, actor, case_name, "read")
    with store.read() as session:
        rows = session.scalars(select(Source).where(Source.case_id == case.id).order_by(Source.id))
        return [
            SourceInfo(
                s.id,
                s.path,
                s.format,
                s.size,
                s.sha256,
                s.acquired_by,
                s.acquired_at,
                s.tool_version,
                s.status,
                s.read_count,
                s.stored_count,
                s.duplicate_count,
                s.quarantined_count,
            )
            for s in rows
        ]


def list_quarantine(
    store: Store, actor: str, case_name: str, limit: int = 1000
) -> list[QuarantineInfo]:
    case = guard(store, actor, case_name, "read", audit_as="quarantine.viewed")
    with store.read() as session:
        rows = session.execute(
            select(QuarantinedItem, Source.path)
            .join(Source, Source.id == QuarantinedItem.source_id)
            .where(QuarantinedItem.case_id == case.id)
            .order_by(QuarantinedItem.id)
            .limit(limit)
        )
        return [
            QuarantineInfo(
                q.id,
                q.source_id,
                path,
                q.locator,
                q.reason,
                q.raw_offset,
                q.raw_length,
                q.blob_sha256,
                q.created_at,
            )
            for q, path in rows
        ]
