"""Exact index by multi-index hashing in FAISS (``IndexBinaryMultiHash``).

Why it is exact. The 256 bits are cut into ``nhash`` disjoint substrings of
``b`` bits that cover the whole code (``nhash · b = 256``); FAISS keeps one hash
table per substring. If ``dist(q, x) ≤ d``, the substring distances of q and x
add up to at most d, so by pigeonhole at least one substring differs in at most
``⌊d / nhash⌋`` bits (were all of them ≥ ⌊d/nhash⌋ + 1, the sum would exceed d).
A search with ``nflip = ⌊d / nhash⌋`` probes, in every table, every key within
``nflip`` bit flips of the query's substring, so x is on the shortlist; every
shortlisted code is then checked with its full 256-bit distance, so nothing
beyond d is returned. Exact for every d, at a cost that grows like
``nhash · Σ_{i≤nflip} C(b, i)`` probes.

Default: 16 tables of 16 bits, ``nflip ≤ 1``: exact for every d ≤ 16·2 − 1 = 31
(the PDQ match threshold) with 16·17 = 272 probes per query; d ≤ 15 uses
nflip 0 (16 probes). These are HMA's defaults too (``PDQMultiHashIndex``:
nhash 16, nflip = threshold // nhash). Beyond the configured bound
(``exact_up_to``) the search falls back to a flat scan of the index's own code
storage, so results stay exact and no second copy of the codes is kept.

Cost, measured on this project's 2-core benchmark machine
(benchmarks/bench_hashindex.py): FAISS keeps, per table, a
``std::unordered_map<key, std::vector<int64>>`` and builds a
``std::unordered_set`` of candidates per query. At 1M codes 16×16 is slightly
faster than flat (≈ 4.5 vs 5.7 ms CPU per query); at 10M a random query
shortlists ≈ 42k candidates and it is no faster than flat (≈ 55 ms) while
using ≈ 2.9 GB instead of 0.4 GB, and building takes ≈ 2 minutes (so does
``load``, which rebuilds). 8 tables of 32 bits (nflip 3, 8 · 5,489 probes) are
fast at 10M (≈ 15 ms) but need ≈ 7.6 GB and ≈ 4 minutes to build. ``add`` must
not run concurrently with a search; FAISS reads ``nflip`` from the index
object, so searches hold a lock while they set it.
"""

from __future__ import annotations

import threading
from math import comb
from typing import Any, ClassVar

import faiss
import numpy as np

from threadline.hashindex.base import GrowableArray, IndexBase, RangeResult
from threadline.hashindex.faiss_flat import faiss_range_search
from threadline.hashindex.pdq import PDQ_BITS, PDQ_BYTES, PDQ_MATCH_THRESHOLD

_MAX_PROBES_PER_TABLE = 100_000


def exact_bound(nhash: int, nflip: int) -> int:
    """The largest distance for which multi-hash search with ``nflip`` is exact."""
    return nhash * (nflip + 1) - 1


class FaissMultiHashIndex(IndexBase):
    kind: ClassVar[str] = "faiss-mih"

    def __init__(
        self, *, nhash: int = 16, b: int = 16, exact_up_to: int = PDQ_MATCH_THRESHOLD
    ) -> None:
        if nhash < 1 or b < 1 or b > 64 or nhash * b != PDQ_BITS:
            raise ValueError(f"nhash·b must be {PDQ_BITS} with b ≤ 64, got {nhash}·{b}")
        if not 0 <= exact_up_to <= PDQ_BITS:
            raise ValueError(f"exact_up_to must be in 0..{PDQ_BITS}")
        self.nhash, self.b, self.exact_up_to = nhash, b, exact_up_to
        # smallest nflip whose pigeonhole bound covers exact_up_to
        self.max_nflip = exact_up_to // nhash
        probes = sum(comb(b, i) for i in range(self.max_nflip + 1))
        if probes > _MAX_PROBES_PER_TABLE:
            raise ValueError(
                f"exact_up_to={exact_up_to} needs {probes} probes per table with b={b}; "
                "use more, shorter tables"
            )
        self._index = faiss.IndexBinaryMultiHash(PDQ_BITS, nhash, b)
        self._ids = GrowableArray(np.int64)
        self._lock = threading.Lock()

    @property
    def max_exact_distance(self) -> int:
        """Searches up to this distance use the hash tables; beyond, a flat scan."""
        return exact_bound(self.nhash, self.max_nflip)

    def strategy(self, max_distance: int) -> str:
        """Which path a search at ``max_distance`` takes: "multi-hash" or "flat-fallback"."""
        return "multi-hash" if max_distance <= self.max_exact_distance else "flat-fallback"

    def params(self) -> dict[str, Any]:
        return {"nhash": self.nhash, "b": self.b, "exact_up_to": self.exact_up_to}

    def _add(self, ids: np.ndarray, codes: np.ndarray) -> None:
        with self._lock:
            self._index.add(codes)
            self._ids.append(ids)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self)
        storage = self._index.storage
        codes = storage.reconstruct_n(0, n) if n else np.zeros((0, PDQ_BYTES), np.uint8)
        return self._ids.view().copy(), codes

    def memory_bytes(self) -> int:
        """A lower bound: codes, ids and one int64 per code per table (no map overhead)."""
        return len(self) * (PDQ_BYTES + 8 * self.nhash) + self._ids.nbytes

    def _search(self, queries: np.ndarray, max_distance: int) -> RangeResult:
        if max_distance > self.max_exact_distance:
            lims, labels, dis = faiss_range_search(self._index.storage, queries, max_distance)
        else:
            with self._lock:
                self._index.nflip = max_distance // self.nhash
                lims, labels, dis = faiss_range_search(self._index, queries, max_distance)
        return RangeResult.sorted_from(lims, self._ids.view()[labels], dis)
