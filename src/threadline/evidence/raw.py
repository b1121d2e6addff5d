"""Raw bytes as acquired: which exist for a selection, which go into an export, and why.

Three kinds, all content-addressed by SHA-256 in the store: a record's bytes
(a slice of its source file: `content_sha256`), a payload blob (an image
inside a WARC record), and a whole source file. A source file is only
included when every record of it is selected — a crawl of a million ads is
not handed over for three of them (minimisation); the record slices still
are, and the source is listed by hash so the slices can be checked against
it. A pseudonymized export includes no raw bytes at all, since they show
every identifier in clear; all are listed by hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from threadline.errors import Conflict
from threadline.evidence.selection import ExportData
from threadline.media import ExifFacts, exif_from_bytes
from threadline.media.decode import DEFAULT_MAX_BYTES, ImageDecodeError
from threadline.store.db import Store

WITHHELD_PSEUDONYMIZED = "pseudonymized export: raw bytes show identifiers in clear"
WITHHELD_PARTIAL = "only part of this source is selected: its records' own bytes are included"


@dataclass(frozen=True, slots=True)
class RawItem:
    sha256: str
    size: int
    kind: str  # record | blob | source
    owner: str  # record:ID or source:ID
    source_sha256: str  # the blob the bytes are read from
    offset: int
    include: bool
    reason: str | None  # why withheld


def plan(data: ExportData, *, pseudonymize: bool) -> list[RawItem]:
    selected_per_source: dict[int, int] = {}
    for r in data.records:
        selected_per_source[r.source_id] = selected_per_source.get(r.source_id, 0) + 1
    source_sha = {s.id: s.sha256 for s in data.sources}
    items: list[RawItem] = []
    for r in data.records:
        items.append(
            RawItem(
                r.content_sha256,
                r.raw_length,
                "record",
                f"record:{r.id}",
                source_sha[r.source_id],
                r.raw_offset,
                not pseudonymize,
                WITHHELD_PSEUDONYMIZED if pseudonymize else None,
            )
        )
        if r.blob_sha256 and r.blob_sha256 not in (r.content_sha256, source_sha[r.source_id]):
            items.append(
                RawItem(
                    r.blob_sha256,
                    -1,  # size filled in from the blob store when written or listed
                    "blob",
                    f"record:{r.id}",
                    r.blob_sha256,
                    0,
                    not pseudonymize,
                    WITHHELD_PSEUDONYMIZED if pseudonymize else None,
                )
            )
    for s in data.sources:
        whole = selected_per_source.get(s.id, 0) >= data.source_record_counts.get(s.id, 0)
        include = whole and not pseudonymize
        reason = None if include else (WITHHELD_PSEUDONYMIZED if pseudonymize else WITHHELD_PARTIAL)
        items.append(
            RawItem(s.sha256, s.size, "source", f"source:{s.id}", s.sha256, 0, include, reason)
        )
    return items


@contextmanager
def open_raw(store: Store, item: RawItem) -> Iterator[tuple[BinaryIO, int]]:
    """The item's bytes as a stream positioned at its start, and its length."""
    with store.blobs.open(item.source_sha256) as fh:
        if item.kind == "record":
            fh.seek(item.offset)
            yield fh, item.size
        else:
            size = fh.seek(0, 2)
            fh.seek(0)
            yield fh, size


def check_hash(item: RawItem, actual: str) -> None:
    if actual != item.sha256:
        raise Conflict(
            f"the stored bytes of {item.owner} no longer match their SHA-256 "
            f"({item.sha256[:12]}…): the blob store was altered; nothing was exported"
        )


def blob_size(store: Store, sha256: str) -> int:
    return store.blobs.path(sha256).stat().st_size


def exif_of(store: Store, blob_sha256: str | None) -> ExifFacts | None:
    """EXIF facts of an image blob, or None when it is missing, too large or not an image."""
    if not blob_sha256 or not store.blobs.exists(blob_sha256):
        return None
    path = store.blobs.path(blob_sha256)
    if path.stat().st_size > DEFAULT_MAX_BYTES:
        return None
    try:
        return exif_from_bytes(path.read_bytes())
    except ImageDecodeError:
        return None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
