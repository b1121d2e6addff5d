"""Plain file formats for hash lists: reading (with every bad row reported) and writing.

``csv`` — threadline's plain form, one hash per row, optional header row::

    hash,type[,label,source]
    f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,pdq,known ad photo,partner X

``te`` — the ThreatExchange / Hasher-Matcher-Actioner bank CSV (HMA's
``*.pdq.te`` data files, e.g. ``hasher-matcher-actioner/sample_data/
holidays-jpg1-pdq-hashes.csv`` in facebook/ThreatExchange): no header, one
signal per row, the signal type given by the file rather than a column::

    hash,indicator_id,time_added,tags
    35f10f1a…21407,99244958314735,2021-05-07T18:07:52+0000,tag_a tag_b

Importing ``te`` keeps the descriptor id and time in ``source``
(``threatexchange:<id>@<time>``) and the space-separated tags in ``label``;
exporting writes them back in the same columns.

Rows come from outside: each line is bounded (``MAX_LINE_BYTES``), must be
UTF-8, and must hold a well-formed hash of a known type. A row that does not is
returned as a ``RowProblem`` with its line number and reason — never dropped
silently. Problems of match-only lists carry no raw text (see
``threadline.hashlists.service``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Literal

HashType = Literal["pdq", "md5", "sha256"]
HASH_TYPES: tuple[HashType, ...] = ("pdq", "md5", "sha256")
FORMATS = ("csv", "te")
MAX_LINE_BYTES = 8192
MAX_LABEL = 500
MAX_RAW_IN_REPORT = 120

_HEX_LENGTH = {"pdq": 64, "md5": 32, "sha256": 64}
_HEX = re.compile(r"[0-9a-f]+")
_TE_ID = re.compile(r"[0-9A-Za-z_.:-]{1,64}")
_TE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{4}|Z)?")
_TE_SOURCE = re.compile(r"threatexchange:([^@]{1,64})@(.{1,40})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class HashFormatError(ValueError):
    """A hash value is not valid for its type."""


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    line: int
    hash_type: HashType
    value: str
    label: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    reason: str
    raw: str | None  # None when the list is match-only


def normalize_hash(hash_type: str, value: str) -> str:
    """Lower-case hex of the right length for ``hash_type``; raises ``HashFormatError``."""
    if hash_type not in _HEX_LENGTH:
        raise HashFormatError(f"unknown hash type {hash_type[:20]!r} (known: pdq, md5, sha256)")
    text = value.strip().lower()
    want = _HEX_LENGTH[hash_type]
    if len(text) != want or not _HEX.fullmatch(text):
        raise HashFormatError(f"a {hash_type} hash is {want} hex characters")
    return text


def clean_text(value: str | None, limit: int = MAX_LABEL) -> str | None:
    """A label or source as one bounded line without control characters (None if empty)."""
    if value is None:
        return None
    text = _CONTROL.sub(" ", value).strip()[:limit]
    return text or None


def parse_rows(
    lines: Iterable[bytes], fmt: str, *, te_type: HashType = "pdq"
) -> Iterator[ParsedEntry | RowProblem]:
    """Parse a file's lines (bytes, as read) into entries and problems, in file order."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown hash list format {fmt!r} (known: {', '.join(FORMATS)})")
    for number, raw_line in enumerate(lines, start=1):
        if len(raw_line) > MAX_LINE_BYTES:
            yield RowProblem(number, f"line longer than {MAX_LINE_BYTES} bytes", None)
            continue
        try:
            line = raw_line.decode("utf-8").lstrip("\ufeff").rstrip("\r\n")
        except UnicodeDecodeError:
            yield RowProblem(number, "not UTF-8", None)
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            cells = next(csv.reader([line], strict=True))
        except csv.Error as exc:
            yield RowProblem(number, f"not a CSV row: {exc}", _cut(line))
            continue
        if (
            fmt == "csv"
            and number == 1
            and [c.strip().lower() for c in cells[:2]]
            == [
                "hash",
                "type",
            ]
        ):
            continue  # header row
        yield (
            _csv_row(number, cells, line) if fmt == "csv" else _te_row(number, cells, line, te_type)
        )


def _csv_row(number: int, cells: list[str], line: str) -> ParsedEntry | RowProblem:
    if not 2 <= len(cells) <= 4:
        return RowProblem(
            number,
            f"expected 2 to 4 columns (hash,type[,label,source]), got {len(cells)}",
            _cut(line),
        )
    hash_type = cells[1].strip().lower()
    try:
        value = normalize_hash(hash_type, cells[0])
    except HashFormatError as exc:
        return RowProblem(number, str(exc), _cut(line))
    label = clean_text(cells[2]) if len(cells) > 2 else None
    source = clean_text(cells[3]) if len(cells) > 3 else None
    return ParsedEntry(number, hash_type, value, label, source)  # type: ignore[arg-type]


def _te_row(
    number: int, cells: list[str], line: str, te_type: HashType
) -> ParsedEntry | RowProblem:
    if len(cells) != 4:
        return RowProblem(
            number,
            f"expected 4 columns (hash,indicator_id,time_added,tags), got {len(cells)}",
            _cut(line),
        )
    try:
        value = normalize_hash(te_type, cells[0])
    except HashFormatError as exc:
        return RowProblem(number, str(exc), _cut(line))
    ident, added = cells[1].strip(), cells[2].strip()
    if not _TE_ID.fullmatch(ident):
        return RowProblem(number, "indicator_id is not an identifier", _cut(line))
    if not _TE_TIME.fullmatch(added):
        return RowProblem(number, "time_added is not an ISO-8601 time", _cut(line))
    return ParsedEntry(
        number, te_type, value, clean_text(cells[3]), f"threatexchange:{ident}@{added}"
    )


def _cut(line: str) -> str:
    return _CONTROL.sub(" ", line[:MAX_RAW_IN_REPORT])


@dataclass(frozen=True, slots=True)
class ExportRow:
    id: int
    hash_type: str
    value: str
    label: str | None
    source: str | None
    added_at: datetime


def write_rows(out: IO[str], rows: Iterable[ExportRow], fmt: str) -> int:
    """Write rows in ``fmt``; returns how many were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown hash list format {fmt!r} (known: {', '.join(FORMATS)})")
    writer = csv.writer(out, lineterminator="\n")
    count = 0
    if fmt == "csv":
        writer.writerow(["hash", "type", "label", "source"])
    for row in rows:
        if fmt == "csv":
            writer.writerow([row.value, row.hash_type, row.label or "", row.source or ""])
        else:
            match = _TE_SOURCE.fullmatch(row.source or "")
            ident, added = (
                match.groups()
                if match
                else (str(row.id), row.added_at.strftime("%Y-%m-%dT%H:%M:%S+0000"))
            )
            writer.writerow([row.value, ident, added, row.label or ""])
        count += 1
    return count


def rows_to_text(rows: Iterable[ExportRow], fmt: str) -> str:
    buf = io.StringIO()
    write_rows(buf, rows, fmt)
    return buf.getvalue()
