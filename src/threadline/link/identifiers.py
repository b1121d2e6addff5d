"""Identifier links: records sharing a normalized pivot value, and the hub rule.

Records that print the same phone, e-mail, handle, payment handle, crypto
address or URL are linked, with the value as the reason. A value of one
author links that author's ads; a *hub* — a hotel switchboard, an agency's
booking address — is shared by unrelated authors and would merge them into
one false network; so would a number reissued to a second author while the
first still posts. A hub stays evidence (its links are reported with
``counts=False``) but does not merge networks. The decision and its numbers
are kept for every value that could have been one (`HubDecision`).

The rule (defaults in `LinkConfig`), for a value on at least
``hub_min_records`` records:

* **groups**: its records are split into groups by everything else that links
  them — their other identifiers and their text near-duplicate groups. A
  group counts when it has such other evidence (a record that shows only this
  value is no author's fingerprint). One author's value joins few groups (its
  ads also share the author's other numbers and template); a switchboard joins
  one group per author that uses it.
* **cohesion**: the median exact Jaccard similarity of its records' texts
  over a fixed sample of pairs. One author's ads are written from one template
  (median 0.2–0.6); ads of different authors share only stock phrases (< 0.1).
* **between**: the same median over pairs from *different* groups only.

A value is a hub when it joins at least ``hub_min_groups`` groups *and* its
texts are unrelated (cohesion below ``hub_max_cohesion``, or no texts to
compare); when it joins groups whose texts are unrelated (between below
``hub_max_cohesion``) and that began more than ``identifier_gap_days`` apart —
a number reissued to a second author while the first still posts (one
operation's two templates begin together); when its record count is an outlier
of the count distribution — above the far-out Tukey fence Q3 + k·IQR of log
counts over values on two or more records, and above ``hub_count_floor``; or
when the case lists it in ``hub_values``. An agency that posts one template for
many women keeps a high cohesion and is *not* a hub: that is one operation, and
it should merge.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from threadline.link.config import LinkConfig

COHESION_PAIRS = 48  # sampled pairs per value: the median is stable to about ±0.05


@dataclass(frozen=True)
class HubDecision:
    """Why a frequent value does or does not merge networks (evidence, not decoration)."""

    type: str
    value: str
    records: int
    places: int
    groups: int  # groups of its records that other evidence forms (see module docstring)
    cohesion: float | None  # median Jaccard of its records' texts; None if not measured
    between: float | None  # median Jaccard between texts of different groups
    fence: float  # the record count above which a value is a frequency outlier
    hub: bool
    reason: str
    use: int = 1  # which use of a reissued value (1-based) …
    uses: int = 1  # … of how many (see `ValueIndex`)

    def to_dict(self) -> dict[str, object]:
        return {
            "type": self.type,
            "value": self.value,
            "records": self.records,
            "places": self.places,
            "groups": self.groups,
            "cohesion": None if self.cohesion is None else round(self.cohesion, 4),
            "between": None if self.between is None else round(self.between, 4),
            "fence": round(self.fence, 1),
            "hub": self.hub,
            "reason": self.reason,
            "use": self.use,
            "uses": self.uses,
        }


@dataclass(frozen=True)
class ValueIndex:
    """Pivot values and the records that carry them, as arrays sorted by (value, record).

    With a time gap, one normalized value may be several indexed values, one per
    *use* (`epoch`): a phone number silent for longer than the gap and then seen
    again is treated as reissued (carriers recycle numbers), and links only
    within each use.
    """

    types: tuple[str, ...]  # per value
    values: tuple[str, ...]  # per value, normalized
    rec: np.ndarray  # (m,) record index, sorted by (val, rec)
    val: np.ndarray  # (m,) value index
    starts: np.ndarray  # (v + 1,) value i owns rec[starts[i]:starts[i + 1]]
    epoch: tuple[int, ...] = ()  # per value: which use of the normalized value (0-based)
    epochs: tuple[int, ...] = ()  # per value: how many uses the normalized value has

    def records_of(self, i: int) -> np.ndarray:
        return self.rec[self.starts[i] : self.starts[i + 1]]

    def counts(self) -> np.ndarray:
        return np.diff(self.starts)

    def label(self, i: int) -> str:
        """ "type:value", with "(use k of n)" when the value was reissued."""
        base = f"{self.types[i]}:{self.values[i]}"
        if self.epochs and self.epochs[i] > 1:
            return f"{base} (use {self.epoch[i] + 1} of {self.epochs[i]})"
        return base


def index_values(
    pivots: Sequence[Sequence[tuple[str, str]]],
    times: Sequence[int | None] | None = None,
    gap_s: float | None = None,
) -> ValueIndex:
    """Index the pivot values of each record (record i carries `pivots[i]`).

    Values are numbered in sorted (type, value) order, then by use, so the index
    is the same whatever the order records arrive in. With `times` and `gap_s`, a
    value's records are split into uses where two consecutive dated records are
    more than `gap_s` apart; undated records join the first use.
    """
    distinct = sorted({p for ps in pivots for p in ps})
    number = {p: i for i, p in enumerate(distinct)}
    rec_a = np.asarray([i for i, ps in enumerate(pivots) for _ in ps], dtype=np.int64)
    val_a = np.asarray([number[p] for ps in pivots for p in ps], dtype=np.int64)
    if times is None or gap_s is None or len(rec_a) == 0:
        order = np.lexsort((rec_a, val_a))
        rec_a, val_a = rec_a[order], val_a[order]
        starts = np.searchsorted(val_a, np.arange(len(distinct) + 1))
        ones = (1,) * len(distinct)
        return ValueIndex(
            tuple(t for t, _ in distinct), tuple(v for _, v in distinct), rec_a, val_a,
            starts, (0,) * len(distinct), ones,
        )  # fmt: skip
    t_rec = np.array([-np.inf if t is None else float(t) for t in times], dtype=np.float64)
    t_a = t_rec[rec_a]
    order = np.lexsort((rec_a, t_a, val_a))
    rec_a, val_a, t_a = rec_a[order], val_a[order], t_a[order]
    new = np.ones(len(rec_a), dtype=bool)
    dated = np.isfinite(t_a)
    with np.errstate(invalid="ignore"):  # undated minus undated is nan: no split
        gap = np.diff(t_a) > gap_s
    new[1:] = (val_a[1:] != val_a[:-1]) | (dated[1:] & dated[:-1] & gap)
    use = np.cumsum(new) - 1  # the new value index of each entry
    first = np.flatnonzero(new)
    base_of_use = val_a[first]
    # which use of its normalized value each new value is, and how many there are
    value_start = np.concatenate(([True], base_of_use[1:] != base_of_use[:-1]))
    group = np.cumsum(value_start) - 1
    group_first = np.flatnonzero(value_start)
    epoch = np.arange(len(first)) - group_first[group]
    epochs = np.bincount(group)[group]
    order = np.lexsort((rec_a, use))
    rec_a, use = rec_a[order], use[order]
    starts = np.searchsorted(use, np.arange(len(first) + 1))
    return ValueIndex(
        tuple(distinct[b][0] for b in base_of_use.tolist()),
        tuple(distinct[b][1] for b in base_of_use.tolist()),
        rec_a,
        use,
        starts,
        tuple(epoch.tolist()),
        tuple(epochs.tolist()),
    )


def frequency_fence(counts: np.ndarray, k: float, floor: int) -> float:
    """Far-out Tukey fence on log record counts of values seen at least twice, at least `floor`."""
    shared = counts[counts >= 2]
    if len(shared) < 4:
        return float(max(floor, 2))
    q1, q3 = np.percentile(np.log(shared), [25, 75])
    return float(max(floor, math.exp(q3 + k * (q3 - q1))))


def _groups(
    index: ValueIndex,
    i: int,
    record_values: Sequence[Sequence[int]],
    text_label: np.ndarray,
    text_size: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(anchored records, their group) for value i: groups formed by other evidence."""
    recs = index.records_of(i).tolist()
    parent = {r: r for r in recs}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[tuple[int, int], int] = {}
    anchored = []
    for r in recs:
        keys = [(0, v) for v in record_values[r] if v != i]
        if text_size[r] >= 2:
            keys.append((1, int(text_label[r])))
        if keys:
            anchored.append(r)
        for key in keys:
            o = owner.setdefault(key, r)
            if o != r:
                parent[find(r)] = find(o)
    return np.asarray(anchored, dtype=np.int64), np.asarray(
        [find(r) for r in anchored], dtype=np.int64
    )


def _start_spread(anchored: np.ndarray, group: np.ndarray, times: Sequence[int | None]) -> float:
    """Seconds between the first record of the earliest-starting and latest-starting group."""
    first: dict[int, int] = {}
    for r, g in zip(anchored.tolist(), group.tolist(), strict=True):
        t = times[r]
        if t is not None and (g not in first or t < first[g]):
            first[g] = t
    return float(max(first.values()) - min(first.values())) if len(first) >= 2 else 0.0


def _sample_pairs(recs: np.ndarray, seed_text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.blake2b(seed_text.encode(), digest_size=8).digest())
    rng = np.random.default_rng(seed)
    n = len(recs)
    if n * (n - 1) // 2 <= COHESION_PAIRS:
        iu, ju = np.triu_indices(n, k=1)
        return np.stack((recs[iu], recs[ju]), axis=1)
    a = rng.integers(0, n, COHESION_PAIRS * 2)
    b = rng.integers(0, n, COHESION_PAIRS * 2)
    keep = a != b
    return np.stack((recs[a[keep]], recs[b[keep]]), axis=1)[:COHESION_PAIRS]


def _cross_pairs(recs: np.ndarray, group: np.ndarray, seed_text: str) -> np.ndarray:
    """Up to COHESION_PAIRS pairs of records from different groups (deterministic sample)."""
    n = len(recs)
    if n * (n - 1) // 2 <= 4 * COHESION_PAIRS:
        iu, ju = np.triu_indices(n, k=1)
    else:
        seed = int.from_bytes(hashlib.blake2b(seed_text.encode(), digest_size=8).digest())
        rng = np.random.default_rng(seed)
        iu = rng.integers(0, n, 8 * COHESION_PAIRS)
        ju = rng.integers(0, n, 8 * COHESION_PAIRS)
    cross = group[iu] != group[ju]
    return np.stack((recs[iu[cross]], recs[ju[cross]]), axis=1)[:COHESION_PAIRS]


def decide_hubs(
    index: ValueIndex,
    *,
    text_label: np.ndarray,
    has_text: np.ndarray,
    places: Sequence[str | None],
    times: Sequence[int | None],
    jaccard: Callable[[np.ndarray], np.ndarray],
    config: LinkConfig,
) -> dict[int, HubDecision]:
    """A decision for every value on at least `hub_min_records` records, keyed by value index.

    `text_label` is each record's text near-duplicate group (smallest member index),
    `has_text` whether it has text evidence, `jaccard(pairs)` exact Jaccard of record pairs.
    """
    counts = index.counts()
    fence = frequency_fence(counts, config.hub_fence_k, config.hub_count_floor)
    text_size = np.bincount(text_label, minlength=len(text_label))[text_label]
    forced, spared = set(config.hub_values), set(config.not_hub_values)
    listed = forced | spared
    named = (
        [
            i
            for i, (t, v) in enumerate(zip(index.types, index.values, strict=True))
            if v in listed or f"{t}:{v}" in listed
        ]
        if listed
        else []
    )
    frequent = np.flatnonzero(counts >= max(2, config.hub_min_records))
    candidates = np.union1d(frequent, np.asarray(named, dtype=np.int64)).astype(np.int64)
    record_values: list[list[int]] = [[] for _ in range(len(text_label))]
    if len(candidates):
        for r, v in zip(index.rec.tolist(), index.val.tolist(), strict=True):
            record_values[r].append(v)
    out: dict[int, HubDecision] = {}
    gap_s = None if config.identifier_gap_days is None else config.identifier_gap_days * 86400
    for i in candidates.tolist():
        recs = index.records_of(i)
        n = len(recs)
        t, value = index.types[i], index.values[i]
        n_places = len({places[r] for r in recs.tolist()} - {None})
        anchored, group = _groups(index, i, record_values, text_label, text_size)
        groups = len(np.unique(group))
        cohesion = between = None
        if groups >= config.hub_min_groups:
            with_text = recs[has_text[recs]]
            if len(with_text) >= 2:
                pairs = _sample_pairs(with_text, f"{t}:{value}")
                cohesion = float(np.median(jaccard(pairs))) if len(pairs) else None
        if groups >= 2 and gap_s is not None:
            texty = has_text[anchored]
            pairs = _cross_pairs(anchored[texty], group[texty], f"{t}:{value}:{i}")
            between = float(np.median(jaccard(pairs))) if len(pairs) else None
        reasons: list[str] = []
        if value in forced or f"{t}:{value}" in forced:
            reasons.append("listed in hub_values")
        if n > fence:
            reasons.append(f"{n} records, above the count fence {fence:.0f}")
        if groups >= config.hub_min_groups and (
            cohesion is None or cohesion < config.hub_max_cohesion
        ):
            coh = "no texts to compare" if cohesion is None else f"median Jaccard {cohesion:.2f}"
            reasons.append(
                f"joins {groups} groups that nothing else links (>= {config.hub_min_groups}) "
                f"whose texts are unrelated ({coh} < {config.hub_max_cohesion})"
            )
        if gap_s is not None and between is not None and between < config.hub_max_cohesion:
            spread = _start_spread(anchored, group, times)
            if spread > gap_s:
                reasons.append(
                    f"reissued: joins {groups} groups with unrelated texts (median Jaccard "
                    f"between groups {between:.2f} < {config.hub_max_cohesion}) that began "
                    f"{spread / 86400:.0f} days apart (> {config.identifier_gap_days:g})"
                )
        hub = bool(reasons)
        if value in spared or f"{t}:{value}" in spared:
            hub, reasons = False, ["listed in not_hub_values"]
        elif not hub:
            coh = "" if cohesion is None else f", median text Jaccard {cohesion:.2f}"
            reasons.append(
                f"{n} records (fence {fence:.0f}), {groups} groups "
                f"(hub from {config.hub_min_groups}){coh}"
            )
        use = (index.epoch[i] + 1, index.epochs[i]) if index.epochs else (1, 1)
        out[i] = HubDecision(
            t, value, n, n_places, groups, cohesion, between, fence, hub, "; ".join(reasons), *use
        )
    return out


def identifier_links(
    index: ValueIndex, decisions: dict[int, HubDecision]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pairs (m, 2), value index per pair, counts per pair): a star per shared value.

    Each value on k >= 2 records gives k − 1 links from its first record; a hub's
    links are kept with counts=False.
    """
    counts = index.counts()
    shared = np.flatnonzero(counts >= 2)
    if len(shared) == 0:
        empty = np.empty(0, dtype=np.int64)
        return np.empty((0, 2), dtype=np.int64), empty, np.empty(0, dtype=bool)
    starts = index.starts[shared]
    cnt = counts[shared] - 1
    first = np.repeat(index.rec[starts], cnt)
    before = np.cumsum(cnt) - cnt
    others = index.rec[np.repeat(starts + 1 - before, cnt) + np.arange(int(cnt.sum()))]
    value = np.repeat(shared, cnt)
    hubs = np.array([i for i, d in decisions.items() if d.hub], dtype=np.int64)
    counts_mask = ~np.isin(value, hubs)
    return np.stack((first, others), axis=1), value, counts_mask
