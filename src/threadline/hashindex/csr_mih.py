"""Exact multi-index hashing in compact numpy arrays: threadline's default PDQ index.

Why a hand-written index: FAISS offers flat search (compact, ≈ 55 ms per query
at 10M codes) and multi-index hashing in C++ hash maps (fast, but ≈ 3–7.6 GB at
10M); neither meets "10M hashes in ≤ 1 GiB, p99 ≤ 50 ms on one core"
(benchmarks/RESULTS.md). The same algorithm with each table stored as sorted
arrays (CSR) instead of hash maps does, and it can be memory-mapped from disk.

Algorithm (Norouzi, Punjani & Fleet, "Fast Search in Hamming Space with
Multi-Index Hashing", CVPR 2012). The 256 bits are cut into 16 disjoint 16-bit
substrings. If ``dist(q, x) ≤ d`` the 16 substring distances sum to at most d,
so at least one of them is ≤ ``⌊d / 16⌋`` (pigeonhole). For every table we
look up every key within ``nflip = ⌊d / 16⌋`` bit flips of the query's
substring (17 keys per table at d ≤ 31), which lists every code within d
among the candidates; each candidate is then verified with its full 256-bit
distance (XOR + popcount), so the result is exact: identical to brute force.
When the probes would touch more candidates than a scan reads, the search
scans all codes instead (still exact).

Memory: per code 32 B (code) + 8 B (id) + 16 × 4 B (one uint32 row number per
table) = 104 B, plus 16 × 65,537 offsets: ≈ 1.04 GB (0.97 GiB) at 10M.

File format ``threadline.pdq-mih`` version 1, so ``load`` can memory-map the
tables instead of rebuilding them (all integers little-endian)::

    offset 0    8 bytes   magic b"TLPDQMH1"
    offset 8    uint32    L = length of the JSON header (at most 1 MiB)
    offset 12   L bytes   JSON header, UTF-8:
                          {"format": "threadline.pdq-mih", "version": 1,
                           "kind": "csr-mih", "count": n, "bits": 256,
                           "tables": 16, "table_bits": 16,
                           "arrays": {"ids":     {"offset": o, "dtype": "<i8", "shape": [n]},
                                      "codes":   {"offset": o, "dtype": "|u1", "shape": [n, 32]},
                                      "offsets": {"offset": o, "dtype": "<u4"|"<u8",
                                                  "shape": [16, 65537]},
                                      "rows":    {"offset": o, "dtype": "<u4", "shape": [16, n]}},
                           "sha256": {"ids": "…", "codes": "…", "offsets": "…", "rows": "…"}}
    each array at its offset (a multiple of 64), in the order above; the file ends
    after the last one.

``offsets[t, k] … offsets[t, k + 1]`` is the slice of ``rows[t]`` holding the
row numbers (into ids/codes) of the codes whose substring t equals k, in
ascending row order. A loaded file is checked structurally (sizes, offsets
monotonic and ending at n); with ``verify=True`` (the default) every array's
SHA-256 is checked too. Row numbers out of range cannot corrupt memory: numpy
checks every index. The ``TLPDQIX1`` interchange files of the other indexes
load too (the tables are rebuilt).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
import threading
from itertools import combinations
from math import comb
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

from threadline.hashindex.base import (
    MAGIC as INTERCHANGE_MAGIC,
)
from threadline.hashindex.base import (
    GrowableArray,
    IndexBase,
    IndexFormatError,
    RangeResult,
    read_index_file,
)
from threadline.hashindex.brute import hamming_matrix
from threadline.hashindex.pdq import PDQ_BITS, PDQ_BYTES

FORMAT_NAME = "threadline.pdq-mih"
FORMAT_VERSION = 1
MAGIC = b"TLPDQMH1"
TABLES = 16
TABLE_BITS = 16
KEYS = 1 << TABLE_BITS
_WORDS = PDQ_BYTES // 8
_MAX_HEADER = 1 << 20
_ALIGN = 64
# rows are uint32: 4 B per code per table instead of 8
MAX_CODES = (1 << 32) - 1
_SCAN_STEP = 1 << 18  # codes per chunk in a full scan


def flip_masks(nflip: int) -> np.ndarray:
    """Every 16-bit mask with at most ``nflip`` bits set (Σ C(16, i) of them)."""
    masks = [0]
    for k in range(1, nflip + 1):
        masks.extend(sum(1 << b for b in bits) for bits in combinations(range(TABLE_BITS), k))
    return np.array(masks, dtype=np.int64)


class CsrMultiIndex(IndexBase):
    """16 × 16-bit multi-index hashing with CSR tables; exact for every distance."""

    kind: ClassVar[str] = "csr-mih"

    def __init__(self) -> None:
        self._ids: Any = GrowableArray(np.int64)
        self._codes: Any = GrowableArray(np.uint8, (PDQ_BYTES,))
        self._offsets: np.ndarray | None = None
        self._rows: np.ndarray | None = None
        self._masks: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ building

    def _add(self, ids: np.ndarray, codes: np.ndarray) -> None:
        if len(self) + codes.shape[0] > MAX_CODES:
            raise ValueError(f"a {self.kind} index holds at most {MAX_CODES:,} codes")
        with self._lock:
            if not isinstance(self._ids, GrowableArray):  # memory-mapped: copy to grow
                ids0, codes0 = np.array(self._ids), np.array(self._codes)
                self._ids = GrowableArray(np.int64)
                self._codes = GrowableArray(np.uint8, (PDQ_BYTES,))
                self._ids.append(ids0)
                self._codes.append(codes0)
            self._ids.append(ids)
            self._codes.append(codes)
            # Tables are rebuilt lazily, once, before the next search: bulk loads
            # in several add() calls cost one build.
            self._offsets = self._rows = None

    def build(self) -> None:
        """Build the tables now (searches do it on demand after ``add``)."""
        with self._lock:
            if self._rows is None:
                self._offsets, self._rows = build_tables(self._codes_view())

    def _codes_view(self) -> np.ndarray:
        c = self._codes
        return c.view() if isinstance(c, GrowableArray) else c

    def _ids_view(self) -> np.ndarray:
        i = self._ids
        return i.view() if isinstance(i, GrowableArray) else i

    def __len__(self) -> int:
        return len(self._ids)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array(self._ids_view()), np.array(self._codes_view())

    def memory_bytes(self) -> int:
        """Bytes of codes, ids and tables (mapped pages count whether resident or not)."""
        tables = 0
        if self._rows is not None and self._offsets is not None:
            tables = self._rows.nbytes + self._offsets.nbytes
        return len(self) * (PDQ_BYTES + 8) + tables

    # ------------------------------------------------------------ searching

    def strategy(self, max_distance: int) -> str:
        """ "multi-index" when probing reads fewer candidates than a scan, else "scan"."""
        nflip = max_distance // TABLE_BITS
        probes = TABLES * sum(comb(TABLE_BITS, i) for i in range(nflip + 1))
        # Each probe reads n / 65,536 rows on average; a scan reads n codes.
        return "multi-index" if probes <= KEYS // 2 else "scan"

    def _search(self, queries: np.ndarray, max_distance: int) -> RangeResult:
        if self._rows is None:
            self.build()
        ids, codes = self._ids_view(), self._codes_view()
        nq = queries.shape[0]
        lims = np.zeros(nq + 1, np.int64)
        out_ids: list[np.ndarray] = []
        out_dis: list[np.ndarray] = []
        scan = self.strategy(max_distance) == "scan"
        for i in range(nq):
            q = queries[i]
            if scan:
                rows, dist = _scan(q, codes, max_distance)
            else:
                rows, dist = self._probe(q, codes, max_distance)
            lims[i + 1] = lims[i] + rows.size
            out_ids.append(ids[rows])
            out_dis.append(dist)
        if lims[-1] == 0:
            return RangeResult.empty(nq)
        return RangeResult.sorted_from(lims, np.concatenate(out_ids), np.concatenate(out_dis))

    def _probe(
        self, q: np.ndarray, codes: np.ndarray, max_distance: int
    ) -> tuple[np.ndarray, np.ndarray]:
        offsets, rows = self._offsets, self._rows
        assert offsets is not None and rows is not None
        nflip = max_distance // TABLE_BITS
        masks = self._masks.get(nflip)
        if masks is None:
            masks = self._masks[nflip] = flip_masks(nflip)
        n = rows.shape[1]
        subs = q.view("<u2").astype(np.int64)  # the query's 16 substrings
        keys = subs[:, None] ^ masks[None, :]  # (tables, probes)
        table = np.arange(TABLES)[:, None]
        starts = offsets[table, keys].astype(np.int64).ravel()
        ends = offsets[table, keys + 1].astype(np.int64).ravel()
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        # positions in rows.ravel() of every probed slice, concatenated
        flat_starts = starts + np.repeat(np.arange(TABLES, dtype=np.int64) * n, masks.size)
        nonempty = lengths > 0
        flat_starts, lengths = flat_starts[nonempty], lengths[nonempty]
        shift = np.repeat(flat_starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        cand = rows.reshape(-1)[shift + np.arange(total)]
        # A code near the query is listed by several tables: verify all, keep each once.
        dist = _distances(q, codes[cand])
        keep = dist <= max_distance
        hit_rows, first = np.unique(cand[keep], return_index=True)
        return hit_rows.astype(np.int64), dist[keep][first].astype(np.int32)

    # ------------------------------------------------------------ storage

    def save(self, path: str | Path) -> None:
        self.build()
        ids = np.ascontiguousarray(self._ids_view(), dtype="<i8")
        codes = np.ascontiguousarray(self._codes_view(), dtype=np.uint8)
        assert self._offsets is not None and self._rows is not None
        write_mih_file(path, ids, codes, self._offsets, self._rows)

    @classmethod
    def load(cls, path: str | Path, *, verify: bool = True) -> Self:
        """Open a ``TLPDQMH1`` file memory-mapped, or rebuild from a ``TLPDQIX1`` file."""
        with open(path, "rb") as fh:
            magic = fh.read(len(MAGIC))
        if magic == INTERCHANGE_MAGIC:
            return cls.from_stored(read_index_file(path, verify=verify))
        arrays = read_mih_file(path, verify=verify)
        index = cls()
        index._ids, index._codes = arrays["ids"], arrays["codes"]
        index._offsets, index._rows = arrays["offsets"], arrays["rows"]
        return index


def build_tables(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR offsets ``(16, 65537)`` and row numbers ``(16, n)`` for ``(n, 32)`` codes."""
    n = codes.shape[0]
    off_dtype = np.uint32 if n < (1 << 32) else np.uint64
    offsets = np.zeros((TABLES, KEYS + 1), dtype=off_dtype)
    rows = np.empty((TABLES, n), dtype=np.uint32)
    subs = np.ascontiguousarray(codes).view("<u2")  # (n, 16)
    for t in range(TABLES):
        keys = np.ascontiguousarray(subs[:, t])
        # stable: rows within a key stay ascending (radix sort for uint16 keys)
        rows[t] = np.argsort(keys, kind="stable")
        np.cumsum(np.bincount(keys, minlength=KEYS), out=offsets[t, 1:])
    return offsets, rows


def _distances(q: np.ndarray, codes: np.ndarray) -> np.ndarray:
    words = np.ascontiguousarray(codes).view(np.uint64).reshape(-1, _WORDS)
    return np.bitwise_count(words ^ q.view(np.uint64)[None, :]).sum(axis=1, dtype=np.int32)


def _scan(q: np.ndarray, codes: np.ndarray, max_distance: int) -> tuple[np.ndarray, np.ndarray]:
    rows_out, dist_out = [], []
    for start in range(0, codes.shape[0], _SCAN_STEP):
        dist = hamming_matrix(q[None, :], codes[start : start + _SCAN_STEP])[0]
        hit = np.nonzero(dist <= max_distance)[0]
        rows_out.append(hit + start)
        dist_out.append(dist[hit].astype(np.int32))
    if not rows_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int32)
    return np.concatenate(rows_out).astype(np.int64), np.concatenate(dist_out)


# ---------------------------------------------------------------- file format


_ARRAYS = ("ids", "codes", "offsets", "rows")


def _raw(arr: np.ndarray) -> memoryview:
    return memoryview(np.ascontiguousarray(arr).reshape(-1).view(np.uint8))


def _align(x: int) -> int:
    return -(-x // _ALIGN) * _ALIGN


def write_mih_file(
    path: str | Path, ids: np.ndarray, codes: np.ndarray, offsets: np.ndarray, rows: np.ndarray
) -> None:
    """Write the index atomically (temporary file in the same folder, then rename)."""
    n = int(codes.shape[0])
    arrays = {
        "ids": ids.astype("<i8", copy=False),
        "codes": codes,
        "offsets": offsets.astype(offsets.dtype.newbyteorder("<"), copy=False),
        "rows": rows.astype("<u4", copy=False),
    }
    sums = {k: hashlib.sha256(_raw(v)).hexdigest() for k, v in arrays.items()}

    def header(layout: dict[str, Any]) -> bytes:
        doc = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "kind": CsrMultiIndex.kind,
            "count": n,
            "bits": PDQ_BITS,
            "tables": TABLES,
            "table_bits": TABLE_BITS,
            "arrays": layout,
            "sha256": sums,
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")

    # Offsets depend on the header's length, which depends on the offsets' digits:
    # lay out with a header padded to a fixed 64-byte multiple.
    layout = {
        k: {"offset": 0, "dtype": v.dtype.str, "shape": list(v.shape)} for k, v in arrays.items()
    }
    reserve = _align(len(header(layout)) + 256)
    pos = _align(len(MAGIC) + 4 + reserve)
    for k, v in arrays.items():
        layout[k]["offset"] = pos
        pos = _align(pos + v.nbytes)
    raw_header = header(layout)
    raw_header += b" " * (reserve - len(raw_header))  # JSON allows trailing spaces
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + struct.pack("<I", len(raw_header)) + raw_header)
            for k, v in arrays.items():
                fh.write(b"\0" * (layout[k]["offset"] - fh.tell()))
                fh.write(_raw(v))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_mih_file(path: str | Path, *, verify: bool = True) -> dict[str, np.ndarray]:
    """Validate a ``TLPDQMH1`` file and map its arrays read-only."""
    with open(path, "rb") as fh:
        prefix = fh.read(len(MAGIC) + 4)
        if len(prefix) < len(MAGIC) + 4 or prefix[: len(MAGIC)] != MAGIC:
            raise IndexFormatError(f"{path}: not a {FORMAT_NAME} file (bad magic)")
        (hlen,) = struct.unpack("<I", prefix[len(MAGIC) :])
        if hlen > _MAX_HEADER:
            raise IndexFormatError(f"{path}: header of {hlen} bytes is too long")
        raw = fh.read(hlen)
        size = os.fstat(fh.fileno()).st_size
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexFormatError(f"{path}: index header is not JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise IndexFormatError(f"{path}: not a {FORMAT_NAME} file")
    if doc.get("version") != FORMAT_VERSION:
        raise IndexFormatError(f"{path}: unsupported {FORMAT_NAME} version {doc.get('version')!r}")
    n = doc.get("count")
    if (
        not isinstance(n, int)
        or not 0 <= n <= MAX_CODES
        or doc.get("bits") != PDQ_BITS
        or doc.get("tables") != TABLES
        or doc.get("table_bits") != TABLE_BITS
    ):
        raise IndexFormatError(f"{path}: unexpected count or table layout in header")
    expected = {
        "ids": (("<i8",), [n]),
        "codes": (("|u1",), [n, PDQ_BYTES]),
        "offsets": (("<u4", "<u8"), [TABLES, KEYS + 1]),
        "rows": (("<u4",), [TABLES, n]),
    }
    layout, sums = doc.get("arrays"), doc.get("sha256")
    if not isinstance(layout, dict) or not isinstance(sums, dict):
        raise IndexFormatError(f"{path}: header needs arrays and sha256 objects")
    out: dict[str, np.ndarray] = {}
    end = len(MAGIC) + 4 + hlen
    for name in _ARRAYS:
        spec = layout.get(name)
        dtypes, shape = expected[name]
        if (
            not isinstance(spec, dict)
            or spec.get("dtype") not in dtypes
            or spec.get("shape") != shape
            or not isinstance(spec.get("offset"), int)
            or spec["offset"] < end
            or spec["offset"] % _ALIGN
        ):
            raise IndexFormatError(f"{path}: bad layout for array {name!r}")
        dtype = np.dtype(spec["dtype"])
        nbytes = int(np.prod(shape)) * dtype.itemsize
        if spec["offset"] + nbytes > size:
            raise IndexFormatError(f"{path}: file size {size} is too small for {name!r}")
        end = spec["offset"] + nbytes
        if nbytes == 0:
            arr = np.zeros(shape, dtype)
        else:
            arr = np.memmap(path, dtype=dtype, mode="r", offset=spec["offset"], shape=tuple(shape))
        if verify and hashlib.sha256(_raw(arr)).hexdigest() != sums.get(name):
            raise IndexFormatError(f"{path}: {name} checksum mismatch (damaged or altered)")
        out[name] = arr
    if size != end:
        raise IndexFormatError(f"{path}: file size {size} does not match its arrays")
    offsets = out["offsets"]
    if n and (
        np.any(offsets[:, 0] != 0)
        or np.any(offsets[:, -1] != n)
        or np.any(np.diff(offsets.astype(np.int64), axis=1) < 0)
    ):
        raise IndexFormatError(f"{path}: table offsets are not a valid CSR layout")
    return out
