"""Connected components by large-star / small-star (Kiveris et al., SoCC 2014) over Ray tasks.

The edges are spread over `reducers` tasks by the record number that owns
them, and two operations alternate, each one shuffle:

* **large-star**: each record u links every neighbour larger than itself to
  the smallest record of its neighbourhood (u included);
* **small-star**: each record u links itself and every neighbour smaller
  than itself to the smallest of those.

Neither changes which records are connected; together they turn each
component into a star around its smallest record in O(log² n) rounds
(usually a handful). A round that leaves the edge set as it was ends the
loop; each record's label is then the smallest record of its
neighbourhood — its component's smallest record, as
`threadline.link.components.connected_components` gives it. Only record
numbers cross the shuffle.

The per-task work is plain numpy (a sort and a segmented minimum); the same
functions run in one process in the tests against the local algorithm.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from threadline.engine.shuffle import check_payload, destination, gather, split
from threadline.link.shingles import splitmix

MAX_ROUNDS = 64  # a bound for hostile graphs; O(log² n) rounds suffice for 10⁹ records


def _dedupe(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique directed edges sorted by (u, v), self-loops dropped."""
    keep = u != v
    u, v = u[keep], v[keep]
    if len(u) == 0:
        return u, v
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    first = np.concatenate(([True], (u[1:] != u[:-1]) | (v[1:] != v[:-1])))
    return u[first], v[first]


def _segment_min(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For edges sorted by u: (starts, nodes, min(neighbours ∪ {node})) per node."""
    starts = np.flatnonzero(np.concatenate(([True], u[1:] != u[:-1])))
    nodes = u[starts]
    return starts, nodes, np.minimum(np.minimum.reduceat(v, starts), nodes)


def large_star(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges (neighbour, m(u)) for each neighbour larger than u; input holds u's whole Γ(u)."""
    u, v = _dedupe(u, v)
    if len(u) == 0:
        return u, v
    starts, _, m = _segment_min(u, v)
    m_of = np.repeat(m, np.diff(np.concatenate((starts, [len(u)]))))
    larger = v > u
    return v[larger], m_of[larger]


def small_star(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Input: edges (u, v) with v < u. Edges (x, m(u)) for x in N(u) ∪ {u}, x ≠ m(u)."""
    u, v = _dedupe(u, v)
    if len(u) == 0:
        return u, v
    starts, nodes, m = _segment_min(u, v)
    m_of = np.repeat(m, np.diff(np.concatenate((starts, [len(u)]))))
    a = np.concatenate((v, nodes))
    b = np.concatenate((m_of, m))
    keep = a != b
    return a[keep], b[keep]


def labels_of(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(nodes, min(neighbours ∪ {node})) for edges holding each owned node's whole Γ(u)."""
    u, v = _dedupe(u, v)
    if len(u) == 0:
        return u, v
    _, nodes, m = _segment_min(u, v)
    return nodes, m


def fingerprint(u: np.ndarray, v: np.ndarray) -> int:
    """Order-free 64-bit sum of hashes of unique directed edges (a set function)."""
    u, v = _dedupe(u, v)
    packed = (u.astype(np.uint64) << np.uint64(32)) | v.astype(np.uint64)
    with np.errstate(over="ignore"):
        return int(np.sum(splitmix(packed), dtype=np.uint64))


def route(op: str, a: np.ndarray, b: np.ndarray, reducers: int) -> list[tuple[np.ndarray, ...]]:
    """Undirected edges (a, b) as the directed edges operation `op` needs, split by owner."""
    if op == "small":  # each edge to its larger end, as (larger, smaller)
        u, v = np.maximum(a, b), np.minimum(a, b)
    else:  # large-star and labels: every record sees its whole neighbourhood
        u, v = np.concatenate((a, b)), np.concatenate((b, a))
    return split((u, v), destination(u, reducers), reducers)


_OPS = {"large": large_star, "small": small_star}


def step(op: str, next_op: str, reducers: int, *payloads: Any) -> list[Any]:
    """One reduce task: apply `op` to the directed edges received, route the result for `next_op`.

    Returns the `reducers` payloads for the next step and, last, the fingerprint of the
    edges received (the edge set before this step, seen from this task's records).
    """
    u, v = gather(payloads, 2)
    fp = fingerprint(u, v)
    if op == "labels":
        return [labels_of(u, v), fp]
    a, b = _OPS[op](u, v)
    return [*route(next_op, a, b, reducers), fp]


def components_ray(ray: Any, n: int, edges: np.ndarray, reducers: int) -> tuple[np.ndarray, int]:
    """Label per record (the smallest record of its component) and the rounds it took."""
    labels = np.arange(n, dtype=np.int64)
    if n == 0 or len(edges) == 0:
        return labels, 0
    remote = ray.remote(num_returns=reducers + 1)(step)
    label_task = ray.remote(num_returns=2)(step)
    a = np.ascontiguousarray(edges[:, 0], dtype=np.int64)
    b = np.ascontiguousarray(edges[:, 1], dtype=np.int64)
    # the first routing happens here, in blocks, as a map stage would
    blocks = max(1, reducers)
    size = -(-len(a) // blocks)
    inputs = [
        [
            ray.put(check_payload(p))
            for p in route("large", a[i : i + size], b[i : i + size], reducers)
        ]
        for i in range(0, len(a), size)
    ]
    previous: int | None = None
    rounds = 0
    op_sequence = ("large", "small")
    while True:
        if rounds >= MAX_ROUNDS:
            raise RuntimeError(f"connected components did not converge in {MAX_ROUNDS} rounds")
        round_fp = None
        for k, op in enumerate(op_sequence):
            nxt = op_sequence[(k + 1) % 2]
            outs = [
                remote.remote(op, nxt, reducers, *[inp[j] for inp in inputs])
                for j in range(reducers)
            ]
            fps = ray.get([o[reducers] for o in outs])
            if op == "large":
                round_fp = (sum(fps) & 0xFFFFFFFFFFFFFFFF, len(fps))
            inputs = [[o[j] for j in range(reducers)] for o in outs]
        rounds += 1
        if round_fp == previous:  # the edge set before this round's large-star = before the last
            break
        previous = round_fp
    # the input now is routed for large-star: every record with its whole neighbourhood
    relabel = [
        label_task.remote("labels", "labels", reducers, *[inp[j] for inp in inputs])
        for j in range(reducers)
    ]
    for nodes, mins in ray.get([r[0] for r in relabel]):
        labels[nodes] = mins
    return labels, rounds
