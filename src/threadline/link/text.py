"""Near-duplicate text links: exact copies, LSH candidates, exact Jaccard verification.

The stage is a pure function of the batch's shingle sets and MinHash signatures:

1. Exact copies (equal shingle sets, by fingerprint) are linked to the first
   copy with similarity 1.0; only that first copy goes on to the index, so a
   million copies of one ad cost one bucket, not a million.
2. Band by band, the LSH buckets give candidate pairs: all pairs of a bucket of
   up to `ALL_PAIRS_UP_TO` records, a star from the first record of a larger
   one (a stock phrase shared by thousands), so candidates grow as n · bands.
3. A candidate whose two records are already joined by accepted text links is
   skipped: the stage keeps the links that connect, not every pair of a big
   group.
4. The rest are screened by the MinHash estimate (equal signature positions):
   a pair more than `PREFILTER_SIGMAS` standard errors below the threshold is
   dropped (a true pair at the threshold is lost with probability ~0.1%), and
   the survivors get their exact Jaccard; those at or above the threshold
   become links carrying that similarity.

Candidates at low similarity are the cost: with a 0.5 threshold the banding
must catch pairs at 0.55, so it also raises many pairs at 0.2–0.3 (stock
phrases); the signature screen rejects them for a few bytes each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from threadline.link.components import connected_components
from threadline.link.jaccard import jaccard_pairs
from threadline.link.lsh import LSHParams, _bucket_pairs, _runs
from threadline.link.minhash import band_keys

ALL_PAIRS_UP_TO = 4  # buckets up to this size give all pairs; larger ones a star
PREFILTER_SIGMAS = 3.0
_SCREEN_BATCH = 1 << 17  # pairs per signature comparison (2 × 64 MiB at 128 permutations)


@dataclass(frozen=True)
class TextLinks:
    pairs: np.ndarray  # (m, 2) int64 record indices, a < b
    similarity: np.ndarray  # (m,) exact Jaccard
    copies: int  # the first `copies` links are exact copies
    candidates: int  # LSH candidate pairs considered
    verified: int  # candidates whose exact Jaccard was computed


def copy_groups(fingerprints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(pairs to the first copy, active mask): records with equal non-zero fingerprints."""
    active = fingerprints != 0
    idx = np.flatnonzero(active)
    if len(idx) == 0:
        return np.empty((0, 2), dtype=np.int64), active
    order = idx[np.argsort(fingerprints[idx], kind="stable")]
    fp = fingerprints[order]
    same = fp[1:] == fp[:-1]
    if not same.any():
        return np.empty((0, 2), dtype=np.int64), active
    run_start = np.concatenate(([0], np.flatnonzero(~same) + 1))
    run_len = np.diff(np.concatenate((run_start, [len(fp)])))
    first = np.repeat(order[run_start], run_len)
    dup = order != first
    active = active.copy()
    active[order[dup]] = False
    pairs = np.stack((first[dup], order[dup]), axis=1).astype(np.int64)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))], active


def screen(signatures: np.ndarray, pairs: np.ndarray, floor: float) -> np.ndarray:
    """Mask of pairs whose MinHash estimate of Jaccard is at least `floor`."""
    keep = np.zeros(len(pairs), dtype=bool)
    need = math.ceil(floor * signatures.shape[1] - 1e-9)
    for i in range(0, len(pairs), _SCREEN_BATCH):
        p = pairs[i : i + _SCREEN_BATCH]
        agree = np.count_nonzero(signatures[p[:, 0]] == signatures[p[:, 1]], axis=1)
        keep[i : i + len(p)] = agree >= need
    return keep


def text_links(
    values: np.ndarray,
    offsets: np.ndarray,
    fingerprints: np.ndarray,
    signatures: np.ndarray,
    params: LSHParams,
) -> TextLinks:
    """Verified near-duplicate links of a batch (see the module docstring)."""
    n = len(fingerprints)
    copies, active = copy_groups(fingerprints)
    labels = connected_components(n, copies)
    t = params.threshold
    sigma = math.sqrt(t * (1 - t) / signatures.shape[1]) if len(signatures) else 0.0
    floor = max(0.0, t - PREFILTER_SIGMAS * sigma)
    ids = np.flatnonzero(active)
    found_pairs: list[np.ndarray] = [copies]
    found_sim: list[np.ndarray] = [np.ones(len(copies))]
    candidates = verified = 0
    for band in range(params.bands):
        if len(ids) < 2:
            break
        cols = signatures[ids, band * params.rows : (band + 1) * params.rows]
        keys = band_keys(cols, 1, params.rows)[:, 0]
        order = np.argsort(keys, kind="stable")
        starts, lengths = _runs(keys[order])
        pairs = _bucket_pairs(ids[order], starts, lengths, ALL_PAIRS_UP_TO)
        candidates += len(pairs)
        pairs = pairs[labels[pairs[:, 0]] != labels[pairs[:, 1]]]
        if len(pairs) == 0:
            continue
        pairs = pairs[screen(signatures, pairs, floor)]
        verified += len(pairs)
        sim = jaccard_pairs(values, offsets, pairs)
        ok = sim >= t
        if ok.any():
            new = np.sort(pairs[ok], axis=1)
            found_pairs.append(new)
            found_sim.append(sim[ok])
            labels = connected_components(n, new, initial=labels)
    return TextLinks(
        np.concatenate(found_pairs).astype(np.int64),
        np.concatenate(found_sim),
        len(copies),
        candidates,
        verified,
    )
