"""The fairness report: group flag rates, disparity ratios, the indicators it lists."""

from __future__ import annotations

import json
import math

import pytest

from threadline.indicators.bias import NONE_GROUP, GroupFinder, bias_report
from threadline.indicators.catalogue import load_catalogue
from threadline.indicators.signal import Signal, SignalExplanation

CAT = load_catalogue()


def _sig(iid: str) -> Signal:
    ind = CAT.get(iid)
    return Signal(
        iid,
        ind.name,
        ind.category,
        (),
        ind.weight,
        ind.grade,
        CAT.citation(ind),
        SignalExplanation(CAT.version, (), ind.sources),
    )


def _records() -> list[tuple]:  # type: ignore[type-arg]
    """80 English US ads naming no group, 80 Spanish MX ads naming a Latin American nationality.

    `new_to_country` (practitioner-reported) fires on 40 of the Spanish ads and 10 of
    the English; `trustworthy_language` evenly on half of each.
    """
    out = []
    for i in range(80):
        sigs = [_sig("trustworthy_language")] if i % 2 else []
        if i < 10:
            sigs.append(_sig("new_to_country"))
        out.append(("Hi, real pics", "en", "US", sigs, 0.7 if i % 2 else 0.2))
    for i in range(80):
        sigs = [_sig("ethnicity_stated")] + ([_sig("trustworthy_language")] if i % 2 else [])
        if i < 40:
            sigs.append(_sig("new_to_country"))
        out.append(("Soy colombiana", "es", "MX", sigs, 0.9 if i % 2 else 0.3))
    return out


def _row(report, subject: str, dim: str):  # type: ignore[no-untyped-def]
    return next(r for r in report.rows if r.subject == subject and r.dimension == dim)


def test_rates_and_ratios() -> None:
    report = bias_report(_records(), kind="ad")
    assert report.n_records == 160
    row = _row(report, "new_to_country", "language")
    rates = {g.group: (g.flagged, g.n) for g in row.groups}
    assert rates == {"en": (10, 80), "es": (40, 80)}
    assert row.ratio == pytest.approx(4.0)
    assert (row.top_group, row.low_group, row.disparate) == ("es", "en", True)
    even = _row(report, "trustworthy_language", "region")
    assert even.ratio == pytest.approx(1.0) and not even.disparate


def test_practitioner_indicator_firing_on_one_group_is_listed() -> None:
    report = bias_report(_records(), kind="ad")
    listed = {(r.subject, r.dimension) for r in report.without_outcome_evidence}
    assert ("new_to_country", "ethnicity_nationality") in listed
    assert all(r.grade != "outcome-validated" for r in report.without_outcome_evidence)
    assert "new_to_country" in report.to_text()


def test_ethnicity_indicator_is_disparate_by_construction_not_listed() -> None:
    report = bias_report(_records(), kind="ad")
    row = _row(report, "ethnicity_stated", "ethnicity_nationality")
    assert row.by_construction and row.disparate and math.isinf(row.ratio or 0)
    assert row.to_dict()["unbounded"] is True and row.to_dict()["ratio"] is None
    assert ("ethnicity_stated", "ethnicity_nationality") not in {
        (r.subject, r.dimension) for r in report.without_outcome_evidence
    }


def test_score_flag_rate_uses_the_review_threshold() -> None:
    report = bias_report(_records(), kind="ad")
    row = _row(report, "score", "language")
    assert {g.group: g.flagged for g in row.groups} == {"en": 40, "es": 40}
    strict = bias_report(_records(), kind="ad", review_threshold=0.8)
    row = _row(strict, "score", "language")
    assert {g.group: g.flagged for g in row.groups} == {"en": 0, "es": 40}


def test_small_groups_are_not_compared_and_unfired_indicators_listed() -> None:
    records = _records()[:75] + _records()[80:85]  # 5 Spanish records: below min_group
    report = bias_report(records, kind="ad")
    row = _row(report, "new_to_country", "language")
    assert row.ratio is None and not row.disparate
    assert _row(report, "payment_identifier", "language").ratio is None


def test_report_serialises() -> None:
    report = bias_report(_records(), kind="ad")
    doc = json.loads(json.dumps(report.to_dict()))
    assert doc["n_records"] == 160 and doc["threshold"] == 1.25
    assert "disparity" in report.to_text()


@pytest.mark.parametrize(
    ("text", "groups"),
    [
        ("Sweet Puerto Rican girl", ("latin_american",)),
        ("Chica asiática y colombiana", ("asian", "latin_american")),
        ("Black hair, blue eyes", (NONE_GROUP,)),
        ("Bilingual English/Spanish a plus", (NONE_GROUP,)),
    ],
)
def test_group_words(text: str, groups: tuple[str, ...]) -> None:
    assert GroupFinder(CAT).groups(text) == groups


def test_report_on_a_small_synthetic_corpus() -> None:
    from threadline.indicators.score import score
    from threadline.indicators.synthetic import screen_synthetic

    records = [
        (r.ad["text"], r.ad["lang"], r.ad["country"], r.signals, score(r.signals, kind="ad"))
        for r in screen_synthetic(250, 21)
        if r.ad["kind"] == "ad"
    ]
    report = bias_report(records, kind="ad", min_group=20)
    assert report.n_records == len(records)
    assert {r.subject for r in report.rows} >= {"score", "youth_language", "movement_language"}
