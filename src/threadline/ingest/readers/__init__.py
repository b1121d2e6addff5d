"""Format readers: the bytes of one preserved source file → a stream of items.

Every reader has the same signature (`Reader`) and the same promises:
- it never raises for bad data (only OSError for an unreadable file): what
  cannot become a record is yielded as a Rejected with a specific reason;
- every item carries its byte range, and `raw == file[offset:offset + length]`
  for every ParsedRecord and Rejected, except an oversize Rejected whose raw is
  the first `limits.max_record_bytes` bytes (its reason says so);
- memory stays flat in the file's size;
- what is passed over without an item is counted in `ReadStats.skipped`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from threadline.ingest.items import Item, Limits
from threadline.ingest.readers.csv import read_csv
from threadline.ingest.readers.html import looks_like_html, read_html
from threadline.ingest.readers.jsonl import BOM, read_jsonl
from threadline.ingest.readers.mapping import FieldMapping, ReadStats
from threadline.ingest.readers.warc import GZIP_MAGIC, read_warc

__all__ = ["READERS", "FieldMapping", "ReadStats", "Reader", "detect_format", "read"]


class Reader(Protocol):
    def __call__(
        self, path: Path, mapping: FieldMapping, limits: Limits, stats: ReadStats | None = None
    ) -> Iterator[Item]: ...


READERS: dict[str, Reader] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "html": read_html,
    "warc": read_warc,
}

_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json-lines": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".html": "html",
    ".htm": "html",
    ".warc": "warc",
}


def detect_format(path: Path, head: bytes) -> str | None:
    """The reader for a file: by its extension, else by its first bytes; None if unknown.

    `head` is the start of the file (a few KB). CSV is only recognised by name.
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-2:] == [".warc", ".gz"]:
        return "warc"
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    if head.startswith(GZIP_MAGIC):
        try:  # a compressed WARC under another name: look inside the first member
            inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return None
        return "warc" if inner.startswith(b"WARC/1.") else None
    start = head.removeprefix(BOM).lstrip(b" \t\r\n")
    if start.startswith(b"WARC/1."):
        return "warc"
    if start.startswith(b"{"):
        return "jsonl"
    return "html" if looks_like_html(head) else None


def read(
    path: Path,
    fmt: str,
    mapping: FieldMapping,
    limits: Limits,
    *,
    stats: ReadStats | None = None,
) -> Iterator[Item]:
    """Items of one file read as `fmt` (a key of READERS). ValueError for an unknown format."""
    reader = READERS.get(fmt)
    if reader is None:
        raise ValueError(f"unknown format {fmt!r}; one of: {', '.join(READERS)}")
    return reader(path, mapping, limits, stats)
