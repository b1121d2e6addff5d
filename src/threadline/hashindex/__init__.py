"""Exact range search over PDQ hashes: "every entry within Hamming distance d".

Three indexes with one interface (``HashIndex``) and identical results:

- ``BruteForceIndex`` — numpy XOR + popcount, the reference;
- ``FaissFlatIndex`` — FAISS exhaustive scan: 40 B per code, ≈ 5.5 ms CPU per
  query per million codes;
- ``FaissMultiHashIndex`` — FAISS multi-index hashing as HMA configures it;
  several times the memory, faster than flat only at some sizes and
  parameters (figures in its module docstring);
- ``CsrMultiIndex`` — the same pigeonhole algorithm in compact sorted arrays
  (≈ 104 B per hash), memory-mapped from its own file format: the default
  (``DEFAULT_INDEX_KIND``), the one that meets 10M hashes in ≤ 1 GiB.

Indexes know nothing of quality: callers add and query only hashes for which
``is_matchable(quality)`` holds. Persist with ``index.save(path)`` and reopen
with ``load_index(path)`` (or ``SomeIndex.load(path)`` to choose the kind); the
format is documented in ``threadline.hashindex.base``.

The FAISS classes are imported on first use, so hashing images or handling hex
hashes does not load FAISS.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from threadline.hashindex.base import (
    HashIndex,
    IndexFormatError,
    RangeResult,
    read_index_file,
    write_index_file,
)
from threadline.hashindex.brute import BruteForceIndex
from threadline.hashindex.csr_mih import MAGIC as CSR_MIH_MAGIC
from threadline.hashindex.csr_mih import CsrMultiIndex
from threadline.hashindex.pdq import (
    PDQ_BITS,
    PDQ_BYTES,
    PDQ_MATCH_THRESHOLD,
    PDQ_MIN_QUALITY,
    PdqHashError,
    code_to_hex,
    codes_to_hexes,
    hamming,
    hex_to_code,
    hexes_to_codes,
    is_matchable,
    normalize_hex,
)

if TYPE_CHECKING:
    from threadline.hashindex.faiss_flat import FaissFlatIndex
    from threadline.hashindex.faiss_mih import FaissMultiHashIndex

__all__ = [
    "DEFAULT_INDEX_KIND",
    "PDQ_BITS",
    "PDQ_BYTES",
    "PDQ_MATCH_THRESHOLD",
    "PDQ_MIN_QUALITY",
    "BruteForceIndex",
    "CsrMultiIndex",
    "FaissFlatIndex",
    "FaissMultiHashIndex",
    "HashIndex",
    "IndexFormatError",
    "PdqHashError",
    "RangeResult",
    "code_to_hex",
    "codes_to_hexes",
    "hamming",
    "hex_to_code",
    "hexes_to_codes",
    "index_class",
    "is_matchable",
    "load_index",
    "normalize_hex",
    "read_index_file",
    "write_index_file",
]

INDEX_KINDS = ("brute", "faiss-flat", "faiss-mih", "csr-mih")
DEFAULT_INDEX_KIND = "csr-mih"


def index_class(kind: str) -> type[Any]:
    """The index class registered under ``kind`` (one of ``INDEX_KINDS``)."""
    if kind == "brute":
        return BruteForceIndex
    if kind == "csr-mih":
        return CsrMultiIndex
    if kind == "faiss-flat":
        from threadline.hashindex.faiss_flat import FaissFlatIndex

        return FaissFlatIndex
    if kind == "faiss-mih":
        from threadline.hashindex.faiss_mih import FaissMultiHashIndex

        return FaissMultiHashIndex
    raise ValueError(f"unknown index kind {kind!r}; known: {', '.join(INDEX_KINDS)}")


def load_index(path: str | Path, *, verify: bool = True) -> HashIndex:
    """Rebuild the index a file was saved from (its kind and parameters are in the header).

    ``TLPDQMH1`` files (``CsrMultiIndex``) are memory-mapped, not rebuilt.
    """
    with open(path, "rb") as fh:
        if fh.read(len(CSR_MIH_MAGIC)) == CSR_MIH_MAGIC:
            return CsrMultiIndex.load(path, verify=verify)
    stored = read_index_file(path, verify=verify)
    return index_class(stored.header.kind).from_stored(stored)  # type: ignore[no-any-return]


def __getattr__(name: str) -> Any:
    if name == "FaissFlatIndex":
        return index_class("faiss-flat")
    if name == "FaissMultiHashIndex":
        return index_class("faiss-mih")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
