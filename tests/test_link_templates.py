"""MDL templates: the shared template and its slots are recovered; a non-template is rejected."""

from __future__ import annotations

from threadline.link import link_records
from threadline.link.templates import find_template

ADS = [
    ("Mia", "Houston", "200", "713-555-0101"),
    ("Lola", "Dallas", "250", "214-555-0102"),
    ("Ivy", "Austin", "180", "512-555-0103"),
    ("Zoe", "Tulsa", "300", "918-555-0104"),
    ("Ana", "Wichita", "220", "316-555-0105"),
]


def _text(name: str, city: str, price: str, phone: str) -> str:
    return (
        f"Hello gentlemen, my name is {name} and I just arrived in {city} for a few days. "
        f"Sweet, discreet and always on time. Roses {price} for one hour, no rush. "
        f"Text me at {phone} to book, serious callers only please."
    )


def test_template_and_slots_are_recovered() -> None:
    texts = [_text(*a) for a in ADS]
    ids = [f"ad-{i}" for i in range(len(texts))]
    tpl = find_template(texts, ids)
    assert tpl is not None
    assert tpl.members == tuple(ids)
    # the constant wording is the template; the varying values are slots
    for fixed in ("Hello gentlemen, my name is", "just arrived in", "Roses", "Text me at"):
        assert fixed in tpl.text
    for name, city, _price, phone in ADS:
        assert name not in tpl.text and city not in tpl.text and phone not in tpl.text
    values = {v for s in tpl.slots for v in s.values}
    for name, city, price, phone in ADS:
        assert any(name in v for v in values)
        assert any(city in v for v in values)
        assert any(price in v for v in values)
        assert any(phone in v for v in values)
    assert all(len(s.values) == len(texts) for s in tpl.slots)
    assert tpl.text.count("[[") == len(tpl.slots)
    assert tpl.bits_with < tpl.bits_without and tpl.bits_saved > 0
    assert tpl.to_dict()["slots"][0]["slot"] == 1


def test_mdl_rejects_a_template_that_does_not_shorten_the_description() -> None:
    unrelated = [
        "Fresh bread every morning from our family bakery on the corner.",
        "Quarterly report shows revenue growth in every region this year.",
        "The museum opens a new exhibition of early photography next week.",
    ]
    assert find_template(unrelated, ["a", "b", "c"]) is None
    # two texts sharing a single common word: a one-word "template" costs more than it saves
    assert find_template(["call me tonight", "never call again"], ["a", "b"]) is None
    assert find_template(["", ""], ["a", "b"]) is None


def test_templates_from_a_link_result() -> None:
    records = [{"id": f"ad-{i}", "text": _text(*a), "city": a[1]} for i, a in enumerate(ADS)] + [
        {"id": "other", "text": "A completely different advertisement about used bicycles."}
    ]
    res = link_records(records)
    found = list(res.templates(min_members=3))
    assert len(found) == 1
    network, tpl = found[0]
    assert set(tpl.members) == {f"ad-{i}" for i in range(len(ADS))}
    assert network == res.network[0]
