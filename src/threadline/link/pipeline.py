"""The linking stages over one batch of features, and `LinkResult`, what they produce.

`link_features` is a pure function of a `FeatureChunk` and a `LinkConfig`:

1. text near-duplicate links (`text.text_links`) and their components;
2. identifier links, with a hub decision for every frequent value
   (`identifiers`);
3. connected components over the links whose kind is in ``config.evidence``
   and that are not a hub's — the networks — named by their members
   (`components.network_id`).

Links and network summaries are built on demand from the arrays
(`LinkResult.links`, `LinkResult.networks`): a million records need the
assignments, not a million Python objects.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from threadline.link.components import connected_components, groups, network_ids
from threadline.link.config import LinkConfig
from threadline.link.features import FeatureChunk
from threadline.link.identifiers import (
    HubDecision,
    ValueIndex,
    decide_hubs,
    identifier_links,
    index_values,
)
from threadline.link.jaccard import jaccard_pairs
from threadline.link.lsh import LSHParams, choose_params
from threadline.link.network import Link, Network, summarize
from threadline.link.templates import Template, find_template
from threadline.link.text import TextLinks, text_links


def lsh_params(config: LinkConfig) -> LSHParams:
    return choose_params(
        config.jaccard_threshold, config.num_perm, config.lsh_margin, config.lsh_miss_rate
    )


@dataclass
class LinkResult:
    """Everything the stages found for one batch; networks and links are built on demand."""

    config: LinkConfig
    batch: FeatureChunk
    keys: list[str]  # id used to name networks: the record id, or "#line:N"
    text: TextLinks
    values: ValueIndex
    decisions: dict[int, HubDecision]
    id_pairs: np.ndarray
    id_value: np.ndarray
    id_counts: np.ndarray
    text_counts: np.ndarray  # per text link: merges networks (its records' kinds allow it)
    labels: np.ndarray  # component label per record (smallest member index)
    network: list[str]  # network id per record
    warnings: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    texts: list[str] | None = None  # the records' texts, when they were given in memory

    def __len__(self) -> int:
        return len(self.keys)

    def hubs(self) -> list[HubDecision]:
        """Values held back as hubs, most records first."""
        return sorted(
            (d for d in self.decisions.values() if d.hub), key=lambda d: (-d.records, d.value)
        )

    def network_sizes(self) -> np.ndarray:
        return np.bincount(self.labels, minlength=len(self.labels))[self.labels]

    def _link(self, kind: str, k: int) -> Link:
        cfg = self.config
        if kind == "text":
            a, b = self.text.pairs[k].tolist()
            s = float(self.text.similarity[k])
            counts = "text" in cfg.evidence and bool(self.text_counts[k])
            note = "exact copy" if k < self.text.copies else ""
            if "text" not in cfg.evidence:
                note = "text evidence not counted"
            elif not counts:
                note = f"text of {', '.join(cfg.text_exclude_kinds)} not counted"
            return Link(self.keys[a], self.keys[b], "text", None, s, s, counts, note)
        a, b = self.id_pairs[k].tolist()
        v = int(self.id_value[k])
        value = self.values.label(v)
        counts = bool(self.id_counts[k]) and "identifier" in cfg.evidence
        d = self.decisions.get(v)
        note = ""
        if d is not None and d.hub:
            note = f"hub: {d.reason}"
        elif "identifier" not in cfg.evidence:
            note = "identifier evidence not counted"
        strength = 1.0 if counts else 0.0 if d is None else min(1.0, 2.0 / d.records)
        return Link(self.keys[a], self.keys[b], "identifier", value, None, strength, counts, note)

    def links(self) -> Iterator[Link]:
        """Every link, identifier links first, each with its reason and strength."""
        for k in range(len(self.id_pairs)):
            yield self._link("identifier", k)
        for k in range(len(self.text.pairs)):
            yield self._link("text", k)

    def _touching(self, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(sorted network labels, link index) with one entry per network a link touches."""
        if len(pairs) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        la, lb = self.labels[pairs[:, 0]], self.labels[pairs[:, 1]]
        cross = np.flatnonzero(la != lb)
        lab = np.concatenate((la, lb[cross]))
        idx = np.concatenate((np.arange(len(pairs)), cross))
        order = np.argsort(lab, kind="stable")
        return lab[order], idx[order]

    def networks(self, min_size: int = 2) -> Iterator[Network]:
        """Summaries of networks with at least `min_size` records, largest first."""
        order, starts, sizes = groups(self.labels)
        id_lab, id_idx = self._touching(self.id_pairs)
        tx_lab, tx_idx = self._touching(self.text.pairs)
        rank = sorted(
            (i for i in range(len(starts)) if sizes[i] >= min_size),
            key=lambda i: (-int(sizes[i]), self.network[int(order[starts[i]])]),
        )
        for i in rank:
            members = order[starts[i] : starts[i] + sizes[i]]
            label = self.labels[members[0]]
            lo, hi = np.searchsorted(id_lab, [label, label + 1])
            lo2, hi2 = np.searchsorted(tx_lab, [label, label + 1])
            yield self._summary(members, id_idx[lo:hi], tx_idx[lo2:hi2])

    def _summary(self, members: np.ndarray, ks: np.ndarray, kt: np.ndarray) -> Network:
        """`ks`/`kt`: identifier/text links touching the network (inside it or leaving it)."""
        b = self.batch
        mem = sorted(members.tolist(), key=lambda r: self.keys[r])
        links: list[Link] = []
        held: list[Link] = []
        for kind, pairs, ks_ in (("identifier", self.id_pairs, ks), ("text", self.text.pairs, kt)):
            for k in np.sort(ks_).tolist():
                inside = self.labels[pairs[k, 0]] == self.labels[pairs[k, 1]]
                (links if inside else held).append(self._link(kind, k))
        ident: dict[tuple[str, str], list[int | None]] = {}
        for r in mem:
            for p in b.pivots[r]:
                ident.setdefault(p, []).append(b.times[r])
        hub_values = {(d.type, d.value) for d in self.decisions.values() if d.hub}
        idents = [(t, v, (t, v) in hub_values, ts) for (t, v), ts in ident.items()]
        warnings = []
        if len(mem) > self.config.large_network_warning:
            warnings.append(f"large network: {len(mem)} records")
        return summarize(
            self.network[mem[0]],
            [self.keys[r] for r in mem],
            links,
            idents,
            [b.places[r] for r in mem],
            [b.times[r] for r in mem],
            [b.signals[r] for r in mem],
            warnings,
            held,
        )

    def templates(self, min_members: int = 3) -> Iterator[tuple[str, Template]]:
        """(network id, MDL template) of each text near-duplicate group, largest first.

        Needs the texts (`link_records` keeps them); a group whose template does not
        shorten its description yields nothing.
        """
        if self.texts is None:
            raise ValueError("templates need the record texts: use link_records")
        text_label = connected_components(len(self), self.text.pairs)
        order, starts, sizes = groups(text_label)
        cap = self.config.template_max_members
        for i in sorted(range(len(starts)), key=lambda i: (-int(sizes[i]), int(starts[i]))):
            if sizes[i] < min_members:
                break
            members = order[starts[i] : starts[i] + sizes[i]][:cap].tolist()
            tpl = find_template([self.texts[r] for r in members], [self.keys[r] for r in members])
            if tpl is not None:
                yield self.network[members[0]], tpl

    def network_of(self, record_id: str) -> Network | None:
        """The summary of the network holding `record_id` (None if no such record)."""
        try:
            r = self.keys.index(record_id)
        except ValueError:
            return None
        members = np.flatnonzero(self.labels == self.labels[r])
        label = self.labels[r]

        def touching(pairs: np.ndarray) -> np.ndarray:
            if len(pairs) == 0:
                return np.empty(0, np.int64)
            la, lb = self.labels[pairs[:, 0]], self.labels[pairs[:, 1]]
            return np.flatnonzero((la == label) | (lb == label))

        return self._summary(members, touching(self.id_pairs), touching(self.text.pairs))


def record_keys(ids: Sequence[str | None], lines: Sequence[int]) -> list[str]:
    """The name of each record in network ids: its id, or ``#line:N`` / ``#record:N`` without."""
    out = []
    for i, (rid, line) in enumerate(zip(ids, lines, strict=True)):
        if rid is not None:
            out.append(rid)
        else:
            out.append(f"#line:{line}" if line else f"#record:{i}")
    return out


def link_features(
    batch: FeatureChunk,
    config: LinkConfig,
    *,
    dismissed: set[tuple[int, int]] | None = None,
) -> LinkResult:
    """Run the linking stages over a batch (see the module docstring).

    `dismissed` holds pairs of batch positions (i < j) that a reviewer dismissed as
    erroneous links: they stay as evidence but no longer merge networks, like a
    resolver's negative judgement.
    """
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    n = len(batch)
    params = lsh_params(config)
    text = text_links(batch.values, batch.offsets, batch.fingerprints, batch.signatures, params)
    text_label = connected_components(n, text.pairs)
    lap("text")
    gap = None if config.identifier_gap_days is None else config.identifier_gap_days * 86400
    values = index_values(batch.pivots, batch.times, gap)
    has_text = np.diff(batch.offsets) > 0

    def exact(pairs: np.ndarray) -> np.ndarray:
        return jaccard_pairs(batch.values, batch.offsets, pairs)

    decisions = decide_hubs(
        values,
        text_label=text_label,
        has_text=has_text,
        places=batch.places,
        times=batch.times,
        jaccard=exact,
        config=config,
    )
    id_pairs, id_value, id_counts = identifier_links(values, decisions)
    lap("identifiers")
    excluded = np.array([k in config.text_exclude_kinds for k in batch.kinds], dtype=bool)
    text_counts = ~(excluded[text.pairs[:, 0]] | excluded[text.pairs[:, 1]])
    if dismissed:
        id_counts = id_counts & _not_dismissed(id_pairs, dismissed)
        text_counts = text_counts & _not_dismissed(text.pairs, dismissed)
    edges = []
    if "identifier" in config.evidence:
        edges.append(id_pairs[id_counts])
    if "text" in config.evidence:
        edges.append(text.pairs[text_counts])
    merged = np.concatenate(edges) if edges else np.empty((0, 2), dtype=np.int64)
    labels = connected_components(n, merged)
    keys = record_keys(batch.ids, batch.lines)
    network = network_ids(labels, keys)
    lap("networks")
    result = LinkResult(
        config, batch, keys, text, values, decisions, id_pairs, id_value, id_counts,
        text_counts, labels, network, [], timings,
    )  # fmt: skip
    result.warnings.extend(_warnings(result))
    return result


def _not_dismissed(pairs: np.ndarray, dismissed: set[tuple[int, int]]) -> np.ndarray:
    low, high = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    return np.array(
        [(a, b) not in dismissed for a, b in zip(low.tolist(), high.tolist(), strict=True)],
        dtype=bool,
    )


def _warnings(result: LinkResult) -> list[str]:
    out = []
    hubs = result.hubs()
    if hubs:
        top = ", ".join(f"{d.type}:{d.value} ({d.records} records)" for d in hubs[:5])
        out.append(f"{len(hubs)} shared values held back as hubs (kept as evidence): {top}")
    if len(result):
        sizes = np.bincount(result.labels)
        big = int(sizes.max())
        if big > result.config.large_network_warning:
            nid = result.network[int(np.argmax(sizes))]
            out.append(f"largest network {nid} has {big} records ({big / len(result):.1%})")
    if result.text.copies > result.config.large_network_warning:
        out.append(f"{result.text.copies} records are exact copies of another record's text")
    errors = sum(1 for e in result.batch.errors if e)
    if errors:
        out.append(f"{errors} records unusable (no evidence): see their error lines")
    if result.batch.notes:
        out.append(f"{result.batch.notes} records with extraction trouble (time budget)")
    return out
