"""PDQ index build time, memory, query latency and recall: brute, FAISS flat/multi-hash, CSR MIH.

    .venv/bin/python benchmarks/bench_hashindex.py                      # 100k, 1M, 10M
    .venv/bin/python benchmarks/bench_hashindex.py --sizes 100000 --queries 100

Data (generated once, cached under benchmarks/out/hashindex/):
- random: uniform 256-bit codes; queries = 50 % stored codes with 0..40 bits
  flipped, 50 % fresh random codes (which match nothing);
- clustered: near-duplicates of ``--centres`` centres (0..40 random bit flips
  each, drawn with replacement, so ≤ k distinct flips); queries = centres with
  0..40 bits flipped (each matches a large part of its cluster).

Every (size, data, index) case runs in a fresh process, so "RSS Δ" (resident
memory after building minus before, codes already loaded) is the index's own.
"est. MB" is codes + ids + structures as the index reports it (for MIH a lower
bound: C++ hash-map overhead is not counted). Latency is one query at a time
with ``faiss.omp_set_num_threads(1)`` at ``--distance`` (31), in wall-clock
time and in CPU time of the searching thread (the machine may be shared; CPU
time is what a query costs on an idle core). "q/s 1 core" = 1 / mean wall
latency; "batch q/s" runs all queries in one call with 1 and 2 OpenMP threads.

Recall and "identical" compare each index's results with the brute-force
index's on the same queries: all queries up to 1M, a sample of
``--brute-sample-10m`` queries at 10M (brute force takes ~1 s per query
there); the brute-force row's own latency is measured on that sample.
Save/load: write the documented file format, read it back and rebuild.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).resolve().parent / "out" / "hashindex"
KINDS = ("brute", "faiss-flat", "faiss-mih", "faiss-mih-8x32", "csr-mih")


# ---------------------------------------------------------------- data


def flip_random_bits(codes: np.ndarray, ks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flip ``ks[i]`` random bit positions (with replacement) in row i, in chunks."""
    out = np.empty_like(codes)
    kmax = int(ks.max(initial=0))
    for start in range(0, codes.shape[0], 100_000):
        part = codes[start : start + 100_000]
        m = part.shape[0]
        pos = rng.integers(0, 256, (m, max(kmax, 1)))
        use = np.arange(max(kmax, 1))[None, :] < ks[start : start + m, None]
        rows = np.nonzero(use)[0]
        flat = rows * 256 + pos[use]
        parity = (np.bincount(flat, minlength=m * 256) & 1).astype(np.uint8).reshape(m, 256)
        out[start : start + m] = part ^ np.packbits(parity, axis=1)
    return out


def make_data(kind: str, n: int, nq: int, centres: int, seed: int) -> tuple[Path, Path]:
    """Codes and queries as raw uint8 files; generated once."""
    OUT.mkdir(parents=True, exist_ok=True)
    codes_path = OUT / f"{kind}-{n}-{seed}.codes.u8"
    queries_path = OUT / f"{kind}-{n}-{seed}-q{nq}.queries.u8"
    if codes_path.exists() and queries_path.exists():
        return codes_path, queries_path
    print(f"generating {kind} {n:,} …", file=sys.stderr)
    rng = np.random.default_rng([seed, n, 0 if kind == "random" else 1])
    if kind == "random":
        codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
        half = nq // 2
        near = codes[rng.integers(0, n, half)]
        queries = np.concatenate(
            [
                flip_random_bits(near, rng.integers(0, 41, half), rng),
                rng.integers(0, 256, (nq - half, 32), dtype=np.uint8),
            ]
        )
    else:
        c = rng.integers(0, 256, (centres, 32), dtype=np.uint8)
        codes = flip_random_bits(c[rng.integers(0, centres, n)], rng.integers(0, 41, n), rng)
        queries = flip_random_bits(c[rng.integers(0, centres, nq)], rng.integers(0, 41, nq), rng)
    codes.tofile(codes_path)
    queries.tofile(queries_path)
    return codes_path, queries_path


def ground_truth(
    codes_path: Path, queries_path: Path, sample: int, distance: int
) -> tuple[Path, float]:
    """Brute-force results for the first ``sample`` queries, as npz (no pickle)."""
    path = queries_path.with_suffix(f".truth-s{sample}-d{distance}.npz")
    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            return path, float(z["seconds_per_query"])
    from threadline.hashindex import BruteForceIndex

    codes = np.fromfile(codes_path, dtype=np.uint8).reshape(-1, 32)
    queries = np.fromfile(queries_path, dtype=np.uint8).reshape(-1, 32)[:sample]
    index = BruteForceIndex()
    index.add(np.arange(codes.shape[0], dtype=np.int64), codes)
    del codes
    start = time.perf_counter()
    res = index.search_arrays(queries, distance)
    per_query = (time.perf_counter() - start) / max(1, len(queries))
    np.savez(path, lims=res.lims, ids=res.ids, distances=res.distances, seconds_per_query=per_query)
    return path, per_query


# ---------------------------------------------------------------- one case (child process)


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_index(kind: str) -> Any:
    from threadline.hashindex import (
        BruteForceIndex,
        CsrMultiIndex,
        FaissFlatIndex,
        FaissMultiHashIndex,
    )

    if kind == "brute":
        return BruteForceIndex()
    if kind == "csr-mih":
        return CsrMultiIndex()
    if kind == "faiss-flat":
        return FaissFlatIndex()
    if kind == "faiss-mih":
        return FaissMultiHashIndex()
    return FaissMultiHashIndex(nhash=8, b=32)


def child(spec: dict[str, Any]) -> dict[str, Any]:
    import faiss

    codes = np.fromfile(spec["codes"], dtype=np.uint8).reshape(-1, 32)
    queries = np.fromfile(spec["queries"], dtype=np.uint8).reshape(-1, 32)
    ids = np.arange(codes.shape[0], dtype=np.int64)
    distance = spec["distance"]
    with np.load(spec["truth"], allow_pickle=False) as z:
        t_lims, t_ids, t_dis = z["lims"], z["ids"], z["distances"]
    sample = t_lims.size - 1
    if spec["kind"] == "brute":
        queries = queries[:sample]  # brute force: latency on the sample only
    gc.collect()
    base = rss_bytes()
    faiss.omp_set_num_threads(1)
    start = time.perf_counter()
    index = make_index(spec["kind"])
    index.add(ids, codes)
    if hasattr(index, "build"):  # CsrMultiIndex builds its tables lazily
        index.build()
    build = time.perf_counter() - start
    rss_delta = rss_bytes() - base
    del codes

    index.search_arrays(queries[:2], distance)  # warm-up
    lat, cpu = [], []
    for q in queries:
        t0, c0 = time.perf_counter(), time.thread_time()
        index.search_arrays(q[None, :], distance)
        lat.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    batch = {}
    for threads in (1, 2):
        faiss.omp_set_num_threads(threads)
        t0 = time.perf_counter()
        res = index.search_arrays(queries, distance)
        batch[threads] = len(queries) / (time.perf_counter() - t0)
    faiss.omp_set_num_threads(1)

    found = hits = identical = 0
    for i in range(sample):
        a, b = res.lims[i], res.lims[i + 1]
        c, d = t_lims[i], t_lims[i + 1]
        truth = set(zip(t_ids[c:d].tolist(), t_dis[c:d].tolist(), strict=True))
        got = set(zip(res.ids[a:b].tolist(), res.distances[a:b].tolist(), strict=True))
        hits += len(truth & got)
        found += len(truth)
        identical += truth == got
    results_per_query = float(np.diff(res.lims).mean())

    save = load = float("nan")
    if spec["save"]:
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            path = Path(tmp) / "index.pdqidx"
            t0 = time.perf_counter()
            index.save(path)
            save = time.perf_counter() - t0
            del index
            gc.collect()
            t0 = time.perf_counter()
            again = type(make_index(spec["kind"])).load(path)
            load = time.perf_counter() - t0
            assert len(again) == len(ids)
    else:
        again = index
    lat_ms, cpu_ms = np.array(lat) * 1000, np.array(cpu) * 1000
    return {
        "build_s": build,
        "est_mb": again.memory_bytes() / 1e6,
        "rss_delta_mb": rss_delta / 1e6,
        "p50_ms": float(np.percentile(lat_ms, 50)),
        "p99_ms": float(np.percentile(lat_ms, 99)),
        "p50_cpu_ms": float(np.percentile(cpu_ms, 50)),
        "p99_cpu_ms": float(np.percentile(cpu_ms, 99)),
        "qps_single": 1000 / float(lat_ms.mean()),
        "qps_batch1": batch[1],
        "qps_batch2": batch[2],
        "recall": hits / found if found else 1.0,
        "identical": f"{identical}/{sample}",
        "results_per_query": results_per_query,
        "queries_timed": len(queries),
        "save_s": save,
        "load_s": load,
    }


# ---------------------------------------------------------------- driver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--data", nargs="+", default=["random", "clustered"])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--centres", type=int, default=2000)
    parser.add_argument("--distance", type=int, default=31)
    parser.add_argument("--brute-sample-10m", type=int, default=20)
    parser.add_argument("--mih-8x32-max", type=int, default=1_000_000, help="skip 8×32 above")
    parser.add_argument("--no-save", action="store_true", help="skip the save/load timing")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write all figures here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return

    import faiss

    print(
        f"# PDQ index — {platform.machine()}, {os.cpu_count()} cores, faiss {faiss.__version__}, "
        f"numpy {np.__version__}, d = {args.distance}, {args.queries} queries"
    )
    print()
    print(
        "| n | data | index | build s | est. MB | RSS Δ MB | p50 ms | p99 ms | p50 cpu ms | "
        "p99 cpu ms | q/s 1 core | batch q/s 1 thr | batch q/s 2 thr | hits/query | recall | "
        "identical | save s | load s |"
    )
    print("|---" * 18 + "|")
    rows = []
    for n in args.sizes:
        for data in args.data:
            codes, queries = make_data(data, n, args.queries, args.centres, args.seed)
            sample = args.brute_sample_10m if n >= 10_000_000 else args.queries
            truth, _ = ground_truth(codes, queries, sample, args.distance)
            for kind in args.kinds:
                if kind == "faiss-mih-8x32" and n > args.mih_8x32_max:
                    continue
                spec = {
                    "kind": kind,
                    "codes": str(codes),
                    "queries": str(queries),
                    "truth": str(truth),
                    "distance": args.distance,
                    "save": not args.no_save,
                }
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", json.dumps(spec)],
                    capture_output=True,
                    text=True,
                )
                if proc.returncode != 0:
                    print(f"| {n:,} | {data} | {kind} | failed: {proc.stderr.strip()[-200:]} |")
                    continue
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                rows.append({"n": n, "data": data, "kind": kind, **r})
                print(
                    f"| {n:,} | {data} | {kind} | {r['build_s']:.2f} | {r['est_mb']:.0f} | "
                    f"{r['rss_delta_mb']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                    f"{r['p50_cpu_ms']:.2f} | {r['p99_cpu_ms']:.2f} | "
                    f"{r['qps_single']:.0f} | {r['qps_batch1']:.0f} | {r['qps_batch2']:.0f} | "
                    f"{r['results_per_query']:.1f} | {r['recall']:.4f} | {r['identical']} | "
                    f"{r['save_s']:.2f} | {r['load_s']:.2f} |",
                    flush=True,
                )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
