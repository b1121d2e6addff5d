"""Indicator benchmark: throughput with extraction, agreement with planted truth, fairness table.

    .venv/bin/python benchmarks/bench_indicators.py                 # 100,000 synthetic ads
    .venv/bin/python benchmarks/bench_indicators.py --count 5000 --json out.json

One process, one core. For every ad: extraction (`extract_all`), indicator
detection and scoring, each phase timed on its own, in CPU time of this
process (`time.process_time`: what a core spends, less sensitive to a shared
machine's load than wall time) and in wall time; the load average is printed
beside them. Warm-up (gazetteer, compiled matchers) runs on a separate small
corpus first. Baseline in the same run: on the first `--baseline` ads, the
brute-force reference detection (every catalogue program over the whole
text, no word gate, no windows) that the tests check the fast path against.
Stage pass: the first `--stage-pass` ads' mentions are kept and, after the
main loop, detection and score run over them again in one pass, as `analyze`
runs the stage (a batch extracted first, then assessed): the indicator
stage's own rate, without extraction evicting its caches between ads.
Batch pipeline: `--batch-pass` other ads (another seed) in batches of 1,000,
each batch extracted, then assessed, as `analyze` runs the stages.
In turn: `--turn-pass` other ads (another seed), generated first, then each
extracted, detected and scored before the next, with nothing else in
between: the per-record path without the benchmark's own bookkeeping (the
main loop generates each ad, and checks the first `--baseline` against the
reference, between the timed calls). Screen pass: the same ads as JSON Lines
through `threadline.screen.screen_lines`, what `threadline screen` runs per
line: JSON in and out, extraction, indicators, score, and the job-ad model
for job ads.
Then, on the same ads (all figures SYNTHETIC — the generator's truth, not
the world's):

* per-indicator agreement with the indicators the generator planted;
* score separation by kind: AUC and precision/recall at the review threshold
  against the generator's roles (operation vs independent, deceptive vs
  legitimate job);
* the fairness report: flag rates by language, country and
  ethnicity/nationality words, with disparity ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson

from threadline.extract.base import ExtractContext
from threadline.extract.engine import extract_all
from threadline.indicators import REVIEW_THRESHOLD, bias_report, detect, load_catalogue, score
from threadline.indicators.rules import DetectContext
from threadline.indicators.synthetic import LABELS
from threadline.screen import screen_lines
from threadline.synth import generate


def auc(pos: list[float], neg: list[float]) -> float:
    """Probability that a random positive outranks a random negative (ties count half)."""
    ranked = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        avg = (i + j + 1) / 2  # 1-based average rank of the tie block
        rank_sum += avg * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    n1, n0 = len(pos), len(neg)
    return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0) if n1 and n0 else float("nan")


BATCH = 1000


def turn_and_screen(count: int, seed: int) -> dict[str, Any]:
    """CPU seconds per ad in turn (extract, detect, score) and through `screen_lines`."""
    ads = [ad for ad, _ in generate(count, seed)]
    if not ads:
        return {"ads": 0}
    cpu = time.process_time
    p0 = cpu()
    for ad in ads:
        mentions = extract_all(ad["text"], ExtractContext(default_region=ad["country"])).mentions
        ctx = DetectContext(region=ad["country"])
        score(detect(ad["text"], mentions, kind=ad["kind"], lang=ad["lang"], context=ctx),
              kind=ad["kind"])  # fmt: skip
    turn = cpu() - p0
    lines = [orjson.dumps(ad) + b"\n" for ad in ads]
    p0 = cpu()
    written = sum(1 for _ in screen_lines(lines))
    screened = cpu() - p0
    assert written == len(ads)
    jobs = sum(ad["kind"] == "job_ad" for ad in ads)
    return {
        "ads": len(ads),
        "job_ads": jobs,
        "in_turn_ads_per_cpu_second": round(len(ads) / turn),
        "screen_ads_per_cpu_second": round(len(ads) / screened),
    }


def batch_pipeline(count: int, seed: int) -> tuple[float, float, int]:
    """CPU seconds of extraction and of assessment when run a batch at a time, like `analyze`.

    Fresh ads (another seed), so no per-process cache is warm from the main loop.
    """
    ads = [ad for ad, _ in generate(count, seed)]
    c_ext = c_ind = 0.0
    cpu = time.process_time
    for start in range(0, len(ads), BATCH):
        batch = ads[start : start + BATCH]
        p0 = cpu()
        found = [
            extract_all(ad["text"], ExtractContext(default_region=ad["country"])).mentions
            for ad in batch
        ]
        p1 = cpu()
        for ad, mentions in zip(batch, found, strict=True):
            ctx = DetectContext(region=ad["country"])
            score(detect(ad["text"], mentions, kind=ad["kind"], lang=ad["lang"], context=ctx),
                  kind=ad["kind"])  # fmt: skip
        p2 = cpu()
        c_ext += p1 - p0
        c_ind += p2 - p1
    return c_ext, c_ind, len(ads)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--baseline", type=int, default=5000, help="ads for the reference baseline")
    ap.add_argument("--stage-pass", type=int, default=20_000, help="ads in the stage-only pass")
    ap.add_argument("--batch-pass", type=int, default=20_000, help="ads in the batch pipeline pass")
    ap.add_argument("--turn-pass", type=int, default=10_000, help="ads in turn and via screen")
    ap.add_argument("--json", type=Path, help="write all figures as JSON here")
    args = ap.parse_args()
    cat = load_catalogue()
    print(f"load average before: {os.getloadavg()} on {os.cpu_count()} CPUs", flush=True)
    for ad, _ in generate(300, args.seed + 1000):  # warm-up: gazetteer, every matcher
        m = extract_all(ad["text"], ExtractContext(default_region=ad["country"])).mentions
        for lang in (ad["lang"], None):
            score(detect(ad["text"], m, kind=ad["kind"], lang=lang), kind=ad["kind"])
    print(f"generating {args.count:,} synthetic ads (seed {args.seed}) ...", flush=True)
    corpus = generate(args.count, args.seed)  # lazily: generation is not timed
    t_ext = t_det = t_sc = 0.0
    c_ext = c_det = c_sc = 0.0
    c_ref = c_fast = 0.0
    n_ref = 0
    kept: list[tuple[str, Any, str, str, DetectContext]] = []
    clock = time.perf_counter
    cpu = time.process_time
    records: dict[str, list[Any]] = defaultdict(list)
    agree: dict[str, Counter[str]] = defaultdict(Counter)
    scores: dict[str, dict[int, list[float]]] = defaultdict(lambda: {0: [], 1: []})
    n_signals = 0
    for ad, truth in corpus:
        ctx = DetectContext(region=ad["country"])
        t0, p0 = clock(), cpu()
        mentions = extract_all(ad["text"], ExtractContext(default_region=ad["country"])).mentions
        t1, p1 = clock(), cpu()
        signals = detect(ad["text"], mentions, kind=ad["kind"], lang=ad["lang"], context=ctx)
        t2, p2 = clock(), cpu()
        result = score(signals, kind=ad["kind"])
        t3, p3 = clock(), cpu()
        t_ext += t1 - t0
        t_det += t2 - t1
        t_sc += t3 - t2
        c_ext += p1 - p0
        c_det += p2 - p1
        c_sc += p3 - p2
        if len(kept) < args.stage_pass:
            kept.append((ad["text"], mentions, ad["kind"], ad["lang"], ctx))
        if n_ref < args.baseline:  # the same ad through the brute-force reference
            q0 = cpu()
            ref = detect(
                ad["text"], mentions, kind=ad["kind"], lang=ad["lang"], context=ctx, reference=True
            )
            q1 = cpu()
            c_ref += q1 - q0
            c_fast += p2 - p1
            n_ref += 1
            assert ref == signals, ad["id"]
        n_signals += len(signals)
        kind = ad["kind"]
        records[kind].append((ad["text"], ad["lang"], ad["country"], signals, result))
        label = LABELS[kind].get(truth["role"])
        if label is not None:
            scores[kind][label].append(result.value)
        got, want = {s.indicator for s in signals}, set(truth["indicators"])
        for iid in got | want:
            agree[iid]["tp" if iid in got and iid in want else "fp" if iid in got else "fn"] += 1
    n = sum(len(v) for v in records.values())
    total = t_ext + t_det + t_sc
    s0, w0 = cpu(), clock()
    for text, mentions, kind, lang, ctx in kept:
        score(detect(text, mentions, kind=kind, lang=lang, context=ctx), kind=kind)
    stage_cpu, stage_wall = cpu() - s0, clock() - w0
    batch_ext, batch_ind, batch_n = batch_pipeline(args.batch_pass, args.seed + 7)
    turn = turn_and_screen(args.turn_pass, args.seed + 13)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu_total = c_ext + c_det + c_sc
    out: dict[str, Any] = {
        "ads": n,
        "catalogue_version": cat.version,
        "indicators": len(cat.indicators),
        "signals_per_ad": round(n_signals / n, 2),
        "ads_per_cpu_second": {
            "extraction+indicators+score": round(n / cpu_total),
            "indicators+score": round(n / (c_det + c_sc)),
            "indicators": round(n / c_det),
            "extraction": round(n / c_ext),
        },
        "throughput_ads_per_s_wall": {
            "extraction+indicators+score": round(n / total),
            "indicators+score": round(n / (t_det + t_sc)),
            "extraction": round(n / t_ext),
        },
        "cpu_seconds": {
            "extraction": round(c_ext, 2),
            "indicators": round(c_det, 2),
            "score": round(c_sc, 2),
        },
        "wall_seconds": {
            "extraction": round(t_ext, 2),
            "indicators": round(t_det, 2),
            "score": round(t_sc, 2),
        },
        "baseline_reference_detection": {
            "ads": n_ref,
            "reference_ads_per_cpu_second": round(n_ref / c_ref) if c_ref else None,
            "fast_ads_per_cpu_second": round(n_ref / c_fast) if c_fast else None,
            "same_signals": True,
        },
        "stage_pass": {
            "ads": len(kept),
            "indicators+score_ads_per_cpu_second": round(len(kept) / stage_cpu) if kept else None,
            "indicators+score_ads_per_s_wall": round(len(kept) / stage_wall) if kept else None,
        },
        "batch_pipeline": {
            "ads": batch_n,
            "batch": BATCH,
            "extraction_cpu_s": round(batch_ext, 2),
            "indicators+score_cpu_s": round(batch_ind, 2),
            "ads_per_cpu_second": round(batch_n / (batch_ext + batch_ind)) if batch_n else None,
        },
        "in_turn_and_screen": turn,
        "load_average_after": os.getloadavg(),
        "peak_rss_mb": round(rss),
    }
    print(f"\n== throughput, one process ({n:,} ads, {out['signals_per_ad']} signals/ad)")
    for k, v in out["ads_per_cpu_second"].items():
        print(f"  {k:30s} {v:>9,} ads per CPU-second")
    for k, v in out["throughput_ads_per_s_wall"].items():
        print(f"  {k:30s} {v:>9,} ads/s wall")
    b = out["baseline_reference_detection"]
    print(
        f"  baseline on {b['ads']:,} ads: reference detection {b['reference_ads_per_cpu_second']:,}"
        f" vs fast {b['fast_ads_per_cpu_second']:,} ads per CPU-second (same signals)"
    )
    sp = out["stage_pass"]
    print(
        f"  stage pass over {sp['ads']:,} ads (mentions kept): indicators+score "
        f"{sp['indicators+score_ads_per_cpu_second']:,} ads per CPU-second, "
        f"{sp['indicators+score_ads_per_s_wall']:,} ads/s wall"
    )
    bp = out["batch_pipeline"]
    if bp["ads"]:
        print(
            f"  batch pipeline over {bp['ads']:,} other ads (batches of {BATCH:,}: extract the"
            f" batch, then assess it, as `analyze` runs): {bp['ads_per_cpu_second']:,} ads per"
            f" CPU-second (extraction {bp['extraction_cpu_s']} s, indicators+score"
            f" {bp['indicators+score_cpu_s']} s)"
        )
    if turn["ads"]:
        print(
            f"  in turn over {turn['ads']:,} other ads (extract, detect, score; nothing between):"
            f" {turn['in_turn_ads_per_cpu_second']:,} ads per CPU-second"
        )
        print(
            f"  screen pass, the same ads as JSON Lines through `screen_lines` (with the job-ad"
            f" model on {turn['job_ads']:,} job ads): {turn['screen_ads_per_cpu_second']:,}"
            " ads per CPU-second"
        )
    print(f"  peak RSS {out['peak_rss_mb']} MB; load average after {out['load_average_after']}")
    planted = {i for i, c in agree.items() if c["tp"] + c["fn"]}
    print("\n== agreement with the generator's planted indicators (SYNTHETIC)")
    print(f"  {'indicator':26s} {'precision':>9s} {'recall':>7s} {'fired':>7s}")
    out["agreement"] = {}
    for iid in sorted(agree):
        c = agree[iid]
        fired = c["tp"] + c["fp"]
        if iid in planted:
            p = c["tp"] / fired if fired else 0.0
            r = c["tp"] / (c["tp"] + c["fn"])
            print(f"  {iid:26s} {p:9.3f} {r:7.3f} {fired:7,}")
            out["agreement"][iid] = {
                "precision": round(p, 4),
                "recall": round(r, 4),
                "fired": fired,
            }
        else:
            print(f"  {iid:26s} {'not planted by the generator':>25s} {fired:7,}")
    print(f"\n== score separation by kind (SYNTHETIC labels; review threshold {REVIEW_THRESHOLD})")
    out["separation"] = {}
    for kind, by in scores.items():
        pos, neg = by[1], by[0]
        tp = sum(v >= REVIEW_THRESHOLD for v in pos)
        fp = sum(v >= REVIEW_THRESHOLD for v in neg)
        sep = {
            "auc": round(auc(pos, neg), 4),
            "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
            "recall": round(tp / len(pos), 4) if pos else 0.0,
            "positives": len(pos),
            "negatives": len(neg),
        }
        out["separation"][kind] = sep
        print(f"  {kind:7s} {sep}")
    out["fairness"] = {}
    for kind, recs in records.items():
        report = bias_report(recs, kind=kind)
        out["fairness"][kind] = report.to_dict()
        print(f"\n== fairness report, kind {kind} (SYNTHETIC corpus)")
        print(report.to_text())
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
