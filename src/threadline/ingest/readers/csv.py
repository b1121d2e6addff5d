"""CSV (RFC 4180) with a header row; also TSV and `;` / `|` separated files.

Rows are found on the bytes, before any decoding: physical lines are joined
while a quoted field is open (a `"` opens a field only at its start, `""`
inside one is a quote, as the `csv` module reads them), so each row has its
exact byte range. Each row is then decoded and parsed on its own, so one bad
row costs only itself.

A quote that is never closed does not swallow the rest of the file: when the
file ends inside it, the row's first line is rejected and reading resumes on
the next line (at most `_MAX_RESYNCS` times per file, then the tail is one
Rejected).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from threadline.ingest.items import Item, Limits, Rejected
from threadline.ingest.readers.jsonl import BOM, iter_lines
from threadline.ingest.readers.mapping import FieldMapping, ReadStats, bounded_raw, utf8_problem

DELIMITERS = (",", ";", "\t", "|")
_PEEK = 1 << 16
_MAX_RESYNCS = 16


class _Quotes:
    """Whether the bytes fed so far end inside a quoted field."""

    __slots__ = ("close_at", "delim", "in_quotes", "pos", "prev")

    def __init__(self, delim: str) -> None:
        self.delim = ord(delim)
        self.reset()

    def reset(self) -> None:
        self.in_quotes = False
        self.prev = 0x0A  # start of a row counts as the start of a field
        self.close_at = -2  # where the last quoted field was closed
        self.pos = 0

    def feed(self, data: bytes) -> None:
        i = data.find(b'"') if data else -1
        while i >= 0:
            at = self.pos + i
            if self.in_quotes:
                self.in_quotes = False
                self.close_at = at
            elif at == self.close_at + 1:
                self.in_quotes = True  # "" inside a quoted field
            else:
                before = data[i - 1] if i else self.prev
                self.in_quotes = before in (self.delim, 0x0A, 0x0D)
            i = data.find(b'"', i + 1)
        if data:
            self.prev = data[-1]
            self.pos += len(data)


@dataclass(frozen=True, slots=True)
class _Row:
    number: int  # row number as a spreadsheet shows it: the header is row 1
    line: int  # physical line the row starts on
    offset: int
    length: int
    head: bytes  # the row's bytes, at most max_record_bytes of them
    problem: str | None = None  # "unclosed": file ends in a quote; "unclosed_line": see _rows

    @property
    def locator(self) -> str:
        return f"row {self.number} (line {self.line})"


def read_csv(
    path: Path, mapping: FieldMapping, limits: Limits, stats: ReadStats | None = None
) -> Iterator[Item]:
    stats = stats if stats is not None else ReadStats()
    limit = limits.max_record_bytes
    csv.field_size_limit(max(csv.field_size_limit(), limit + 1))  # process-wide; only raised
    with path.open("rb") as fh:
        size = path.stat().st_size
        peek = fh.read(_PEEK)
        start = 3 if peek.startswith(BOM) else 0
        delim = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(peek[start:])
        header: tuple[list[str], tuple[str, ...]] | None = None
        cells = _Cells(delim, limit)
        for row in _rows(fh, start, delim, limit, stats):
            if header is not None:
                yield _record(row, *header, cells, mapping, limits)
                continue
            parsed = _parse_header(row, cells)
            if isinstance(parsed, str):
                fh.seek(0)
                raw, note = bounded_raw(fh.read(limit), size, limits)
                yield Rejected("file", 0, size, raw, f"{parsed}; whole file rejected{note}")
                return
            header = parsed


def sniff_delimiter(head: bytes) -> str:
    """The most frequent of , ; TAB | outside quotes on the first non-blank line."""
    for line in head.splitlines():
        if line.strip():
            bare = b"".join(line.split(b'"')[::2])  # drop quoted parts
            counts = [bare.count(d.encode()) for d in DELIMITERS]
            return DELIMITERS[counts.index(max(counts))] if max(counts) else ","
    return ","


def _rows(fh: BinaryIO, start: int, delim: str, limit: int, stats: ReadStats) -> Iterator[_Row]:
    """Rows with their byte ranges; blank lines between rows are skipped and counted.

    When the file ends inside a quoted field that spans lines, the quote was
    stray: the row's first line is yielded as "unclosed_line" and reading
    starts again on the line after it.
    """
    quotes = _Quotes(delim)
    offset, line_no, row_no, resyncs = start, 0, 0, 0
    while True:
        fh.seek(offset)
        quotes.reset()
        first = None  # first line of the row being assembled
        head = bytearray()
        end = offset
        for line in iter_lines(fh, limit, quotes.feed, offset=offset, number=line_no):
            if first is None:
                if line.length <= limit and not line.head.strip():
                    stats.skipped["blank line"] += 1
                    continue
                first = line
                head = bytearray()
            if len(head) < limit:  # an overlong line's head alone reaches the limit
                head += line.head
            end = line.offset + line.length
            if quotes.in_quotes:
                if len(head) < limit:
                    head += line.terminator
                continue
            row_no += 1
            yield _Row(row_no, first.number, first.offset, end - first.offset, bytes(head[:limit]))
            first = None
        if first is None:
            return
        row_no += 1
        if end > first.offset + first.length and resyncs < _MAX_RESYNCS:
            resyncs += 1
            yield _Row(
                row_no, first.number, first.offset, first.length, first.head, "unclosed_line"
            )
            offset = first.offset + first.length + len(first.terminator)
            line_no = first.number
            continue
        length = end - first.offset  # without the last line's terminator, which head has
        yield _Row(
            row_no,
            first.number,
            first.offset,
            length,
            bytes(head[: min(limit, length)]),
            "unclosed",
        )
        return


def _problem(row: _Row, limit: int) -> str | None:
    """Why a row's bytes cannot be parsed, before decoding them."""
    if row.problem == "unclosed_line":
        return (
            "a quoted field opened on this line is never closed; the line is rejected"
            " and reading resumes on the next line"
        )
    if row.problem == "unclosed":
        return f"quoted field never closed before the end of the file ({row.length:,} bytes)"
    if row.length > limit:
        return f"record of {row.length:,} bytes exceeds the limit of {limit:,}"
    return None


class _Cells:
    """Splits one row at a time into cells, with one csv reader for the whole file."""

    def __init__(self, delim: str, limit: int) -> None:
        self.limit = limit
        self._text: str | None = None
        self._reader = csv.reader(self, delimiter=delim, strict=False)

    def __iter__(self) -> _Cells:
        return self

    def __next__(self) -> str:  # the csv reader's input: the current row's text, once
        text, self._text = self._text, None
        if text is None:
            raise StopIteration
        return text

    def __call__(self, row: _Row) -> list[str] | str:
        """The row's cells, or why it has none."""
        problem = _problem(row, self.limit)
        if problem is not None:
            return problem
        try:
            self._text = row.head.decode("utf-8")
        except UnicodeDecodeError:
            return utf8_problem(row.head) or "not valid UTF-8"
        try:
            return next(self._reader)
        except csv.Error as exc:
            self._text = None
            if "new-line character" in str(exc):
                return "a bare carriage return (old Mac line break?) outside quotes"
            return f"CSV error: {exc}"


def _parse_header(row: _Row, cells: _Cells) -> tuple[list[str], tuple[str, ...]] | str:
    parsed = "a quoted field is never closed" if row.problem else cells(row)
    if isinstance(parsed, str):
        return f"header {row.locator}: {parsed}"
    names: dict[str, None] = {}
    renamed: list[str] = []
    for i, cell in enumerate(parsed, 1):
        name = cell.strip() or f"_column_{i}"
        base, n = name, 1
        while name in names:
            n += 1
            name = f"{base}.{n}"
        if name != cell:
            renamed.append(f"{cell[:40]!r} → {name[:40]!r}")
        names[name] = None
    shown = ", ".join(renamed[:10]) + (
        f" and {len(renamed) - 10:,} more" if len(renamed) > 10 else ""
    )
    notes = (f"header columns renamed: {shown}",) if renamed else ()
    return list(names), notes


def _record(
    row: _Row,
    header: list[str],
    notes: tuple[str, ...],
    cells: _Cells,
    mapping: FieldMapping,
    limits: Limits,
) -> Item:
    locator = row.locator
    parsed = cells(row)
    if isinstance(parsed, str):
        raw, cut = bounded_raw(row.head, row.length, limits)
        return Rejected(locator, row.offset, row.length, raw, f"{locator}: {parsed}{cut}")
    warnings = list(notes)
    obj = dict(zip(header, parsed, strict=False))
    if len(parsed) != len(header):
        warnings.append(f"row has {len(parsed)} cells, the header {len(header)} columns")
        if len(parsed) > len(header):
            obj["_extra"] = parsed[len(header) :]
    return mapping.make_item(
        obj, locator=locator, offset=row.offset, raw=row.head, limits=limits, warnings=warnings
    )
