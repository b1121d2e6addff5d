"""The brute-force reference index: XOR and popcount over every stored code, in numpy.

Obviously correct and slow (≈ 40–50 ms CPU per query per million codes);
the fast indexes are tested against it. Memory stays bounded by scanning the
stored codes in chunks: one chunk's distances for a block of queries at a time.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from threadline.hashindex.base import GrowableArray, IndexBase, RangeResult
from threadline.hashindex.pdq import PDQ_BYTES

_WORDS = PDQ_BYTES // 8
# query×code pairs per step; each costs ~38 bytes of temporaries (XOR words, counts, sum)
_STEP_CELLS = 1 << 20


def hamming_matrix(queries: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Distances between every query and every code: ``(nq, n)`` uint16.

    The codes are viewed as four uint64 words; ``np.bitwise_count`` is the popcount.
    """
    q = np.ascontiguousarray(queries).view(np.uint64).reshape(-1, 1, _WORDS)
    c = np.ascontiguousarray(codes).view(np.uint64).reshape(1, -1, _WORDS)
    return np.bitwise_count(q ^ c).sum(axis=2, dtype=np.uint16)


class BruteForceIndex(IndexBase):
    kind: ClassVar[str] = "brute"

    def __init__(self) -> None:
        self._ids = GrowableArray(np.int64)
        self._codes = GrowableArray(np.uint8, (PDQ_BYTES,))

    def _add(self, ids: np.ndarray, codes: np.ndarray) -> None:
        self._ids.append(ids)
        self._codes.append(codes)

    def __len__(self) -> int:
        return len(self._ids)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return self._ids.view().copy(), self._codes.view().copy()

    def memory_bytes(self) -> int:
        return self._ids.nbytes + self._codes.nbytes

    def _search(self, queries: np.ndarray, max_distance: int) -> RangeResult:
        ids, codes = self._ids.view(), self._codes.view()
        n, nq = codes.shape[0], queries.shape[0]
        chunk = min(n, max(1024, _STEP_CELLS // max(1, min(nq, 64))))
        qblock = max(1, _STEP_CELLS // chunk)
        per_query: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(nq)]
        for q0 in range(0, nq, qblock):
            block = queries[q0 : q0 + qblock]
            for c0 in range(0, n, chunk):
                dist = hamming_matrix(block, codes[c0 : c0 + chunk])
                rows, cols = np.nonzero(dist <= max_distance)
                for r in np.unique(rows):
                    hit = cols[rows == r]
                    per_query[q0 + r].append((ids[c0 + hit], dist[r, hit]))
        lims = np.zeros(nq + 1, np.int64)
        out_ids: list[np.ndarray] = []
        out_dis: list[np.ndarray] = []
        for i, parts in enumerate(per_query):
            lims[i + 1] = lims[i] + sum(p[0].size for p in parts)
            out_ids.extend(p[0] for p in parts)
            out_dis.extend(p[1] for p in parts)
        if not out_ids:
            return RangeResult.empty(nq)
        return RangeResult.sorted_from(lims, np.concatenate(out_ids), np.concatenate(out_dis))
