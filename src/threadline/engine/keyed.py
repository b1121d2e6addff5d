"""Keyed hashes of identifier values: what the identifier shuffle carries instead of the value.

A phone number has few enough possible values that a plain hash of it can be
reversed by trying them all; keyed BLAKE2b with a random key made for the
run cannot, without the key. The key stays in the driver and the map tasks
that hash; reducers never receive it. 128 bits (two uint64 columns), so two
values of a hundred million do not collide (p ≈ 10⁻²³).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

import numpy as np

KEY_BYTES = 32


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def keyed_hash(key: bytes, type_: str, value: str) -> tuple[int, int]:
    """(high, low) 64-bit halves of keyed BLAKE2b-128 of "type\\x00value"."""
    digest = hashlib.blake2b(
        f"{type_}\x00{value}".encode("utf-8", "replace"), key=key, digest_size=16
    ).digest()
    return int.from_bytes(digest[:8]), int.from_bytes(digest[8:])


def keyed_hashes(key: bytes, pivots: Iterable[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """(high, low) uint64 arrays for each (type, value)."""
    pairs = [keyed_hash(key, t, v) for t, v in pivots]
    hi = np.fromiter((p[0] for p in pairs), dtype=np.uint64, count=len(pairs))
    lo = np.fromiter((p[1] for p in pairs), dtype=np.uint64, count=len(pairs))
    return hi, lo
