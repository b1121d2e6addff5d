"""JSON Lines: one JSON object per line.

Lines end in \\n or \\r\\n; a record's raw bytes are its line without the
terminator. Blank lines are skipped (counted in ReadStats). A UTF-8 BOM at the
start of the file is not part of the first record. Lines are read in bounded
pieces, so a line of any length costs at most `max_record_bytes` of memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import orjson

from threadline.ingest.items import Item, Limits, Rejected
from threadline.ingest.readers.mapping import FieldMapping, ReadStats, bounded_raw, utf8_problem

BOM = b"\xef\xbb\xbf"
_PIECE = 1 << 20  # how much of an overlong line is read at a time
_INVALID = object()


class Line(NamedTuple):
    """One physical line. `head` is the line without its terminator, cut to max_bytes.

    A NamedTuple, not a dataclass: one is made per line and this is the hot loop.
    """

    number: int  # 1-based
    offset: int
    length: int  # of the whole line without its terminator
    head: bytes
    terminator: bytes  # b"\n", b"\r\n" or b"" (last line without one)


def iter_lines(
    fh: BinaryIO,
    max_bytes: int,
    feed: Callable[[bytes], None] | None = None,
    *,
    offset: int = 0,
    number: int = 0,
) -> Iterator[Line]:
    """Physical lines of a binary file from its current position.

    `offset` and `number` are the file offset of that position and the number
    of lines before it. `feed`, when given, receives every byte of each line
    (terminator included) in order, also the parts of an overlong line that
    `head` does not keep.
    """
    cap = max_bytes + 2  # room for \r\n, so a line of exactly max_bytes is whole
    readline = fh.readline
    while True:
        line = readline(cap)
        if not line:
            return
        number += 1
        if feed is not None:
            feed(line)
        size = len(line)
        if line[-1] != 0x0A and size == cap:  # overlong: skip to the next newline
            head = line[:max_bytes]
            last = line[-2:]
            while not last.endswith(b"\n"):
                piece = readline(_PIECE)
                if not piece:
                    break
                if feed is not None:
                    feed(piece)
                size += len(piece)
                last = (last + piece)[-2:]
            term = b"\r\n" if last.endswith(b"\r\n") else b"\n" if last.endswith(b"\n") else b""
            yield Line(number, offset, size - len(term), head, term)
        elif line[-1] == 0x0A:
            term = b"\r\n" if line[-2:] == b"\r\n" else b"\n"
            content = line[: -len(term)]
            yield Line(number, offset, len(content), content[:max_bytes], term)
        else:
            yield Line(number, offset, size, line[:max_bytes], b"")
        offset += size


def read_jsonl(
    path: Path, mapping: FieldMapping, limits: Limits, stats: ReadStats | None = None
) -> Iterator[Item]:
    stats = stats if stats is not None else ReadStats()
    limit = limits.max_record_bytes
    with path.open("rb") as fh:
        start = 3 if fh.read(3) == BOM else 0
        fh.seek(start)
        for line in iter_lines(fh, limit, offset=start):
            offset = line.offset
            locator = f"line {line.number}"
            raw = line.head
            if line.length > limit:
                kept, note = bounded_raw(raw, line.length, limits)
                yield Rejected(
                    locator,
                    offset,
                    line.length,
                    kept,
                    f"{locator}: record of {line.length:,} bytes exceeds the limit of {limit:,}"
                    + note,
                )
                continue
            if not raw.strip():
                stats.skipped["blank line"] += 1
                continue
            obj, problem = _parse(raw)
            if obj is _INVALID:
                yield Rejected(locator, offset, line.length, raw, f"{locator}: {problem}")
            elif not isinstance(obj, dict):
                yield Rejected(
                    locator,
                    offset,
                    line.length,
                    raw,
                    f"{locator}: JSON value is {_json_type(obj)}, not an object",
                )
            else:
                yield mapping.make_item(
                    obj,
                    locator=locator,
                    offset=offset,
                    raw=raw,
                    limits=limits,
                    warnings=(problem,) if problem else (),
                )


def _parse(raw: bytes) -> tuple[Any, str | None]:
    """(value, None), (value, warning) when read leniently, or (_INVALID, reason)."""
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError as exc:
        problem = utf8_problem(raw)
        if problem:
            return _INVALID, problem
        invalid = f"invalid JSON: {exc.msg} at column {exc.colno}"
        if "control character" not in exc.msg:
            return _INVALID, invalid
    # raw tabs etc. inside strings are invalid JSON, but the meaning is plain: keep the ad
    try:
        value = json.loads(raw.decode("utf-8"), strict=False, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return _INVALID, invalid
    return value, f"{invalid}; read leniently (raw control characters inside strings)"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
