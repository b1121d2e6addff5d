"""A record's risk score: a documented function of its signals, with contributions.

The function, for a record of kind k with signals i (each indicator at most
once) of catalogue weights w_i:

    s      = sum_i w_i                       (the evidence sum; weights are set by grade)
    value  = sigmoid(a_k * s + b_k)          (Platt scaling, a_k > 0; see `calibration`)

Contributions (they sum to `value`):

    baseline  = sigmoid(b_k)                 the value of a record with no signals
    c_i       = (value - baseline) * w_i / s             when s != 0
    c_i       = a_k * sigmoid'(b_k) * w_i                when s == 0 (the limit)

For a function of a weighted sum this split is exactly the Aumann-Shapley /
integrated-gradients attribution from the no-signal baseline, so it is
order-free and each signal's share is proportional to its weight. Because
a_k > 0, adding a signal of positive weight never lowers the value, and a
zero-weight signal (movement language, stated age under 23, client
screening) changes nothing: its contribution is 0.

The float rounding of the split is absorbed by the largest share, so
`math.fsum(contributions) == value` exactly (with plain float addition, to
within 1e-12); `value` itself is the sigmoid, so it is monotone in s.

`a_k` and `b_k` come from `calibration.json`, fitted on labelled data —
today synthetic data, which the calibration record says; a value is a risk
level for review, never a finding.

Network features will enter as further contributions of the same form.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Final

from threadline.immutable import Immutable
from threadline.indicators.calibration import Calibration, calibration_for
from threadline.indicators.signal import Signal

BASELINE = "baseline"  # the pseudo-indicator carrying sigmoid(b)
REVIEW_THRESHOLD = 0.5  # a value at or above it is put forward for review
METHOD = "platt(sum of weights); contributions by Aumann-Shapley split from the no-signal baseline"


class Contribution(Immutable):
    """One item's share of a score (a plain class, as `Signal`)."""

    __slots__ = ("contribution", "indicator", "weight")
    _fields = ("indicator", "weight", "contribution")

    def __init__(self, indicator: str, weight: float, contribution: float) -> None:
        self.indicator: Final = indicator  # catalogue id, or "baseline"
        self.weight: Final = weight  # the catalogue weight (0 for the baseline)
        self.contribution: Final = contribution  # this item's share of the value

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "weight": self.weight,
            "contribution": self.contribution,
        }


class Score(Immutable):
    """A record's score with the contributions that sum to it (a plain class, as `Signal`)."""

    __slots__ = ("calibration", "contributions", "method", "value", "weight_sum")
    _fields = ("value", "contributions", "method", "calibration", "weight_sum")

    def __init__(
        self,
        value: float,  # sigmoid(a*s + b) in [0, 1]; == math.fsum of the contributions
        contributions: tuple[Contribution, ...],  # baseline first, then signals in signal order
        method: str,
        calibration: Calibration,
        weight_sum: float,  # s
    ) -> None:
        self.value: Final = value
        self.contributions: Final = contributions
        self.method: Final = method
        self.calibration: Final = calibration
        self.weight_sum: Final = weight_sum

    @property
    def for_review(self) -> bool:
        return self.value >= REVIEW_THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "for_review": self.for_review,
            "weight_sum": self.weight_sum,
            "method": self.method,
            "contributions": [c.to_dict() for c in self.contributions],
            "calibration": self.calibration.to_dict(),
        }


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _close(parts: list[float], value: float) -> None:
    """Absorb float rounding into one part so that `math.fsum(parts) == value`.

    The smallest non-zero part takes it: its finer float spacing (at most half
    the value's when two or more parts are non-zero) means the sum can always
    land on `value`, and zero contributions stay exactly zero.
    """
    if math.fsum(parts) == value:  # most often the split is exact already
        return
    nonzero = [j for j, p in enumerate(parts) if p != 0]
    if not nonzero:
        return
    k = min(nonzero, key=lambda j: abs(parts[j]))
    parts[k] = value - math.fsum(p for j, p in enumerate(parts) if j != k)
    for _ in range(16):  # a step or two away at most
        gap = value - math.fsum(parts)
        if gap == 0:
            return
        parts[k] = math.nextafter(parts[k], math.inf if gap > 0 else -math.inf)


def score(signals: Iterable[Signal], *, kind: str, calibration: Calibration | None = None) -> Score:
    """The record's score and each signal's contribution (see the module docstring)."""
    cal = calibration or calibration_for(kind)
    seen: set[str] = set()
    items: list[tuple[str, float]] = []
    for sig in signals:
        if sig.indicator not in seen:  # an indicator counts once
            seen.add(sig.indicator)
            items.append((sig.indicator, sig.weight))
    s = math.fsum(w for _, w in items)
    base = _sigmoid(cal.b)
    value = _sigmoid(cal.a * s + cal.b)
    if abs(s) > 1e-12:
        shares = [(value - base) * w / s for _, w in items]
    else:
        slope = cal.a * base * (1.0 - base)
        shares = [slope * w for _, w in items]
    parts = [base, *shares]
    _close(parts, value)
    contributions = [Contribution(BASELINE, 0.0, parts[0])]
    contributions += [Contribution(iid, w, c) for (iid, w), c in zip(items, parts[1:], strict=True)]
    return Score(value, tuple(contributions), METHOD, cal, s)


def explain_rows(signals: Iterable[Signal], result: Score) -> list[dict[str, Any]]:
    """One row per contribution, largest first, for `threadline explain` to print."""
    by_id = {s.indicator: s for s in signals}
    rows: list[dict[str, Any]] = []
    for c in result.contributions:
        sig = by_id.get(c.indicator)
        rows.append(
            {
                "indicator": c.indicator,
                "name": sig.name if sig else "no-signal baseline (calibration)",
                "grade": sig.grade if sig else "",
                "weight": c.weight,
                "contribution": c.contribution,
                "spans": [list(x) for x in sig.spans] if sig else [],
                "citation": sig.citation if sig else result.calibration.describe(),
            }
        )
    rows.sort(key=lambda r: (r["indicator"] != BASELINE, -float(r["contribution"])))
    return rows
