"""Speed, memory and quality of `threadline link` (`threadline.link.link_jsonl`).

    python benchmarks/bench_link.py [--sizes 100000,1000000] [--seed 2026] [--workers 2]
                                    [--quality-size 100000]

For each size, generates a synthetic corpus with `threadline.synth.write_corpus`
into benchmarks/out/link-<size>-s<seed>/ (once; reused afterwards), then runs
`link_jsonl` in a fresh subprocess while sampling the resident memory of that
process and its workers every 0.2 s (/proc), and prints wall time, ads/s, peak
memory (the whole process tree, summed), and the 1M/100k cost ratio against
n·log n. Quality (pairwise precision/recall/F1 and adjusted Rand index against
the planted authors) is computed for the timed run ("both") at every size, and
at `--quality-size` for the ablations (identifiers only, text only) and the
re-implemented InfoShield-coarse baseline, as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def corpus(size: int, seed: int) -> Path:
    from threadline.synth import write_corpus

    d = OUT / f"link-{size}-s{seed}"
    if not (d / "truth.jsonl").exists():
        print(f"generating {size:,} ads (seed {seed}) into {d} ...", flush=True)
        write_corpus(d, size, seed)
    return d


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def timed_run(d: Path, workers: int, name: str = "ads.jsonl") -> dict:
    """Run link_jsonl on d/<name> in a subprocess; wall time and peak tree RSS."""
    out = d / "assignments.jsonl"
    cmd = [sys.executable, __file__, "--child", str(d), "--workers", str(workers)]
    return _measure([*cmd, "--input", name], out)


def with_mentions(d: Path) -> str:
    """d/ads-mentions.jsonl: the ads with the planted identifiers as their ``mentions``.

    Linking then skips extraction (as it does on a stored case, whose mentions the
    extraction stage stored): this times the linker's own stages. The oracle mentions
    are for timing only; quality is measured with real extraction.
    """
    import orjson

    name = "ads-mentions.jsonl"
    if (d / name).exists():
        return name
    with (
        open(d / "ads.jsonl", "rb") as ads,
        open(d / "truth.jsonl", "rb") as truth,
        open(d / name, "wb") as out,
    ):
        for line, t in zip(ads, truth, strict=True):
            ad, tr = orjson.loads(line), orjson.loads(t)
            mentions = []
            for ident in tr["identifiers"]:
                start = ad["text"].find(ident["raw"])
                if start >= 0:
                    end = start + len(ident["raw"])
                    mentions.append({"type": ident["type"], "normalized": ident["value"],
                                     "start": start, "end": end})  # fmt: skip
            ad["mentions"] = mentions
            out.write(orjson.dumps(ad) + b"\n")
    return name


def _measure(cmd: list[str], out: Path) -> dict:
    """Run `cmd`; wall time, CPU seconds of its whole process tree, peak tree RSS, load."""
    load_before = os.getloadavg()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = 0
    status = None
    while status is None:
        peak = max(peak, _tree_rss(proc.pid))
        pid, st, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            status = (st, usage)
            break
        time.sleep(0.2)
    wall = time.perf_counter() - start
    st, usage = status
    proc.returncode = os.waitstatus_to_exitcode(st)
    stdout = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise SystemExit(f"link run failed ({proc.returncode})")
    summary = json.loads(stdout.strip().splitlines()[-1])
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,  # the child and its waited-for workers
        "peak_bytes": peak,
        "load": (load_before, os.getloadavg()),
        "summary": summary,
        "assignments": out,
    }


def child(d: Path, workers: int, name: str) -> None:
    from threadline.link import link_jsonl

    summary = link_jsonl(d / name, d / "assignments.jsonl", workers=workers)
    print(json.dumps(summary.to_dict()))


def copies_run(n: int, workers: int) -> None:
    """N copies of one ad (same text, same phone; ids differ): time, memory, one network."""
    import orjson

    d = OUT / f"link-copies-{n}"
    src = d / "ads.jsonl"
    if not src.exists():
        d.mkdir(parents=True, exist_ok=True)
        text = (
            "New in town, sweet and discreet, outcalls only. Call 713-555-0199 for an "
            "appointment, ask for Lily, available all week."
        )
        with open(src, "wb") as fh:
            for i in range(n):
                row = {"id": f"copy-{i:07d}", "text": text, "city": "Houston",
                       "posted_at": "2026-01-01T00:00:00Z"}  # fmt: skip
                fh.write(orjson.dumps(row) + b"\n")
    r = timed_run(d, workers)
    s = r["summary"]
    print("| copies | wall s | ads/s | CPU s | peak memory (tree) | networks | largest | load |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {n:,} | {r['wall_s']:.1f} | {n / r['wall_s']:,.0f} | {r['cpu_s']:.1f} | "
        f"{r['peak_bytes'] / 2**30:.2f} GiB | {s['networks']:,} | {s['largest']:,} | "
        f"{r['load'][0][0]:.2f} → {r['load'][1][0]:.2f} |"
    )
    print("warnings:", *s["warnings"], sep="\n  ")
    print(f"  stage timings (s): {s['timings']}")


def _truth(d: Path) -> list[dict]:
    import orjson

    with open(d / "truth.jsonl", "rb") as fh:
        return [orjson.loads(line) for line in fh]


def score_assignments(d: Path, truth: list[dict]):  # type: ignore[no-untyped-def]
    import orjson

    from threadline.link.evaluate import pair_scores, truth_clusters

    with open(d / "assignments.jsonl", "rb") as fh:
        pred = [orjson.loads(line)["network"] for line in fh]
    return pair_scores(pred, truth_clusters(truth))


def quality_table(d: Path, truth: list[dict], workers: int) -> list[tuple[str, object]]:
    from dataclasses import replace

    import orjson

    from threadline.link import LinkConfig
    from threadline.link.batch import features_jsonl
    from threadline.link.evaluate import pair_scores, truth_clusters
    from threadline.link.infoshield import coarse_network_labels
    from threadline.link.pipeline import link_features

    labels = truth_clusters(truth)
    config = LinkConfig()
    batch = features_jsonl(d / "ads.jsonl", config, workers)
    rows = []
    for name, evidence in (
        ("identifiers only", ("identifier",)),
        ("text only", ("text",)),
        ("both (threadline)", ("identifier", "text")),
    ):
        result = link_features(batch, replace(config, evidence=evidence))
        rows.append((name, pair_scores(result.network, labels)))
    with open(d / "ads.jsonl", "rb") as fh:
        texts = [orjson.loads(line).get("text") or "" for line in fh]
    rows.append(
        ("InfoShield-coarse (re-implemented)", pair_scores(coarse_network_labels(texts), labels))
    )
    return rows


def _row(name: str, s) -> str:  # type: ignore[no-untyped-def]
    return (
        f"| {name} | {s.precision:.4f} | {s.recall:.4f} | {s.f1:.4f} | {s.ari:.4f} "
        f"| {s.predicted_pairs:,} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quality-size", type=int, default=100_000)
    ap.add_argument(
        "--copies", type=int, default=0, help="instead: link N copies of one ad (hostile input)"
    )
    ap.add_argument(
        "--given-mentions",
        action="store_true",
        help="time the linker on the ads with their planted identifiers as mentions "
        "(no extraction, as on a stored case); quality is then not scored",
    )
    ap.add_argument("--input", default="ads.jsonl", help=argparse.SUPPRESS)
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        child(args.child, args.workers, args.input)
        return
    if args.copies:
        copies_run(args.copies, args.workers)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    results = {}
    print(
        "| ads | wall s | ads/s | CPU s | peak memory (tree) | networks | largest "
        "| hubs held back | load 1-min before → after |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in sizes:
        d = corpus(n, args.seed)
        r = timed_run(d, args.workers, with_mentions(d) if args.given_mentions else "ads.jsonl")
        results[n] = (d, r)
        s = r["summary"]
        print(
            f"| {n:,} | {r['wall_s']:.1f} | {n / r['wall_s']:,.0f} | {r['cpu_s']:.1f} | "
            f"{r['peak_bytes'] / 2**30:.2f} GiB | {s['networks']:,} | {s['largest']:,} | "
            f"{len(s['hubs'])}{'+' if len(s['hubs']) == 50 else ''} | "
            f"{r['load'][0][0]:.2f} → {r['load'][1][0]:.2f} |",
            flush=True,
        )
        print(f"  stage timings (s): {s['timings']}", flush=True)
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        ta, tb = results[a][1]["wall_s"], results[b][1]["wall_s"]
        ca, cb = results[a][1]["cpu_s"], results[b][1]["cpu_s"]
        nlogn = (b * math.log(b)) / (a * math.log(a))
        print(
            f"\ncost ratio {b:,}/{a:,}: {tb / ta:.2f}× wall time, {cb / ca:.2f}× CPU time; "
            f"n·log n predicts {nlogn:.2f}×, n predicts {b / a:.2f}×"
        )
    if args.given_mentions:
        return
    print("\nQuality of the timed runs (both kinds of evidence), against the planted authors:\n")
    print("| ads | precision | recall | F1 | ARI | predicted pairs |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in sizes:
        d, _ = results[n]
        print(_row(f"{n:,}", score_assignments(d, _truth(d))), flush=True)
    if args.quality_size:
        d = corpus(args.quality_size, args.seed)
        print(f"\nAblations and baseline on {args.quality_size:,} ads (seed {args.seed}):\n")
        print("| method | precision | recall | F1 | ARI | predicted pairs |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, s in quality_table(d, _truth(d), args.workers):
            print(_row(name, s), flush=True)


if __name__ == "__main__":
    main()
