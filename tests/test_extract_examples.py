"""Every registered extractor's own examples, run as one shared table (STYLE.md §11)."""

from __future__ import annotations

import pytest

from threadline.extract.base import Example, ExtractContext, Extractor
from threadline.extract.engine import extract_all
from threadline.extract.registry import all_extractors, extractor_names, get_extractor
from threadline.values import VALUE_TYPES

CASES = [
    pytest.param(ex, example, id=f"{ex.name}-{i}")
    for ex in all_extractors()
    for i, example in enumerate(ex.examples)
]


@pytest.mark.parametrize(("extractor", "example"), CASES)
def test_example(extractor: Extractor, example: Example) -> None:
    ctx = ExtractContext(default_region=example.region)
    result = extract_all(example.text, ctx, extractors=[extractor])
    assert result.errors == ()
    got = tuple((m.type, m.raw, m.normalized) for m in result.mentions)
    assert got == example.expected
    for m in result.mentions:
        assert example.text[m.start : m.end] == m.raw
        assert m.extractor == extractor.name and m.extractor_version == extractor.version
        assert 0 < m.confidence <= 1
    if example.obfuscation is not None:
        used = sorted({k for m in result.mentions for k in m.explanation.obfuscation})
        assert tuple(used) == example.obfuscation


@pytest.mark.parametrize("extractor", all_extractors(), ids=extractor_names())
def test_extractor_is_well_formed(extractor: Extractor) -> None:
    assert extractor.name and extractor.version
    assert set(extractor.types) <= set(VALUE_TYPES)
    assert any(e.expected for e in extractor.examples), "needs a positive example"
    assert any(not e.expected for e in extractor.examples), "needs a negative example"
    for e in extractor.examples:
        assert {t for t, _, _ in e.expected} <= set(extractor.types)
        for _, raw, normalized in e.expected:
            assert raw in e.text
            assert VALUE_TYPES[e.expected[0][0]].validate(normalized), normalized
    assert all(w == w.lower() for w in extractor.trigger_words())


def test_registry_covers_every_value_type() -> None:
    emitted = {t for ex in all_extractors() for t in ex.types}
    assert emitted == set(VALUE_TYPES)
    assert get_extractor("phone").name == "phone"
    with pytest.raises(KeyError):
        get_extractor("nope")


def test_all_extractors_together_resolve_overlaps() -> None:
    text = (
        "Zelle: 415-555-0123, mail 4155550199@example.com, $200/hr, "
        "snap: luna_rose22, visit example.org/luna"
    )
    result = extract_all(text, ExtractContext(default_region="US"))
    got = [(m.type, m.normalized) for m in result.mentions]
    assert got == [
        ("payment_handle", "zelle:+14155550123"),
        ("phone", "+14155550123"),  # nested in the payment handle: both kept
        ("email", "4155550199@example.com"),  # beats the phone inside it
        ("price", "200 USD/hour"),
        ("handle", "snapchat:luna_rose22"),
        ("url", "example.org/luna"),
    ]
    assert any(m.type == "phone" and m.normalized == "+14155550199" for m in result.suppressed)
    assert [m.start for m in result.mentions] == sorted(m.start for m in result.mentions)
