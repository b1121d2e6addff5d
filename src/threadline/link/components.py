"""Connected components over links, and network ids that do not depend on processing order.

`connected_components` is union-find done as array operations (hooking to the
smaller root, then pointer jumping) so a million records and millions of
links take a few numpy passes, not a Python loop per edge. Each record's label
is the smallest record index of its component.

`network_id` names a component by its members: ``net-`` + the first 12 hex
digits of SHA-256 over the sorted member ids. The same members give the same
id on every run, in any order, in one process or many.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np


def connected_components(
    n: int, edges: np.ndarray, initial: np.ndarray | None = None
) -> np.ndarray:
    """Label per record (n,) int64: the smallest record index in its component.

    `initial` (labels from an earlier call) continues from those components: only the
    new `edges` are processed.
    """
    parent = np.arange(n, dtype=np.int64) if initial is None else initial.astype(np.int64)
    if n == 0 or len(edges) == 0:
        return parent
    u = np.ascontiguousarray(edges[:, 0], dtype=np.int64)
    v = np.ascontiguousarray(edges[:, 1], dtype=np.int64)
    while True:
        pu, pv = parent[u], parent[v]
        differ = pu != pv
        if not differ.any():
            break
        u, v = u[differ], v[differ]  # edges inside one tree never matter again
        pu, pv = pu[differ], pv[differ]
        np.minimum.at(parent, np.maximum(pu, pv), np.minimum(pu, pv))
        while True:  # pointer jumping: every record points at its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent


def network_id(member_ids: Iterable[str]) -> str:
    """``net-`` + 12 hex digits of SHA-256 of the sorted member ids, one per line."""
    h = hashlib.sha256("\n".join(sorted(member_ids)).encode("utf-8", "replace"))
    return "net-" + h.hexdigest()[:12]


def groups(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, starts, sizes): records sorted by label, where each label's run starts, its size."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    if len(sorted_labels) == 0:
        return order, np.empty(0, np.int64), np.empty(0, np.int64)
    starts = np.concatenate(([0], np.flatnonzero(sorted_labels[1:] != sorted_labels[:-1]) + 1))
    sizes = np.diff(np.concatenate((starts, [len(labels)])))
    return order, starts, sizes


def network_ids(labels: np.ndarray, ids: list[str]) -> list[str]:
    """Network id per record from component labels and record ids (deterministic)."""
    out = [""] * len(labels)
    order, starts, sizes = groups(labels)
    for s, size in zip(starts.tolist(), sizes.tolist(), strict=True):
        members = order[s : s + size].tolist()
        nid = network_id(ids[i] for i in members)
        for i in members:
            out[i] = nid
    return out
