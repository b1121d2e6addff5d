"""The PDQ signal type: 256-bit perceptual hashes as hex strings and as byte codes.

A PDQ hash is written as 64 lower-case hex characters (the form ThreatExchange,
HMA and StopNCII exchange). Indexes work on the same bits as a ``(32,)`` uint8
array, first byte = first two hex characters; Hamming distance does not depend
on the byte order as long as every code uses the same one.

Matching rule (Meta's PDQ documentation, as used by HMA): two hashes match when
their Hamming distance is at most ``PDQ_MATCH_THRESHOLD``; hashes with quality
below ``PDQ_MIN_QUALITY`` are kept as facts but never used to match. The indexes
do not know qualities: filtering on quality is the caller's job, before adding a
hash to an index and before querying with one (see ``is_matchable``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

PDQ_BITS = 256
PDQ_BYTES = PDQ_BITS // 8
PDQ_HEX_LENGTH = PDQ_BITS // 4
PDQ_MATCH_THRESHOLD = 31
PDQ_MIN_QUALITY = 50

_HEX = re.compile(r"[0-9a-f]{64}")


class PdqHashError(ValueError):
    """A string or array is not a well-formed PDQ hash."""


def is_matchable(quality: int) -> bool:
    """Whether a hash of this quality may be added to an index or used as a query."""
    return quality >= PDQ_MIN_QUALITY


def normalize_hex(value: str) -> str:
    """The canonical (lower-case, stripped) form of a hex PDQ hash; raises PdqHashError."""
    text = value.strip().lower()
    if not _HEX.fullmatch(text):
        raise PdqHashError(f"a PDQ hash is {PDQ_HEX_LENGTH} hex characters, got {value[:80]!r}")
    return text


def hex_to_code(value: str) -> np.ndarray:
    """One hex hash as a ``(32,)`` uint8 array."""
    return np.frombuffer(bytes.fromhex(normalize_hex(value)), dtype=np.uint8).copy()


def hexes_to_codes(values: Iterable[str]) -> np.ndarray:
    """Many hex hashes as an ``(n, 32)`` uint8 array."""
    raw = b"".join(bytes.fromhex(normalize_hex(v)) for v in values)
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, PDQ_BYTES).copy()


def code_to_hex(code: np.ndarray) -> str:
    """A ``(32,)`` uint8 array as 64 hex characters."""
    arr = np.asarray(code)
    if arr.dtype != np.uint8 or arr.shape != (PDQ_BYTES,):
        raise PdqHashError(f"a PDQ code is a (32,) uint8 array, got {arr.dtype} {arr.shape}")
    return arr.tobytes().hex()


def codes_to_hexes(codes: np.ndarray) -> list[str]:
    """An ``(n, 32)`` uint8 array as a list of hex strings."""
    arr = as_codes(codes)
    return [row.tobytes().hex() for row in arr]


def bits_to_hex(bits: np.ndarray) -> str:
    """A 256-element 0/1 vector (most significant bit first, as ``pdqhash`` returns it) as hex."""
    vec = np.asarray(bits).reshape(-1)
    if vec.size != PDQ_BITS:
        raise PdqHashError(f"a PDQ bit vector has {PDQ_BITS} elements, got {vec.size}")
    return np.packbits(vec.astype(bool)).tobytes().hex()


def hamming(a: str | np.ndarray, b: str | np.ndarray) -> int:
    """Hamming distance between two hashes, each given as hex or as a ``(32,)`` code."""
    ca = hex_to_code(a) if isinstance(a, str) else np.asarray(a, dtype=np.uint8)
    cb = hex_to_code(b) if isinstance(b, str) else np.asarray(b, dtype=np.uint8)
    if ca.shape != (PDQ_BYTES,) or cb.shape != (PDQ_BYTES,):
        raise PdqHashError("hamming() compares two single PDQ hashes")
    return int(np.unpackbits(ca ^ cb).sum())


def as_codes(codes: np.ndarray) -> np.ndarray:
    """Validate an ``(n, 32)`` uint8 array (a single ``(32,)`` code becomes ``(1, 32)``).

    Returns a C-contiguous array (a copy only when needed): FAISS reads raw memory.
    """
    arr = np.asarray(codes)
    if arr.dtype != np.uint8:
        raise PdqHashError(f"PDQ codes are uint8, got {arr.dtype}")
    if arr.ndim == 1 and arr.shape[0] == PDQ_BYTES:
        arr = arr.reshape(1, PDQ_BYTES)
    if arr.ndim != 2 or arr.shape[1] != PDQ_BYTES:
        raise PdqHashError(f"PDQ codes have shape (n, {PDQ_BYTES}), got {arr.shape}")
    return np.ascontiguousarray(arr)


def as_ids(ids: np.ndarray, count: int) -> np.ndarray:
    """Validate ``count`` int64 ids (any integer dtype that fits is accepted)."""
    arr = np.asarray(ids)
    if arr.ndim != 1 or arr.shape[0] != count:
        raise PdqHashError(f"expected {count} ids in a 1-d array, got shape {arr.shape}")
    if arr.dtype != np.int64:
        if not np.issubdtype(arr.dtype, np.integer):
            raise PdqHashError(f"ids are integers, got {arr.dtype}")
        if arr.size and arr.dtype == np.uint64 and int(arr.max()) > np.iinfo(np.int64).max:
            raise PdqHashError("ids must fit in int64")
        arr = arr.astype(np.int64)
    return np.ascontiguousarray(arr)
