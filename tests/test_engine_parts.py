"""The engine's parts in one process: shuffle payload rules, keyed hashes, large/small-star."""

from __future__ import annotations

import numpy as np
import pytest

from threadline.engine import keyed, star
from threadline.engine.shuffle import check_payload, gather, pack_pairs, split, unpack_pairs
from threadline.link.components import connected_components


@pytest.mark.parametrize(
    "payload",
    [
        ["not a tuple"],
        (np.array(["+14155550123"]),),  # a string array: a value, not a hash
        (np.array([{"text": "hello"}], dtype=object),),
        (np.arange(3), "text"),
        (b"raw bytes",),
    ],
)
def test_a_shuffle_payload_is_numeric_arrays_only(payload: object) -> None:
    with pytest.raises(TypeError):
        check_payload(payload)
    with pytest.raises(TypeError):
        gather([payload], 1)


def test_split_sends_every_row_to_its_reducer_once() -> None:
    keys = np.arange(100, dtype=np.uint64) * np.uint64(7919)
    rec = np.arange(100, dtype=np.int64)
    dest = rec % 3
    parts = split((keys, rec), dest, 3)
    assert sorted(np.concatenate([p[1] for p in parts]).tolist()) == rec.tolist()
    for j, p in enumerate(parts):
        assert (p[1] % 3 == j).all()


def test_pairs_pack_order_free() -> None:
    a, b = np.array([5, 9, 0]), np.array([2, 9, 4_000_000_000])
    packed = pack_pairs(a, b)
    assert (packed == pack_pairs(b, a)).all()
    assert unpack_pairs(packed).tolist() == [[2, 5], [9, 9], [0, 4_000_000_000]]


def test_keyed_hashes_depend_on_the_key_and_the_type() -> None:
    k1, k2 = keyed.new_key(), keyed.new_key()
    assert keyed.keyed_hash(k1, "phone", "+14155550123") == keyed.keyed_hash(
        k1, "phone", "+14155550123"
    )
    assert keyed.keyed_hash(k1, "phone", "+14155550123") != keyed.keyed_hash(
        k2, "phone", "+14155550123"
    )
    assert keyed.keyed_hash(k1, "phone", "x") != keyed.keyed_hash(k1, "email", "x")


def _stars(n: int, edges: np.ndarray, reducers: int) -> np.ndarray:
    """`star.components_ray`'s loop, with the tasks called in this process."""
    inputs = [star.route("large", edges[:, 0], edges[:, 1], reducers)]
    previous = None
    while True:
        round_fp = None
        for op, nxt in (("large", "small"), ("small", "large")):
            outs = [star.step(op, nxt, reducers, *[i[j] for i in inputs]) for j in range(reducers)]
            if op == "large":
                round_fp = sum(o[reducers] for o in outs) & 0xFFFFFFFFFFFFFFFF
            inputs = [[o[j] for j in range(reducers)] for o in outs]
        if round_fp == previous:
            break
        previous = round_fp
    labels = np.arange(n)
    for j in range(reducers):
        (nodes, mins), _ = star.step("labels", "labels", reducers, *[i[j] for i in inputs])
        labels[nodes] = mins
    return labels


@pytest.mark.parametrize("seed", range(40))
def test_large_small_star_gives_the_local_components(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    shape = seed % 4
    if shape == 0:  # a path, worst case for label propagation
        edges = np.stack((np.arange(n - 1), np.arange(1, n)), axis=1)[rng.permutation(n - 1)]
    elif shape == 1:  # a big star around the largest record
        edges = np.stack((np.full(n - 1, n - 1), np.arange(n - 1)), axis=1)
    else:
        edges = rng.integers(0, n, (int(rng.integers(0, 2 * n)), 2))
    labels = _stars(n, edges.astype(np.int64), int(rng.integers(1, 5)))
    assert labels.tolist() == connected_components(n, edges).tolist()
