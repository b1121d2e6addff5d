"""Evidence export and verify: time and peak memory per selection size, on synthetic ads in SQLite.

    python benchmarks/bench_evidence.py            # 20k-ad case; selections of 100, 1k, 10k
    python benchmarks/bench_evidence.py --ads 5000 --select 100 1000

The case is generated, ingested and analysed once (not timed). Each selection
size runs in a fresh process so its peak RSS is its own. Baseline in the same
process: reading the selection's rows (`selection.load`) and SHA-256 over the
finished bundle's files, the floor under export and verify respectively.
Prints a Markdown table for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _timed(fn):  # type: ignore[no-untyped-def]
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - start, time.process_time() - cpu


def child(data_dir: str, count: int) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from sqlalchemy import select

    from threadline.config import Settings
    from threadline.evidence import Selection, export_bundle, export_case, export_ftm, verify_bundle
    from threadline.evidence.selection import load
    from threadline.store import Store
    from threadline.store.models import Record

    store = Store(Settings.load(data_dir=data_dir, actor="bench"))
    with store.read() as session:
        ids = session.scalars(select(Record.id).order_by(Record.id).limit(count)).all()
    sel = Selection.of_records(ids)
    key = Ed25519PrivateKey.generate()
    out = Path(tempfile.mkdtemp(prefix="bench-evidence-", dir=OUT))
    row: dict[str, float] = {"records": len(ids)}
    _, row["load_s"], _ = _timed(lambda: load(store, "bench", sel))
    for name, fn in (
        (
            "bundle_pseudo",
            lambda: export_bundle(store, "bench", "bench", sel, out / "bp", signing_key=key),
        ),
        (
            "bundle_clear",
            lambda: export_bundle(
                store, "bench", "bench", sel, out / "bc", signing_key=key, pseudonymize=False
            ),
        ),
        ("case", lambda: export_case(store, "bench", "bench", sel, out / "c")),
        ("ftm", lambda: export_ftm(store, "bench", "bench", sel, out / "f")),
        ("verify", lambda: verify_bundle(out / "bc")),
    ):
        result, row[f"{name}_s"], row[f"{name}_cpu"] = _timed(fn)
        if name == "verify":
            assert result.ok, result.problems
    files = [p for p in (out / "bc").rglob("*") if p.is_file()]
    row["bundle_mib"] = sum(p.stat().st_size for p in files) / 2**20
    _, row["sha_s"], _ = _timed(lambda: [hashlib.sha256(p.read_bytes()).hexdigest() for p in files])
    row["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row["load_avg"] = os.getloadavg()[0]
    subprocess.run(["rm", "-rf", str(out)], check=True)
    print(json.dumps(row))


def prepare(ads: int) -> str:
    from threadline.analyze import analyze_case
    from threadline.cases import create_case
    from threadline.config import Settings
    from threadline.ingest.service import ingest_paths
    from threadline.store import Store
    from threadline.synth import write_corpus

    folder = OUT / f"evidence-{ads}"
    data_dir = folder / "data"
    if (folder / "ready").exists():
        return str(data_dir)
    print(f"preparing a case of {ads:,} synthetic ads (not timed) …", file=sys.stderr)
    write_corpus(folder, ads, seed=3)
    store = Store(Settings.load(data_dir=data_dir, actor="bench"))
    create_case(store, "bench", "bench", "Benchmark on synthetic ads", "Synthetic data only")
    ingest_paths(store, "bench", "bench", [folder / "ads.jsonl"])
    analyze_case(store, "bench", "bench")
    store.dispose()
    (folder / "ready").touch()
    return str(data_dir)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--ads", type=int, default=20_000)
    ap.add_argument("--select", type=int, nargs="+", default=[100, 1_000, 10_000])
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    data_dir = prepare(args.ads)
    rows = []
    for n in args.select:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", data_dir, str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"{n:,} records done", file=sys.stderr)
    print(
        f"\nmachine: {os.cpu_count()} cores (shared); python {sys.version.split()[0]}; "
        f"case of {args.ads:,} ads, one source file\n"
    )
    print(
        "| records | load rows s | bundle pseudonymized s | bundle clear s | CASE s | FtM s "
        "| verify s | SHA-256 of files s | bundle MiB | peak RSS MiB | load avg |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {int(r['records']):,} | {r['load_s']:.2f} | {r['bundle_pseudo_s']:.2f} | "
            f"{r['bundle_clear_s']:.2f} | {r['case_s']:.2f} | {r['ftm_s']:.2f} | "
            f"{r['verify_s']:.2f} | {r['sha_s']:.2f} | {r['bundle_mib']:.1f} | "
            f"{r['peak_rss_mib']:,.0f} | {r['load_avg']:.1f} |"
        )


if __name__ == "__main__":
    main()
