"""Hash lists in the store: create, import, add, disable, remove, export — every change audited.

A list records its provenance: who supplied it, when it was received, the
licence or terms it came under, and the purpose it may be used for. Entries are
(type, hash) pairs, unique per list, with an optional label and source; a
disabled entry stays on the list (and in exports) but no longer matches.

Match-only lists. A list marked ``match_only`` is used for matching and never
shown: listing its entries is refused (callers get counts only), import
problems are reported by line number and reason without the row's text, and
exporting it is refused unless the caller gives a reason (at least
``MIN_REASON`` characters), which is audited as ``hashlist.exported_match_only``
with the number of entries written. The intended use is handing a list back to
its supplier or moving it to another threadline deployment under the same
terms. Images that match such a list are never rendered (``threadline.images``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from threadline import audit
from threadline.errors import Conflict, NotFound, ValidationError
from threadline.hashlists.formats import (
    FORMATS,
    HASH_TYPES,
    ExportRow,
    HashFormatError,
    HashType,
    ParsedEntry,
    RowProblem,
    clean_text,
    normalize_hash,
    parse_rows,
    write_rows,
)
from threadline.safeguards.access import guard_global
from threadline.store.db import Store, utcnow
from threadline.store.models import HashList, HashListEntry

MAX_NAME = 200
MIN_PROVENANCE = 3
MIN_REASON = 10
BATCH = 5000
MAX_PROBLEMS_AUDITED = 1000


@dataclass(frozen=True, slots=True)
class HashListInfo:
    id: int
    name: str
    supplied_by: str
    received_at: datetime
    terms: str
    purpose: str
    match_only: bool
    created_by: str
    created_at: datetime
    entries: int = 0
    enabled: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EntryInfo:
    id: int
    hash_type: str
    value: str
    label: str | None
    source: str | None
    enabled: bool
    added_by: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class ImportResult:
    list_name: str
    rows: int  # well-formed rows read
    added: int
    duplicates: int  # already on the list, or repeated in the file
    problems: tuple[RowProblem, ...]


class MatchOnlyRefused(Conflict):
    """The operation would display the entries of a match-only list."""


def _one_line(label: str, value: str | None, minimum: int, maximum: int = 2000) -> str:
    text = (value or "").strip()
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise ValidationError(f"{label} must be one line without control characters")
    if len(text) < minimum:
        raise ValidationError(f"a hash list needs {label} (at least {minimum} characters)")
    if len(text) > maximum:
        raise ValidationError(f"{label} is longer than {maximum} characters")
    return text


def create_list(
    store: Store,
    actor: str,
    name: str,
    *,
    supplied_by: str | None,
    received_at: datetime | None,
    terms: str | None,
    purpose: str | None,
    match_only: bool = False,
) -> HashListInfo:
    """Create an empty list; every provenance field is required."""
    guard_global(store, actor, "manage_hashlists")
    name = _one_line("a name", name, 1, MAX_NAME)
    supplied = _one_line("who supplied it (--supplied-by)", supplied_by, MIN_PROVENANCE)
    terms_ = _one_line("its licence or terms (--terms)", terms, MIN_PROVENANCE)
    purpose_ = _one_line("a purpose (--purpose)", purpose, MIN_PROVENANCE)
    if received_at is None:
        raise ValidationError("a hash list needs the date it was received (--received-at)")
    if received_at.tzinfo is None:
        raise ValidationError("--received-at needs a time zone (e.g. 2026-11-20T09:00:00+00:00)")
    now = utcnow()
    try:
        with store.write() as session:
            if session.scalar(select(HashList.id).where(HashList.name == name)) is not None:
                raise Conflict(f"a hash list named {name!r} already exists")
            row = HashList(
                name=name,
                supplied_by=supplied,
                received_at=received_at,
                terms=terms_,
                purpose=purpose_,
                match_only=match_only,
                created_by=actor,
                created_at=now,
            )
            session.add(row)
            session.flush()
            audit.append(
                session,
                actor=actor,
                action="hashlist.created",
                case_id=None,
                target=f"hashlist:{row.id}",
                details={
                    "name": name,
                    "supplied_by": supplied,
                    "received_at": received_at.isoformat(),
                    "terms": terms_,
                    "purpose": purpose_,
                    "match_only": match_only,
                },
            )
            return _info(row, {})
    except IntegrityError as exc:
        raise Conflict(f"a hash list named {name!r} already exists") from exc


def resolve_list(session: Session, name: str) -> HashList:
    row = session.scalar(select(HashList).where(HashList.name == name))
    if row is None:
        raise NotFound(f"no hash list named {name!r} (see `threadline hashlist list`)")
    return row


def get_list(store: Store, name: str) -> HashListInfo:
    with store.read() as session:
        row = resolve_list(session, name)
        return _info(row, _counts(session, [row.id]).get(row.id, {}))


def list_lists(store: Store) -> list[HashListInfo]:
    with store.read() as session:
        rows = list(session.scalars(select(HashList).order_by(HashList.name)))
        counts = _counts(session, [r.id for r in rows])
        return [_info(r, counts.get(r.id, {})) for r in rows]


def list_entries(store: Store, name: str, *, limit: int | None = None) -> list[EntryInfo]:
    """The entries of a list; refused for match-only lists (their entries are never shown)."""
    with store.read() as session:
        row = resolve_list(session, name)
        if row.match_only:
            raise MatchOnlyRefused(
                f"hash list {name!r} is match-only: its entries are never displayed"
            )
        query = (
            select(HashListEntry).where(HashListEntry.list_id == row.id).order_by(HashListEntry.id)
        )
        if limit is not None:
            query = query.limit(limit)
        return [_entry(e) for e in session.scalars(query)]


def add_entry(
    store: Store,
    actor: str,
    name: str,
    hash_type: str,
    value: str,
    *,
    label: str | None = None,
    source: str | None = None,
) -> bool:
    """Add one hash; False when it was already on the list. Raises ValidationError if malformed."""
    guard_global(store, actor, "manage_hashlists")
    try:
        clean = normalize_hash(hash_type, value)
    except HashFormatError as exc:
        raise ValidationError(str(exc)) from exc
    entry = ParsedEntry(0, hash_type, clean, clean_text(label), clean_text(source))  # type: ignore[arg-type]
    with store.write() as session:
        row = resolve_list(session, name)
        added = _insert(store, session, row, [entry], actor)
        audit.append(
            session,
            actor=actor,
            action="hashlist.entry_added",
            case_id=None,
            target=f"hashlist:{row.id}",
            details=_entry_details(row, hash_type, clean, added=added),
        )
    return added == 1


def import_entries(
    store: Store,
    actor: str,
    name: str,
    lines: Iterable[bytes],
    fmt: str = "csv",
    *,
    te_type: HashType = "pdq",
    origin: str = "",
) -> ImportResult:
    """Import a file's lines; bad rows are returned with their line numbers, good ones stored.

    Each batch of ``BATCH`` rows is one transaction with its audit event, which
    lists the batch's problems (line and reason; at most ``MAX_PROBLEMS_AUDITED``).
    """
    guard_global(store, actor, "manage_hashlists")
    if fmt not in FORMATS:
        raise ValidationError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if te_type not in HASH_TYPES:
        raise ValidationError(f"unknown hash type {te_type!r}")
    with store.read() as session:
        row = resolve_list(session, name)
    hidden = row.match_only
    rows = added = 0
    problems: list[RowProblem] = []
    for entries, bad in _batches(parse_rows(lines, fmt, te_type=te_type), hidden):
        problems.extend(bad)
        with store.write() as session:
            row = resolve_list(session, name)
            n = _insert(store, session, row, entries, actor)
            audit.append(
                session,
                actor=actor,
                action="hashlist.imported",
                case_id=None,
                target=f"hashlist:{row.id}",
                details={
                    "list": row.name,
                    "format": fmt,
                    "origin": origin[:500],
                    "rows": len(entries),
                    "added": n,
                    "first_line": entries[0].line if entries else None,
                    "last_line": entries[-1].line if entries else None,
                    "problems": [
                        {"line": p.line, "reason": p.reason} for p in bad[:MAX_PROBLEMS_AUDITED]
                    ],
                },
            )
        rows += len(entries)
        added += n
    return ImportResult(name, rows, added, rows - added, tuple(problems))


def set_enabled(
    store: Store, actor: str, name: str, hash_type: str, value: str, *, enabled: bool
) -> None:
    """Disable (or re-enable) one entry: it stays on the list but matches only when enabled."""
    guard_global(store, actor, "manage_hashlists")
    clean = _clean_value(hash_type, value)
    with store.write() as session:
        row = resolve_list(session, name)
        result = session.execute(
            update(HashListEntry).where(_same(row.id, hash_type, clean)).values(enabled=enabled)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"that {hash_type} hash is not on list {name!r}")
        audit.append(
            session,
            actor=actor,
            action="hashlist.entry_enabled" if enabled else "hashlist.entry_disabled",
            case_id=None,
            target=f"hashlist:{row.id}",
            details=_entry_details(row, hash_type, clean),
        )


def remove_entry(
    store: Store, actor: str, name: str, hash_type: str, value: str, *, reason: str | None
) -> None:
    """Remove one entry, with a reason (audited). Matches already found stay on record."""
    guard_global(store, actor, "manage_hashlists")
    reason_ = _one_line("a reason (--reason)", reason, MIN_REASON)
    clean = _clean_value(hash_type, value)
    with store.write() as session:
        row = resolve_list(session, name)
        result = session.execute(delete(HashListEntry).where(_same(row.id, hash_type, clean)))
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"that {hash_type} hash is not on list {name!r}")
        audit.append(
            session,
            actor=actor,
            action="hashlist.entry_removed",
            case_id=None,
            target=f"hashlist:{row.id}",
            details={**_entry_details(row, hash_type, clean), "reason": reason_},
        )


def export_entries(
    store: Store,
    actor: str,
    name: str,
    out: IO[str],
    fmt: str = "csv",
    *,
    hash_type: str | None = None,
    reason: str | None = None,
) -> int:
    """Write a list's entries (enabled and disabled) to ``out``; audited. Returns the count.

    ``te`` holds one hash type, so it exports ``hash_type`` (default pdq) only.
    Match-only lists need a ``reason`` (see the module docstring).
    """
    guard_global(store, actor, "manage_hashlists")
    if fmt not in FORMATS:
        raise ValidationError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if fmt == "te":
        hash_type = hash_type or "pdq"
    if hash_type is not None and hash_type not in HASH_TYPES:
        raise ValidationError(f"unknown hash type {hash_type!r}")
    with store.read() as session:
        row = resolve_list(session, name)
    reason_ = None
    if row.match_only:
        if not reason:
            raise MatchOnlyRefused(
                f"hash list {name!r} is match-only: exporting it needs --reason "
                "(e.g. returning it to its supplier); the export is audited"
            )
        reason_ = _one_line("a reason (--reason)", reason, MIN_REASON)
    count = write_rows(out, _export_rows(store, row.id, hash_type), fmt)
    with store.write() as session:
        audit.append(
            session,
            actor=actor,
            action="hashlist.exported_match_only" if row.match_only else "hashlist.exported",
            case_id=None,
            target=f"hashlist:{row.id}",
            details={
                "list": row.name,
                "format": fmt,
                "hash_type": hash_type,
                "entries": count,
                "reason": reason_,
            },
        )
    return count


# ---------------------------------------------------------------- helpers


def _export_rows(store: Store, list_id: int, hash_type: str | None) -> Iterator[ExportRow]:
    last = 0
    while True:
        with store.read() as session:
            query = select(HashListEntry).where(
                HashListEntry.list_id == list_id, HashListEntry.id > last
            )
            if hash_type is not None:
                query = query.where(HashListEntry.hash_type == hash_type)
            batch = list(session.scalars(query.order_by(HashListEntry.id).limit(BATCH)))
        if not batch:
            return
        for e in batch:
            yield ExportRow(e.id, e.hash_type, e.value, e.label, e.source, e.added_at)
        last = batch[-1].id


def _batches(
    parsed: Iterable[ParsedEntry | RowProblem], hidden: bool
) -> Iterator[tuple[list[ParsedEntry], list[RowProblem]]]:
    entries: list[ParsedEntry] = []
    bad: list[RowProblem] = []
    for item in parsed:
        if isinstance(item, RowProblem):
            bad.append(RowProblem(item.line, item.reason, None) if hidden else item)
        else:
            entries.append(item)
        if len(entries) + len(bad) >= BATCH:
            yield entries, bad
            entries, bad = [], []
    if entries or bad:
        yield entries, bad


def _insert(
    store: Store, session: Session, row: HashList, entries: list[ParsedEntry], actor: str
) -> int:
    """Insert new (type, value) pairs; returns how many were new."""
    if not entries:
        return 0
    fresh: dict[tuple[str, str], ParsedEntry] = {}
    for e in entries:
        fresh.setdefault((e.hash_type, e.value), e)
    for hash_type in {k[0] for k in fresh}:
        values = [v for t, v in fresh if t == hash_type]
        known = session.scalars(
            select(HashListEntry.value).where(
                HashListEntry.list_id == row.id,
                HashListEntry.hash_type == hash_type,
                HashListEntry.value.in_(values),
            )
        )
        for v in known:
            fresh.pop((hash_type, v), None)
    now = utcnow()
    store.insert_ignore(
        session,
        HashListEntry,
        [
            {
                "list_id": row.id,
                "hash_type": e.hash_type,
                "value": e.value,
                "label": e.label,
                "source": e.source,
                "enabled": True,
                "added_by": actor,
                "added_at": now,
            }
            for e in fresh.values()
        ],
    )
    return len(fresh)


def _same(list_id: int, hash_type: str, value: str):  # type: ignore[no-untyped-def]
    return and_(
        HashListEntry.list_id == list_id,
        HashListEntry.hash_type == hash_type,
        HashListEntry.value == value,
    )


def _clean_value(hash_type: str, value: str) -> str:
    try:
        return normalize_hash(hash_type, value)
    except HashFormatError as exc:
        raise ValidationError(str(exc)) from exc


def _entry_details(row: HashList, hash_type: str, value: str, **extra: object) -> dict:
    """Audit details of one entry; a match-only list's hash is recorded by its SHA-256 only."""
    if row.match_only:
        import hashlib

        shown = {"value_sha256": hashlib.sha256(value.encode()).hexdigest()}
    else:
        shown = {"value": value}
    return {"list": row.name, "hash_type": hash_type, **shown, **extra}


def _counts(session: Session, ids: list[int]) -> dict[int, dict[str, int]]:
    if not ids:
        return {}
    out: dict[int, dict[str, int]] = {}
    rows = session.execute(
        select(
            HashListEntry.list_id,
            HashListEntry.hash_type,
            HashListEntry.enabled,
            func.count(),
        )
        .where(HashListEntry.list_id.in_(ids))
        .group_by(HashListEntry.list_id, HashListEntry.hash_type, HashListEntry.enabled)
    )
    for list_id, hash_type, enabled, n in rows:
        c = out.setdefault(list_id, {})
        c[hash_type] = c.get(hash_type, 0) + n
        c["_all"] = c.get("_all", 0) + n
        if enabled:
            c["_enabled"] = c.get("_enabled", 0) + n
    return out


def _info(row: HashList, counts: dict[str, int]) -> HashListInfo:
    return HashListInfo(
        id=row.id,
        name=row.name,
        supplied_by=row.supplied_by,
        received_at=row.received_at,
        terms=row.terms,
        purpose=row.purpose,
        match_only=row.match_only,
        created_by=row.created_by,
        created_at=row.created_at,
        entries=counts.get("_all", 0),
        enabled=counts.get("_enabled", 0),
        by_type={k: v for k, v in counts.items() if not k.startswith("_")},
    )


def _entry(e: HashListEntry) -> EntryInfo:
    return EntryInfo(
        e.id, e.hash_type, e.value, e.label, e.source, e.enabled, e.added_by, e.added_at
    )
