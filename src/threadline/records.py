"""Reading a case's records: one record with its evidence, lists, and search.

Shared by the CLI, the REST API and the web UI so every adapter shows the same
facts to the same person.

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
from threadline.store.models import Attachment, Mention, Record, Source

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
    raw: str = ""  # the text as written (masked like the value for some roles)
    extractor: str = ""
    obfuscation: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where the record's bytes came from: the source file and their place in it."""

    source_id: int
    source_path: str
    source_sha256: str
    source_format: str
    acquired_by: str
    acquired_at: datetime
    raw_offset: int
    raw_length: int
    content_sha256: str
    ingested_at: datetime


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
    mentions: tuple[MentionView, ...]  # offsets index the title/text returned here
    reviews: tuple[ReviewInfo, ...]
    masked: bool
    url: str | None = None
    warnings: tuple[str, ...] = ()
    provenance: Provenance | None = None
    images: tuple[int, ...] = ()  # image records attached to this one (or itself)


def _mask_spans(
    text: str | None, spans: list[tuple[int, int, str]]
) -> tuple[str | None, dict[int, int]]:
    """Replace identifier spans (non-overlapping, by offset) with their masked form.

    Returns the new text and a map from every old span boundary to its new
    offset, so mentions can still point into the text that is shown.
    """
    if text is None or not spans:
        return text, {}
    out, pos, shift, moved = [], 0, 0, {}
    for start, end, shown in sorted(spans):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(shown)
        moved[start] = start + shift
        shift += len(shown) - (end - start)
        moved[end] = end + shift
        pos = end
    out.append(text[pos:])
    return "".join(out), moved


def _shift(offset: int, moved: dict[int, int], boundaries: list[int]) -> int:
    """New position of an offset after masking (offsets between spans move with the last one)."""
    if offset in moved:
        return moved[offset]
    shift = 0
    for b in boundaries:
        if b > offset:
            break
        shift = moved[b] - b
    return offset + shift


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
        spans: dict[str, list[tuple[int, int, str]]] = {"title": [], "text": []}
        for m in rows:
            if m.type in IDENTIFIER_TYPES and (
                show(m.type, m.normalized) != m.normalized or show(m.type, m.raw) != m.raw
            ):
                spans.setdefault(m.field, []).append((m.start, m.end, show(m.type, m.raw)))
        title, title_moved = _mask_spans(rec.title, spans["title"])
        text, text_moved = _mask_spans(rec.text, spans["text"])
        moved = {"title": title_moved, "text": text_moved}
        bounds = {field: sorted(m) for field, m in moved.items()}
        mentions, masked_any = [], False
        for m in rows:
            shown = show(m.type, m.normalized)
            masked = shown != m.normalized or show(m.type, m.raw) != m.raw
            masked_any |= masked
            fmoved, fbounds = moved.get(m.field, {}), bounds.get(m.field, [])
            mentions.append(
                MentionView(
                    m.type,
                    m.field,
                    shown,
                    _shift(m.start, fmoved, fbounds),
                    _shift(m.end, fmoved, fbounds),
                    m.confidence,
                    masked,
                    show(m.type, m.raw),
                    m.extractor,
                    tuple((m.explanation or {}).get("obfuscation", ())),
                )
            )
        src_row = session.get(Source, rec.source_id)
        images = list(
            session.scalars(
                select(Attachment.attached_id)
                .where(Attachment.record_id == rec.id)
                .order_by(Attachment.attached_id)
            )
        )
        if rec.kind == "image":
            images.insert(0, rec.id)
        return RecordView(
            id=rec.id,
            case=case.name,
            kind=rec.kind,
            external_id=rec.external_id,
            title=title,
            text=text or "",
            place=rec.place,
            posted_at=rec.posted_at,
            mentions=tuple(mentions),
            reviews=tuple(reviews_for(session, case.id, Target("record", str(rec.id)))),
            masked=masked_any or bool(spans["title"] or spans["text"]),
            url=rec.url,
            warnings=tuple(rec.warnings or ()),
            provenance=None
            if src_row is None
            else Provenance(
                src_row.id,
                src_row.path,
                src_row.sha256,
                src_row.format,
                src_row.acquired_by,
                src_row.acquired_at,
                rec.raw_offset,
                rec.raw_length,
                rec.content_sha256,
                rec.ingested_at,
            ),
            images=tuple(images),
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


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_case(
    store: Store, actor: str, case_name: str, query: str, *, limit: int = 100
) -> list[SearchHit]:
    """Identifier matches first (as `search_identifiers`), then records whose title or
    text contains the query as written (case-insensitive substring, wildcards escaped).

    One audited search; text hits have type ``text`` and show nothing of the text.
    """
    hits = search_identifiers(store, actor, case_name, query, limit=limit)
    if len(hits) >= limit:
        return hits
    seen = {h.record_id for h in hits}
    pattern = _like(query.strip().lower())
    with store.read() as session:
        from threadline.cases import resolve_case

        case = resolve_case(session, case_name)
        rows = session.scalars(
            select(Record.id)
            .where(
                Record.case_id == case.id,
                or_(
                    func.lower(Record.text).like(pattern, escape="\\"),
                    func.lower(func.coalesce(Record.title, "")).like(pattern, escape="\\"),
                ),
            )
            .order_by(Record.id)
            .limit(limit)
        ).all()
    for record_id in rows:
        if record_id not in seen and len(hits) < limit:
            hits.append(SearchHit(record_id, "text", "", False))
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


def permissions(store: Store, actor: str, case_name: str) -> frozenset[str]:
    """What `actor` may do in the case, for adapters deciding what to offer (not a check)."""
    from threadline.cases import resolve_case
    from threadline.errors import Forbidden
    from threadline.safeguards.access import acting_user, allowed, is_expired
    from threadline.safeguards.roles import AFTER_RETENTION

    with store.read() as session:
        case = resolve_case(session, case_name)
        try:
            user = acting_user(session, actor)
        except Forbidden:
            return frozenset()
        actions = allowed(session, user, case)
        return actions & AFTER_RETENTION if is_expired(case) else actions


@dataclass(frozen=True, slots=True)
class ScoredRecord:
    record_id: int
    kind: str
    value: float
    for_review: bool


def top_scored(store: Store, actor: str, case_name: str, *, limit: int = 10) -> list[ScoredRecord]:
    """The case's highest risk scores: where review should start (a ranking, not a finding)."""
    from threadline.store.models import ScoreRow

    case = guard(store, actor, case_name, "read")
    with store.read() as session:
        rows = session.execute(
            select(ScoreRow.record_id, ScoreRow.kind, ScoreRow.value, ScoreRow.for_review)
            .where(ScoreRow.case_id == case.id)
            .order_by(ScoreRow.value.desc(), ScoreRow.record_id)
            .limit(max(1, min(limit, 200)))
        ).all()
    return [ScoredRecord(*r) for r in rows]


@dataclass(frozen=True, slots=True)
class MatchView:
    record_id: int
    list_name: str
    match_only: bool
    hash_type: str
    distance: int
    quality: int | None


def hash_matches(store: Store, actor: str, case_name: str, *, limit: int = 500) -> list[MatchView]:
    """The case's images that matched a hash list (list, distance, quality), for review."""
    from threadline.store.models import HashList, HashMatch

    case = guard(store, actor, case_name, "read", audit_as="matches.viewed")
    with store.read() as session:
        rows = session.execute(
            select(
                HashMatch.record_id,
                HashList.name,
                HashList.match_only,
                HashMatch.hash_type,
                HashMatch.distance,
                HashMatch.quality,
            )
            .join(HashList, HashList.id == HashMatch.list_id)
            .where(HashMatch.case_id == case.id)
            .order_by(HashMatch.distance, HashMatch.record_id)
            .limit(max(1, min(limit, 5000)))
        ).all()
    return [MatchView(*r) for r in rows]
