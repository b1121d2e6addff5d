"""What a format reader yields for one source file.

A reader turns the bytes of one preserved source file into a stream of items.
It never touches the store: the ingest service decides what is stored,
deduplicated or quarantined. Every item carries the byte range it came from in
the source file, so each stored fact points back to the bytes as acquired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RECORD_KINDS = ("ad", "job_ad", "page", "image", "transaction", "report")


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds applied to hostile input. All sizes are in bytes."""

    max_record_bytes: int = 1_048_576  # one JSONL line, CSV row, HTML page or WARC payload
    max_text_chars: int = 500_000  # extracted text kept per record
    max_fields: int = 256  # top-level fields kept per record


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """One record read from a source file.

    `raw` is the exact byte slice `source[offset:offset + length]` (for a JSONL
    line: without its line terminator). `text` is the text all later spans
    refer to.
    """

    locator: str  # human-readable position: "line 12", "row 5", "warc record at 1234"
    offset: int
    length: int
    raw: bytes
    text: str
    kind: str | None = None  # one of RECORD_KINDS when the source says so
    external_id: str | None = None
    title: str | None = None
    url: str | None = None
    posted_at: datetime | None = None  # timezone-aware UTC when known
    place: str | None = None
    image_refs: tuple[str, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)  # everything else, kept as read
    warnings: tuple[str, ...] = ()  # non-fatal problems (unparseable date, text truncated …)


@dataclass(frozen=True, slots=True)
class Artifact:
    """A file carried inside a source (an image response in a WARC)."""

    locator: str
    offset: int
    length: int
    uri: str
    content_type: str
    data: bytes
    captured_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """Bytes that could not be read as a record, with the reason. Quarantined, never dropped."""

    locator: str
    offset: int
    length: int
    raw: bytes
    reason: str


Item = ParsedRecord | Artifact | Rejected
