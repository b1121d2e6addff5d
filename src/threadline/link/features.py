"""Per-record features for linking: pivot values, text shingles, place, time, signals.

`featurize` is a pure function of one parsed record and the config, cheap
enough to run in worker processes over chunks of lines. It never raises for
bad input: a record it cannot use gets an `error` and no evidence.

Mentions come from the record's own ``mentions`` list when it has one (a
record from the store, already extracted) and otherwise from running the
extractors that can emit a pivot type: linking needs no prices, names or
places from the text, and skipping those extractors halves the cost.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

import numpy as np

from threadline.link.config import LinkConfig
from threadline.link.shingles import normalize, segments

MAX_ID_CHARS = 512
MAX_SIGNALS = 200
MEMO_SIZE = 4096  # identical texts remembered per batch of lines
EXTRACT_TRIES = 3  # extractions of one text per batch when the time budget cuts it short


@dataclass(frozen=True)
class RecordFeatures:
    """What the linker keeps of one record."""

    id: str | None
    pivots: tuple[tuple[str, str], ...]  # unique (type, normalized value), sorted
    segments: tuple[tuple[str, ...], ...]  # normalized words per segment (see `shingles`)
    words: int
    place: str | None  # "City, Region, CC" from the record's fields
    posted_at: int | None  # seconds since the epoch, UTC
    signals: tuple[tuple[str, float], ...] = ()  # (indicator id, weight) given with the record
    kind: str | None = None  # the record's ``kind`` field ("ad", "job_ad" …)
    error: str | None = None  # the record is unusable (no evidence); why
    notes: tuple[str, ...] = ()  # extraction trouble on a usable record (a time budget hit)
    extract_s: float = 0.0  # CPU seconds spent extracting mentions (for the stage timings)


@cache
def _extractors(types: tuple[str, ...]) -> tuple[Any, ...]:
    from threadline.extract.registry import all_extractors

    wanted = set(types)
    return tuple(ex for ex in all_extractors() if wanted & set(ex.types))


def parse_time(value: Any) -> int | None:
    """ISO 8601 (``Z`` allowed) or epoch seconds → epoch seconds; None when unusable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if abs(value) < 1e11 else None
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp())


def _field(obj: dict[str, Any], key: str) -> str | None:
    v = obj.get(key)
    return v.strip()[:128] if isinstance(v, str) and v.strip() else None


def _place(obj: dict[str, Any]) -> str | None:
    parts = [p for p in (_field(obj, "city"), _field(obj, "region"), _field(obj, "country")) if p]
    return ", ".join(parts) if parts else None


def _given_mentions(raw: Any, text: str) -> list[tuple[str, str, int, int]] | None:
    """(type, normalized, start, end) from a record's own ``mentions``; None if it has none."""
    if not isinstance(raw, list):
        return None
    out = []
    for m in raw[:10_000]:
        if not isinstance(m, dict):
            continue
        t, v, s, e = m.get("type"), m.get("normalized"), m.get("start"), m.get("end")
        if isinstance(t, str) and isinstance(v, str) and v:
            ok = isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)
            out.append((t, v, s if ok else -1, e if ok else -1))
    return out


def _signals(raw: Any) -> tuple[tuple[str, float], ...]:
    if not isinstance(raw, list):
        return ()
    out = []
    for s in raw[:MAX_SIGNALS]:
        if isinstance(s, dict):
            name, w = s.get("indicator"), s.get("weight", 1.0)
        elif isinstance(s, list | tuple) and len(s) == 2:
            name, w = s
        else:
            continue
        if isinstance(name, str) and isinstance(w, int | float) and not isinstance(w, bool):
            out.append((name[:128], float(w)))
    return tuple(out)


def record_id(obj: Any) -> str | None:
    rid = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(rid, bool) or not isinstance(rid, str | int):
        return None
    return str(rid)[:MAX_ID_CHARS]


def featurize(
    obj: Any, config: LinkConfig, memo: dict[tuple[str, str], Any] | None = None
) -> RecordFeatures:
    """Features of one parsed record (a JSON object with at least ``text``).

    `memo` (per batch) reuses the extraction of an identical text read in the same
    region: a million copies of one ad are extracted once.
    """
    if not isinstance(obj, dict):
        return RecordFeatures(None, (), (), 0, None, None, error="record is not a JSON object")
    rid = record_id(obj)
    base = RecordFeatures(rid, (), (), 0, _place(obj), parse_time(obj.get("posted_at")))
    kind = obj.get("kind")
    kind = kind[:32] if isinstance(kind, str) else None
    base = replace(base, signals=_signals(obj.get("signals")), kind=kind)
    text = obj.get("text")
    if not isinstance(text, str):
        return replace(base, error="missing text" if text is None else "text must be a string")
    mentions = _given_mentions(obj.get("mentions"), text)
    errors: Sequence[str] = ()
    spent = 0.0
    if mentions is None:
        t0 = time.process_time()
        key = (text, _region(obj))
        cached = memo.get(key) if memo is not None else None
        # An extraction cut short (its time budget, on a loaded machine) is tried again for
        # the next copies of the text, at most EXTRACT_TRIES times: a hostile text that
        # always exhausts the budget must not cost the budget once per copy.
        if cached is None or (cached[1] and cached[2] < EXTRACT_TRIES):
            tries = 1 if cached is None else cached[2] + 1
            cached = (*_extract(obj, text, config, key[1]), tries)
            if memo is not None and (len(memo) < MEMO_SIZE or key in memo):
                memo[key] = cached
        mentions, errors, _ = cached
        spent = time.process_time() - t0
    pivot_set = set(config.pivot_types)
    pivots = tuple(sorted({(t, v) for t, v, _, _ in mentions if t in pivot_set}))
    spans = [(s, e, t) for t, _, s, e in mentions if t in pivot_set and s >= 0]
    places = [p for p in (_field(obj, "city"), _field(obj, "region")) if p]
    parts = tuple(tuple(p) for p in segments(normalize(text, spans, places)))
    words = sum(len(p) for p in parts)
    if words < config.min_text_words:  # too little text to be evidence
        parts = ()
    notes = tuple(e[:300] for e in errors[:5])
    return replace(base, pivots=pivots, segments=parts, words=words, notes=notes, extract_s=spent)


def _region(obj: dict[str, Any]) -> str:
    from threadline.screen import region_for_record

    return region_for_record(obj)


def warm_up(config: LinkConfig) -> None:
    """Load the extractors' data and the gazetteer now (in a parent, before forking workers)."""
    _region({"country": "US"})
    _extract({}, "call 713 555 0100", config, "US")


def _extract(
    obj: dict[str, Any], text: str, config: LinkConfig, region: str
) -> tuple[list[tuple[str, str, int, int]], tuple[str, ...]]:
    from threadline.extract.base import ExtractContext
    from threadline.extract.engine import extract_all

    if _has_surrogates(text):  # the extractors' regexes reject these; drop them, keep the record
        text = text.encode("utf-8", "replace").decode("utf-8")
    ctx = ExtractContext(default_region=region)
    result = extract_all(text, ctx, extractors=_extractors(config.pivot_types))
    found = [(m.type, m.normalized, m.start, m.end) for m in result.mentions]
    return found, result.errors


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@dataclass(frozen=True)
class FeatureChunk:
    """Columnar features of consecutive records: what workers send back, and the batch itself.

    Shingles are concatenated (record r owns ``values[offsets[r]:offsets[r + 1]]``);
    `signatures` are the records' MinHash signatures (`EMPTY` for no text evidence).
    """

    ids: list[str | None]
    lines: list[int]  # 1-based input line of each record (0 when not from a file)
    pivots: list[tuple[tuple[str, str], ...]]
    values: np.ndarray  # uint64
    offsets: np.ndarray  # int64, n + 1
    fingerprints: np.ndarray  # uint64, 0 for no text evidence
    signatures: np.ndarray  # (n, num_perm) uint32
    places: list[str | None]
    times: list[int | None]
    signals: list[tuple[tuple[str, float], ...]]
    kinds: list[str | None]
    errors: list[str | None]
    notes: int  # records whose extraction reported trouble
    cpu_s: dict[str, float]  # CPU seconds per step: extract, other features, minhash

    def __len__(self) -> int:
        return len(self.ids)


def build_chunk(
    feats: Sequence[RecordFeatures], lines: Sequence[int], config: LinkConfig
) -> FeatureChunk:
    """Columnar chunk from per-record features: shingles and signatures computed here."""
    from threadline.link.minhash import MinHasher
    from threadline.link.shingles import shingle_batch, text_fingerprint

    t0 = time.process_time()
    values, offsets = shingle_batch([f.segments for f in feats], config.shingle_size)
    t1 = time.process_time()
    sig = MinHasher(config.num_perm, config.minhash_seed).signatures(values, offsets)
    cpu = {"extract": sum(f.extract_s for f in feats), "shingles": t1 - t0}
    cpu["minhash"] = time.process_time() - t1
    return FeatureChunk(
        ids=[f.id for f in feats],
        lines=list(lines),
        pivots=[f.pivots for f in feats],
        values=values,
        offsets=offsets,
        fingerprints=np.fromiter(
            (text_fingerprint(values[offsets[i] : offsets[i + 1]]) for i in range(len(feats))),
            dtype=np.uint64,
            count=len(feats),
        ),
        signatures=sig,
        places=[f.place for f in feats],
        times=[f.posted_at for f in feats],
        signals=[f.signals for f in feats],
        kinds=[f.kind for f in feats],
        errors=[f.error for f in feats],
        notes=sum(1 for f in feats if f.notes),
        cpu_s=cpu,
    )


def concat_chunks(chunks: Sequence[FeatureChunk], num_perm: int) -> FeatureChunk:
    """One chunk from consecutive chunks (offsets rebased)."""
    if not chunks:
        return FeatureChunk(
            [], [], [], np.empty(0, np.uint64), np.zeros(1, np.int64), np.empty(0, np.uint64),
            np.empty((0, num_perm), np.uint32), [], [], [], [], [], 0, {},
        )  # fmt: skip
    if len(chunks) == 1:
        return chunks[0]
    shift = np.cumsum([0] + [len(c.values) for c in chunks[:-1]])
    offsets = np.concatenate(
        [np.zeros(1, np.int64)] + [c.offsets[1:] + s for c, s in zip(chunks, shift, strict=True)]
    )

    def cat(name: str) -> list[Any]:
        return [x for c in chunks for x in getattr(c, name)]

    return FeatureChunk(
        ids=cat("ids"),
        lines=cat("lines"),
        pivots=cat("pivots"),
        values=np.concatenate([c.values for c in chunks]),
        offsets=offsets,
        fingerprints=np.concatenate([c.fingerprints for c in chunks]),
        signatures=np.concatenate([c.signatures for c in chunks]),
        places=cat("places"),
        times=cat("times"),
        signals=cat("signals"),
        kinds=cat("kinds"),
        errors=cat("errors"),
        notes=sum(c.notes for c in chunks),
        cpu_s={k: sum(c.cpu_s.get(k, 0.0) for c in chunks) for k in chunks[0].cpu_s},
    )
