"""Identifier links and the hub rule: a switchboard is kept as evidence but merges nothing."""

from __future__ import annotations

import random
import string
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from threadline.link import LinkConfig, link_records
from threadline.link.config import pivot_types
from threadline.link.identifiers import frequency_fence, index_values
from threadline.values import VALUE_TYPES

HUB = "+14155559999"


def _words(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 8))) for _ in range(n)]


def _authors(n_authors: int, ads_each: int, hub_every: int, seed: int = 1) -> list[dict]:
    """Authors with their own phone and their own wording; every `hub_every`-th author also
    prints the shared switchboard number in one ad. Pivots are given as mentions, so the
    test does not depend on the extractors."""
    rng = random.Random(seed)
    records = []
    for a in range(n_authors):
        base = _words(rng, 40)
        phone = f"+1415555{a:04d}"
        for k in range(ads_each):
            words = list(base)
            words[rng.randrange(len(words))] = rng.choice(base)
            text = " ".join(words)
            mentions = [{"type": "phone", "normalized": phone, "start": 0, "end": 3}]
            if hub_every and a % hub_every == 0 and k == 0:
                mentions.append({"type": "phone", "normalized": HUB, "start": 4, "end": 7})
            records.append(
                {
                    "id": f"a{a:03d}-{k}",
                    "text": text,
                    "mentions": mentions,
                    "city": rng.choice(["Houston", "Dallas", "Austin", "Tulsa"]),
                    "posted_at": f"2026-01-{1 + k:02d}T10:00:00Z",
                }
            )
    return records


def test_pivot_types_come_from_the_value_layer() -> None:
    assert set(pivot_types()) == {n for n, t in VALUE_TYPES.items() if t.pivot}
    assert "price" not in pivot_types()
    assert {"phone", "email", "handle", "payment_handle", "crypto_address"} <= set(pivot_types())


def test_author_values_link_their_ads() -> None:
    res = link_records(_authors(6, 4, hub_every=0))
    nets = Counter(res.network)
    assert sorted(nets.values()) == [4] * 6
    link = next(x for x in res.links() if x.reason == "identifier")
    assert link.value is not None and link.value.startswith("phone:+1415555")
    assert link.counts and link.strength == 1.0


def test_switchboard_is_held_back_with_a_visible_decision() -> None:
    records = _authors(20, 3, hub_every=2)  # 10 unrelated authors print the hub once
    res = link_records(records)
    hubs = res.hubs()
    assert [(d.type, d.value) for d in hubs] == [("phone", HUB)]
    d = hubs[0]
    assert d.hub and d.records == 10 and d.groups == 10
    assert d.cohesion is not None and d.cohesion < 0.12
    assert "groups" in d.reason and "unrelated" in d.reason
    assert d.to_dict()["value"] == HUB
    # networks are the 20 authors, the hub merged none of them
    assert sorted(Counter(res.network).values()) == [3] * 20
    hub_links = [x for x in res.links() if x.value == f"phone:{HUB}"]
    assert len(hub_links) == 9 and not any(x.counts for x in hub_links)
    assert all(x.note.startswith("hub:") for x in hub_links)
    assert any("held back as hubs" in w for w in res.warnings)
    # the decision shows in the network summary too
    net = res.network_of("a000-0")
    assert net is not None
    assert any(u.value == HUB and u.hub for u in net.identifiers)
    assert all(x.counts for x in net.links)  # inside the network
    assert any(x.value == f"phone:{HUB}" and not x.counts for x in net.held_back)


def test_a_value_shared_by_every_record_does_not_make_one_network() -> None:
    records = _authors(150, 2, hub_every=0)
    for r in records:
        r["mentions"].append({"type": "email", "normalized": "bookings@hotel.example"})
    res = link_records(records)
    assert max(Counter(res.network).values()) == 2
    (d,) = res.hubs()
    assert d.value == "bookings@hotel.example" and d.records == 300
    assert "fence" in d.reason  # an outlier of the count distribution as well


def test_one_template_on_many_ads_is_not_a_hub() -> None:
    """An agency posting one template for many women is one operation: it merges."""
    rng = random.Random(4)
    base = _words(rng, 40)
    records = []
    for k in range(30):
        words = list(base)
        words[rng.randrange(40)] = rng.choice(["mia", "lola", "ivy", "zoe"])
        mentions = [
            {"type": "phone", "normalized": "+14155550199"},
            {"type": "email", "normalized": f"girl{k % 10}@example.com"},
        ]
        records.append({"id": f"r{k}", "text": " ".join(words), "mentions": mentions})
    res = link_records(records)
    assert not res.hubs()
    assert len(set(res.network)) == 1


def test_analyst_overrides() -> None:
    records = _authors(20, 3, hub_every=2)
    spared = link_records(records, config=LinkConfig(not_hub_values=(f"phone:{HUB}",)))
    assert not spared.hubs()
    assert max(Counter(spared.network).values()) > 3
    forced = link_records(
        _authors(6, 4, hub_every=0), config=LinkConfig(hub_values=("+14155550003",))
    )
    assert [d.value for d in forced.hubs()] == ["+14155550003"]
    assert "listed in hub_values" in forced.hubs()[0].reason


def test_frequency_fence_and_value_index() -> None:
    counts = np.array([2] * 50 + [3] * 30 + [5] * 10 + [4000])
    fence = frequency_fence(counts, 3.0, floor=100)
    assert 100 <= fence < 4000
    assert frequency_fence(np.array([2, 2]), 3.0, floor=100) == 100
    idx = index_values([[("phone", "b")], [("phone", "a"), ("phone", "b")], []])
    assert idx.values == ("a", "b")
    assert idx.records_of(1).tolist() == [0, 1]
    assert idx.counts().tolist() == [1, 2]


@pytest.mark.parametrize("evidence", [("identifier",), ("text",), ("identifier", "text")])
def test_evidence_ablation_is_reported_not_hidden(evidence: tuple[str, ...]) -> None:
    res = link_records(_authors(5, 3, hub_every=0), config=replace(LinkConfig(), evidence=evidence))
    kinds = {x.reason for x in res.links() if x.counts}
    assert kinds <= set(evidence)
    if "identifier" not in evidence:
        assert all(not x.counts for x in res.links() if x.reason == "identifier")


def test_a_reissued_number_is_a_new_use_not_one_author() -> None:
    """The same number 60 days later, on other wording: a recycled number, two authors."""
    rng = random.Random(8)
    records = []
    for author, month in ((0, "01"), (1, "03")):
        base = _words(rng, 40)
        for k in range(3):
            records.append(
                {
                    "id": f"x{author}-{k}",
                    "text": " ".join(base),
                    "mentions": [{"type": "phone", "normalized": "+14155550777"}],
                    "posted_at": f"2026-{month}-{1 + 2 * k:02d}T10:00:00Z",
                }
            )
    res = link_records(records)
    assert len(set(res.network)) == 2
    labels = {x.value for x in res.links() if x.reason == "identifier"}
    assert labels == {"phone:+14155550777 (use 1 of 2)", "phone:+14155550777 (use 2 of 2)"}
    merged = link_records(records, config=LinkConfig(identifier_gap_days=None))
    assert len(set(merged.network)) == 1


def test_a_number_reissued_while_the_first_owner_still_posts_is_held_back() -> None:
    """Interleaved in time, so no silence splits it; unrelated wording and a late start do."""
    rng = random.Random(9)
    records = []
    for author, days in ((0, (1, 20, 40, 62, 80, 100)), (1, (60, 63, 66, 70, 75, 85))):
        base = _words(rng, 40)
        for k, day in enumerate(days):
            mentions = [
                {"type": "phone", "normalized": "+14155550888"},
                {"type": "email", "normalized": f"own{author}@example.com"},
            ]
            records.append(
                {
                    "id": f"y{author}-{k}",
                    "text": " ".join(base),
                    "mentions": mentions,
                    "posted_at": 1_767_225_600 + day * 86400,
                }
            )
    res = link_records(records)
    assert len(set(res.network)) == 2
    (d,) = res.hubs()
    assert d.value == "+14155550888" and "reissued" in d.reason
    assert d.between is not None and d.between < 0.12
