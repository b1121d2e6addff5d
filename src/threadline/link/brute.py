"""Exact all-pairs Jaccard: the brute-force reference for the LSH index (small n only).

Deliberately plain Python sets, so that it is obviously right. Pairs that share
no shingle have Jaccard 0, so only pairs found through an inverted index
(shingle → records) are scored; every such pair is scored exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np


def jaccard(a: frozenset[int] | set[int], b: frozenset[int] | set[int]) -> float:
    if not a and not b:
        return 0.0  # two empty texts share no evidence
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def all_pairs(shingle_sets: Sequence[np.ndarray], threshold: float) -> dict[tuple[int, int], float]:
    """{(i, j): J} for every pair i < j with Jaccard >= threshold (threshold > 0)."""
    if threshold <= 0:
        raise ValueError("threshold must be > 0: pairs sharing nothing are not listed")
    sets = [frozenset(s.tolist()) for s in shingle_sets]
    postings: dict[int, list[int]] = {}
    out: dict[tuple[int, int], float] = {}
    for j, b in enumerate(sets):
        shared: Counter[int] = Counter()
        for x in b:
            earlier = postings.setdefault(x, [])
            shared.update(earlier)
            earlier.append(j)
        for i, inter in shared.items():
            s = inter / (len(sets[i]) + len(b) - inter)
            if s >= threshold:
                out[(i, j)] = s
    return out
