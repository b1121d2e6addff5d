"""The score: contributions sum to it, contradicted evidence adds nothing, monotone, calibrated."""

from __future__ import annotations

import itertools
import json
import math
import random

import pytest

from threadline.indicators.calibration import (
    CALIBRATION_FILE,
    Calibration,
    calibration_checks,
    calibration_for,
    fit_platt,
    load_calibrations,
    uncalibrated,
)
from threadline.indicators.catalogue import load_catalogue
from threadline.indicators.detect import detect
from threadline.indicators.score import BASELINE, explain_rows, score
from threadline.indicators.signal import Signal, SignalExplanation

CAT = load_catalogue()
CALS = [
    calibration_for("ad"),
    calibration_for("job_ad"),
    uncalibrated("ad"),
    Calibration("ad", "platt", 3.5, -6.0, "synthetic", "test", "", CAT.version),
]


def _signal(iid: str) -> Signal:
    ind = CAT.get(iid)
    return Signal(
        ind.id,
        ind.name,
        ind.category,
        ((0, 1),),
        ind.weight,
        ind.grade,
        CAT.citation(ind),
        SignalExplanation(CAT.version, ("test",), ind.sources),
    )


def _all(kind: str) -> list[Signal]:
    return [_signal(i.id) for i in CAT.for_kind(kind)]


@pytest.mark.parametrize("cal", CALS, ids=lambda c: f"{c.kind}-{c.method}-{c.a}")
@pytest.mark.parametrize("seed", range(5))
def test_contributions_sum_to_the_score(cal: Calibration, seed: int) -> None:
    rng = random.Random(seed)
    sigs = _all(cal.kind)
    chosen = rng.sample(sigs, rng.randint(0, len(sigs)))
    s = score(chosen, kind=cal.kind, calibration=cal)
    assert math.fsum(c.contribution for c in s.contributions) == s.value
    assert abs(sum(c.contribution for c in s.contributions) - s.value) < 1e-12
    assert 0.0 <= s.value <= 1.0
    assert s.contributions[0].indicator == BASELINE
    assert [c.indicator for c in s.contributions[1:]] == [x.indicator for x in chosen]
    assert s.weight_sum == pytest.approx(sum(x.weight for x in chosen))


@pytest.mark.parametrize("cal", CALS, ids=lambda c: f"{c.kind}-{c.method}-{c.a}")
def test_no_signals_gives_the_baseline(cal: Calibration) -> None:
    s = score([], kind=cal.kind, calibration=cal)
    assert s.value == pytest.approx(1 / (1 + math.exp(-cal.b)), abs=1e-6)
    assert [c.indicator for c in s.contributions] == [BASELINE]


@pytest.mark.parametrize("cal", CALS, ids=lambda c: f"{c.kind}-{c.method}-{c.a}")
@pytest.mark.parametrize("weak", ["movement_language", "stated_age_under_23", "client_screening"])
def test_contradicted_evidence_does_not_raise_the_score(cal: Calibration, weak: str) -> None:
    base = [_signal("trustworthy_language"), _signal("third_person")]
    kind = "ad"
    without = score(base, kind=kind, calibration=cal)
    with_weak = score([*base, _signal(weak)], kind=kind, calibration=cal)
    assert with_weak.value == pytest.approx(without.value, abs=1e-9)
    assert {c.indicator: c.contribution for c in with_weak.contributions}[weak] == 0.0


def test_movement_language_in_real_text_adds_nothing() -> None:
    plain = "Hi gentlemen, 100% real pics. Call me."
    moving = plain + " New in town, leaving soon, limited time!"
    a = score(detect(plain, [], kind="ad", lang="en"), kind="ad")
    b = score(detect(moving, [], kind="ad", lang="en"), kind="ad")
    assert "movement_language" in {c.indicator for c in b.contributions}
    assert b.value == pytest.approx(a.value, abs=1e-9)


@pytest.mark.parametrize("cal", CALS, ids=lambda c: f"{c.kind}-{c.method}-{c.a}")
def test_monotone_in_added_positive_weight_signals(cal: Calibration) -> None:
    rng = random.Random(7)
    sigs = [s for s in _all(cal.kind) if s.weight > 0]
    for _ in range(20):
        rng.shuffle(sigs)
        values = [
            score(sigs[:k], kind=cal.kind, calibration=cal).value for k in range(len(sigs) + 1)
        ]
        assert all(b >= a for a, b in itertools.pairwise(values)), values
        assert values[-1] > values[0]


def test_signals_round_trip_through_dicts() -> None:
    text = "Meet Mia, she is sweet and her smile is lovely. Real pics, no games."
    signals = detect(text, [], kind="ad", lang="en")
    again = tuple(Signal.from_dict(json.loads(json.dumps(s.to_dict()))) for s in signals)
    assert again == signals
    assert score(again, kind="ad") == score(signals, kind="ad")


def test_an_indicator_counts_once() -> None:
    sig = _signal("trustworthy_language")
    assert score([sig, sig], kind="ad").value == score([sig], kind="ad").value


def test_explain_rows_cover_every_contribution() -> None:
    sigs = [_signal("phone_obfuscated"), _signal("movement_language")]
    s = score(sigs, kind="ad")
    rows = explain_rows(sigs, s)
    assert {r["indicator"] for r in rows} == {c.indicator for c in s.contributions}
    assert rows[0]["indicator"] == BASELINE
    assert math.fsum(r["contribution"] for r in rows) == pytest.approx(s.value, abs=1e-12)
    json.dumps(s.to_dict())


def test_shipped_calibration_is_synthetic_data_and_current() -> None:
    raw = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert raw["method"] == "platt"
    cals = load_calibrations()
    assert set(cals) == {"ad", "job_ad"}
    for kind, cal in cals.items():
        assert cal.fitted_on == "synthetic" and "SYNTHETIC" in cal.note
        assert cal.a > 0
        assert cal.catalogue_version == CAT.version, (
            "refit: python -m threadline.indicators.calibrate"
        )
        assert "stale" not in calibration_for(kind).note
        assert {"brier", "ece"} <= set(cal.heldout)


def test_platt_fit_recovers_a_known_logistic() -> None:
    rng = random.Random(3)
    xs = [rng.choice([0.0, 0.4, 1.0, 1.5, 2.0, 3.0, 4.0]) for _ in range(4000)]
    ys = [int(rng.random() < 1 / (1 + math.exp(-(1.5 * x - 2.5)))) for x in xs]
    a, b = fit_platt(xs, ys)
    assert a == pytest.approx(1.5, abs=0.2) and b == pytest.approx(-2.5, abs=0.25)
    checks = calibration_checks(xs, ys, a, b)
    assert checks["ece"] < 0.05
    with pytest.raises(ValueError):
        fit_platt([1.0, 2.0], [1, 1])
