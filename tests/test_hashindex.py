"""Every PDQ index returns exactly what the brute-force reference returns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from threadline.hashindex import (
    PDQ_MATCH_THRESHOLD,
    BruteForceIndex,
    CsrMultiIndex,
    FaissFlatIndex,
    FaissMultiHashIndex,
    HashIndex,
    IndexFormatError,
    PdqHashError,
    code_to_hex,
    codes_to_hexes,
    hamming,
    hex_to_code,
    hexes_to_codes,
    is_matchable,
    load_index,
)
from threadline.hashindex.base import MAGIC
from threadline.hashindex.csr_mih import MAGIC as CSR_MAGIC

N_RANDOM = 3000
N_CENTRES = 60
N_CLUSTERED = 3000
DISTANCES = [0, 1, 8, 15, 16, 31, 32, 40, 64]


def flip_bits(codes: np.ndarray, ks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Copies of ``codes`` with exactly ``ks[i]`` distinct random bits flipped in row i."""
    bits = np.unpackbits(codes, axis=1)
    for row, k in enumerate(ks):
        bits[row, rng.choice(256, size=int(k), replace=False)] ^= 1
    return np.packbits(bits, axis=1)


def clustered(n: int, centres: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Near-duplicates (0..40 bits flipped) of a few centres, and the centres."""
    c = rng.integers(0, 256, (centres, 32), dtype=np.uint8)
    members = c[rng.integers(0, centres, n)]
    return flip_bits(members, rng.integers(0, 41, n), rng), c


@pytest.fixture(scope="module")
def data() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(20240601)
    random_codes = rng.integers(0, 256, (N_RANDOM, 32), dtype=np.uint8)
    random_queries = np.concatenate(
        [
            flip_bits(random_codes[:40], rng.integers(0, 41, 40), rng),
            rng.integers(0, 256, (10, 32), dtype=np.uint8),
        ]
    )
    cl_codes, centres = clustered(N_CLUSTERED, N_CENTRES, rng)
    cl_queries = np.concatenate(
        [centres[:10], flip_bits(centres[10:40], rng.integers(0, 41, 30), rng), cl_codes[:10]]
    )

    # ids: sparse, negative and huge values, and one repeated id
    def ids(n: int) -> np.ndarray:
        out = rng.integers(-(2**62), 2**62, size=n, dtype=np.int64)
        out[-1] = out[0]
        return out.astype(np.int64)

    return {
        "random": (ids(N_RANDOM), random_codes, random_queries),
        "clustered": (ids(N_CLUSTERED), cl_codes, cl_queries),
    }


def build(kind: str, ids: np.ndarray, codes: np.ndarray) -> HashIndex:
    index: HashIndex = {
        "brute": BruteForceIndex,
        "flat": FaissFlatIndex,
        "mih": FaissMultiHashIndex,
        "mih-8x32": lambda: FaissMultiHashIndex(nhash=8, b=32),
        "mih-exact47": lambda: FaissMultiHashIndex(exact_up_to=47),
        "csr": CsrMultiIndex,
    }[kind]()
    half = len(ids) // 2  # two adds: exercises appending
    index.add(ids[:half], codes[:half])
    index.add(ids[half:], codes[half:])
    return index


@pytest.fixture(scope="module")
def indexes(data: dict) -> dict[tuple[str, str], HashIndex]:
    kinds = ("brute", "flat", "mih", "mih-8x32", "mih-exact47", "csr")
    return {(name, k): build(k, *data[name][:2]) for name in data for k in kinds}


@pytest.mark.parametrize("dataset", ["random", "clustered"])
@pytest.mark.parametrize("d", DISTANCES)
def test_all_indexes_agree_with_brute_force(
    indexes: dict, data: dict, dataset: str, d: int
) -> None:
    queries = data[dataset][2]
    expected = indexes[(dataset, "brute")].search(queries, d)
    for kind in ("flat", "mih", "mih-8x32", "mih-exact47", "csr"):
        assert indexes[(dataset, kind)].search(queries, d) == expected, kind
    if d == PDQ_MATCH_THRESHOLD:
        assert sum(map(len, expected)) >= 20  # the comparison is not vacuous


def test_results_are_sorted_and_distances_true(indexes: dict, data: dict) -> None:
    ids, codes, queries = data["clustered"]
    code_of = {}
    for i, c in zip(ids.tolist(), codes, strict=True):
        code_of.setdefault(i, []).append(c)
    for q, hits in zip(queries, indexes[("clustered", "mih")].search(queries, 31), strict=True):
        assert hits == sorted(hits, key=lambda h: (h[1], h[0]))
        for i, dist in hits:
            assert dist <= 31 and dist in [hamming(q, c) for c in code_of[i]]


def test_mih_exactness_bounds() -> None:
    default = FaissMultiHashIndex()
    assert (default.nhash, default.b, default.max_nflip) == (16, 16, 1)
    assert default.max_exact_distance == 31
    assert default.strategy(31) == "multi-hash" and default.strategy(32) == "flat-fallback"
    assert FaissMultiHashIndex(nhash=8, b=32).max_exact_distance == 31
    assert FaissMultiHashIndex(exact_up_to=15).max_exact_distance == 15
    assert FaissMultiHashIndex(exact_up_to=47).max_exact_distance == 47
    with pytest.raises(ValueError, match="nhash"):
        FaissMultiHashIndex(nhash=10, b=16)
    with pytest.raises(ValueError, match="probes"):
        FaissMultiHashIndex(nhash=4, b=64)


@pytest.mark.parametrize("kind", ["brute", "flat", "mih", "csr"])
def test_save_load_round_trip(tmp_path: Path, indexes: dict, data: dict, kind: str) -> None:
    index = indexes[("clustered", kind)]
    path = tmp_path / f"{kind}.pdqidx"
    index.save(path)
    assert path.read_bytes()[:8] == (CSR_MAGIC if kind == "csr" else MAGIC)
    again = load_index(path)
    assert type(again) is type(index) and len(again) == len(index)
    ids, codes = again.arrays()
    want_ids, want_codes = index.arrays()
    assert np.array_equal(ids, want_ids) and np.array_equal(codes, want_codes)
    queries = data["clustered"][2]
    assert again.search(queries, 31) == index.search(queries, 31)


def test_any_kind_loads_any_file(tmp_path: Path, indexes: dict, data: dict) -> None:
    path = tmp_path / "flat.pdqidx"
    indexes[("random", "flat")].save(path)
    mih = FaissMultiHashIndex.load(path)
    assert mih.max_exact_distance == 31
    queries = data["random"][2]
    assert mih.search(queries, 31) == indexes[("random", "brute")].search(queries, 31)


def test_mih_parameters_survive_save(tmp_path: Path, indexes: dict) -> None:
    path = tmp_path / "m.pdqidx"
    indexes[("random", "mih-8x32")].save(path)
    again = load_index(path)
    assert isinstance(again, FaissMultiHashIndex) and (again.nhash, again.b) == (8, 32)


def test_damaged_files_are_refused(tmp_path: Path, indexes: dict) -> None:
    path = tmp_path / "x.pdqidx"
    indexes[("random", "flat")].save(path)
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 0x01  # one bit in the codes
    (tmp_path / "flipped").write_bytes(raw)
    with pytest.raises(IndexFormatError, match="checksum"):
        load_index(tmp_path / "flipped")
    (tmp_path / "short").write_bytes(bytes(raw[:-32]))
    with pytest.raises(IndexFormatError, match="size"):
        load_index(tmp_path / "short")
    (tmp_path / "magic").write_bytes(b"PK\x03\x04" + bytes(raw[4:]))
    with pytest.raises(IndexFormatError, match="magic"):
        load_index(tmp_path / "magic")


@pytest.mark.parametrize("kind", ["brute", "flat", "mih", "csr"])
def test_empty_index(tmp_path: Path, kind: str) -> None:
    index = build(kind, np.zeros(0, np.int64), np.zeros((0, 32), np.uint8))
    assert len(index) == 0
    query = np.zeros((3, 32), np.uint8)
    assert index.search(query, 31) == [[], [], []]
    assert index.search(np.zeros((0, 32), np.uint8), 31) == []
    index.save(tmp_path / "e")
    assert len(load_index(tmp_path / "e")) == 0


@pytest.mark.parametrize("kind", ["brute", "flat", "mih", "csr"])
def test_input_validation(kind: str) -> None:
    index = build(kind, np.zeros(0, np.int64), np.zeros((0, 32), np.uint8))
    with pytest.raises(PdqHashError):
        index.add(np.arange(2), np.zeros((2, 31), np.uint8))
    with pytest.raises(PdqHashError):
        index.add(np.arange(2), np.zeros((2, 32), np.int32))
    with pytest.raises(PdqHashError):
        index.add(np.arange(3), np.zeros((2, 32), np.uint8))
    with pytest.raises(ValueError):
        index.search(np.zeros((1, 32), np.uint8), 257)
    with pytest.raises(TypeError):
        index.search(np.zeros((1, 32), np.uint8), 3.5)  # type: ignore[arg-type]


def test_single_code_query_and_hex_helpers() -> None:
    hexes = ["f" * 64, "0" * 64, "8" + "0" * 63]
    codes = hexes_to_codes(hexes)
    assert codes.shape == (3, 32) and codes_to_hexes(codes) == hexes
    assert code_to_hex(hex_to_code(hexes[2].upper())) == hexes[2]
    assert hamming(hexes[0], hexes[1]) == 256 and hamming(hexes[1], codes[2]) == 1
    index = BruteForceIndex()
    index.add(np.array([10, 11, 12]), codes)
    assert index.search(hex_to_code(hexes[1]), 1) == [[(11, 0), (12, 1)]]
    with pytest.raises(PdqHashError):
        hex_to_code("xyz")


def test_quality_filter_is_the_callers() -> None:
    """Indexes store whatever they are given; callers skip hashes with quality < 50."""
    assert not is_matchable(49) and is_matchable(50)


# ---------------------------------------------------------------- CsrMultiIndex


@pytest.mark.parametrize("d", [0, 15, 16, 31, 47, 48, 200])
def test_csr_agrees_with_brute_force_on_dense_clusters(d: int) -> None:
    """Tight clusters make big table slices: many tables list the same code, once in results."""
    rng = np.random.default_rng(7)
    centres = rng.integers(0, 256, (5, 32), dtype=np.uint8)
    codes = flip_bits(centres[rng.integers(0, 5, 2000)], rng.integers(0, 12, 2000), rng)
    codes = np.concatenate([codes, codes[:50]])  # exact duplicates under other ids
    ids = np.arange(codes.shape[0], dtype=np.int64) * 7 - 100
    queries = np.concatenate([centres, flip_bits(centres, np.full(5, 20), rng)])
    brute, csr = BruteForceIndex(), CsrMultiIndex()
    brute.add(ids, codes)
    csr.add(ids, codes)
    expected = brute.search(queries, d)
    assert csr.search(queries, d) == expected
    assert sum(map(len, expected)) >= 5


def test_csr_strategy_and_tables() -> None:
    index = CsrMultiIndex()
    assert index.strategy(31) == "multi-index" and index.strategy(47) == "multi-index"
    assert index.strategy(64) == "scan"
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 256, (500, 32), dtype=np.uint8)
    index.add(np.arange(500), codes)
    index.build()
    offsets, rows = index._offsets, index._rows
    assert offsets is not None and rows is not None
    assert offsets.shape == (16, 65537) and rows.shape == (16, 500)
    assert (offsets[:, -1] == 500).all()
    # every row appears once per table, under its own substring key
    subs = codes.view("<u2")
    for t in (0, 7, 15):
        assert sorted(rows[t].tolist()) == list(range(500))
        key = int(subs[123, t])
        assert 123 in rows[t, offsets[t, key] : offsets[t, key + 1]].tolist()


def test_csr_file_is_memory_mapped_and_checked(tmp_path: Path, data: dict) -> None:
    ids, codes, queries = data["random"]
    index = CsrMultiIndex()
    index.add(ids, codes)
    path = tmp_path / "c.pdqmih"
    index.save(path)
    again = load_index(path)
    assert isinstance(again, CsrMultiIndex) and isinstance(again._rows, np.memmap)
    assert again.search(queries, 31) == index.search(queries, 31)
    # a mapped index still grows (copied to memory first)
    again.add(np.array([42]), queries[:1])
    assert (42, 0) in again.search(queries[:1], 0)[0]
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0x10  # a row number in the last table
    (tmp_path / "flipped").write_bytes(raw)
    with pytest.raises(IndexFormatError, match="checksum"):
        load_index(tmp_path / "flipped")
    (tmp_path / "short").write_bytes(bytes(raw[:-8]))
    with pytest.raises(IndexFormatError, match=r"size|small"):
        load_index(tmp_path / "short")
    header_end = raw.index(b"}}", 12)
    bad = bytearray(path.read_bytes())
    bad[header_end - 40 : header_end] = b" " * 40  # mangled JSON
    (tmp_path / "json").write_bytes(bad)
    with pytest.raises(IndexFormatError):
        load_index(tmp_path / "json")


def test_csr_offsets_are_validated_without_checksums(tmp_path: Path) -> None:
    """verify=False skips hashing, not the structural checks."""
    from threadline.hashindex.csr_mih import read_mih_file

    index = CsrMultiIndex()
    index.add(np.arange(10), np.random.default_rng(1).integers(0, 256, (10, 32), dtype=np.uint8))
    path = tmp_path / "c"
    index.save(path)
    layout = read_mih_file(path)
    off = layout["offsets"]
    start = int(off.offset)  # type: ignore[attr-defined]
    raw = bytearray(path.read_bytes())
    raw[start : start + 4] = (5).to_bytes(4, "little")  # offsets[0, 0] must be 0
    (tmp_path / "bad").write_bytes(raw)
    with pytest.raises(IndexFormatError, match="CSR"):
        CsrMultiIndex.load(tmp_path / "bad", verify=False)
