"""The linker on Ray: the same stages as `threadline.link.pipeline`, over partitions of records.

Per partition (a Ray task each; the partition's results stay in Ray's object
store, on the node that made them):

1. **features** — parsing, extraction of pivot values, shingles, MinHash
   signatures and text fingerprints (`link.batch.featurize_lines`, unchanged).

Shuffles (map tasks per partition → reduce tasks by hashed key; payloads are
numeric arrays only, see `shuffle`):

2. **copies** — text fingerprint → record numbers: exact copies;
3. **bands** — (band, band key) → record numbers: the LSH buckets of every
   band; reducers also send each bucket's candidate pairs to verification;
4. **identifiers** — keyed hash of (type, value) → record numbers and
   posting times: shared values, their uses (reissued numbers) and counts.

Then:

5. **verification** — tasks by partition of the pair's first record screen
   candidates by their signatures and compute exact Jaccard, reading the
   partitions' shingles from the object store;
6. **text links** — the driver replays the local stage band by band over the
   buckets (pair order, connectivity pruning and counts as in
   `link.text.text_links`), looking up the verified similarities;
7. **hub decisions** — `link.identifiers.decide_hubs` on the driver over
   the shared values only; the pairs it samples are verified by the tasks
   of step 5 (the decision function is run once to learn which pairs, once
   with their similarities: it is deterministic);
8. **components** — large-star / small-star over Ray tasks (`star`);
9. **network ids** — from labels and record ids, as `link.components`.

The raw values of shared identifiers reach the driver only through a lookup
of the values the output names (hub decisions and link reasons), never through
a shuffle. Every step is a deterministic function of the input and config,
so the output equals the local engine's (tests/test_engine_ray.py checks it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from threadline.engine import keyed
from threadline.engine.output import BatchMeta, LinkOutput
from threadline.engine.ray_tasks import (
    PartMeta,
    bands_map,
    bands_reduce,
    copies_map,
    copies_reduce,
    features_task,
    ident_map,
    ident_reduce,
    lookup_task,
    ramp,
    rank_task,
    verify_task,
)
from threadline.engine.runtime import EngineError, ray_session
from threadline.engine.shuffle import (
    pack_pairs,
    split,
)
from threadline.engine.star import components_ray
from threadline.link.batch import _chunks
from threadline.link.components import connected_components, network_ids
from threadline.link.config import LinkConfig
from threadline.link.identifiers import ValueIndex, decide_hubs, identifier_links
from threadline.link.lsh import _bucket_pairs
from threadline.link.pipeline import _warnings, lsh_params, record_keys
from threadline.link.text import ALL_PAIRS_UP_TO, PREFILTER_SIGMAS, TextLinks

PARTITION_RECORDS = 10_000
OTHER_VALUE = "(values on no other record)"  # type of the placeholder values, see `output`


@dataclass(frozen=True)
class RayOptions:
    """How to run on Ray. `kill_once` is a fault drill: the first attempt of partition 1's
    feature task kills its own worker process (once: a marker file records it)."""

    address: str | None = None
    num_workers: int | None = None
    partition_records: int = PARTITION_RECORDS
    reducers: int | None = None  # default: 2 × the cluster's CPUs
    data_dir: Path | None = None
    object_store_mb: int | None = None
    max_retries: int = 3
    tap_dir: str | None = None  # save every shuffle's reducer inputs here (audit, tests)
    kill_once: str | None = None


# --- the driver -------------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.t = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.t, 3)
        self.t = now


def link_ray(
    path: Path | str,
    config: LinkConfig | None = None,
    options: RayOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> LinkOutput:
    """Link the records of a JSON Lines file on Ray (see the module docstring)."""
    config = config or LinkConfig()
    options = options or RayOptions()
    path = Path(path)
    if not path.is_file():
        raise EngineError(f"no such file: {path}")
    with ray_session(
        options.address,
        options.num_workers,
        data_dir=options.data_dir,
        object_store_mb=options.object_store_mb,
    ) as ray:
        try:
            return _run(ray, path, config, options, progress)
        except EngineError:
            raise
        except (ray.exceptions.RayError, RuntimeError) as exc:
            raise EngineError(f"the Ray run failed, nothing was written: {exc}") from exc


def _run(
    ray: Any,
    path: Path,
    config: LinkConfig,
    options: RayOptions,
    progress: Callable[[int], None] | None,
) -> LinkOutput:
    clock = _Clock()
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    reducers = options.reducers or 2 * cpus
    opts = {"max_retries": options.max_retries, "retry_exceptions": False}
    rf = ray.remote(num_returns=3, **opts)(features_task)

    # 1. features per partition; the driver reads lines and keeps a bounded window in flight
    metas_refs, text_refs, private_refs = [], [], []
    window = 2 * cpus + 1
    in_flight: list[Any] = []
    for part, lines in enumerate(_chunks(path, max(1, options.partition_records))):
        if len(in_flight) >= window:  # bounded: the driver does not read ahead of the workers
            _, in_flight = ray.wait(in_flight, num_returns=1, fetch_local=False)
        marker = options.kill_once if part == 1 else None
        m, t, p = rf.remote(lines, config, marker)
        metas_refs.append(m)
        in_flight.append(m)
        text_refs.append(t)
        private_refs.append(p)
        if progress is not None:
            progress(len(lines))
    metas: list[PartMeta] = ray.get(metas_refs)
    sizes = [len(m.ids) for m in metas]
    bases = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    n = int(bases[-1])
    batch = BatchMeta(
        [i for m in metas for i in m.ids],
        [ln for m in metas for ln in m.lines],
        [e for m in metas for e in m.errors],
        [k for m in metas for k in m.kinds],
        sum(m.notes for m in metas),
    )
    has_fp = _cat([m.has_fp for m in metas], bool)
    has_text = _cat([m.has_text for m in metas], bool)
    excluded = _cat([m.excluded for m in metas], bool)
    cpu: dict[str, float] = {}
    for m in metas:
        for k, v in m.cpu_s.items():
            cpu[k] = cpu.get(k, 0.0) + v
    del metas  # the lists now live in `batch` only
    clock.lap("features")

    parts = len(sizes)
    groups = min(parts, reducers) if parts else 1
    group_bounds = (
        bases[np.linspace(0, parts, groups + 1).round().astype(int)]
        if parts
        else np.zeros(2, np.int64)
    )
    group_bounds[-1] = max(n, 1)  # a record number past the last falls in the last group
    bases_ref = ray.put(bases)

    # 2. exact copies: fingerprint → records
    copies_m = (
        ray.remote(num_returns=reducers, **opts)(copies_map)
        if reducers > 1
        else ray.remote(**opts)(_one(copies_map))
    )
    copies_r = ray.remote(**opts)(copies_reduce)
    maps = [_as_list(copies_m.remote(t, int(bases[i]), reducers)) for i, t in enumerate(text_refs)]
    red = [copies_r.remote(options.tap_dir, j, *[mo[j] for mo in maps]) for j in range(reducers)]
    copy_parts = [c for c in ray.get(red) if len(c)]
    copies = np.concatenate(copy_parts) if copy_parts else np.empty((0, 2), np.int64)
    copies = copies[np.lexsort((copies[:, 1], copies[:, 0]))] if len(copies) else copies
    active = has_fp.copy()
    active[copies[:, 1]] = False
    clock.lap("copies")

    # 3.–6. LSH buckets, verification, the text links
    params = lsh_params(config)
    t = params.threshold
    sigma = math.sqrt(t * (1 - t) / config.num_perm) if n else 0.0
    floor = max(0.0, t - PREFILTER_SIGMAS * sigma)
    buckets: list[list[Any]] = []
    passing = np.empty(0, np.uint64)
    sims = np.empty(0, np.float64)
    if int(active.sum()) >= 2:
        bands_m = (
            ray.remote(num_returns=reducers, **opts)(bands_map)
            if reducers > 1
            else ray.remote(**opts)(_one(bands_map))
        )
        nret = params.bands + groups
        bands_r = (
            ray.remote(num_returns=nret, **opts)(bands_reduce)
            if nret > 1
            else ray.remote(**opts)(_one(bands_reduce))
        )
        maps = [
            _as_list(
                bands_m.remote(
                    t_ref,
                    int(bases[i]),
                    active[bases[i] : bases[i + 1]],
                    params.bands,
                    params.rows,
                    reducers,
                )
            )
            for i, t_ref in enumerate(text_refs)
        ]
        red = [
            _as_list(
                bands_r.remote(
                    options.tap_dir, j, params.bands, group_bounds, *[mo[j] for mo in maps]
                )
            )
            for j in range(reducers)
        ]
        del maps
        buckets = [[r[b] for r in red] for b in range(params.bands)]
        clock.lap("bands")
        passing, sims = _verify(
            ray,
            opts,
            text_refs,
            bases_ref,
            floor,
            [[r[params.bands + g] for r in red] for g in range(groups)],
        )
        del red
        clock.lap("verify")
    text = _replay(ray, n, copies, buckets, passing, sims, t, params.bands, int(active.sum()))
    text_label = connected_components(n, text.pairs)
    del buckets, passing, sims
    clock.lap("text")

    # 7. identifiers: shuffle by keyed hash, values looked up for the output, hub decisions
    key = keyed.new_key()
    named = frozenset(config.hub_values) | frozenset(config.not_hub_values)
    gap_s = None if config.identifier_gap_days is None else config.identifier_gap_days * 86400
    ident_m = (
        ray.remote(num_returns=reducers, **opts)(ident_map)
        if reducers > 1
        else ray.remote(**opts)(_one(ident_map))
    )
    ident_r = ray.remote(**opts)(ident_reduce)
    maps = [
        _as_list(ident_m.remote(p, int(bases[i]), key, named, reducers))
        for i, p in enumerate(private_refs)
    ]
    kept = ray.get(
        [
            ident_r.remote(options.tap_dir, j, gap_s, *[mo[j] for mo in maps])
            for j in range(reducers)
        ]
    )
    del maps
    values = _value_index(ray, opts, kept, private_refs, bases, key, config, n)
    clock.lap("identifiers")
    index, places, times = values
    decisions = _decide(
        ray,
        opts,
        index,
        text_label,
        has_text,
        places,
        times,
        text_refs,
        bases_ref,
        bases,
        groups,
        group_bounds,
        config,
    )
    id_pairs, id_value, id_counts = identifier_links(index, decisions)
    clock.lap("hubs")

    # 8. networks
    edges = []
    if "identifier" in config.evidence:
        edges.append(id_pairs[id_counts])
    text_counts = ~(excluded[text.pairs[:, 0]] | excluded[text.pairs[:, 1]])
    if "text" in config.evidence:
        edges.append(text.pairs[text_counts])
    merged = np.concatenate(edges) if edges else np.empty((0, 2), dtype=np.int64)
    labels, rounds = components_ray(ray, n, merged, reducers)
    clock.lap("components")
    keys = record_keys(batch.ids, batch.lines)
    network = network_ids(labels, keys)
    clock.lap("network_ids")
    timings = {f"cpu_{k}": round(v, 3) for k, v in cpu.items()}
    timings |= {f"ray_{k}": v for k, v in clock.laps.items()}
    timings |= {"ray_partitions": parts, "ray_reducers": reducers, "ray_cc_rounds": rounds}
    out = LinkOutput(
        config, batch, keys, text, index, decisions, id_pairs, id_value, id_counts,
        text_counts, labels, network, [], timings,
    )  # fmt: skip
    out.warnings.extend(_warnings(out))
    return out


def _cat(arrays: Sequence[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype) if arrays else np.empty(0, dtype)


def _one(fn: Callable[..., list[Any]]) -> Callable[..., Any]:
    """A map or reduce function with one output: Ray returns the object, not a list."""

    def single(*args: Any) -> Any:
        out = fn(*args)
        return out[0]

    single.__name__ = fn.__name__
    single.__qualname__ = fn.__qualname__
    return single


def _as_list(refs: Any) -> list[Any]:
    return refs if isinstance(refs, list) else [refs]


def _verify(
    ray: Any,
    opts: dict[str, Any],
    text_refs: list[Any],
    bases_ref: Any,
    floor: float | None,
    by_group: list[list[Any]],
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted packed pairs and their exact Jaccard, over verification groups."""
    task = ray.remote(num_returns=2, **opts)(verify_task)
    outs = [task.remote(text_refs, bases_ref, floor, *payloads) for payloads in by_group]
    packed = [ray.get(o[0]) for o in outs]
    sim = [ray.get(o[1]) for o in outs]
    if not packed:
        return np.empty(0, np.uint64), np.empty(0, np.float64)
    allp, alls = np.concatenate(packed), np.concatenate(sim)
    order = np.argsort(allp, kind="stable")
    return allp[order], alls[order]


def _bucket_lists(ray: Any, refs: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(members in bucket-key order, starts, lengths) of one band, merged from all reducers."""
    got = ray.get(refs)
    keys = np.concatenate([g[0] for g in got])
    sizes = np.concatenate([g[1] for g in got])
    members = np.concatenate([g[2] for g in got])
    starts = np.cumsum(sizes) - sizes
    order = np.argsort(keys, kind="stable")
    idx = np.repeat(starts[order], sizes[order]) + ramp(sizes[order])
    lengths = sizes[order]
    return members[idx], np.cumsum(lengths) - lengths, lengths


def _replay(
    ray: Any,
    n: int,
    copies: np.ndarray,
    buckets: list[list[Any]],
    passing: np.ndarray,
    sims: np.ndarray,
    t: float,
    bands: int,
    active_count: int,
) -> TextLinks:
    """`text.text_links`, band by band, with verification looked up instead of computed."""
    labels = connected_components(n, copies)
    found_pairs: list[np.ndarray] = [copies]
    found_sim: list[np.ndarray] = [np.ones(len(copies))]
    candidates = verified = 0
    for band in range(bands if active_count >= 2 else 0):
        order, starts, lengths = _bucket_lists(ray, buckets[band])
        pairs = _bucket_pairs(order, starts, lengths, ALL_PAIRS_UP_TO)
        candidates += len(pairs)
        pairs = pairs[labels[pairs[:, 0]] != labels[pairs[:, 1]]]
        if len(pairs) == 0:
            continue
        packed = pack_pairs(pairs[:, 0], pairs[:, 1])
        at = np.searchsorted(passing, packed)
        hit = at < len(passing)
        hit[hit] = passing[at[hit]] == packed[hit]
        pairs = pairs[hit]
        verified += len(pairs)
        sim = sims[at[hit]]
        ok = sim >= t
        if ok.any():
            new = np.sort(pairs[ok], axis=1)
            found_pairs.append(new)
            found_sim.append(sim[ok])
            labels = connected_components(n, new, initial=labels)
    return TextLinks(
        np.concatenate(found_pairs).astype(np.int64),
        np.concatenate(found_sim),
        len(copies),
        candidates,
        verified,
    )


def _value_index(
    ray: Any,
    opts: dict[str, Any],
    kept: list[tuple[np.ndarray, ...]],
    private_refs: list[Any],
    bases: np.ndarray,
    key: bytes,
    config: LinkConfig,
    n: int,
) -> tuple[ValueIndex, dict[int, str | None], dict[int, int | None]]:
    """The value index of `output`, with places and times of the hub candidates.

    Kept uses sit at the index the local `index_values` gives them (the hub rule
    seeds its samples with it): the number of uses of every value sorted before
    them. Uses of the values kept nowhere (each on one record) are counted, per
    partition, against the sorted kept values (`rank_task`); their slots stay empty,
    and one placeholder per record that carries any of them follows the last slot.
    """
    hi = _cat([k[0] for k in kept], np.uint64)
    lo = _cat([k[1] for k in kept], np.uint64)
    epoch = _cat([k[2] for k in kept], np.int64)
    epochs = _cat([k[3] for k in kept], np.int64)
    count = _cat([k[4] for k in kept], np.int64)
    members = _cat([k[5] for k in kept], np.int64)
    lonely = np.unique(_cat([k[6] for k in kept], np.int64))
    named = _cat([k[7] for k in kept], bool)
    starts = np.cumsum(count) - count
    # hub candidates need places and times; every kept value needs its (type, value)
    candidate = (count >= max(2, config.hub_min_records)) | named
    wanted_recs = (
        np.unique(members[np.repeat(candidate, count)]) if len(count) else np.empty(0, np.int64)
    )
    kept_hashes = frozenset(zip(hi.tolist(), lo.tolist(), strict=True))
    wanted = ray.put(kept_hashes)
    task = ray.remote(**opts)(lookup_task)
    outs = []
    for i, p in enumerate(private_refs):
        lo_b, hi_b = np.searchsorted(wanted_recs, [bases[i], bases[i + 1]])
        outs.append(task.remote(p, int(bases[i]), key, wanted, wanted_recs[lo_b:hi_b]))
    label: dict[tuple[int, int], tuple[str, str]] = {}
    places: dict[int, str | None] = {}
    times: dict[int, int | None] = {}
    for found, pl, tm in ray.get(outs):
        label.update(found)
        places.update(pl)
        times.update(tm)
    names = [label[(h, low)] for h, low in zip(hi.tolist(), lo.tolist(), strict=True)]
    # the kept values in local order, and how many uses of other values sort before each
    uses_of: dict[tuple[str, str], int] = {}
    for name, eps in zip(names, epochs.tolist(), strict=True):
        uses_of[name] = eps
    sorted_names = sorted(uses_of)
    rank = ray.remote(**opts)(rank_task)
    names_ref = ray.put(sorted_names)
    hist = np.zeros(len(sorted_names) + 1, dtype=np.int64)
    for h in ray.get([rank.remote(p, key, wanted, names_ref) for p in private_refs]):
        hist += h
    kept_uses = np.array([uses_of[nm] for nm in sorted_names], dtype=np.int64)
    first_use = np.cumsum(np.concatenate(([0], kept_uses[:-1]))) + np.cumsum(hist[:-1])
    first_of = dict(zip(sorted_names, first_use.tolist(), strict=True))
    total = int(kept_uses.sum() + hist.sum())
    gid = np.array(
        [first_of[nm] + int(e) for nm, e in zip(names, epoch.tolist(), strict=True)],
        dtype=np.int64,
    )
    order = np.argsort(gid, kind="stable")
    sizes = count[order]
    rec = members[np.repeat(starts[order], sizes) + ramp(sizes)]
    val = np.repeat(gid[order], sizes)
    # one placeholder value per record whose other values are on no other record
    rec = np.concatenate((rec, lonely))
    val = np.concatenate((val, np.arange(total, total + len(lonely), dtype=np.int64)))
    bounds = np.searchsorted(val, np.arange(total + len(lonely) + 1)).astype(np.int64)
    types = [OTHER_VALUE] * (total + len(lonely))
    values = [""] * (total + len(lonely))
    epoch_t = [0] * (total + len(lonely))
    epochs_t = [1] * (total + len(lonely))
    for i, g in enumerate(gid.tolist()):
        types[g], values[g] = names[i]
        epoch_t[g], epochs_t[g] = int(epoch[i]), int(epochs[i])
    for k, r in enumerate(lonely.tolist()):
        values[total + k] = f"#{r}"
    index = ValueIndex(
        tuple(types), tuple(values), rec, val, bounds, tuple(epoch_t), tuple(epochs_t)
    )
    return index, places, times


def _decide(
    ray: Any,
    opts: dict[str, Any],
    index: ValueIndex,
    text_label: np.ndarray,
    has_text: np.ndarray,
    places: dict[int, str | None],
    times: dict[int, int | None],
    text_refs: list[Any],
    bases_ref: Any,
    bases: np.ndarray,
    groups: int,
    group_bounds: np.ndarray,
    config: LinkConfig,
) -> dict[int, Any]:
    """`decide_hubs`, run once to learn which text pairs it samples, once with their Jaccard."""
    asked: list[np.ndarray] = []

    def record(pairs: np.ndarray) -> np.ndarray:
        asked.append(np.asarray(pairs, dtype=np.int64).reshape(-1, 2))
        return np.zeros(len(pairs))

    args = {
        "text_label": text_label,
        "has_text": has_text,
        "places": places,
        "times": times,
        "config": config,
    }
    decide_hubs(index, jaccard=record, **args)  # type: ignore[arg-type]
    pairs = np.concatenate(asked) if asked else np.empty((0, 2), np.int64)
    if len(pairs) == 0:
        return decide_hubs(index, jaccard=record, **args)  # type: ignore[arg-type]
    packed = np.unique(pack_pairs(pairs[:, 0], pairs[:, 1]))
    first = (packed >> np.uint64(32)).astype(np.int64)
    dest = np.searchsorted(group_bounds, first, side="right") - 1
    by_group = [[ray.put(p)] for p in split((packed,), dest, groups)]
    known, sims = _verify(ray, opts, text_refs, bases_ref, None, by_group)

    def lookup(pairs: np.ndarray) -> np.ndarray:
        p = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        at = np.searchsorted(known, pack_pairs(p[:, 0], p[:, 1]))
        return sims[at]

    return decide_hubs(index, jaccard=lookup, **args)  # type: ignore[arg-type]
