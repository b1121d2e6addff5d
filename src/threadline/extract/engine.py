"""Run the extractors over one record's text: the whole analysis as one readable function.

`extract_all` runs every registered extractor (or the ones given) under one
time budget, checks each mention's span against the text, resolves
overlapping claims and returns the mentions in text order with any
per-record errors. It never raises for bad input: hostile text gives an
error entry for that record, not a crashed batch.

**Overlap rule.** When spans of two mentions overlap, the one whose type
comes first in `TYPE_PRECEDENCE` wins (the more specific reading of the same
characters): a crypto address beats everything inside it; an e-mail beats
the phone, handle or url inside it; a payment handle beats the handle or url
it is written as; a price or an age beats a phone. Between two mentions of
the same type the longer span wins, then the higher confidence, then the
earlier start. Exception (`NESTABLE`): a payment handle may contain the phone
or e-mail it is paid to ("Zelle: 415-555-0123") and both are kept, because
the phone also links records on its own.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from threadline.extract.base import ExtractContext, ExtractError, Extractor, Mention
from threadline.extract.registry import all_extractors

DEFAULT_TIME_BUDGET_S = 2.0
MAX_MENTIONS_PER_EXTRACTOR = 2000  # a record with more is a flood, not an ad
MAX_MENTION_CHARS = 1024  # no value type is written longer than this
TYPE_PRECEDENCE = (
    "crypto_address",
    "email",
    "payment_handle",
    "handle",
    "url",
    "price",
    "age",
    "phone",
    "location",
    "name",
)
NESTABLE = frozenset({("payment_handle", "phone"), ("payment_handle", "email")})
_RANK = {t: i for i, t in enumerate(TYPE_PRECEDENCE)}


@dataclass(frozen=True, slots=True)
class ExtractResult:
    mentions: tuple[Mention, ...]  # sorted by (start, end, type)
    errors: tuple[str, ...] = ()  # "<extractor>: <reason>" per failed extractor
    suppressed: tuple[Mention, ...] = ()  # lost an overlap; kept for explanation


def _overlaps(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


def _nested_ok(outer: Mention, inner: Mention) -> bool:
    return (
        (outer.type, inner.type) in NESTABLE
        and outer.start <= inner.start
        and inner.end <= outer.end
    )


def resolve_overlaps(mentions: Iterable[Mention]) -> tuple[list[Mention], list[Mention]]:
    """Apply the overlap rule; returns (kept sorted by position, suppressed).

    Kept mentions stay sorted by start, and no mention is longer than
    `MAX_MENTION_CHARS`, so each check looks only at the few kept mentions that
    start within that distance: linear in practice even for floods of mentions.
    """
    ranked = sorted(
        mentions,
        key=lambda m: (_RANK.get(m.type, len(_RANK)), -(m.end - m.start), -m.confidence, m.start),
    )
    starts: list[int] = []
    kept: list[Mention] = []
    suppressed: list[Mention] = []
    for m in ranked:
        hi = bisect_left(starts, m.end)
        clash = False
        k = hi - 1
        while k >= 0 and starts[k] > m.start - MAX_MENTION_CHARS:
            other = kept[k]
            if (_overlaps(m, other) and not (_nested_ok(other, m) or _nested_ok(m, other))) or (
                other.type == m.type and other.start == m.start and other.end == m.end
            ):
                clash = True
                break
            k -= 1
        if clash:
            suppressed.append(m)
        else:
            pos = bisect_left(starts, m.start)
            starts.insert(pos, m.start)
            kept.insert(pos, m)
    kept.sort(key=lambda m: (m.start, m.end, m.type))
    return kept, suppressed


_prepared: set[str] = set()


def _prepare(extractors: Iterable[Extractor]) -> None:
    """Load each extractor's data once per process, outside any record's time budget."""
    for ex in extractors:
        if ex.name not in _prepared:
            ex.prepare()
            _prepared.add(ex.name)


def extract_all(
    text: str,
    ctx: ExtractContext | None = None,
    *,
    extractors: Sequence[Extractor] | None = None,
    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
) -> ExtractResult:
    """All mentions in `text`, overlaps resolved, with per-record errors instead of exceptions."""
    chosen = all_extractors() if extractors is None else tuple(extractors)
    if len(_prepared) < len(chosen) or extractors is not None:
        _prepare(chosen)
    base = ctx or ExtractContext()
    ctx = ExtractContext(
        base.default_region, base.default_currency, time.monotonic() + time_budget_s
    )
    found: list[Mention] = []
    errors: list[str] = []
    for ex in chosen:
        if ctx.remaining() <= 0:
            errors.append(f"{ex.name}: skipped, time budget of {time_budget_s}s exhausted")
            continue
        try:
            mentions = ex.extract(text, ctx)
        except ExtractError as exc:
            errors.append(f"{ex.name}: {exc}")
            continue
        except Exception as exc:  # an extractor bug must not lose the batch
            errors.append(f"{ex.name}: internal error {type(exc).__name__}: {exc}")
            continue
        if len(mentions) > MAX_MENTIONS_PER_EXTRACTOR:
            errors.append(
                f"{ex.name}: {len(mentions)} mentions, kept the first {MAX_MENTIONS_PER_EXTRACTOR}"
            )
            mentions = mentions[:MAX_MENTIONS_PER_EXTRACTOR]
        for m in mentions:
            if text[m.start : m.end] != m.raw or not 0 < m.end - m.start <= MAX_MENTION_CHARS:
                errors.append(f"{ex.name}: dropped a mention with a bad span {m.start}:{m.end}")
            else:
                found.append(m)
    kept, suppressed = resolve_overlaps(found)
    return ExtractResult(tuple(kept), tuple(errors), tuple(suppressed))
