"""Throughput and peak memory of `threadline.synth.write_corpus`.

    python benchmarks/bench_synth.py [--count 100000] [--seed 1] [--workers N] [--no-warc]

Runs each mode (jsonl; jsonl + WARC) in a fresh subprocess so that its peak
RSS (the process and its worker processes, from `resource.getrusage`) is its
own, and prints ads/s, elapsed seconds, CPU seconds of all processes, output
size and peak RSS. On a shared machine ads/s depends on the load, and CPU
time per ad too (cores shared with other processes run slower): the baseline
line, printed first, times one block of the same corpus made in-process (the
generator and JSON alone, no worker processes, no files), so the cost of the
worker processes and the writer can be read off in the same run. For
load-independent figures, count instructions with valgrind --tool=callgrind.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def _run_mode(count: int, seed: int, workers: int | None, warc: bool, out: Path) -> dict:
    from threadline.synth import write_corpus

    stats = write_corpus(out, count, seed, warc=warc, workers=workers)
    size = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    main_cpu = me.ru_utime + me.ru_stime
    cpu = main_cpu + kids.ru_utime + kids.ru_stime
    return {
        "mode": "jsonl+warc" if warc else "jsonl",
        "count": count,
        "elapsed_s": round(stats.elapsed_s, 2),
        "ads_per_s": round(count / stats.elapsed_s),
        "cpu_s": round(cpu, 2),
        "ads_per_cpu_s": round(count / cpu),
        # CPU per ad: the load of a shared machine barely moves it, unlike ads/s
        "cpu_us_per_ad": round(cpu / count * 1e6, 1),
        "main_cpu_us_per_ad": round(main_cpu / count * 1e6, 1),
        "load_avg": round(os.getloadavg()[0], 2),
        "bytes_written": size,
        "peak_rss_mib": round(me.ru_maxrss / 1024, 1),  # ru_maxrss is KiB on Linux
        "peak_rss_worker_mib": round(kids.ru_maxrss / 1024, 1),
        "operations": stats.operations,
        "by_lang": stats.by_lang,
    }


def _baseline(seed: int) -> None:
    """CPU per ad of one block (BLOCK ads) made in this process, best of three."""
    import time

    from threadline.synth.corpus import BLOCK, _make_block

    _make_block(seed, 0, 1000, False, None)  # warm: imports, phone pool, caches
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        _make_block(seed, 0, BLOCK, False, None)
        best = min(best, time.process_time() - t0)
    print(
        f"baseline    {BLOCK:>9,} ads  one block in-process (generator + JSON only): "
        f"{best / BLOCK * 1e6:.1f} CPU-us/ad, load {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def _show(res: dict) -> None:
    print(
        f"{res['mode']:<11} {res['count']:>9,} ads  {res['elapsed_s']:>8.2f} s  "
        f"{res['ads_per_s']:>7,} ads/s  ({res['ads_per_cpu_s']:,} ads per CPU-second, "
        f"{res['cpu_s']:.0f} CPU-s, {res['cpu_us_per_ad']:.1f} CPU-us/ad of which main "
        f"{res['main_cpu_us_per_ad']:.1f}, load {res['load_avg']:.1f})  "
        f"{res['bytes_written'] / 2**20:.1f} MiB written  "
        f"peak RSS {res['peak_rss_mib']:.0f} MiB, largest worker "
        f"{res['peak_rss_worker_mib']:.0f} MiB",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None, help="default: the CPUs available")
    ap.add_argument("--no-warc", action="store_true", help="skip the jsonl+warc run")
    ap.add_argument("--mode", choices=("jsonl", "warc"), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.mode:  # child: one measurement, as JSON on stdout
        res = _run_mode(args.count, args.seed, args.workers, args.mode == "warc", args.out)
        print(json.dumps(res))
        return

    _baseline(args.seed)
    for mode in ["jsonl"] if args.no_warc else ["jsonl", "warc"]:
        out = Path(tempfile.mkdtemp(prefix="bench_synth_"))
        cmd = [sys.executable, __file__, "--mode", mode, "--count", str(args.count)]
        cmd += ["--seed", str(args.seed), "--out", str(out)]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        try:
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        _show(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
