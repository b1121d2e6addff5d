"""Read-only views of a case's records for people: one record with its evidence, lists, search.

Shared by the web UI, the REST API and the CLI so that every adapter shows the
same facts. Search is bounded: a query is at most `MAX_QUERY` characters,
matched as a literal substring (SQL LIKE with escaped wildcards) in titles and
texts, and as a normalized identifier (a phone typed in any format finds its
E.164 mentions); results are capped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select

from threadline.cases import resolve_case
from threadline.errors import NotFound, ValidationError
from threadline.store.db import Store
from threadline.store.models import Attachment, AuditEvent, Case, Mention, Record, Source

MAX_QUERY = 200
MAX_LIMIT = 200
MAX_IMAGE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class MentionView:
    id: int
    field: str
    type: str
    raw: str
    normalized: str
    start: int
    end: int
    extractor: str
    extractor_version: str
    confidence: float
    explanation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecordSummary:
    id: int
    case: str
    kind: str
    external_id: str | None
    title: str | None
    snippet: str
    place: str | None
    posted_at: datetime | None


@dataclass(frozen=True, slots=True)
class RecordView:
    id: int
    case: str
    kind: str
    external_id: str | None
    title: str | None
    text: str
    url: str | None
    place: str | None
    posted_at: datetime | None
    ingested_at: datetime
    content_sha256: str
    blob_sha256: str | None
    source_id: int
    source_path: str
    source_sha256: str
    source_format: str
    acquired_by: str
    acquired_at: datetime
    raw_offset: int
    raw_length: int
    warnings: tuple[str, ...]
    mentions: tuple[MentionView, ...]
    images: tuple[int, ...]  # image records attached to this one (or itself, for an image)


@dataclass(frozen=True, slots=True)
class EventView:
    seq: int
    at: str
    actor: str
    action: str
    target: str
    details: str


def _snippet(text: str, width: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _summary(rec: Record, case: str) -> RecordSummary:
    return RecordSummary(
        rec.id,
        case,
        rec.kind,
        rec.external_id,
        rec.title,
        _snippet(rec.text),
        rec.place,
        rec.posted_at,
    )


def get_record(store: Store, record_id: int) -> RecordView:
    with store.read() as session:
        row = session.execute(
            select(Record, Case.name, Source)
            .join(Case, Case.id == Record.case_id)
            .join(Source, Source.id == Record.source_id)
            .where(Record.id == record_id)
        ).first()
        if row is None:
            raise NotFound(f"no record with id {record_id}")
        rec, case_name, src = row
        mentions = session.scalars(
            select(Mention)
            .where(Mention.record_id == rec.id)
            .order_by(Mention.field, Mention.start)
        ).all()
        images = session.scalars(
            select(Attachment.attached_id)
            .where(Attachment.record_id == rec.id)
            .order_by(Attachment.attached_id)
        ).all()
        if rec.kind == "image":
            images = [rec.id, *images]
        return RecordView(
            id=rec.id,
            case=case_name,
            kind=rec.kind,
            external_id=rec.external_id,
            title=rec.title,
            text=rec.text,
            url=rec.url,
            place=rec.place,
            posted_at=rec.posted_at,
            ingested_at=rec.ingested_at,
            content_sha256=rec.content_sha256,
            blob_sha256=rec.blob_sha256,
            source_id=src.id,
            source_path=src.path,
            source_sha256=src.sha256,
            source_format=src.format,
            acquired_by=src.acquired_by,
            acquired_at=src.acquired_at,
            raw_offset=rec.raw_offset,
            raw_length=rec.raw_length,
            warnings=tuple(rec.warnings or ()),
            mentions=tuple(
                MentionView(
                    m.id,
                    m.field,
                    m.type,
                    m.raw,
                    m.normalized,
                    m.start,
                    m.end,
                    m.extractor,
                    m.extractor_version,
                    m.confidence,
                    m.explanation or {},
                )
                for m in mentions
            ),
            images=tuple(images),
        )


def _bounded(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be 1–{MAX_LIMIT}")
    if offset < 0:
        raise ValidationError("offset must not be negative")
    return limit, offset


def list_records(
    store: Store, case_name: str, *, kind: str | None = None, limit: int = 50, offset: int = 0
) -> list[RecordSummary]:
    limit, offset = _bounded(limit, offset)
    with store.read() as session:
        case = resolve_case(session, case_name)
        query: Select[tuple[Record]] = select(Record).where(Record.case_id == case.id)
        if kind is not None:
            query = query.where(Record.kind == kind)
        rows = session.scalars(query.order_by(Record.id).limit(limit).offset(offset)).all()
        return [_summary(r, case.name) for r in rows]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _identifier_forms(query: str) -> set[str]:
    """The query as typed, lower-cased, and as a phone in E.164 if it reads as one."""
    import phonenumbers

    forms = {query, query.lower()}
    try:
        number = phonenumbers.parse(query, "US")
        if phonenumbers.is_possible_number(number):
            forms.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    except phonenumbers.NumberParseException:
        pass
    return forms


def search_case(
    store: Store, case_name: str, query: str, *, limit: int = 50, offset: int = 0
) -> list[RecordSummary]:
    """Records whose title or text contains `query`, or that mention it as an identifier."""
    query = " ".join(query.split())
    if not query:
        raise ValidationError("search for something: the query is empty")
    if len(query) > MAX_QUERY:
        raise ValidationError(f"a query is at most {MAX_QUERY} characters")
    limit, offset = _bounded(limit, offset)
    pattern = _like(query.lower())
    with store.read() as session:
        case = resolve_case(session, case_name)
        by_identifier = (
            select(Mention.record_id)
            .where(Mention.case_id == case.id)
            .where(Mention.normalized.in_(_identifier_forms(query)))
        )
        rows = session.scalars(
            select(Record)
            .where(Record.case_id == case.id)
            .where(
                or_(
                    func.lower(Record.text).like(pattern, escape="\\"),
                    func.lower(func.coalesce(Record.title, "")).like(pattern, escape="\\"),
                    Record.id.in_(by_identifier),
                )
            )
            .order_by(Record.id)
            .limit(limit)
            .offset(offset)
        ).all()
        return [_summary(r, case.name) for r in rows]


def recent_events(store: Store, case_name: str | None, *, limit: int = 50) -> list[EventView]:
    limit, _ = _bounded(limit, 0)
    with store.read() as session:
        query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
        if case_name is not None:
            query = query.where(AuditEvent.case_id == resolve_case(session, case_name).id)
        return [
            EventView(e.seq, e.at, e.actor, e.action, e.target, e.details)
            for e in session.scalars(query)
        ]


def image_bytes(store: Store, record_id: int) -> bytes:
    """The preserved bytes of an image record (for thumbnails; never sent as they are)."""
    with store.read() as session:
        rec = session.get(Record, record_id)
        if rec is None or rec.kind != "image" or rec.blob_sha256 is None:
            raise NotFound(f"no image record with id {record_id}")
        sha = rec.blob_sha256
    with store.blobs.open(sha) as fh:
        return fh.read(MAX_IMAGE_BYTES + 1)
