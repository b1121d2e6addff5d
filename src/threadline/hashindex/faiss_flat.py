"""Exact index by exhaustive scan in FAISS (``IndexBinaryFlat`` + ``range_search``).

Costs 32 bytes per code plus 8 per id, nothing else; a query reads every code
once (memory-bandwidth bound, ≈ 5–6 ms per million codes on one core here).
FAISS assigns labels 0..n-1 in insertion order; our int64 ids live in a
parallel array, so ids may repeat and need not be dense.

Concurrent searches are safe; ``add`` must not run concurrently with a search.
FAISS parallelises a batch of queries with OpenMP (``faiss.omp_set_num_threads``).
"""

from __future__ import annotations

from typing import ClassVar

import faiss
import numpy as np

from threadline.hashindex.base import GrowableArray, IndexBase, RangeResult
from threadline.hashindex.pdq import PDQ_BITS, PDQ_BYTES


def faiss_range_search(
    index: faiss.IndexBinary, queries: np.ndarray, max_distance: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lims, labels, distances)`` of codes within ``max_distance`` (inclusive).

    FAISS binary range search keeps ``distance < radius``, hence the ``+ 1``.
    """
    lims, dis, labels = index.range_search(queries, max_distance + 1)
    return lims.astype(np.int64), labels, dis.astype(np.int32)


class FaissFlatIndex(IndexBase):
    kind: ClassVar[str] = "faiss-flat"

    def __init__(self) -> None:
        self._index = faiss.IndexBinaryFlat(PDQ_BITS)
        self._ids = GrowableArray(np.int64)

    def _add(self, ids: np.ndarray, codes: np.ndarray) -> None:
        self._index.add(codes)
        self._ids.append(ids)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self)
        codes = self._index.reconstruct_n(0, n) if n else np.zeros((0, PDQ_BYTES), np.uint8)
        return self._ids.view().copy(), codes

    def memory_bytes(self) -> int:
        return len(self) * PDQ_BYTES + self._ids.nbytes

    def _search(self, queries: np.ndarray, max_distance: int) -> RangeResult:
        lims, labels, dis = faiss_range_search(self._index, queries, max_distance)
        return RangeResult.sorted_from(lims, self._ids.view()[labels], dis)
