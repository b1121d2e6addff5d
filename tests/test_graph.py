"""Neighbourhood graphs for the UI: shared identifiers join records; hubs are not expanded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import add_user
from threadline import graph
from threadline.analyze import analyze_case
from threadline.cases import create_case
from threadline.errors import NotFound
from threadline.ingest.service import ingest_paths
from threadline.store import Store


def _case(store: Store, tmp_path: Path, ads: list[dict]) -> dict[str, int]:
    add_user(store, "t")
    create_case(store, "t", "river", "Identify operations in ads", "Court order 2026/114")
    path = tmp_path / "ads.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ads), "utf-8")
    ingest_paths(store, "t", "river", [path])
    analyze_case(store, "t", "river")
    from threadline.records import list_records

    return {r.external_id: r.id for r in list_records(store, "t", "river", limit=200)}


def test_records_sharing_an_identifier_are_joined_through_it(store: Store, tmp_path: Path) -> None:
    ids = _case(
        store,
        tmp_path,
        [
            {
                "id": "a",
                "text": "call 415 555 0123 now",
                "city": "Dallas",
                "posted_at": "2026-01-02",
            },
            {
                "id": "b",
                "text": "text 415-555-0123 or b@example.com",
                "city": "Tulsa",
                "posted_at": "2026-01-01",
            },
            {
                "id": "c",
                "text": "write b@example.com",
                "city": "Wichita",
                "posted_at": "2026-01-03",
            },
            {"id": "d", "text": "unrelated 212 555 0100", "city": "Austin"},
        ],
    )
    one_hop = graph.record_graph(store, "t", "river", ids["a"], hops=1)
    assert {n.id for n in one_hop.nodes if n.kind == "record"} == {f"r:{ids['a']}", f"r:{ids['b']}"}
    two_hops = graph.record_graph(store, "t", "river", ids["a"], hops=2)
    records = {n.id for n in two_hops.nodes if n.kind == "record"}
    assert records == {f"r:{ids[k]}" for k in "abc"}
    assert ("phone", "+14155550123") in {(n.kind, n.label) for n in two_hops.nodes}
    assert {(e.source, e.reason) for e in two_hops.edges} >= {(f"r:{ids['c']}", "email")}
    # the movement: ordered by posting time, with coordinates from the offline gazetteer
    assert [s.record_id for s in two_hops.stops] == [ids["b"], ids["a"], ids["c"]]
    assert all(s.lat is not None and s.lon is not None for s in two_hops.stops)
    with pytest.raises(NotFound):
        graph.record_graph(store, "t", "river", 10**9)


def test_a_hub_value_is_shown_but_not_expanded(store: Store, tmp_path: Path) -> None:
    ads = [{"id": "me", "text": "call 415 555 0123 or 312 555 0199"}]
    ads += [{"id": f"h{i}", "text": f"front desk 312 555 0199 room {i}"} for i in range(60)]
    ids = _case(store, tmp_path, ads)
    found = graph.record_graph(store, "t", "river", ids["me"], hops=2)
    hub = [n for n in found.nodes if n.label == "+13125550199"]
    assert hub and hub[0].hub
    assert [n.id for n in found.nodes if n.kind == "record"] == [f"r:{ids['me']}"]
