"""LSH banding over MinHash signatures, configured by a Jaccard threshold (the index).

With b bands of r rows, a pair of Jaccard similarity s becomes a candidate
with probability P(s) = 1 − (1 − s^r)^b. `choose_params` picks (b, r) by
intent, as datasketch does, but for a linker that verifies every candidate
exactly, a missed pair costs more than a false candidate: among the (b, r)
with b·r <= num_perm whose miss rate 1 − P(threshold + margin) is at most
`miss_rate`, it takes the one with the least false-positive area ∫₀ᵗ P(s) ds
(fewest candidates to verify); when none qualifies, the one with the lowest
miss rate. Written here rather than taken from datasketch: the linker needs
the bucket arrays of a whole batch at once (a sort per band over numpy arrays),
not a per-key index in Python dictionaries.

`candidate_pairs` groups records by band key with a sort per band. A bucket
of up to `all_pairs_up_to` records yields all its pairs; a larger one (a
template posted thousands of times) yields a star from its first record, so
the candidates grow as n · bands, never n², and connectivity is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from threadline.link.minhash import EMPTY


@dataclass(frozen=True)
class LSHParams:
    threshold: float
    num_perm: int
    bands: int
    rows: int

    def probability(self, s: float) -> float:
        """Chance that a pair of Jaccard similarity `s` becomes a candidate."""
        return candidate_probability(s, self.bands, self.rows)


def candidate_probability(s: float, bands: int, rows: int) -> float:
    return 1.0 - (1.0 - s**rows) ** bands


def _area(lo: float, hi: float, bands: int, rows: int, false_negative: bool) -> float:
    xs = np.linspace(lo, hi, 101)
    p = 1.0 - (1.0 - xs**rows) ** bands
    ys = 1.0 - p if false_negative else p
    return float(np.sum((ys[1:] + ys[:-1]) / 2 * np.diff(xs)))


def choose_params(
    threshold: float, num_perm: int, margin: float = 0.05, miss_rate: float = 0.005
) -> LSHParams:
    """(bands, rows) for `threshold`: see the module docstring."""
    if not 0.0 < threshold < 1.0:
        raise ValueError("threshold must be in (0, 1)")
    target = min(1.0, threshold + margin)
    best: tuple[float, float, int, int] | None = None
    fallback: tuple[float, int, int] | None = None
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        miss = 1.0 - candidate_probability(target, bands, rows)
        if fallback is None or miss < fallback[0]:
            fallback = (miss, bands, rows)
        if miss <= miss_rate:
            fp = _area(0.0, threshold, bands, rows, False)
            key = (fp, miss, bands, rows)
            if best is None or key < best:
                best = key
    if best is not None:
        return LSHParams(threshold, num_perm, best[2], best[3])
    assert fallback is not None
    return LSHParams(threshold, num_perm, fallback[1], fallback[2])


def _runs(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, lengths) of runs of equal values in a sorted array."""
    if len(sorted_keys) == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    change = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    starts = np.concatenate(([0], change))
    lengths = np.diff(np.concatenate((starts, [len(sorted_keys)])))
    return starts, lengths


def _bucket_pairs(order: np.ndarray, starts: np.ndarray, lengths: np.ndarray, all_up_to: int):
    """Candidate pairs (i < j, as record indices) of the buckets of one band."""
    keep = lengths >= 2
    starts, lengths = starts[keep], lengths[keep]
    out: list[np.ndarray] = []
    # star: every member with the bucket's first (smallest) record
    big = lengths > all_up_to
    if np.any(big):
        s, cnt = starts[big], lengths[big] - 1
        rep = np.repeat(order[s], cnt)
        # member t of bucket k sits at s_k + 1 + t in `order`
        before = np.cumsum(cnt) - cnt
        members = order[np.repeat(s + 1 - before, cnt) + np.arange(int(cnt.sum()))]
        out.append(np.stack((rep, members), axis=1))
    small = ~big
    for size in np.unique(lengths[small]):
        s = starts[small][lengths[small] == size]
        iu, ju = np.triu_indices(int(size), k=1)
        block = order[s[:, None] + np.arange(size)[None, :]]
        out.append(np.stack((block[:, iu].ravel(), block[:, ju].ravel()), axis=1))
    if not out:
        return np.empty((0, 2), dtype=np.int64)
    return np.concatenate(out).astype(np.int64)


class LSHIndex:
    """Band keys of a batch of signatures; yields candidate pairs (the index, nothing else)."""

    def __init__(self, params: LSHParams) -> None:
        self.params = params

    def keys(self, signatures: np.ndarray) -> np.ndarray:
        from threadline.link.minhash import band_keys

        return band_keys(signatures, self.params.bands, self.params.rows)

    def candidate_pairs(
        self,
        keys: np.ndarray,
        *,
        active: np.ndarray | None = None,
        all_pairs_up_to: int = 64,
    ) -> np.ndarray:
        """Unique candidate pairs (m, 2) int64, i < j, sorted, from band keys (n, bands).

        `active` (bool, n) limits bucketing to some records; the caller masks records
        without text (`is_empty_signature`), whose EMPTY signatures would all collide.
        """
        n, bands = keys.shape
        ids = np.arange(n, dtype=np.int64) if active is None else np.flatnonzero(active)
        acc: list[np.ndarray] = []
        pending = 0
        for band in range(bands):
            col = keys[ids, band]
            order_local = np.argsort(col, kind="stable")
            starts, lengths = _runs(col[order_local])
            pairs = _bucket_pairs(ids[order_local], starts, lengths, all_pairs_up_to)
            if len(pairs):
                acc.append(np.sort(pairs, axis=1))
                pending += len(pairs)
            if pending > 4 * max(n, 1024):  # dedupe as we go: memory stays O(n)
                acc = [_unique_pairs(np.concatenate(acc))]
                pending = len(acc[0])
        if not acc:
            return np.empty((0, 2), dtype=np.int64)
        return _unique_pairs(np.concatenate(acc))


def _unique_pairs(pairs: np.ndarray) -> np.ndarray:
    """Sorted unique rows of an (m, 2) array of record indices below 2**32."""
    if len(pairs) == 0:
        return pairs
    packed = pairs[:, 0].astype(np.uint64) << np.uint64(32) | pairs[:, 1].astype(np.uint64)
    packed.sort()  # a sort, not np.unique: numpy's hash-based unique is slow on uint64
    packed = packed[np.concatenate(([True], packed[1:] != packed[:-1]))]
    high = (packed >> np.uint64(32)).astype(np.int64)
    return np.stack((high, (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)), axis=1)


def is_empty_signature(signatures: np.ndarray) -> np.ndarray:
    """Rows that are the EMPTY signature (no shingles)."""
    return np.all(signatures == EMPTY, axis=1)
