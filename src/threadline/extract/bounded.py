"""Regexes with a bound: no pattern run on hostile text can stall a batch.

`BoundedPattern` wraps a compiled `regex` pattern and bounds every call one
of two ways:

* **Scans** (`finditer`, `all_matches`, `search` over a whole record) of a
  text longer than `SHORT_TEXT` run with the `regex` module's `timeout=`: at
  most `PER_CALL_TIMEOUT_S`, never more than what is left of the record's
  deadline (`ExtractContext.deadline`); for `finditer` it covers the whole
  iteration. On shorter texts the timeout is left out: every pattern here
  uses bounded quantifiers only, so a short text bounds the work by itself,
  and the timeout's bookkeeping (~0.3 µs a match) would cost more than the
  scan.
* **Anchored matches** (`match` at a trigger position) run on a window of at
  most `max_span` characters. The patterns use only bounded quantifiers, so
  the work per call is bounded by the window; passing `timeout=` there would
  cost more than the match itself (~2 µs a call). The record's deadline is
  still checked before each call.

A timeout or an exhausted deadline becomes `ExtractError`, which the engine
reports for that record before going on to the next.

Every call passes `concurrent=False`: by default `regex` releases the GIL
around each match and takes it back after, which for the many short matches of
extraction costs a quarter of the matching instructions (measured with
callgrind) and buys nothing, since extraction scales out by processes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import regex

from threadline.extract.base import ExtractContext, ExtractError

PER_CALL_TIMEOUT_S = 0.5
DEFAULT_MAX_SPAN = 512  # characters an anchored match may read
SHORT_TEXT = 4096  # below this many characters scans run without the timeout bookkeeping


class BoundedPattern:
    __slots__ = ("max_span", "pattern", "pattern_id")

    def __init__(
        self, pattern_id: str, pattern: str, flags: int = 0, max_span: int = DEFAULT_MAX_SPAN
    ) -> None:
        self.pattern_id = pattern_id
        self.pattern = regex.compile(pattern, flags)
        self.max_span = max_span

    def _timeout(self, ctx: ExtractContext | None, size: int = SHORT_TEXT + 1) -> float | None:
        left = PER_CALL_TIMEOUT_S
        if ctx is not None and ctx.deadline is not None:
            left = min(left, ctx.deadline - time.monotonic())
        if left <= 0:
            raise ExtractError(f"time budget exhausted before pattern {self.pattern_id}")
        return left if size > SHORT_TEXT else None

    def finditer(
        self, text: str, ctx: ExtractContext | None, pos: int = 0, endpos: int | None = None
    ) -> Iterator[regex.Match[str]]:
        end = len(text) if endpos is None else endpos
        timeout = self._timeout(ctx, end - pos)
        try:
            yield from self.pattern.finditer(text, pos, end, timeout=timeout, concurrent=False)
        except TimeoutError as exc:
            raise ExtractError(f"pattern {self.pattern_id} timed out after {timeout}s") from exc

    def all_matches(self, text: str, ctx: ExtractContext | None) -> list[regex.Match[str]]:
        """Every match in `text`, collected in one bounded call (cheaper than iterating)."""
        timeout = self._timeout(ctx, len(text))
        try:
            return list(self.pattern.finditer(text, timeout=timeout, concurrent=False))
        except TimeoutError as exc:
            raise ExtractError(f"pattern {self.pattern_id} timed out after {timeout}s") from exc

    def findall(self, text: str, ctx: ExtractContext | None) -> list[str]:
        """Every matched string (no positions): the cheapest full scan."""
        timeout = self._timeout(ctx, len(text))
        try:
            return self.pattern.findall(text, timeout=timeout, concurrent=False)
        except TimeoutError as exc:
            raise ExtractError(f"pattern {self.pattern_id} timed out after {timeout}s") from exc

    def search(
        self, text: str, ctx: ExtractContext | None, pos: int = 0, endpos: int | None = None
    ) -> regex.Match[str] | None:
        end = len(text) if endpos is None else endpos
        timeout = self._timeout(ctx, end - pos)
        try:
            return self.pattern.search(text, pos, end, timeout=timeout, concurrent=False)
        except TimeoutError as exc:
            raise ExtractError(f"pattern {self.pattern_id} timed out after {timeout}s") from exc

    def match(
        self, text: str, ctx: ExtractContext | None, pos: int = 0, endpos: int | None = None
    ) -> regex.Match[str] | None:
        """Match anchored at `pos`, reading at most `max_span` characters."""
        if ctx is not None:
            deadline = ctx.deadline
            if deadline is not None and time.monotonic() >= deadline:
                raise ExtractError(f"time budget exhausted before pattern {self.pattern_id}")
        end = min(len(text), pos + self.max_span) if endpos is None else endpos
        return self.pattern.match(text, pos, end, concurrent=False)

    def __repr__(self) -> str:
        return f"<BoundedPattern {self.pattern_id}>"
