"""Cost of the safeguards on SQLite: access checks on reads, and a retention purge.

    python benchmarks/bench_safeguards.py                 # 20,000 synthetic ads
    python benchmarks/bench_safeguards.py --count 5000

Set-up (not timed): a synthetic corpus ingested and analysed into one case.
Then, in the same run:

* record reads — the same records read `--reads` times by the bare query
  (baseline: no check, no audit) and by `view_record` (access check, masking,
  mentions, reviews, one `record.viewed` audit event per read);
* retention — the case's ingest time (baseline) beside the time to purge it
  (`run_retention`), with the rows and blobs removed and `audit verify` after.

Prints a Markdown table for benchmarks/RESULTS.md with the load average: the
machine is shared, so compare rows of one run, not runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, update

OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--reads", type=int, default=500)
    args = parser.parse_args()

    from threadline import audit
    from threadline.analyze import analyze_case
    from threadline.cases import create_case
    from threadline.config import Settings
    from threadline.ingest.service import ingest_paths
    from threadline.records import view_record
    from threadline.safeguards.access import ensure_local_admin
    from threadline.safeguards.retention import run_retention
    from threadline.store import Store
    from threadline.store.db import utcnow
    from threadline.store.models import Case, Mention, Record
    from threadline.synth import write_corpus

    OUT.mkdir(exist_ok=True)
    corpus = OUT / f"corpus-{args.count}"
    if not (corpus / "ads.jsonl").is_file():
        write_corpus(corpus, args.count, 1)
    data_dir = tempfile.mkdtemp(prefix="bench-safeguards-", dir=OUT)
    store = Store(Settings.load(data_dir=data_dir, actor="bench"))
    ensure_local_admin(store, "bench")
    create_case(store, "bench", "bench", "Benchmark on synthetic ads", "Synthetic data only")
    t0 = time.perf_counter()
    ingest_paths(store, "bench", "bench", [corpus / "ads.jsonl"])
    ingest_s = time.perf_counter() - t0
    analyze_case(store, "bench", "bench")

    with store.read() as session:
        ids = list(session.scalars(select(Record.id).order_by(Record.id).limit(args.reads)))
    t0 = time.perf_counter()
    for rid in ids:
        with store.read() as session:
            session.scalar(select(Record).where(Record.id == rid))
            session.scalars(select(Mention).where(Mention.record_id == rid)).all()
    bare_ms = (time.perf_counter() - t0) * 1000 / len(ids)
    t0 = time.perf_counter()
    for rid in ids:
        view_record(store, "bench", "bench", rid)
    guarded_ms = (time.perf_counter() - t0) * 1000 / len(ids)

    with store.write() as session:
        session.execute(update(Case).values(retain_until=utcnow()))
    t0 = time.perf_counter()
    (purge,) = run_retention(store, "bench")
    purge_s = time.perf_counter() - t0
    with store.read() as session:
        verified = audit.verify(
            session, store.settings.audit_checkpoint, store.settings.database_url
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(
        f"\nCommand: `python benchmarks/bench_safeguards.py --count {args.count} "
        f"--reads {args.reads}` (SQLite; load average {load:.1f} on a shared machine)\n"
    )
    print("| measure | baseline | with safeguards |")
    print("|---|---:|---:|")
    print(f"| one record read, ms | {bare_ms:.2f} (bare query) | {guarded_ms:.2f} (view_record) |")
    print(f"| {args.count:,} ads, s | {ingest_s:.1f} (ingest) | {purge_s:.1f} (retention purge) |")
    rows = sum(purge.rows.values())
    tables = ", ".join(f"{k} {v:,}" for k, v in sorted(purge.rows.items()))
    print(
        f"\npurged {rows:,} rows ({tables}),"
        f" {purge.blobs} blob(s); audit verify after: {'OK' if verified.ok else 'BROKEN'} "
        f"({verified.events_checked:,} events); peak RSS {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
