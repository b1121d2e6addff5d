"""The Ray engine's tasks: plain functions over one partition or one reducer's share.

`ray.remote` wraps them at run time (`threadline.engine.ray_link` drives them). They
receive and return numeric arrays and record numbers only (see `engine.shuffle`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from threadline.engine import keyed
from threadline.engine.runtime import kill_once
from threadline.engine.shuffle import (
    destination,
    gather,
    pack_pairs,
    split,
    tap,
    unpack_pairs,
)
from threadline.link.batch import featurize_lines
from threadline.link.config import LinkConfig
from threadline.link.jaccard import jaccard_pairs
from threadline.link.lsh import _bucket_pairs, _runs
from threadline.link.minhash import band_keys
from threadline.link.text import ALL_PAIRS_UP_TO, screen


@dataclass(frozen=True)
class PartMeta:
    """What a feature task tells the driver about its partition (no text, no values)."""

    ids: list[str | None]
    lines: list[int]
    errors: list[str | None]
    kinds: list[str | None]
    notes: int
    has_fp: np.ndarray
    has_text: np.ndarray
    excluded: np.ndarray
    cpu_s: dict[str, float] = field(default_factory=dict)


# --- tasks (plain functions; `ray.remote` wraps them at run time) ------------------------------


def features_task(
    lines: list[tuple[int, bytes]], config: LinkConfig, kill_marker: str | None
) -> tuple[PartMeta, tuple[np.ndarray, ...], tuple[list[Any], ...]]:
    if kill_marker is not None:
        kill_once(kill_marker)
    chunk = featurize_lines(lines, config)
    excluded = np.array([k in config.text_exclude_kinds for k in chunk.kinds], dtype=bool)
    meta = PartMeta(
        chunk.ids, chunk.lines, chunk.errors, chunk.kinds, chunk.notes,
        chunk.fingerprints != 0, np.diff(chunk.offsets) > 0, excluded, dict(chunk.cpu_s),
    )  # fmt: skip
    text = (chunk.values, chunk.offsets, chunk.signatures, chunk.fingerprints)
    private = (chunk.pivots, chunk.places, chunk.times)
    return meta, text, private


def copies_map(text: tuple[np.ndarray, ...], base: int, reducers: int) -> list[Any]:
    fp = text[3]
    rows = np.flatnonzero(fp != 0)
    cols = (fp[rows], rows.astype(np.int64) + base)
    return split(cols, destination(cols[0], reducers), reducers)


def copies_reduce(tap_dir: str | None, j: int, *payloads: Any) -> np.ndarray:
    """Pairs (first copy, other copy) of records with equal fingerprints (as `copy_groups`)."""
    tap(tap_dir, "copies", j, payloads)
    fp, rec = gather(payloads, 2)
    order = np.lexsort((rec, fp))
    fp, rec = fp[order], rec[order]
    starts, lengths = _runs(fp)
    first = np.repeat(rec[starts], lengths)
    dup = rec != first
    return np.stack((first[dup], rec[dup]), axis=1).astype(np.int64)


def bands_map(
    text: tuple[np.ndarray, ...],
    base: int,
    active: np.ndarray,
    bands: int,
    rows: int,
    reducers: int,
) -> list[Any]:
    sig = text[2]
    ids = np.flatnonzero(active)
    band_col, key_col = [], []
    for band in range(bands):
        cols = sig[ids, band * rows : (band + 1) * rows]
        band_col.append(np.full(len(ids), band, dtype=np.int64))
        key_col.append(band_keys(cols, 1, rows)[:, 0])  # as `text_links` computes them
    b = np.concatenate(band_col) if band_col else np.empty(0, np.int64)
    k = np.concatenate(key_col) if key_col else np.empty(0, np.uint64)
    r = np.tile(ids.astype(np.int64) + base, bands)
    dest = destination(k ^ b.astype(np.uint64), reducers)
    return split((b, k, r), dest, reducers)


def bands_reduce(
    tap_dir: str | None,
    j: int,
    bands: int,
    group_bounds: np.ndarray,
    *payloads: Any,
) -> list[Any]:
    """Buckets of two or more records per band (for the driver) and candidate pairs by group.

    Returns `bands` outputs (keys, sizes, members sorted within each bucket) then one
    payload of packed candidate pairs per verification group (by the pair's first record).
    """
    tap(tap_dir, "bands", j, payloads)
    band, key, rec = gather(payloads, 3)
    order = np.lexsort((rec, key, band))
    band, key, rec = band[order], key[order], rec[order]
    change = np.concatenate(([True], (band[1:] != band[:-1]) | (key[1:] != key[:-1])))
    starts = np.flatnonzero(change)
    lengths = np.diff(np.concatenate((starts, [len(rec)])))
    keep = lengths >= 2
    starts, lengths = starts[keep], lengths[keep]
    out: list[Any] = []
    bucket_band = band[starts]
    for b in range(bands):
        sel = bucket_band == b
        s, n = starts[sel], lengths[sel]
        members = rec[np.repeat(s, n) + ramp(n)] if len(s) else np.empty(0, np.int64)
        out.append((key[s], n.astype(np.int64), members))
    # candidates of all bands, once each, to the group verifying their first record
    members = rec[np.repeat(starts, lengths) + ramp(lengths)]
    new_starts = np.cumsum(lengths) - lengths
    pairs = _bucket_pairs(members, new_starts, lengths, ALL_PAIRS_UP_TO)
    packed = (
        np.unique(pack_pairs(pairs[:, 0], pairs[:, 1])) if len(pairs) else np.empty(0, np.uint64)
    )
    first = (packed >> np.uint64(32)).astype(np.int64)
    groups = len(group_bounds) - 1
    dest = np.searchsorted(group_bounds, first, side="right") - 1
    out.extend(split((packed,), dest, groups))
    return out


def ramp(lengths: np.ndarray) -> np.ndarray:
    """0..len-1 for each length, concatenated."""
    total = int(lengths.sum())
    before = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) - np.repeat(before, lengths)


def verify_task(
    text_refs: list[Any],
    bases: np.ndarray,
    floor: float | None,
    *payloads: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """(packed pairs, exact Jaccard) of the pairs received: with `floor`, only those whose
    signature estimate passes the screen (as `text.screen`); without, all of them."""
    import ray

    (packed,) = gather(payloads, 1)
    packed = np.unique(packed)
    if len(packed) == 0:
        return packed, np.empty(0, np.float64)
    pairs = unpack_pairs(packed)
    recs = np.unique(pairs.ravel())
    part = np.searchsorted(bases, recs, side="right") - 1
    values_parts, offsets_parts, sig_parts = [], [], []
    for p in np.unique(part).tolist():
        values, offsets, sig, _ = ray.get(text_refs[p])
        local = recs[part == p] - bases[p]
        v, o = _sub_layout(values, offsets, local)
        values_parts.append(v)
        offsets_parts.append(o)
        sig_parts.append(sig[local])
    values, offsets = _concat_layouts(values_parts, offsets_parts)
    compact = np.searchsorted(recs, pairs)
    keep = np.ones(len(pairs), dtype=bool)
    if floor is not None:
        keep = screen(np.concatenate(sig_parts), compact, floor)
    sim = jaccard_pairs(values, offsets, compact[keep])
    return packed[keep], sim


def _sub_layout(
    values: np.ndarray, offsets: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    lengths = offsets[rows + 1] - offsets[rows]
    idx = np.repeat(offsets[rows], lengths) + ramp(lengths)
    return values[idx], np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)


def _concat_layouts(
    values: list[np.ndarray], offsets: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    shift = np.cumsum([0] + [len(v) for v in values[:-1]])
    offs = [np.zeros(1, np.int64)] + [o[1:] + s for o, s in zip(offsets, shift, strict=True)]
    return np.concatenate(values), np.concatenate(offs)


def ident_map(
    private: tuple[list[Any], ...],
    base: int,
    key: bytes,
    named: frozenset[str],
    reducers: int,
) -> list[Any]:
    """(hash high, hash low, record, time, named) per pivot value of each record."""
    pivots, _, times = private
    flat = [(r, t, v) for r, ps in enumerate(pivots) for t, v in ps]
    hi, lo = keyed.keyed_hashes(key, ((t, v) for _, t, v in flat))
    rec = np.fromiter((r + base for r, _, _ in flat), dtype=np.int64, count=len(flat))
    when = np.array(
        [-np.inf if times[r] is None else float(times[r]) for r, _, _ in flat], dtype=np.float64
    )
    is_named = np.fromiter(
        (bool(named) and (v in named or f"{t}:{v}" in named) for _, t, v in flat),
        dtype=bool,
        count=len(flat),
    )
    return split((hi, lo, rec, when, is_named), destination(hi, reducers), reducers)


def ident_reduce(
    tap_dir: str | None, j: int, gap_s: float | None, *payloads: Any
) -> tuple[np.ndarray, ...]:
    """Uses of each value (split where dated records are more than `gap_s` apart, as
    `identifiers.index_values`), kept when on two or more records or named.

    Returns (hi, lo, epoch, epochs, count, members) of kept uses — members concatenated,
    sorted by record within a use —, the records that carry a use kept nowhere, and
    whether each kept use is named in the config.
    """
    tap(tap_dir, "identifiers", j, payloads)
    hi, lo, rec, when, named = gather(payloads, 5)
    if len(rec) == 0:
        e = np.empty(0, np.int64)
        return np.empty(0, np.uint64), np.empty(0, np.uint64), e, e, e, e, e, np.empty(0, bool)
    if gap_s is None:
        when = np.zeros(len(rec))
    order = np.lexsort((rec, when, lo, hi))
    hi, lo, rec, when, named = hi[order], lo[order], rec[order], when[order], named[order]
    new_value = np.ones(len(rec), dtype=bool)
    new_value[1:] = (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
    new = new_value.copy()
    if gap_s is not None and len(rec) > 1:
        dated = np.isfinite(when)
        with np.errstate(invalid="ignore"):
            gap = np.diff(when) > gap_s
        new[1:] |= dated[1:] & dated[:-1] & gap
    use = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    value_of_use = np.cumsum(new_value)[first] - 1
    value_first = np.concatenate(([True], value_of_use[1:] != value_of_use[:-1]))
    group_first = np.flatnonzero(value_first)
    group = np.cumsum(value_first) - 1
    epoch = np.arange(len(first)) - group_first[group]
    epochs = np.bincount(group)[group] if len(group) else np.empty(0, np.int64)
    count = np.bincount(use, minlength=len(first))
    kept = (count >= 2) | named[first]
    order = np.lexsort((rec, use))
    rec_sorted, use_sorted = rec[order], use[order]
    in_kept = kept[use_sorted]
    lonely = np.unique(rec_sorted[~in_kept])
    return (
        hi[first][kept], lo[first][kept], epoch[kept].astype(np.int64),
        epochs[kept].astype(np.int64), count[kept].astype(np.int64), rec_sorted[in_kept], lonely,
        named[first][kept],
    )  # fmt: skip


def lookup_task(
    private: tuple[list[Any], ...],
    base: int,
    key: bytes,
    wanted: Any,
    records: np.ndarray,
) -> tuple[dict[tuple[int, int], tuple[str, str]], dict[int, str | None], dict[int, int | None]]:
    """Values of the wanted hashes found in this partition, and places/times of `records`."""
    pivots, places, times = private
    found: dict[tuple[int, int], tuple[str, str]] = {}
    for ps in pivots:
        for t, v in ps:
            h = keyed.keyed_hash(key, t, v)
            if h in wanted and h not in found:
                found[h] = (t, v)
    local = (records - base).tolist()
    return (
        found,
        {r + base: places[r] for r in local},
        {r + base: times[r] for r in local},
    )


def rank_task(
    private: tuple[list[Any], ...], key: bytes, kept: Any, sorted_names: list[tuple[str, str]]
) -> np.ndarray:
    """Per gap between consecutive kept values (sorted), how many of this partition's
    (record, value) entries of values kept nowhere fall in it: each is one use."""
    from bisect import bisect_left

    hist = np.zeros(len(sorted_names) + 1, dtype=np.int64)
    for ps in private[0]:
        for t, v in ps:
            if keyed.keyed_hash(key, t, v) not in kept:
                hist[bisect_left(sorted_names, (t, v))] += 1
    return hist
