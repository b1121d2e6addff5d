"""The index interface over PDQ codes and its one on-disk format.

An index answers "every entry within Hamming distance d of this hash", exactly.
Every index (brute force, FAISS flat, FAISS multi-hash) implements
``HashIndex`` and returns identical results; the brute-force one is the
reference the others are tested against.

Storage is separate from the index: an index is persisted as its ids and codes
in the format below and rebuilt on load, so any index kind can load a file
written by another (the file is the interchange format). No pickle and no
``faiss.write_index``: nothing in the file is executable or library-specific.

File format ``threadline.pdq-index`` version 1 (all integers little-endian)::

    offset 0    8 bytes   magic b"TLPDQIX1"
    offset 8    uint32    L = length of the JSON header in bytes (at most 1 MiB)
    offset 12   L bytes   JSON header, UTF-8, e.g.
                          {"format": "threadline.pdq-index", "version": 1,
                           "kind": "faiss-mih", "count": n, "bits": 256,
                           "ids": "<i8", "codes": "|u1",
                           "params": {"nhash": 16, "b": 16, "exact_up_to": 31},
                           "sha256": {"ids": "...", "codes": "..."}}
    zero padding to the next multiple of 64 bytes (= data offset D)
    offset D    n × 8 bytes   ids, int64
    D + 8n      n × 32 bytes  codes, uint8, row-major (first byte = first two hex digits)

The SHA-256 of each array is checked on load, so a damaged or altered file is
refused rather than silently matched against.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import numpy as np

from threadline.hashindex.pdq import PDQ_BITS, PDQ_BYTES, PDQ_MATCH_THRESHOLD, as_codes, as_ids

FORMAT_NAME = "threadline.pdq-index"
FORMAT_VERSION = 1
MAGIC = b"TLPDQIX1"
_MAX_HEADER = 1 << 20
_ALIGN = 64


class IndexFormatError(ValueError):
    """A file is not a valid threadline PDQ index (wrong magic, header, size or checksum)."""


@dataclass(frozen=True)
class RangeResult:
    """Range-search results for ``nq`` queries in CSR form.

    Query ``i`` owns ``ids[lims[i]:lims[i+1]]`` and the matching ``distances``,
    sorted by (distance, id).
    """

    lims: np.ndarray  # int64, shape (nq + 1,)
    ids: np.ndarray  # int64
    distances: np.ndarray  # int32

    def to_lists(self) -> list[list[tuple[int, int]]]:
        ids = self.ids.tolist()
        dis = self.distances.tolist()
        lims = self.lims.tolist()
        return [list(zip(ids[a:b], dis[a:b], strict=True)) for a, b in pairwise(lims)]

    @staticmethod
    def empty(nq: int) -> RangeResult:
        return RangeResult(np.zeros(nq + 1, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32))

    @staticmethod
    def sorted_from(lims: np.ndarray, ids: np.ndarray, distances: np.ndarray) -> RangeResult:
        """Build from unsorted per-query segments, sorting each by (distance, id)."""
        lims = np.asarray(lims, dtype=np.int64)
        ids = np.asarray(ids, dtype=np.int64)
        distances = np.asarray(distances).astype(np.int32)
        query = np.repeat(np.arange(lims.size - 1), np.diff(lims))
        order = np.lexsort((ids, distances, query))
        return RangeResult(lims, ids[order], distances[order])


def check_distance(max_distance: int) -> int:
    if isinstance(max_distance, bool) or not isinstance(max_distance, int | np.integer):
        raise TypeError(f"max_distance is an int, got {type(max_distance).__name__}")
    if not 0 <= max_distance <= PDQ_BITS:
        raise ValueError(f"max_distance must be in 0..{PDQ_BITS}, got {max_distance}")
    return int(max_distance)


@runtime_checkable
class HashIndex(Protocol):
    """What every PDQ index offers. Quality filtering is the caller's (see ``pdq.is_matchable``)."""

    kind: ClassVar[str]

    def add(self, ids: np.ndarray, codes: np.ndarray) -> None:
        """Append n entries: int64 ``ids`` (opaque, may repeat) and ``(n, 32)`` uint8 codes."""
        ...

    def search(
        self, query_codes: np.ndarray, max_distance: int = PDQ_MATCH_THRESHOLD
    ) -> list[list[tuple[int, int]]]:
        """Per query, every ``(id, distance)`` within max_distance, sorted by (distance, id)."""
        ...

    def search_arrays(
        self, query_codes: np.ndarray, max_distance: int = PDQ_MATCH_THRESHOLD
    ) -> RangeResult:
        """The same results as ``search`` in CSR arrays (no Python objects per hit)."""
        ...

    def __len__(self) -> int: ...

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All ``(ids, codes)`` in insertion order."""
        ...

    def save(self, path: str | Path) -> None: ...

    @classmethod
    def load(cls, path: str | Path, *, verify: bool = True) -> Self: ...


class GrowableArray:
    """An append-only numpy array with amortised O(1) appends (capacity doubles)."""

    def __init__(self, dtype: np.dtype[Any] | type, row_shape: tuple[int, ...] = ()) -> None:
        self._buf = np.empty((0, *row_shape), dtype=dtype)
        self._n = 0

    def append(self, rows: np.ndarray) -> None:
        need = self._n + rows.shape[0]
        if need > self._buf.shape[0]:
            # exact size for the first bulk load, doubling afterwards
            cap = need if self._n == 0 else max(need, 2 * self._buf.shape[0])
            new = np.empty((cap, *self._buf.shape[1:]), dtype=self._buf.dtype)
            new[: self._n] = self._buf[: self._n]
            self._buf = new
        self._buf[self._n : need] = rows
        self._n = need

    def view(self) -> np.ndarray:
        return self._buf[: self._n]

    def __len__(self) -> int:
        return self._n

    @property
    def nbytes(self) -> int:
        return int(self._buf.nbytes)


class IndexBase(ABC):
    """Shared plumbing: input validation, list results, save/load through the file format."""

    kind: ClassVar[str]

    def add(self, ids: np.ndarray, codes: np.ndarray) -> None:
        arr = as_codes(codes)
        self._add(as_ids(ids, arr.shape[0]), arr)

    def search(
        self, query_codes: np.ndarray, max_distance: int = PDQ_MATCH_THRESHOLD
    ) -> list[list[tuple[int, int]]]:
        return self.search_arrays(query_codes, max_distance).to_lists()

    def search_arrays(
        self, query_codes: np.ndarray, max_distance: int = PDQ_MATCH_THRESHOLD
    ) -> RangeResult:
        queries = as_codes(query_codes)
        d = check_distance(max_distance)
        if queries.shape[0] == 0 or len(self) == 0:
            return RangeResult.empty(queries.shape[0])
        return self._search(queries, d)

    def params(self) -> dict[str, Any]:
        """Construction parameters, stored in the file header."""
        return {}

    def save(self, path: str | Path) -> None:
        ids, codes = self.arrays()
        write_index_file(path, kind=self.kind, params=self.params(), ids=ids, codes=codes)

    @classmethod
    def load(cls, path: str | Path, *, verify: bool = True) -> Self:
        """Rebuild an index from a file; parameters are reused when the file's kind is ours."""
        return cls.from_stored(read_index_file(path, verify=verify))

    @classmethod
    def from_stored(cls, stored: StoredIndex) -> Self:
        params = stored.header.params if stored.header.kind == cls.kind else {}
        index = cls(**params)
        index.add(stored.ids, stored.codes)
        return index

    @abstractmethod
    def _add(self, ids: np.ndarray, codes: np.ndarray) -> None: ...

    @abstractmethod
    def _search(self, queries: np.ndarray, max_distance: int) -> RangeResult: ...

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def arrays(self) -> tuple[np.ndarray, np.ndarray]: ...

    @abstractmethod
    def memory_bytes(self) -> int:
        """Bytes held for codes, ids and search structures (an estimate for C++ containers)."""


# ---------------------------------------------------------------- storage


@dataclass(frozen=True)
class IndexHeader:
    kind: str
    count: int
    params: dict[str, Any] = field(default_factory=dict, hash=False)
    sha256_ids: str = ""
    sha256_codes: str = ""

    def to_json(self) -> bytes:
        doc = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "kind": self.kind,
            "count": self.count,
            "bits": PDQ_BITS,
            "ids": "<i8",
            "codes": "|u1",
            "params": self.params,
            "sha256": {"ids": self.sha256_ids, "codes": self.sha256_codes},
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @staticmethod
    def from_json(raw: bytes) -> IndexHeader:
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IndexFormatError(f"index header is not JSON: {exc}") from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
            raise IndexFormatError(f"not a {FORMAT_NAME} file")
        if doc.get("version") != FORMAT_VERSION:
            raise IndexFormatError(f"unsupported {FORMAT_NAME} version {doc.get('version')!r}")
        if doc.get("bits") != PDQ_BITS or doc.get("ids") != "<i8" or doc.get("codes") != "|u1":
            raise IndexFormatError("unexpected array layout in index header")
        count, kind, params = doc.get("count"), doc.get("kind"), doc.get("params", {})
        sums = doc.get("sha256", {})
        if not isinstance(count, int) or count < 0 or not isinstance(kind, str):
            raise IndexFormatError("index header needs a non-negative count and a kind")
        if not isinstance(params, dict) or not isinstance(sums, dict):
            raise IndexFormatError("index header params and sha256 must be objects")
        ids_sum, codes_sum = str(sums.get("ids", "")), str(sums.get("codes", ""))
        return IndexHeader(kind, count, params, ids_sum, codes_sum)


@dataclass(frozen=True)
class StoredIndex:
    header: IndexHeader
    ids: np.ndarray
    codes: np.ndarray


def _raw(arr: np.ndarray) -> memoryview:
    """The bytes of a C-contiguous array, without copying (empty arrays included)."""
    return memoryview(arr.reshape(-1).view(np.uint8))


def _data_offset(header_len: int) -> int:
    end = len(MAGIC) + 4 + header_len
    return -(-end // _ALIGN) * _ALIGN


def write_index_file(
    path: str | Path, *, kind: str, params: dict[str, Any], ids: np.ndarray, codes: np.ndarray
) -> None:
    """Write ids and codes atomically (temporary file in the same folder, then rename)."""
    codes = as_codes(codes)
    ids_le = as_ids(ids, codes.shape[0]).astype("<i8", copy=False)
    header = IndexHeader(
        kind,
        int(codes.shape[0]),
        dict(params),
        hashlib.sha256(_raw(ids_le)).hexdigest(),
        hashlib.sha256(_raw(codes)).hexdigest(),
    ).to_json()
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + struct.pack("<I", len(header)) + header)
            fh.write(b"\0" * (_data_offset(len(header)) - fh.tell()))
            fh.write(_raw(ids_le))
            fh.write(_raw(codes))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_index_file(path: str | Path, *, verify: bool = True) -> StoredIndex:
    """Read and validate a file written by ``write_index_file``."""
    with open(path, "rb") as fh:
        prefix = fh.read(len(MAGIC) + 4)
        if len(prefix) < len(MAGIC) + 4 or prefix[: len(MAGIC)] != MAGIC:
            raise IndexFormatError(f"{path}: not a {FORMAT_NAME} file (bad magic)")
        (hlen,) = struct.unpack("<I", prefix[len(MAGIC) :])
        if hlen > _MAX_HEADER:
            raise IndexFormatError(f"{path}: header of {hlen} bytes is too long")
        header = IndexHeader.from_json(fh.read(hlen))
        offset, n = _data_offset(hlen), header.count
        size = os.fstat(fh.fileno()).st_size
        if size != offset + n * (8 + PDQ_BYTES):
            raise IndexFormatError(f"{path}: file size {size} does not match {n} entries")
        fh.seek(offset)
        ids = np.fromfile(fh, dtype="<i8", count=n).astype(np.int64, copy=False)
        codes = np.fromfile(fh, dtype=np.uint8, count=n * PDQ_BYTES).reshape(n, PDQ_BYTES)
    if verify:
        for name, arr, want in (
            ("ids", ids, header.sha256_ids),
            ("codes", codes, header.sha256_codes),
        ):
            got = hashlib.sha256(_raw(np.ascontiguousarray(arr))).hexdigest()
            if got != want:
                raise IndexFormatError(f"{path}: {name} checksum mismatch (damaged or altered)")
    return StoredIndex(header, ids, codes)
