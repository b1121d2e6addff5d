"""Every indicator's own examples (EN and ES), run as one shared table (STYLE.md §11).

Each example goes through the real pipeline: extraction, then detection. It
must fire or not as stated, and when spans are given the signal must point at
exactly those slices of the text. The gated matcher and the brute-force
reference must agree, on the examples and on a synthetic sample.
"""

from __future__ import annotations

import pytest

from threadline.extract.base import ExtractContext
from threadline.extract.engine import extract_all
from threadline.indicators.catalogue import load_catalogue
from threadline.indicators.detect import detect
from threadline.indicators.rules import DetectContext
from threadline.indicators.schema import Indicator, IndicatorExample

CAT = load_catalogue()
CASES = [
    pytest.param(ind, ex, id=f"{ind.id}-{ex.lang}-{i}")
    for ind in CAT.indicators
    for i, ex in enumerate(ind.examples)
]


def _run(ind: Indicator, ex: IndicatorExample, *, reference: bool = False):  # type: ignore[no-untyped-def]
    region = ex.context.get("region")
    mentions = extract_all(ex.text, ExtractContext(default_region=region)).mentions
    ctx = DetectContext.from_example(ex.context)
    return detect(ex.text, mentions, kind=ind.kind, lang=ex.lang, context=ctx, reference=reference)


@pytest.mark.parametrize(("ind", "example"), CASES)
def test_example(ind: Indicator, example: IndicatorExample) -> None:
    signals = _run(ind, example)
    mine = [s for s in signals if s.indicator == ind.id]
    assert bool(mine) == example.fires, example.note or example.text
    for s in signals:
        for start, end in s.spans:
            assert 0 <= start < end <= len(example.text)
        assert s.explanation.catalogue_version == CAT.version
    if mine:
        sig = mine[0]
        assert (sig.weight, sig.grade, sig.category) == (ind.weight, ind.grade, ind.category)
        assert sig.citation == CAT.citation(ind)
        assert sig.explanation.matched
        if example.spans is not None:
            got = sorted(example.text[a:b] for a, b in sig.spans)
            assert got == sorted(example.spans)
    assert _run(ind, example, reference=True) == signals


def test_screen_dict_has_exactly_the_documented_keys() -> None:
    ind = CAT.get("trustworthy_language")
    sig = next(s for s in _run(ind, ind.examples[0]) if s.indicator == ind.id)
    assert list(sig.to_screen_dict()) == ["indicator", "spans", "weight", "grade", "citation"]
    assert sig.to_screen_dict()["spans"] == [list(s) for s in sig.spans]


def test_signals_are_in_text_order_and_indicators_fire_once() -> None:
    text = "New in town! 100% real pics, no games. Young and fresh. Available 24/7, 24 hours."
    signals = detect(text, [], kind="ad", lang="en")
    ids = [s.indicator for s in signals]
    assert len(ids) == len(set(ids))
    firsts = [s.spans[0][0] for s in signals if s.spans]
    assert firsts == sorted(firsts)


def test_language_none_uses_every_language() -> None:
    text = "Fotos 100% reales, sin engaños"
    assert not [s for s in detect(text, [], kind="ad", lang="en")]
    assert [s.indicator for s in detect(text, [], kind="ad", lang=None)] == ["trustworthy_language"]
    assert detect(text, [], kind="ad", lang="fr") == detect(text, [], kind="ad", lang=None)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown record kind"):
        detect("text", [], kind="tweet")


def test_gated_scan_matches_reference_on_synthetic_sample() -> None:
    from threadline.synth import generate

    checked = 0
    for ad, _ in generate(150, 13):
        ctx = DetectContext(region=ad["country"])
        mentions = extract_all(ad["text"], ExtractContext(default_region=ad["country"])).mentions
        for lang in (ad["lang"], None):
            fast = detect(ad["text"], mentions, kind=ad["kind"], lang=lang, context=ctx)
            ref = detect(
                ad["text"], mentions, kind=ad["kind"], lang=lang, context=ctx, reference=True
            )
            assert fast == ref, ad["text"]
            checked += 1
    assert checked == 300


def test_hostile_text_is_bounded() -> None:
    text = ("no " * 20000) + "experience " + "🔥" * 5000
    signals = detect(text, [], kind="job_ad", lang="en")
    assert all(len(s.spans) <= 20 for s in signals)


def test_assess_reports_a_pattern_timeout_instead_of_raising(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from threadline.extract.base import ExtractError
    from threadline.indicators import assess

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ExtractError("pattern indicator:x timed out after 0.5s")

    monkeypatch.setattr("threadline.indicators.detect", boom)
    result = assess("100% real pics", [], kind="ad", lang="en")
    assert result.signals == () and result.errors
    assert result.to_screen()["errors"] == ["indicators: pattern indicator:x timed out after 0.5s"]
