"""Exact Jaccard similarity of many record pairs at once (the verification step).

Records are in the (values, offsets) layout of `minhash`: sorted unique
uint64 shingle hashes per record. For a batch of pairs both sides' shingles
are tagged with the pair's number in the high bits and sorted together; a
shingle in both records appears twice in a row. Tagging keeps 40 bits of each
hash, so two different shingles of one pair collide with probability about
(number of shingles)² / 2⁴¹ — below 10⁻⁸ for ads.
"""

from __future__ import annotations

import numpy as np

_PAIR_BITS = 24
_HASH_BITS = 64 - _PAIR_BITS
_BATCH_ELEMENTS = 1 << 23  # shingles per sort: bounds the scratch memory (~200 MiB)


def _gather(
    values: np.ndarray, offsets: np.ndarray, rec: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated shingles of records `rec` and, per element, its position in `rec`."""
    starts = offsets[rec]
    lengths = offsets[rec + 1] - starts
    total = int(lengths.sum())
    owner = np.repeat(np.arange(len(rec), dtype=np.int64), lengths)
    before = np.cumsum(lengths) - lengths
    idx = np.repeat(starts - before, lengths) + np.arange(total, dtype=np.int64)
    return values[idx], owner


def jaccard_pairs(values: np.ndarray, offsets: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Exact Jaccard of each (a, b) row of `pairs` (float64); 0 when both records are empty."""
    out = np.zeros(len(pairs), dtype=np.float64)
    if len(pairs) == 0:
        return out
    # lengths of the paired records only: the hub rule calls this once per frequent value
    # with a few dozen pairs, so nothing here may cost O(records in the batch)
    len_a = offsets[pairs[:, 0] + 1] - offsets[pairs[:, 0]]
    len_b = offsets[pairs[:, 1] + 1] - offsets[pairs[:, 1]]
    per_pair = len_a + len_b
    limit = min(1 << _PAIR_BITS, len(pairs))
    i = 0
    while i < len(pairs):
        # as many pairs as fit the element budget (at least one)
        cum = np.cumsum(per_pair[i : i + limit])
        j = i + max(1, int(np.searchsorted(cum, _BATCH_ELEMENTS, side="right")))
        out[i:j] = _batch(values, offsets, pairs[i:j], per_pair[i:j])
        i = j
    return out


def _batch(
    values: np.ndarray, offsets: np.ndarray, pairs: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """Jaccard of `pairs`; `sizes` is len(a) + len(b) per pair."""
    both = np.concatenate((pairs[:, 0], pairs[:, 1]))
    shingles, owner = _gather(values, offsets, both)
    pair_no = (owner % len(pairs)).astype(np.uint64)
    tagged = (pair_no << np.uint64(_HASH_BITS)) | (shingles >> np.uint64(_PAIR_BITS))
    tagged.sort()
    dup = np.flatnonzero(tagged[1:] == tagged[:-1])
    inter = np.bincount(
        (tagged[dup] >> np.uint64(_HASH_BITS)).astype(np.int64), minlength=len(pairs)
    )
    union = sizes - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / np.maximum(union, 1), 0.0)
