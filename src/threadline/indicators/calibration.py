"""Calibrating the score to a 0-1 scale: Platt scaling, stored as data.

Method (Platt 1999, with the target smoothing and Newton solver of Lin, Lin &
Weng 2007): for each record kind, fit P(label = 1 | s) = sigmoid(a * s + b)
on labelled records, where s is the record's sum of catalogue weights. Only
the two numbers a and b are fitted; the catalogue weights stay as their
evidence grades set them. The fitted parameters, the data they were fitted
on and held-out checks (Brier score, expected calibration error) are written
to `calibration.json` — plain JSON, never pickle.

The shipped calibration is fitted on **synthetic** data (`threadline.synth`,
labels from its ground truth: trafficking_operation vs independent and hub
users for ads, deceptive_job vs legit_job for job ads). Its base rates are the
generator's, not the world's, so a value is a relative risk level on that
scale, for review. Refit it on labelled case data where a case has some:

    python -m threadline.indicators.calibrate --count 20000 --seed 101

A calibration whose catalogue version differs from the loaded catalogue says
so in its `note`.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.json"
FORMAT = 1


@dataclass(frozen=True, slots=True)
class Calibration:
    kind: str
    method: str  # "platt" | "uncalibrated"
    a: float  # slope on the weight sum, > 0
    b: float  # intercept
    fitted_on: str  # "synthetic" | "labelled" | "none"
    data: str  # what it was fitted on, in words
    data_version: str  # hash of the labelled data
    catalogue_version: str  # catalogue whose weights produced the sums
    n: int = 0
    positives: int = 0
    heldout: Mapping[str, float] = field(default_factory=dict)
    note: str = ""

    def describe(self) -> str:
        scale = "SYNTHETIC data" if self.fitted_on == "synthetic" else self.fitted_on
        return f"{self.method} a={self.a:.4f} b={self.b:.4f}, fitted on {scale}: {self.data}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "method": self.method,
            "a": self.a,
            "b": self.b,
            "fitted_on": self.fitted_on,
            "data": self.data,
            "data_version": self.data_version,
            "catalogue_version": self.catalogue_version,
            "n": self.n,
            "positives": self.positives,
            "heldout": dict(self.heldout),
            "note": self.note,
        }


def uncalibrated(kind: str) -> Calibration:
    """The fallback when no fitted parameters exist: a fixed, documented scale."""
    return Calibration(
        kind,
        "uncalibrated",
        1.0,
        -2.0,
        "none",
        "fixed default sigmoid(s - 2)",
        "",
        "",
        note="no calibration fitted for this kind",
    )


def _parse(obj: Mapping[str, Any], kind: str) -> Calibration:
    return Calibration(
        kind=kind,
        method=str(obj["method"]),
        a=float(obj["a"]),
        b=float(obj["b"]),
        fitted_on=str(obj["fitted_on"]),
        data=str(obj["data"]),
        data_version=str(obj["data_version"]),
        catalogue_version=str(obj["catalogue_version"]),
        n=int(obj.get("n", 0)),
        positives=int(obj.get("positives", 0)),
        heldout={k: float(v) for k, v in obj.get("heldout", {}).items()},
        note=str(obj.get("note", "")),
    )


@lru_cache(maxsize=4)
def load_calibrations(path: str | None = None) -> dict[str, Calibration]:
    p = Path(path) if path else CALIBRATION_FILE
    if not p.exists():
        return {}
    raw = json.loads(p.read_text(encoding="utf-8"))
    if raw.get("format") != FORMAT:
        raise ValueError(f"{p.name}: unsupported calibration format {raw.get('format')!r}")
    out = {}
    for kind, obj in raw["kinds"].items():
        cal = _parse(obj, kind)
        if cal.a <= 0:
            raise ValueError(f"{p.name}: kind {kind}: slope a must be > 0 (monotone score)")
        out[kind] = cal
    return out


@lru_cache(maxsize=8)
def calibration_for(kind: str) -> Calibration:
    """The shipped calibration for `kind`, flagged when the catalogue has changed since."""
    cal = load_calibrations().get(kind)
    if cal is None:
        return uncalibrated(kind)
    from threadline.indicators.catalogue import load_catalogue

    version = load_catalogue().version
    if cal.catalogue_version != version:
        note = f"stale: fitted for catalogue {cal.catalogue_version}, loaded {version}"
        cal = replace(cal, note=note)
    return cal


def fit_platt(sums: Sequence[float], labels: Sequence[int]) -> tuple[float, float]:
    """(a, b) maximising the smoothed likelihood of sigmoid(a*s + b) (Lin, Lin & Weng 2007)."""
    import numpy as np

    x = np.asarray(sums, dtype=float)
    y = np.asarray(labels, dtype=int)
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if pos == 0 or neg == 0:
        raise ValueError("Platt scaling needs both labels")
    t = np.where(y == 1, (pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0))
    a, b = 0.0, math.log((pos + 1.0) / (neg + 1.0))

    def loss(a: float, b: float) -> float:
        z = a * x + b
        return float(np.sum(np.logaddexp(0, z) - t * z))

    current = loss(a, b)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(a * x + b)))
        g = np.array([np.sum((p - t) * x), np.sum(p - t)])
        w = p * (1 - p)
        h = np.array([[np.sum(w * x * x), np.sum(w * x)], [np.sum(w * x), np.sum(w)]])
        h += 1e-12 * np.eye(2)
        step = np.linalg.solve(h, g)
        if float(np.max(np.abs(g))) < 1e-9:
            break
        lr, decrease = 1.0, float(g @ step)  # Newton direction is -step
        while True:  # backtracking line search (Armijo)
            na, nb = a - lr * float(step[0]), b - lr * float(step[1])
            new = loss(na, nb)
            if new <= current - 1e-4 * lr * decrease or lr < 1e-10:
                break
            lr /= 2
        a, b, current = na, nb, new
    return a, b


def calibration_checks(
    sums: Sequence[float], labels: Sequence[int], a: float, b: float
) -> dict[str, float]:
    """Brier score, expected calibration error (10 bins), precision and recall at 0.5."""
    probs = [1.0 / (1.0 + math.exp(-(a * s + b))) for s in sums]
    n = len(probs)
    brier = math.fsum((p - y) ** 2 for p, y in zip(probs, labels, strict=True)) / n
    bins: dict[int, list[tuple[float, int]]] = {}
    for p, y in zip(probs, labels, strict=True):
        bins.setdefault(min(9, int(p * 10)), []).append((p, y))
    ece = math.fsum(
        len(v) / n * abs(sum(p for p, _ in v) / len(v) - sum(y for _, y in v) / len(v))
        for v in bins.values()
    )
    tp = sum(1 for p, y in zip(probs, labels, strict=True) if p >= 0.5 and y)
    flagged = sum(1 for p in probs if p >= 0.5)
    positives = sum(labels)
    return {
        "brier": round(brier, 4),
        "ece": round(ece, 4),
        "precision_at_0.5": round(tp / flagged, 4) if flagged else 0.0,
        "recall_at_0.5": round(tp / positives, 4) if positives else 0.0,
        "n": float(n),
    }


def fit_synthetic(count: int, seed: int, heldout_seed: int) -> dict[str, Any]:
    """Fit every kind on a synthetic corpus; check on another seed. Returns the JSON document."""
    from threadline.indicators.catalogue import load_catalogue
    from threadline.indicators.synthetic import LABELS, labelled_sums

    version = load_catalogue().version
    train = labelled_sums(count, seed)
    test = labelled_sums(max(2000, count // 4), heldout_seed)
    kinds: dict[str, Any] = {}
    for kind in LABELS:
        sums, labels, data_version = train[kind]
        a, b = fit_platt(sums, labels)
        hs, hl, _ = test[kind]
        kinds[kind] = {
            "method": "platt",
            "a": round(a, 6),
            "b": round(b, 6),
            "fitted_on": "synthetic",
            "data": (
                f"threadline.synth generate(count={count}, seed={seed}), kind {kind}; labels from"
                f" its ground truth roles {LABELS[kind]}; held-out check on seed {heldout_seed}"
            ),
            "data_version": data_version,
            "catalogue_version": version,
            "n": len(labels),
            "positives": int(sum(labels)),
            "heldout": calibration_checks(hs, hl, a, b),
            "note": "SYNTHETIC calibration: the generator's base rates, not the world's",
        }
    return {"format": FORMAT, "method": "platt", "kinds": kinds}


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Fit the score calibration on synthetic data.")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=101)
    ap.add_argument("--heldout-seed", type=int, default=202)
    ap.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    args = ap.parse_args(argv)
    doc = fit_synthetic(args.count, args.seed, args.heldout_seed)
    args.out.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for kind, obj in doc["kinds"].items():
        print(kind, f"a={obj['a']} b={obj['b']}", obj["heldout"])


if __name__ == "__main__":
    main()
