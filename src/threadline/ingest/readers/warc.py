"""WARC 1.0/1.1 files, plain or gzip-compressed per record (.warc.gz).

- `response` and `resource` records with an HTML payload (by Content-Type, or
  sniffed when the type is missing or generic) become ParsedRecords through
  the same extraction as saved pages: url = WARC-Target-URI, the page's
  canonical link in fields["canonical_url"], the capture time (WARC-Date) in
  fields["captured_at"]. Only 2xx responses count as pages.
- `image/*` payloads become Artifacts with the decoded payload bytes.
- Everything else (warcinfo, request, metadata, revisit, redirects, error
  pages, scripts …) yields nothing: those bytes stay in the preserved source
  file, and each skip is counted in ReadStats.skipped by kind.
- Byte ranges are whole WARC records (the gzip member for .warc.gz, without
  the two blank lines that follow a plain record); raw is those bytes.
- A WARC digest mismatch is a warning on a page and rejects an image (an
  Artifact has no warnings).
- Unreadable bytes (garbage, a corrupt or truncated gzip member, a record cut
  short) become one Rejected from where reading failed to where the next
  record starts (found by scanning for the next gzip member or `WARC/1.` line
  and confirmed by reading a record there), or to the end of the file.
"""

from __future__ import annotations

import itertools
import logging
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import WARCIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.recordloader import ArcWarcRecord

from threadline.ingest.items import Artifact, Item, Limits, ParsedRecord, Rejected
from threadline.ingest.readers.html import extract_page, image_type, looks_like_html
from threadline.ingest.readers.mapping import FieldMapping, ReadStats, bounded_raw, parse_datetime

GZIP_MAGIC = b"\x1f\x8b"
_MAX_LINE = 1 << 20  # one header line
_MAX_HEADERS = 16 << 20  # all header lines of one record (WARC + HTTP)
_SLACK = 1 << 16  # record bytes allowed beyond the payload limit (headers, chunking)
_SCAN = 1 << 20
_MAX_INFLATE = 1 << 20  # output of one inflate call
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_GENERIC_TYPES = ("", "application/octet-stream", "binary/octet-stream", "application/unknown")
_KNOWN_TYPES = ("warcinfo", "request", "metadata", "revisit", "conversion", "continuation")


logging.getLogger("warcio").addHandler(logging.NullHandler())  # no stray stderr output


class WarcError(Exception):
    """Bytes that cannot be read as a WARC record."""


class PayloadError(Exception):
    """A record whose HTTP payload cannot be decoded (its framing is fine)."""


class _Reader(DecompressingBufferedReader):
    """warcio's reader, bounded, with gzip errors that raise.

    warcio reads header lines without a bound (a 2 GB "line" would be held in
    memory), inflates a whole input block at once (16 KB of zeros → 16 MB),
    and prints gzip errors to stderr and carries on.
    """

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__(stream)
        self.line_bytes = 0
        self.pending = b""  # compressed input not inflated yet (output is capped per call)

    def readline(self, length: int | None = None) -> bytes:
        line = super().readline(_MAX_LINE if length is None else min(length, _MAX_LINE))
        self.line_bytes += len(line)
        if self.line_bytes > _MAX_HEADERS:
            raise WarcError(f"header lines longer than {_MAX_HEADERS:,} bytes")
        return line

    def read(self, length: int | None = None) -> bytes:
        self.line_bytes = 0
        return super().read(length)

    def _fillbuff(self, block_size: int | None = None) -> None:
        while self.pending and self.empty():
            data, self.pending = self.pending, b""
            self._process_read(data)
        super()._fillbuff(block_size)

    def rem_length(self) -> int:
        return super().rem_length() + len(self.pending)

    def buffered(self) -> int:
        """Inflated bytes read ahead and not consumed yet."""
        return self.buff_size - self.buff.tell() if self.buff else 0

    def _decompress(self, data: bytes) -> bytes:
        if not (self.decompressor and data):
            return data
        try:
            out = self.decompressor.decompress(data, _MAX_INFLATE)
        except zlib.error as exc:
            if self.num_block_read == 0:  # not gzip after all: a plain WARC (warcio's rule)
                self.decompressor = None
                return data
            raise WarcError(f"corrupt gzip member: {exc}") from exc
        # at the member's end the rest is in unused_data (the next member), not pending
        self.pending = b"" if self.decompressor.eof else self.decompressor.unconsumed_tail
        return out


class _Iterator(WARCIterator):
    INC_RECORD = ""  # warcio writes this warning to stderr; we count err_count instead

    def __init__(self, fh: BinaryIO) -> None:
        super().__init__(fh, check_digests=True)
        self.reader = _Reader(self.fh)  # the record generator has not started yet


def read_warc(
    path: Path, mapping: FieldMapping, limits: Limits, stats: ReadStats | None = None
) -> Iterator[Item]:
    """Items of one WARC file in file order. `mapping` does not apply to WARC records."""
    stats = stats if stats is not None else ReadStats()
    size = path.stat().st_size
    with path.open("rb") as fh, path.open("rb") as raw_fh:
        gz = raw_fh.read(2) == GZIP_MAGIC
        covered = 0  # every byte before this is accounted for
        bad: tuple[int, str] | None = None  # start and reason of an unreadable range
        pos = 0
        while pos < size:
            fh.seek(pos)
            it = _Iterator(fh)
            failed_at, why = None, ""
            while True:
                start = it.offset
                it.reader.line_bytes = 0
                errors = it.err_count
                try:
                    record = next(it, None)
                    if record is None:
                        break
                    item = _take(record, it, raw_fh, limits, stats, errors, size)
                    start = it.get_record_offset()
                    end = start + it.get_record_length()
                    if not covered <= start <= end <= size:
                        raise WarcError(f"record at {start:,} to {end:,} is out of place")
                except OSError:
                    raise
                except Exception as exc:  # warcio raises many kinds on hostile bytes
                    failed_at = min(max(start, covered), size)
                    why = _describe(exc, failed_at, gz)
                    break
                if bad is not None:
                    yield _rejected(raw_fh, bad[0], start, bad[1], limits)
                    bad = None
                elif start > covered and not _blank(raw_fh, covered, start):
                    reason = f"warc: bytes at offset {covered:,} between records are not a record"
                    yield _rejected(raw_fh, covered, start, reason, limits)
                if item is not None:
                    yield item
                covered = max(covered, end)
            if failed_at is None:  # warcio stopped: at the end, or at bytes it took for nothing
                if covered >= size or _blank(raw_fh, covered, size):
                    break
                failed_at = covered if bad is None else pos
                why = _tail_reason(raw_fh, failed_at)
            if bad is None:
                gap_bad = failed_at > covered and not _blank(raw_fh, covered, failed_at)
                bad = (covered if gap_bad else failed_at, why)
            pos = _next_start(raw_fh, max(failed_at, pos) + 1, gz) or size
        if bad is not None:
            yield _rejected(raw_fh, bad[0], size, bad[1], limits)


def _take(
    record: ArcWarcRecord,
    it: _Iterator,
    raw_fh: BinaryIO,
    limits: Limits,
    stats: ReadStats,
    errors_before: int,
    size: int,
) -> Item | None:
    """The item for one record (None when skipped); raises WarcError when it is cut short."""
    what, ctype, charset = _classify(record)
    payload = b""
    problem = None
    if what in ("html", "image", "sniff"):
        try:
            payload = _payload(record, limits.max_record_bytes + 1)
        except PayloadError as exc:
            problem = str(exc)
        if what == "sniff":
            what, ctype = _sniff(payload)
    offset, length = it.get_record_offset(), it.get_record_length()  # reads to the record's end
    left = getattr(record.raw_stream, "limit", 0)
    if left:
        raise WarcError(f"record cut short: {left:,} bytes of its Content-Length are missing")
    reader = it.reader
    if reader.decompressor is not None:  # each record must be a whole gzip member of its own
        eof = reader.decompressor.eof
        if it.next_line or reader.buffered() or (not eof and it.fh.tell() < size):
            raise WarcError("gzip member goes on past its record: not compressed per record")
        if not eof:
            raise WarcError("truncated gzip member")
    if what not in ("html", "image"):
        stats.skipped[what] += 1
        return None
    locator = f"warc record at {offset}"
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    limit = limits.max_record_bytes
    if problem is None and (len(payload) > limit or length > limit + _SLACK):
        problem = f"{what} payload or record exceeds the limit of {limit:,} bytes"
    warnings = [f"WARC {p}" for p in record.digest_checker.problems]
    if what == "image" and warnings and problem is None:
        problem = "; ".join(warnings)  # an image that is not what was captured is not evidence
    if it.err_count > errors_before:  # the stray bytes after it are rejected on their own
        warnings.append("record not followed by two blank lines: its Content-Length may be wrong")
    if problem is not None:
        raw, note = bounded_raw(_slice(raw_fh, offset, min(length, limit)), length, limits)
        return Rejected(locator, offset, length, raw, f"{locator} ({uri}): {problem}{note}")
    date_header = record.rec_headers.get_header("WARC-Date") or ""
    captured_at, _ = parse_datetime(date_header)
    if what == "image":
        return Artifact(locator, offset, length, uri, ctype, payload, captured_at)
    raw = _slice(raw_fh, offset, length)
    page = extract_page(payload, limits=limits, base_url=uri or None, http_charset=charset)
    if isinstance(page, str):
        return Rejected(locator, offset, length, raw, f"{locator} ({uri}): {page}")
    fields: dict[str, Any] = {
        **page.fields,
        "captured_at": captured_at.isoformat() if captured_at else date_header,
        "warc_record_id": record.rec_headers.get_header("WARC-Record-ID"),
        "warc_type": record.rec_type,
        "content_type": ctype,
    }
    if record.http_headers is not None:
        fields["http_status"] = record.http_headers.get_statuscode()
    if page.canonical_url:
        fields["canonical_url"] = page.canonical_url
    return ParsedRecord(
        locator=locator,
        offset=offset,
        length=length,
        raw=raw,
        text=page.text,
        url=uri or page.canonical_url,
        title=page.title,
        posted_at=page.posted_at,
        place=page.place,
        image_refs=page.image_refs,
        fields=fields,
        warnings=(*page.warnings, *warnings),
    )


def _payload(record: ArcWarcRecord, want: int) -> bytes:
    """Up to `want` bytes of the payload, de-chunked and inflated, in bounded memory.

    Like warcio's content_stream(), but warcio holds a whole HTTP chunk (up to
    2 GB) in memory and prints decoding errors instead of raising them.
    """
    stream = record.raw_stream
    http = record.http_headers
    if http is None:
        return stream.read(want)
    encoding = (http.get_header("Content-Encoding") or "").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise PayloadError(f"Content-Encoding {encoding[:40]!r} is not supported")
    chunked = (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked"
    pieces = _dechunk(stream) if chunked else iter(lambda: stream.read(_SCAN), b"")
    if encoding in ("", "identity"):
        return _take_bytes(pieces, want)
    return _inflate(pieces, encoding, want)


def _dechunk(stream: Any) -> Iterator[bytes]:
    while True:
        header = stream.readline(64)
        try:
            size = int(header.split(b";")[0].strip(), 16)
        except ValueError:  # not chunked after all (warcio's rule): the rest as it is
            yield header
            yield from iter(lambda: stream.read(_SCAN), b"")
            return
        if size <= 0:
            return
        while size > 0:
            piece = stream.read(min(size, _SCAN))
            if not piece:
                return
            size -= len(piece)
            yield piece
        stream.readline(64)  # the CRLF after the chunk


def _take_bytes(pieces: Iterator[bytes], want: int) -> bytes:
    out = bytearray()
    for piece in pieces:
        out += piece
        if len(out) >= want:
            break
    return bytes(out[:want])


def _inflate(pieces: Iterator[bytes], encoding: str, want: int) -> bytes:
    """gzip, or deflate (zlib-wrapped, else raw); as it is when it does not inflate at all."""
    raw_deflate = zlib.decompressobj(-zlib.MAX_WBITS)  # no header to check: any error counts
    modes = [zlib.decompressobj(), raw_deflate] if encoding == "deflate" else []
    inflater = modes.pop(0) if modes else zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    seen = bytearray()  # input while nothing has inflated yet: to retry, or to give back
    for piece in pieces:
        if not out and len(seen) <= want:
            seen += piece
        data = piece
        while data and len(out) < want and not inflater.eof:
            try:
                out += inflater.decompress(data, want - len(out))
            except zlib.error as exc:
                not_this_format = "header check" in str(exc) or inflater is raw_deflate
                if out or len(seen) > want or not not_this_format:
                    raise PayloadError(f"corrupt Content-Encoding data: {exc}") from exc
                if not modes:  # served uncompressed despite its header (warcio's rule)
                    return _take_bytes(itertools.chain([bytes(seen)], pieces), want)
                inflater = modes.pop(0)
                data = bytes(seen)
                continue
            data = inflater.unconsumed_tail
        if len(out) >= want or inflater.eof:
            return bytes(out)
    if seen and not inflater.eof:
        raise PayloadError(f"Content-Encoding {encoding} data ends early")
    return bytes(out)


def _classify(record: ArcWarcRecord) -> tuple[str, str, str | None]:
    """("html" | "image" | "sniff" | a skip reason, media type, charset)."""
    rec_type = record.rec_type or ""
    if rec_type not in ("response", "resource"):
        return f"warc {rec_type if rec_type in _KNOWN_TYPES else 'other'} record", "", None
    http = record.http_headers
    if http is not None:
        status = http.get_statuscode() or ""
        if not status.startswith("2"):
            group = f"{status[0]}xx" if status[:1].isdigit() else "unknown"
            return f"warc response with HTTP status {group}", "", None
        header = http.get_header("Content-Type") or ""
    else:
        header = record.rec_headers.get_header("Content-Type") or ""
    media, _, params = header.partition(";")
    media = media.strip().lower()
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip("\"'"):
            charset = value.strip().strip("\"'")
    if media in _HTML_TYPES:
        return "html", media, charset
    if media.startswith("image/"):
        return "image", media, None
    if media in _GENERIC_TYPES:
        return "sniff", media, charset
    return f"warc {rec_type} (not HTML or an image)", media, None


def _sniff(payload: bytes) -> tuple[str, str]:
    if media := image_type(payload):
        return "image", media
    if looks_like_html(payload):
        return "html", "text/html"
    return "warc payload of unknown type (not HTML or an image)", ""


def _describe(exc: Exception, offset: int, gz: bool) -> str:
    text = " ".join(str(exc).split())[:200] or type(exc).__name__
    kind = "gzip member" if gz else "record"
    return f"warc: unreadable {kind} at offset {offset:,}: {text}"


def _tail_reason(raw_fh: BinaryIO, offset: int) -> str:
    raw_fh.seek(offset)
    head = raw_fh.read(16).lstrip(b"\r\n")
    if head.startswith(GZIP_MAGIC):
        return f"warc: truncated gzip member at offset {offset:,} (the file ends inside it)"
    if head.startswith(b"WARC/"):
        return f"warc: truncated record at offset {offset:,} (the file ends inside it)"
    return f"warc: unreadable bytes at offset {offset:,} to the end of the file"


def _next_start(raw_fh: BinaryIO, offset: int, gz: bool) -> int | None:
    """Offset of the next likely record start at or after `offset`, scanning in chunks."""
    marker, skip = (b"\x1f\x8b\x08", 0) if gz else (b"\nWARC/1.", 1)
    at = offset - skip
    raw_fh.seek(at)
    carry = b""
    while chunk := raw_fh.read(_SCAN):
        data = carry + chunk
        found = data.find(marker)
        if found >= 0:
            return at - len(carry) + found + skip
        carry = data[-(len(marker) - 1) :]
        at += len(chunk)
    return None


def _blank(raw_fh: BinaryIO, start: int, end: int) -> bool:
    """Whether file[start:end] is only line breaks and spaces (the gaps between plain records)."""
    raw_fh.seek(start)
    while start < end:
        chunk = raw_fh.read(min(_SCAN, end - start))
        if not chunk or chunk.strip(b"\r\n \t"):
            return not chunk
        start += len(chunk)
    return True


def _slice(raw_fh: BinaryIO, offset: int, length: int) -> bytes:
    raw_fh.seek(offset)
    return raw_fh.read(length)


def _rejected(raw_fh: BinaryIO, start: int, end: int, reason: str, limits: Limits) -> Rejected:
    length = end - start
    raw, note = bounded_raw(
        _slice(raw_fh, start, min(length, limits.max_record_bytes)), length, limits
    )
    return Rejected(f"warc bytes at {start}", start, length, raw, reason + note)
