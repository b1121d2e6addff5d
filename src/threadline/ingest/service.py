"""Ingest: preserve each source file as acquired, then store its records.

For each file: copy it into the blob store while hashing it (the preserved
copy is what gets parsed, so every stored byte range refers to bytes that
cannot change), open or resume its Source, stream the reader's items in
batches, and commit each batch together with its audit event. Records are
keyed by (case, SHA-256 of their raw bytes), so re-ingesting a file, or
re-running an ingest that was killed half-way, adds nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from threadline import __version__, audit
from threadline.errors import NotFound, ValidationError
from threadline.ingest.items import RECORD_KINDS, Artifact, Limits, ParsedRecord, Rejected
from threadline.ingest.readers import ReadStats, detect_format, read
from threadline.ingest.readers.mapping import FieldMapping
from threadline.safeguards.access import guard
from threadline.store.blobs import BlobRef
from threadline.store.db import Store, utcnow
from threadline.store.models import Attachment, QuarantinedItem, Record, Source

FORMATS = ("auto", "jsonl", "csv", "html", "warc")
TOOL_VERSION = f"threadline {__version__}"
ATTACH_BATCH = 5_000  # pages read per step when attaching images
DEFAULT_BATCH = 2000


@dataclass(frozen=True, slots=True)
class SourceSummary:
    path: str
    sha256: str
    format: str
    source_id: int
    read: int = 0
    stored: int = 0
    duplicate: int = 0
    quarantined: int = 0
    attachments: int = 0
    already_ingested: bool = False
    resumed: bool = False
    # passed over by design, not records: blank lines, WARC requests, 4xx responses …
    # (their bytes stay in the preserved source file)
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IngestSummary:
    case: str
    sources: tuple[SourceSummary, ...]

    def total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.sources)


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported to the adapter's progress bar; the core draws nothing itself."""

    path: str
    bytes_done: int
    bytes_total: int
    records: int


ProgressFn = Callable[[Progress], None]


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and every regular file below a given folder, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink()))
        elif path.is_file():
            files.append(path)
        else:
            raise NotFound(f"no such file or folder: {path}")
    return files


def ingest_paths(
    store: Store,
    actor: str,
    case_name: str,
    paths: Iterable[Path],
    *,
    fmt: str = "auto",
    mapping: FieldMapping | None = None,
    default_kind: str = "ad",
    batch_size: int = DEFAULT_BATCH,
    progress: ProgressFn | None = None,
) -> IngestSummary:
    if fmt not in FORMATS:
        raise ValidationError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if default_kind not in RECORD_KINDS:
        raise ValidationError(f"unknown kind {default_kind!r}; one of {', '.join(RECORD_KINDS)}")
    case_id = guard(store, actor, case_name, "ingest").id
    job = _Job(store, actor, case_id, mapping or FieldMapping(), default_kind, batch_size, progress)
    summaries = tuple(job.ingest_file(path, fmt) for path in expand_paths(paths))
    return IngestSummary(case_name, summaries)


@dataclass
class _Counts:
    read: int = 0
    stored: int = 0
    duplicate: int = 0
    quarantined: int = 0


@dataclass
class _Batch:
    records: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records) + len(self.rejected) + len(self.artifacts)


class _Job:
    def __init__(
        self,
        store: Store,
        actor: str,
        case_id: int,
        mapping: FieldMapping,
        default_kind: str,
        batch_size: int,
        progress: ProgressFn | None,
    ) -> None:
        self.store = store
        self.actor = actor
        self.case_id = case_id
        self.mapping = mapping
        self.default_kind = default_kind
        self.batch_size = batch_size
        self.progress = progress
        self.limits: Limits = store.settings.limits
        self.now = utcnow()  # one ingest time per run: rows of one run share it

    # -- one file --------------------------------------------------------------------

    def ingest_file(self, path: Path, fmt: str) -> SourceSummary:
        blob = self.store.blobs.put_file(path)
        with blob.path.open("rb") as fh:
            head = fh.read(4096)
        detected = detect_format(path, head) if fmt == "auto" else fmt
        source, existing = self._open_source(path, blob, detected or "unknown")
        if existing is not None and existing.status == "complete":
            return SourceSummary(
                str(path), blob.sha256, existing.format, existing.id, already_ingested=True
            )
        resumed = existing is not None
        counts = _Counts()
        stats = ReadStats()
        if detected is None:
            items: Iterator[ParsedRecord | Artifact | Rejected] = iter(
                [Rejected("file", 0, blob.size, head, "unrecognised format (use --format)")]
            )
        else:
            items = read(blob.path, detected, self.mapping, self.limits, stats=stats)
        batch = _Batch()
        for item in items:
            counts.read += 1
            if isinstance(item, ParsedRecord):
                batch.records.append(self._row(source, blob, item))
            elif isinstance(item, Rejected):
                batch.rejected.append(item)
            else:
                batch.artifacts.append(item)
            if len(batch) >= self.batch_size:
                self._flush(source, blob, batch, counts)
                self._report(path, item.offset + item.length, blob.size, counts)
                batch = _Batch()
        self._flush(source, blob, batch, counts)
        self._report(path, blob.size, blob.size, counts)
        attached = self._attach_images(source)
        skipped = dict(sorted(stats.skipped.items()))
        self._complete(source, counts, skipped)
        return SourceSummary(
            str(path),
            blob.sha256,
            source.format,
            source.id,
            counts.read,
            counts.stored,
            counts.duplicate,
            counts.quarantined,
            attached,
            resumed=resumed,
            skipped=skipped,
        )

    def _open_source(self, path: Path, blob: BlobRef, fmt: str) -> tuple[Source, Source | None]:
        with self.store.write() as session:
            self.store.register_blob(session, blob)
            existing = session.scalar(
                select(Source).where(Source.case_id == self.case_id, Source.sha256 == blob.sha256)
            )
            if existing is not None:
                if existing.status != "complete":
                    audit.append(
                        session,
                        actor=self.actor,
                        action="source.ingest_resumed",
                        case_id=self.case_id,
                        target=f"source:{existing.id}",
                        details={"path": str(path), "sha256": blob.sha256},
                    )
                return existing, existing
            source = Source(
                case_id=self.case_id,
                path=str(path),
                format=fmt,
                size=blob.size,
                sha256=blob.sha256,
                acquired_by=self.actor,
                acquired_at=utcnow(),
                tool_version=TOOL_VERSION,
                status="ingesting",
                read_count=0,
                stored_count=0,
                duplicate_count=0,
                quarantined_count=0,
            )
            session.add(source)
            session.flush()
            audit.append(
                session,
                actor=self.actor,
                action="source.acquired",
                case_id=self.case_id,
                target=f"source:{source.id}",
                details={
                    "path": str(path),
                    "sha256": blob.sha256,
                    "size": blob.size,
                    "format": fmt,
                    "tool_version": TOOL_VERSION,
                },
            )
            return source, None

    def _row(self, source: Source, blob: BlobRef, item: ParsedRecord) -> dict[str, Any]:
        kind = item.kind if item.kind in RECORD_KINDS else self.default_kind
        return {
            "case_id": self.case_id,
            "source_id": source.id,
            "kind": kind,
            "external_id": item.external_id,
            "title": item.title,
            "text": item.text,
            "url": item.url,
            "place": item.place,
            "posted_at": item.posted_at,
            "image_refs": list(item.image_refs),
            "fields": item.fields,
            "warnings": list(item.warnings),
            "content_sha256": hashlib.sha256(item.raw).hexdigest(),
            "raw_offset": item.offset,
            "raw_length": item.length,
            # a whole-file record (a saved page) is its source blob
            "blob_sha256": blob.sha256 if item.length == blob.size else None,
            "ingested_at": self.now,
        }

    # -- one batch: records, quarantine and artifacts commit with their audit event -----

    def _flush(self, source: Source, blob: BlobRef, batch: _Batch, counts: _Counts) -> None:
        if not len(batch):
            return
        with self.store.write() as session:
            blob_refs: list[BlobRef] = []
            rows = batch.records + [
                self._artifact_row(source, a, blob_refs) for a in batch.artifacts
            ]
            self.store.register_blobs(session, blob_refs)  # one statement for the whole batch
            new_rows = self._new_only(session, rows)
            self.store.insert_ignore(session, Record, new_rows)
            counts.stored += len(new_rows)
            counts.duplicate += len(rows) - len(new_rows)
            if new_rows:
                audit.append(
                    session,
                    actor=self.actor,
                    action="records.stored",
                    case_id=self.case_id,
                    target=f"source:{source.id}",
                    details={
                        "count": len(new_rows),
                        "first_offset": new_rows[0]["raw_offset"],
                        "last_offset": new_rows[-1]["raw_offset"],
                    },
                )
            for item in batch.rejected:
                self._quarantine(session, source, item)
                counts.quarantined += 1

    def _new_only(self, session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Drop rows already stored in this case or repeated within the batch."""
        shas = [r["content_sha256"] for r in rows]
        known = set(
            session.scalars(
                select(Record.content_sha256).where(
                    Record.case_id == self.case_id, Record.content_sha256.in_(shas)
                )
            )
        )
        fresh = []
        for row in rows:
            if row["content_sha256"] not in known:
                known.add(row["content_sha256"])
                fresh.append(row)
        return fresh

    def _artifact_row(self, source: Source, item: Artifact, refs: list[BlobRef]) -> dict[str, Any]:
        ref = self.store.blobs.put_bytes(item.data)
        refs.append(ref)
        return {
            "case_id": self.case_id,
            "source_id": source.id,
            "kind": "image" if item.content_type.startswith("image/") else "page",
            "external_id": None,
            "title": None,
            "text": "",
            "url": item.uri,
            "place": None,
            "posted_at": None,
            "image_refs": [],
            "fields": {
                "content_type": item.content_type,
                "captured_at": item.captured_at.isoformat() if item.captured_at else None,
                "locator": item.locator,
            },
            "warnings": [],
            "content_sha256": hashlib.sha256(
                _slice(self.store, source.sha256, item.offset, item.length)
            ).hexdigest(),
            "raw_offset": item.offset,
            "raw_length": item.length,
            "blob_sha256": ref.sha256,
            "ingested_at": self.now,
        }

    def _quarantine(self, session: Session, source: Source, item: Rejected) -> None:
        exists = session.scalar(
            select(QuarantinedItem.id).where(
                QuarantinedItem.source_id == source.id, QuarantinedItem.raw_offset == item.offset
            )
        )
        if exists is not None:
            return  # quarantined by an earlier, interrupted run of this source
        ref = self.store.put_blob(session, item.raw)
        row = QuarantinedItem(
            case_id=self.case_id,
            source_id=source.id,
            locator=item.locator,
            reason=item.reason,
            raw_offset=item.offset,
            raw_length=item.length,
            blob_sha256=ref.sha256,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            actor=self.actor,
            action="record.quarantined",
            case_id=self.case_id,
            target=f"quarantine:{row.id}",
            details={
                "source_id": source.id,
                "locator": item.locator,
                "reason": item.reason,
                "raw_sha256": ref.sha256,
                "raw_length": item.length,
            },
        )

    # -- after the last batch -----------------------------------------------------------

    def _attach_images(self, source: Source) -> int:
        """Link each record to the image records of the same source that it references.

        Pages are read and their attachments written in batches, so memory holds one
        batch plus the source's image URLs, not every attachment of a large crawl.
        """
        attached = 0
        with self.store.write() as session:
            images = dict(
                session.execute(
                    select(Record.url, Record.id).where(
                        Record.source_id == source.id, Record.kind == "image"
                    )
                ).all()
            )
            if not images:
                return 0
            last = 0
            while True:
                pages = session.execute(
                    select(Record.id, Record.image_refs)
                    .where(Record.source_id == source.id, Record.kind != "image", Record.id > last)
                    .order_by(Record.id)
                    .limit(ATTACH_BATCH)
                ).all()
                if not pages:
                    break
                last = pages[-1].id
                rows = [
                    {
                        "record_id": rec_id,
                        "attached_id": images[ref],
                        "relation": "image",
                        "ref": ref,
                    }
                    for rec_id, refs in pages
                    for ref in refs or ()
                    if ref in images
                ]
                self.store.insert_ignore(session, Attachment, rows)
                attached += len(rows)
        return attached

    def _complete(self, source: Source, counts: _Counts, skipped: dict[str, int]) -> None:
        with self.store.write() as session:
            stored = session.scalar(
                select(func.count()).select_from(Record).where(Record.source_id == source.id)
            )
            quarantined = session.scalar(
                select(func.count())
                .select_from(QuarantinedItem)
                .where(QuarantinedItem.source_id == source.id)
            )
            totals = {
                "read_count": counts.read,
                "stored_count": stored or 0,
                "quarantined_count": quarantined or 0,
                "duplicate_count": counts.read - (stored or 0) - (quarantined or 0),
            }
            session.execute(
                update(Source)
                .where(Source.id == source.id)
                .values(status="complete", completed_at=utcnow(), **totals)
            )
            audit.append(
                session,
                actor=self.actor,
                action="source.ingested",
                case_id=self.case_id,
                target=f"source:{source.id}",
                details={"sha256": source.sha256, **totals, "skipped": skipped},
            )

    def _report(self, path: Path, done: int, total: int, counts: _Counts) -> None:
        if self.progress is not None:
            self.progress(Progress(str(path), done, total, counts.read))


def _slice(store: Store, sha256: str, offset: int, length: int) -> bytes:
    with store.blobs.open(sha256) as fh:
        fh.seek(offset)
        return fh.read(length)
