"""Batch linking: `link_records` (in memory) and `link_jsonl` (file → assignments file).

`link_jsonl` reads JSON Lines, computes per-record features in `workers`
processes over chunks of lines (extraction dominates the cost), runs the
linking stages once over the whole batch, and writes one line per input
record, in input order::

    {"id": "ad-0000001", "network": "net-3f2a…"}

A record whose line is not usable JSON gets ``{"id": null, "line": n,
"network": null, "error": "…"}``; a record without usable text gets its own
network and an ``"error"``. Blank lines are skipped. A singleton has a network
of its own. The same input gives the same file, whatever `workers` is.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from threadline.link.config import LinkConfig
from threadline.link.features import (
    FeatureChunk,
    RecordFeatures,
    build_chunk,
    concat_chunks,
    featurize,
    warm_up,
)
from threadline.link.pipeline import LinkResult, link_features

CHUNK_LINES = 2_000
MAX_LINE_BYTES = 1_048_576
MAX_RECORDED_ERRORS = 20


@dataclass(frozen=True)
class LinkSummary:
    """What a batch run did: counts, hubs held back, warnings, timings."""

    records: int
    errors: int
    networks: int  # with two or more records
    singletons: int
    largest: int
    in_networks: int  # records in a network of two or more
    identifier_links: int
    text_links: int
    hubs: tuple[dict[str, object], ...]  # hub decisions, most records first (at most 50)
    warnings: tuple[str, ...]
    error_samples: tuple[str, ...]
    timings: dict[str, float] = field(default_factory=dict)
    config: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "records": self.records,
            "errors": self.errors,
            "networks": self.networks,
            "singletons": self.singletons,
            "largest": self.largest,
            "in_networks": self.in_networks,
            "identifier_links": self.identifier_links,
            "text_links": self.text_links,
            "hubs": list(self.hubs),
            "warnings": list(self.warnings),
            "error_samples": list(self.error_samples),
            "timings": dict(self.timings),
            "config": dict(self.config),
        }


def summarize_result(result: LinkResult, timings: Mapping[str, float] | None = None) -> LinkSummary:
    n = len(result)
    sizes = np.bincount(result.labels, minlength=max(n, 1)) if n else np.zeros(1, np.int64)
    nets = sizes[sizes >= 2]
    errors = [
        f"line {ln}: {e}" if ln else f"record {i}: {e}"
        for i, (e, ln) in enumerate(zip(result.batch.errors, result.batch.lines, strict=True))
        if e
    ]
    all_timings = dict(timings or {})
    all_timings.update(result.timings)
    return LinkSummary(
        records=n,
        errors=len(errors),
        networks=len(nets),
        singletons=int(np.sum(sizes == 1)),
        largest=int(sizes.max()) if n else 0,
        in_networks=int(nets.sum()),
        identifier_links=len(result.id_pairs),
        text_links=len(result.text.pairs),
        hubs=tuple(d.to_dict() for d in result.hubs()[:50]),
        warnings=tuple(result.warnings),
        error_samples=tuple(errors[:MAX_RECORDED_ERRORS]),
        timings=all_timings,
        config=result.config.to_dict(),
    )


def link_records(
    records: Iterable[Mapping[str, Any]],
    *,
    config: LinkConfig | None = None,
    signals: Mapping[str, Sequence[tuple[str, float]]] | None = None,
) -> LinkResult:
    """Link records held in memory (one process). `signals` maps record id → (indicator, weight)
    pairs from the indicator stage; a record's own ``signals`` field is used otherwise."""
    config = config or LinkConfig()
    feats: list[RecordFeatures] = []
    texts: list[str] = []
    memo: dict[tuple[str, str], Any] = {}
    for obj in records:
        text = obj.get("text") if isinstance(obj, Mapping) else None
        texts.append(text if isinstance(text, str) else "")
        f = featurize(obj, config, memo)
        if signals is not None and f.id is not None and f.id in signals:
            f = replace(f, signals=tuple((str(k), float(w)) for k, w in signals[f.id]))
        feats.append(f)
    chunk = build_chunk(feats, [0] * len(feats), config)
    result = link_features(chunk, config)
    result.texts = texts
    return result


# --- JSON Lines, in worker processes ------------------------------------------------------------


def _parse(line: bytes) -> tuple[Any, str | None]:
    if len(line) > MAX_LINE_BYTES:
        return None, f"line longer than {MAX_LINE_BYTES} bytes"
    try:
        return orjson.loads(line), None
    except orjson.JSONDecodeError as exc:
        return None, f"invalid JSON: {str(exc)[:200]}"


def featurize_lines(lines: Sequence[tuple[int, bytes]], config: LinkConfig) -> FeatureChunk:
    """Features of (line number, raw line) pairs: the unit of work of a worker process."""
    t0 = time.process_time()
    feats = []
    memo: dict[tuple[str, str], Any] = {}
    for _, raw in lines:
        obj, err = _parse(raw)
        if err is not None:
            feats.append(RecordFeatures(None, (), (), 0, None, None, error=err))
        else:
            feats.append(featurize(obj, config, memo))
    t1 = time.process_time()
    chunk = build_chunk(feats, [n for n, _ in lines], config)
    chunk.cpu_s["parse+features"] = t1 - t0 - chunk.cpu_s["extract"]
    return chunk


def _chunks(path: Path, size: int) -> Iterator[list[tuple[int, bytes]]]:
    chunk: list[tuple[int, bytes]] = []
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            chunk.append((n, line))
            if len(chunk) == size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def features_jsonl(
    path: Path | str,
    config: LinkConfig,
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
) -> FeatureChunk:
    """Features of every record of a JSON Lines file, computed in `workers` processes."""
    path = Path(path)
    workers = max(1, workers)
    warm_up(config)  # forked workers inherit the loaded data
    chunks: list[FeatureChunk] = []
    pool = None
    if workers > 1:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        try:
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        except (OSError, NotImplementedError):  # no semaphores (e.g. no /dev/shm): go serial
            pool = None
    if pool is None:
        for lines in _chunks(path, CHUNK_LINES):
            chunks.append(featurize_lines(lines, config))
            if progress is not None:
                progress(len(lines))
    else:
        with pool:
            pending: deque[Future[FeatureChunk]] = deque()
            for lines in _chunks(path, CHUNK_LINES):
                if len(pending) >= 2 * workers:  # bounded: memory does not grow with the file
                    done = pending.popleft().result()
                    chunks.append(done)
                    if progress is not None:
                        progress(len(done))
                pending.append(pool.submit(featurize_lines, lines, config))
            while pending:
                done = pending.popleft().result()
                chunks.append(done)
                if progress is not None:
                    progress(len(done))
    return concat_chunks(chunks, config.num_perm)


def write_assignments(result: LinkResult, out_path: Path) -> None:
    """One line per record, in input order (see the module docstring)."""
    b = result.batch
    with open(out_path, "wb", buffering=1 << 20) as fh:
        for i in range(len(result)):
            err = b.errors[i]
            if err is not None and b.ids[i] is None:
                row: dict[str, Any] = {
                    "id": None,
                    "line": b.lines[i],
                    "network": None,
                    "error": err,
                }
            else:
                row = {"id": b.ids[i], "network": result.network[i]}
                if err is not None:
                    row["error"] = err
            fh.write(orjson.dumps(row) + b"\n")


def link_jsonl(
    in_path: Path | str,
    out_path: Path | str,
    *,
    config: LinkConfig | None = None,
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
) -> LinkSummary:
    """Link the records of a JSON Lines file and write the assignments file."""
    config = config or LinkConfig()
    t0 = time.perf_counter()
    batch = features_jsonl(in_path, config, workers, progress)
    t1 = time.perf_counter()
    result = link_features(batch, config)
    t2 = time.perf_counter()
    write_assignments(result, Path(out_path))
    t3 = time.perf_counter()
    timings = {f"cpu_{k}": round(v, 3) for k, v in batch.cpu_s.items()}
    timings |= {
        "features": round(t1 - t0, 3),
        "link": round(t2 - t1, 3),
        "write": round(t3 - t2, 3),
        "total": round(t3 - t0, 3),
    }
    return summarize_result(result, timings)
