"""Ingest throughput and peak memory on synthetic ads, JSON Lines and WARC, into SQLite.

    python benchmarks/bench_ingest.py                       # 100k and 1M ads, jsonl and warc
    python benchmarks/bench_ingest.py --sizes 20000 --formats jsonl

Each ingest runs in a fresh process and a fresh data directory, so its peak RSS
is its own. The corpus is generated once per size (not timed) under
benchmarks/out/. Prints a Markdown table for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def child(path: str, fmt: str) -> None:
    from threadline.cases import create_case
    from threadline.config import Settings
    from threadline.ingest.service import ingest_paths
    from threadline.safeguards.access import ensure_local_admin
    from threadline.store import Store

    data_dir = tempfile.mkdtemp(prefix="bench-ingest-", dir=OUT)
    store = Store(Settings.load(data_dir=data_dir, actor="bench"))
    ensure_local_admin(store, "bench")  # the acting user must exist (admin and supervisor)
    create_case(store, "bench", "bench", "Benchmark on synthetic ads", "Synthetic data only")
    start, cpu_start = time.perf_counter(), time.process_time()
    summary = ingest_paths(store, "bench", "bench", [Path(path)], fmt=fmt)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    db_bytes = sum(f.stat().st_size for f in Path(data_dir).glob("threadline.db*"))
    print(
        json.dumps(
            {
                "elapsed": elapsed,
                "cpu": cpu,
                "load": os.getloadavg()[0],
                "read": summary.total("read"),
                "stored": summary.total("stored"),
                "quarantined": summary.total("quarantined"),
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "db_mib": db_bytes / 2**20,
                "data_dir": data_dir,
            }
        )
    )


def corpus(size: int, warc: bool) -> Path:
    from threadline.synth import write_corpus

    # a WARC corpus gets its own folder: generating it rewrites ads.jsonl too
    folder = OUT / (f"corpus-{size}-warc" if warc else f"corpus-{size}")
    target = folder / ("ads.warc.gz" if warc else "ads.jsonl")
    if not target.exists():
        print(f"generating {size:,} ads{' + WARC' if warc else ''} …", file=sys.stderr)
        write_corpus(folder, size, seed=1, warc=warc)
    return target


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--formats", nargs="+", default=["jsonl", "warc"], choices=["jsonl", "warc"])
    ap.add_argument("--keep", action="store_true", help="keep the data directories")
    ap.add_argument("--child", nargs=2, metavar=("PATH", "FORMAT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    if args.child:
        child(*args.child)
        return
    rows = []
    for size in args.sizes:
        for fmt in args.formats:
            path = corpus(size, warc=fmt == "warc")
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(path), fmt],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            rows.append((size, fmt, path.stat().st_size, r))
            print(
                f"{size:>9,} {fmt:5} {r['read'] / r['elapsed']:>9,.0f} records/s "
                f"peak {r['peak_rss_mib']:,.0f} MiB",
                file=sys.stderr,
            )
            if not args.keep:
                subprocess.run(["rm", "-rf", r["data_dir"]], check=True)
    print(f"\nmachine: {os.cpu_count()} cores; python {sys.version.split()[0]}\n")
    print(
        "| ads | format | source MiB | records read | stored | seconds | records/s "
        "| records per CPU-s | load avg | peak RSS MiB | SQLite MiB |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, fmt, nbytes, r in rows:
        print(
            f"| {size:,} | {fmt} | {nbytes / 2**20:,.0f} | {r['read']:,} | {r['stored']:,} | "
            f"{r['elapsed']:,.1f} | {r['read'] / r['elapsed']:,.0f} | "
            f"{r['read'] / r['cpu']:,.0f} | {r['load']:.1f} | {r['peak_rss_mib']:,.0f} | "
            f"{r['db_mib']:,.0f} |"
        )


if __name__ == "__main__":
    main()
