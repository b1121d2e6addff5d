"""Job-ad model benchmark: synthetic metrics, and EMSCAD when the published file is supplied.

    .venv/bin/python benchmarks/bench_jobmodel.py
    .venv/bin/python benchmarks/bench_jobmodel.py --emscad /path/to/fake_job_postings.csv
    .venv/bin/python benchmarks/bench_jobmodel.py --predict-only   # prediction speed alone

Prediction speed: the shipped model on prepared synthetic job ads, job ads
per CPU-second of `predict_prepared` (numpy features from cached word
n-grams) beside `predict_reference` (term by term, the path the tests hold it
equal to) in the same run, with the two predictions checked equal.

Synthetic (labelled SYNTHETIC in every line): 5-fold cross-validation grouped
by author on `threadline.synth` job ads — the full model, and ablations
without the marker audit, with indicator/field flags only, and with text only;
the features the marker audit excluded; the top coefficients; and the shipped
model on a fresh seed.

EMSCAD (Vidros et al. 2017): the file is verified first (size, SHA-256, rows,
columns); then stratified 5-fold precision, recall and F1 on the fraudulent
class beside the all-legitimate baseline (95.2% accuracy). Target: F1 >= 0.85.
Without the file the benchmark says so and reports no EMSCAD figure.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from threadline.jobmodel import load_default
from threadline.jobmodel.data import emscad_dataset, synthetic_dataset
from threadline.jobmodel.emscad import EmscadError, read_rows, verify
from threadline.jobmodel.train import TrainConfig, cross_validate, fit, top_coefficients

TARGET_F1 = 0.85


def line(name: str, r: Any) -> str:
    return (
        f"  {name:34s} P={r.precision:.3f} R={r.recall:.3f} F1={r.f1:.3f} "
        f"acc={r.accuracy:.3f} (all-legitimate baseline acc={r.baseline_accuracy:.3f}) "
        f"folds F1={list(r.per_fold_f1)}"
    )


def synthetic(count: int, seed: int, folds: int) -> dict[str, Any]:
    t = time.perf_counter()
    data = synthetic_dataset(count, seed)
    print(
        f"== SYNTHETIC job ads: {len(data.examples):,} ({data.positives:,} deceptive) from "
        f"{count:,} generated ads, seed {seed}; data {data.data_version} "
        f"[{time.perf_counter() - t:.0f}s to generate and prepare]"
    )
    out: dict[str, Any] = {"data": data.info()}
    base = TrainConfig()
    runs = {
        "full model (marker audit on)": base,
        "no marker audit": replace(base, exclude_markers=False),
        "indicator and field flags only": replace(base, blocks=("flags",)),
        "text n-grams only": replace(base, blocks=("word", "char")),
    }
    for name, cfg in runs.items():
        t = time.perf_counter()
        r = cross_validate(data, cfg, folds=folds)
        print(line(f"SYNTHETIC {name}", r) + f" [{time.perf_counter() - t:.0f}s]")
        out[name] = r.to_dict()
    fitted = fit(data.examples, base)
    model = fitted.to_model({"training_data": data.info()})
    print(
        f"  marker audit excluded {len(fitted.markers)} features (|share in deceptive - share in "
        "legitimate| >= 0.9):"
    )
    for m in sorted(fitted.markers, key=lambda m: -m.j)[:25]:
        print(
            f"    {m.feature!r:34s} deceptive {m.share_positive:.2f}  legitimate "
            f"{m.share_negative:.2f}"
        )
    tops = top_coefficients(model, 12)
    for side, items in tops.items():
        print(f"  top coefficients {side}: " + ", ".join(f"{f} {w:+.2f}" for f, w in items))
    out["markers"] = [m.feature for m in fitted.markers]
    out["top_coefficients"] = tops
    shipped = load_default()
    fresh = synthetic_dataset(max(5000, count // 4), seed + 1000)
    tp = fp = fn = 0
    for e in fresh.examples:
        pred = shipped.predict_prepared(e.prepared).for_review
        tp += pred and e.label == 1
        fp += pred and e.label == 0
        fn += (not pred) and e.label == 1
    p, rc = tp / max(1, tp + fp), tp / max(1, tp + fn)
    f1 = 2 * p * rc / max(1e-9, p + rc)
    print(
        f"  SYNTHETIC shipped model {shipped.version} on a fresh seed ({len(fresh.examples):,} "
        f"job ads): P={p:.3f} R={rc:.3f} F1={f1:.3f}"
    )
    out["shipped_model"] = {"version": shipped.version, "precision": p, "recall": rc, "f1": f1}
    return out


def prediction_speed(count: int, seed: int) -> dict[str, Any]:
    shipped = load_default()
    data = synthetic_dataset(count, seed)
    prepared = [e.prepared for e in data.examples]
    for p in prepared[:200]:  # warm-up: imports, the per-word cache's first words
        shipped.predict_prepared(p)
    cpu = time.process_time
    t = cpu()
    fast = [shipped.predict_prepared(p) for p in prepared]
    t_fast = cpu() - t
    t = cpu()
    ref = [shipped.predict_reference(p) for p in prepared]
    t_ref = cpu() - t
    assert fast == ref, "fast and reference predictions differ"
    n = len(prepared)
    out = {
        "job_ads": n,
        "mean_characters": round(sum(len(p.norm) for p in prepared) / n),
        "predict_prepared_per_cpu_second": round(n / t_fast),
        "predict_reference_per_cpu_second": round(n / t_ref),
    }
    print(
        f"== prediction speed, shipped model, {n:,} prepared SYNTHETIC job ads (mean "
        f"{out['mean_characters']} characters): predict_prepared "
        f"{out['predict_prepared_per_cpu_second']:,} job ads per CPU-second, reference "
        f"{out['predict_reference_per_cpu_second']:,} ({t_ref / t_fast:.1f}x); same predictions"
    )
    return out


def emscad(path: Path | None, folds: int) -> dict[str, Any]:
    if path is None:
        print(
            "== EMSCAD: not supplied (pass --emscad PATH to the published CSV). The dataset is "
            "not shipped and never downloaded; no EMSCAD figure is reported."
        )
        return {"status": "not supplied"}
    try:
        verified = verify(path)
    except EmscadError as exc:
        print(f"== EMSCAD: not run. {exc}")
        return {"status": "not run", "reason": str(exc)}
    t = time.perf_counter()
    data = emscad_dataset(read_rows(verified.path), verified.data_version)
    print(
        f"== EMSCAD verified ({verified.rows:,} rows, {verified.fraudulent} fraudulent, "
        f"{verified.data_version}); prepared in {time.perf_counter() - t:.0f}s"
    )
    r = cross_validate(
        data, TrainConfig(word_max_features=50_000, char_max_features=100_000), folds
    )
    print(line("EMSCAD stratified CV", r))
    met = "met" if r.f1 >= TARGET_F1 else "NOT met"
    print(f"  target F1(fraudulent) >= {TARGET_F1}: {met}; markers excluded: {list(r.markers)}")
    return {"status": "run", "report": r.to_dict(), "target_met": r.f1 >= TARGET_F1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=30_000, help="synthetic ads to generate")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--emscad", type=Path, help="path to the published EMSCAD CSV")
    ap.add_argument("--predict-only", action="store_true", help="prediction speed only")
    ap.add_argument("--json", type=Path, help="write all figures as JSON here")
    args = ap.parse_args()
    speed = prediction_speed(max(2000, args.count // 3), args.seed + 2000)
    if args.predict_only:
        if args.json:
            args.json.write_text(json.dumps({"prediction": speed}, indent=1), encoding="utf-8")
        return
    out = {
        "prediction": speed,
        "emscad": emscad(args.emscad, args.folds),
        "synthetic": synthetic(args.count, args.seed, args.folds),
    }
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
