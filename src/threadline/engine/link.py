"""`run_link` and `link_file`: linking a JSON Lines file with the local or the Ray engine."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from threadline.engine.output import LinkOutput
from threadline.engine.ray_link import RayOptions, link_ray
from threadline.engine.runtime import EngineError
from threadline.link.batch import LinkSummary, features_jsonl, summarize_result, write_assignments
from threadline.link.config import LinkConfig
from threadline.link.pipeline import LinkResult, link_features

ENGINES = ("local", "ray")


def _check(engine: str) -> None:
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")


def link_file(
    path: Path | str,
    config: LinkConfig | None = None,
    engine: str = "local",
    address: str | None = None,
    num_workers: int | None = None,
    *,
    options: RayOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> LinkResult | LinkOutput:
    """Every link, hub decision and network of the file's records, from either engine."""
    _check(engine)
    config = config or LinkConfig()
    if engine == "local":
        if address:
            raise EngineError("--address needs the ray engine")
        batch = features_jsonl(path, config, num_workers or 2, progress)
        return link_features(batch, config)
    options = options or RayOptions()
    options = replace(
        options,
        address=address or options.address,
        num_workers=num_workers or options.num_workers,
    )
    return link_ray(path, config, options, progress)


def run_link(
    path: Path | str,
    config: LinkConfig | None = None,
    engine: str = "local",
    address: str | None = None,
    num_workers: int | None = None,
    *,
    out_path: Path | str | None = None,
    options: RayOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> LinkSummary:
    """`link_jsonl` on the chosen engine: the summary, and the assignments file if `out_path`.

    The file is written once, after every distributed step has finished, through a
    temporary name renamed into place: a run that fails leaves no file, or the old one.
    """
    t0 = time.perf_counter()
    result: Any = link_file(
        path, config, engine, address, num_workers, options=options, progress=progress
    )
    t1 = time.perf_counter()
    if out_path is not None:
        out = Path(out_path)
        tmp = out.with_name(f".{out.name}.partial-{os.getpid()}")
        try:
            write_assignments(result, tmp)
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
    t2 = time.perf_counter()
    timings: dict[str, float] = {}
    if isinstance(result, LinkResult):
        timings = {f"cpu_{k}": round(v, 3) for k, v in result.batch.cpu_s.items()}
    timings |= {"link": round(t1 - t0, 3), "write": round(t2 - t1, 3), "total": round(t2 - t0, 3)}
    return summarize_result(result, timings)
