"""Reading a case's records: one record with its mentions and reviews, and identifier search.

Both are access-checked and audited (`record.viewed`, `search.run`), and both
mask identifiers for roles that may not see them (a researcher sees
`***4567`). A search's audit event holds a SHA-256 of what was searched, not
the value: the permanent log must not keep identifiers past the case's
retention, yet someone holding a value can still check it was searched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from threadline.errors import NotFound, ValidationError
from threadline.extract.base import ExtractContext
from threadline.extract.engine import extract_all
from threadline.safeguards.access import IDENTIFIER_TYPES, guard, masker
from threadline.safeguards.review import ReviewInfo, Target, reviews_for
from threadline.store.db import Store
from threadline.store.models import Mention, Record

MAX_QUERY = 500


@dataclass(frozen=True, slots=True)
class MentionView:
    type: str
    field: str
    shown: str  # the normalized value, masked if the viewer may not see identifiers
    start: int
    end: int
    confidence: float
    masked: bool


@dataclass(frozen=True, slots=True)
class RecordView:
    id: int
    case: str
    kind: str
    external_id: str | None
    title: str | None
    text: str  # identifier spans masked for viewers who may not see them
    place: str | None
    posted_at: datetime | None
    mentions: tuple[MentionView, ...]
    reviews: tuple[ReviewInfo, ...]
    masked: bool


def _mask_spans(text: str | None, spans: list[tuple[int, int, str]]) -> str | None:
    """Replace identifier spans (non-overlapping, by offset) with their masked form."""
    if text is None or not spans:
        return text
    out, pos = [], 0
    for start, end, shown in sorted(spans):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(shown)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def view_record(store: Store, actor: str, case_name: str, record_id: int) -> RecordView:
    case = guard(
        store, actor, case_name, "read", audit_as="record.viewed", target=f"record:{record_id}"
    )
    with store.read() as session:
        rec = session.scalar(
            select(Record).where(Record.case_id == case.id, Record.id == record_id)
        )
        if rec is None:
            raise NotFound(f"no record {record_id} in case {case_name!r}")
        show = masker(session, actor, case)
        rows = session.scalars(
            select(Mention)
            .where(Mention.record_id == rec.id)
            .order_by(Mention.field, Mention.start)
        ).all()
        mentions, spans = [], {"title": [], "text": []}  # type: ignore[var-annotated]
        masked_any = False
        for m in rows:
            shown = show(m.type, m.normalized)
            masked = shown != m.normalized
            masked_any |= masked
            mentions.append(
                MentionView(m.type, m.field, shown, m.start, m.end, m.confidence, masked)
            )
            if masked or (m.type in IDENTIFIER_TYPES and show(m.type, m.raw) != m.raw):
                spans.setdefault(m.field, []).append((m.start, m.end, show(m.type, m.raw)))
        return RecordView(
            id=rec.id,
            case=case.name,
            kind=rec.kind,
            external_id=rec.external_id,
            title=_mask_spans(rec.title, spans["title"]),
            text=_mask_spans(rec.text, spans["text"]) or "",
            place=rec.place,
            posted_at=rec.posted_at,
            mentions=tuple(mentions),
            reviews=tuple(reviews_for(session, case.id, Target("record", str(rec.id)))),
            masked=masked_any or bool(spans["title"] or spans["text"]),
        )


@dataclass(frozen=True, slots=True)
class SearchHit:
    record_id: int
    type: str
    shown: str
    masked: bool


def search_identifiers(
    store: Store, actor: str, case_name: str, query: str, *, limit: int = 100
) -> list[SearchHit]:
    """Records of a case mentioning an identifier, matched on its normalized form.

    The query is normalized by the same extractors as the records (so
    `(555) 123-4567` finds `+15551234567`); the raw query is matched too.
    """
    text = (query or "").strip()
    if not text or len(text) > MAX_QUERY:
        raise ValidationError(f"a search is 1 to {MAX_QUERY} characters")
    values = {text} | {m.normalized for m in extract_all(text, ExtractContext()).mentions}
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    case = guard(
        store,
        actor,
        case_name,
        "search",
        audit_as="search.run",
        details={"query_sha256": digest, "query_chars": len(text)},
    )
    with store.read() as session:
        show = masker(session, actor, case)
        rows = session.execute(
            select(Mention.record_id, Mention.type, Mention.normalized)
            .where(
                Mention.case_id == case.id,
                or_(Mention.normalized.in_(values), func.lower(Mention.raw) == text.lower()),
            )
            .distinct()
            .order_by(Mention.record_id)
            .limit(limit)
        ).all()
        hits = []
        for record_id, type_, value in rows:
            shown = show(type_, value)
            hits.append(SearchHit(record_id, type_, shown, shown != value))
        return hits


@dataclass(frozen=True, slots=True)
class RecordRow:
    id: int
    kind: str
    external_id: str | None
    place: str | None
    posted_at: datetime | None
    mentions: int


def list_records(
    store: Store, actor: str, case_name: str, *, after_id: int = 0, limit: int = 100
) -> list[RecordRow]:
    """A page of a case's records (no text: open one with `view_record`). Audited."""
    case = guard(
        store,
        actor,
        case_name,
        "read",
        audit_as="records.listed",
        details={"after_id": after_id, "limit": limit},
    )
    with store.read() as session:
        counts = (
            select(Mention.record_id, func.count().label("n"))
            .where(Mention.case_id == case.id)
            .group_by(Mention.record_id)
            .subquery()
        )
        rows = session.execute(
            select(
                Record.id,
                Record.kind,
                Record.external_id,
                Record.place,
                Record.posted_at,
                func.coalesce(counts.c.n, 0),
            )
            .outerjoin(counts, counts.c.record_id == Record.id)
            .where(Record.case_id == case.id, Record.id > after_id)
            .order_by(Record.id)
            .limit(limit)
        ).all()
        return [RecordRow(*row) for row in rows]
