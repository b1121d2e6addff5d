"""The shuffle between map and reduce tasks: numeric columns only, routed by a hashed key.

Every distributed grouping of the engine (exact copies by text fingerprint,
LSH buckets by band key, identifier values by keyed hash, connected-component
edges by record number) goes through `split` on the map side and `gather` on
the reduce side. A payload is a tuple of numpy arrays of integers, floats or
booleans — record numbers, hashes, times — and `check_payload` refuses
anything else, in every run: text, identifier values and Python objects cannot
cross a shuffle even by mistake. `tap` saves what a reducer received (numeric
``.npy`` files, written without pickle) so a test or an auditor can look.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from threadline.link.shingles import splitmix

Payload = tuple[np.ndarray, ...]
NUMERIC_KINDS = frozenset("biuf")  # bool, signed, unsigned, float


def check_payload(payload: object) -> Payload:
    """The payload itself, if it is a tuple of numeric numpy arrays; TypeError otherwise."""
    if not isinstance(payload, tuple):
        raise TypeError(f"shuffle payload must be a tuple of arrays, not {type(payload).__name__}")
    for col in payload:
        if not isinstance(col, np.ndarray) or col.dtype.kind not in NUMERIC_KINDS:
            what = col.dtype if isinstance(col, np.ndarray) else type(col).__name__
            raise TypeError(f"shuffle payload column must be a numeric array, not {what}")
    return payload


def destination(keys: np.ndarray, reducers: int) -> np.ndarray:
    """Reducer of each key (uint64 or int64): SplitMix64 of the key, modulo `reducers`."""
    if reducers == 1:
        return np.zeros(len(keys), dtype=np.int64)
    mixed = splitmix(np.ascontiguousarray(keys).view(np.uint64))
    return (mixed % np.uint64(reducers)).astype(np.int64)


def split(columns: Payload, dest: np.ndarray, reducers: int) -> list[Payload]:
    """Rows of `columns` sent to reducer `dest[row]`: one payload per reducer."""
    check_payload(columns)
    order = np.argsort(dest, kind="stable")
    bounds = np.searchsorted(dest[order], np.arange(reducers + 1))
    out = []
    for j in range(reducers):
        rows = order[bounds[j] : bounds[j + 1]]
        out.append(tuple(np.ascontiguousarray(c[rows]) for c in columns))
    return out


def gather(payloads: Sequence[object], width: int) -> Payload:
    """The rows a reducer received from every map task, concatenated column by column."""
    checked = [check_payload(p) for p in payloads]
    for p in checked:
        if len(p) != width:
            raise TypeError(f"shuffle payload has {len(p)} columns, expected {width}")
    if not checked:
        raise ValueError("a reducer needs at least one payload")
    return tuple(np.concatenate([p[i] for p in checked]) for i in range(width))


def tap(directory: str | None, stage: str, reducer: int, payloads: Sequence[Payload]) -> None:
    """Save what reducer `reducer` of `stage` received (no pickle: numeric arrays only)."""
    if directory is None:
        return
    base = Path(directory)
    base.mkdir(parents=True, exist_ok=True)
    for m, payload in enumerate(payloads):
        for c, col in enumerate(payload):
            with open(base / f"{stage}-r{reducer}-m{m}-c{c}.npy", "wb") as fh:
                np.save(fh, col, allow_pickle=False)


def pack_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(min, max) of record numbers below 2**32 packed into one uint64, order-free."""
    lo = np.minimum(a, b).astype(np.uint64)
    hi = np.maximum(a, b).astype(np.uint64)
    return (lo << np.uint64(32)) | hi


def unpack_pairs(packed: np.ndarray) -> np.ndarray:
    return np.stack(
        (
            (packed >> np.uint64(32)).astype(np.int64),
            (packed & np.uint64(0xFFFFFFFF)).astype(np.int64),
        ),
        axis=1,
    )
