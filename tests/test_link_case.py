"""Linking a stored case: links as rows, networks with stable ids and summaries, hub
decisions, versioned runs, and `analyze` running linking after extraction."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from conftest import add_user
from threadline.analyze import analyze_case
from threadline.cases import create_case
from threadline.ingest.service import ingest_paths
from threadline.link.case import link_case
from threadline.link.components import network_id
from threadline.link.networks import hub_decisions, list_networks
from threadline.store import Store
from threadline.store.models import (
    AuditEvent,
    HubDecisionRow,
    LinkRow,
    LinkRun,
    NetworkMember,
    NetworkRow,
    Record,
)

CITIES = ("Houston", "Dallas", "Austin", "Houston")
OPS = (
    ("713-555-0101", "New girl in town, sweet and discreet, ask for {name}. Call {p} any time."),
    ("214-555-0102", "Exotic beauty visiting this week only, ask for {name} and text {p} now."),
)
NAMES = ("Lily", "Rose", "Mia", "Ava")


def _ads(shared: str | None = None) -> list[dict]:
    """Two operations (each its phone and template, moving Houston → Dallas → Austin →
    Houston) and three unrelated singletons; `shared` is printed on every ad."""
    out = []
    for op, (phone, wording) in enumerate(OPS):
        for k in range(4):
            text = wording.format(name=NAMES[k], p=phone)
            out.append(
                {
                    "id": f"op{op}-{k}",
                    "text": text + (f" Hotel desk {shared}." if shared else ""),
                    "city": CITIES[k],
                    "region": "TX",
                    "country": "US",
                    "posted_at": f"2026-01-0{k + 1}T12:00:00Z",
                }
            )
    for s, text in enumerate(
        (
            "Quiet studio apartment for rent near the university, utilities included, no pets.",
            "Selling a used bicycle in good condition, new tyres, pick up only on weekends.",
            "Lost cat answers to Pepper, grey with white paws, last seen near the park.",
        )
    ):
        extra = f" Hotel desk {shared}." if shared else ""
        out.append({"id": f"single-{s}", "text": text + extra, "city": "Austin", "country": "US"})
    return out


def hub_ads() -> list[dict]:
    """`_ads` with one number printed on every ad, and a third author (three rooms ads
    that share only their text) so the number joins three groups nothing else links."""
    return _ads(shared="832-555-0199") + [
        {
            "id": f"extra-{i}",
            "text": "Rooms ready tonight at the old inn near the station, quiet and clean, "
            f"room {i}, call reception 832-555-0199.",
            "city": "Austin",
            "country": "US",
        }
        for i in range(3)
    ]


def _ingest(store: Store, tmp_path: Path, ads: list[dict], name: str = "river") -> None:
    add_user(store, "tester")
    create_case(store, "tester", name, "Identify operations in ads", "Court order 2026/114 …")
    path = tmp_path / f"{name}.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ads), "utf-8")
    ingest_paths(store, "tester", name, [path])


def test_analyze_links_after_extraction(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, _ads())
    summary = analyze_case(store, "tester", "river")
    link = summary.linking
    assert link is not None and not link.unchanged
    assert (link.records, link.networks, link.in_networks, link.largest) == (11, 2, 8, 4)
    nets = list_networks(store, "tester", "river")
    assert [n["records"] for n in nets] == [4, 4]
    by_members = {tuple(sorted(n["summary"]["members"])): n for n in nets}
    op0 = by_members[tuple(f"op0-{k}" for k in range(4))]
    s = op0["summary"]
    assert [i["value"] for i in s["identifiers"] if i["type"] == "phone"] == ["+17135550101"]
    phone = s["identifiers"][0]
    assert phone["records"] == 4
    assert (phone["first_seen"], phone["last_seen"]) == (
        "2026-01-01T12:00:00Z",
        "2026-01-04T12:00:00Z",
    )
    assert [m["place"].split(",")[0] for m in s["movement"]] == [
        "Houston",
        "Dallas",
        "Austin",
        "Houston",
    ]
    assert (s["first_seen"], s["last_seen"]) == ("2026-01-01T12:00:00Z", "2026-01-04T12:00:00Z")
    assert 0.0 <= s["score"] <= 1.0 and s["contributions"][0]["indicator"] == "baseline"
    assert abs(sum(c["contribution"] for c in s["contributions"]) - s["score"]) < 1e-5
    (tpl,) = s["templates"]
    assert "[[" in tpl["template"] and "discreet" in tpl["template"]
    assert any("Lily" in v for slot in tpl["slots"] for v in slot["values"])
    with store.read() as session:
        kinds = dict(
            session.execute(select(LinkRow.kind, func.count()).group_by(LinkRow.kind)).all()
        )
        assert kinds["identifier"] == 6 and kinds["template"] >= 3
        phone_link = session.scalars(
            select(LinkRow).where(LinkRow.kind == "identifier").limit(1)
        ).one()
        assert phone_link.value.startswith("phone:+1") and phone_link.counts
        actions = session.scalars(select(AuditEvent.action)).all()
    assert {"link.run_started", "links.stored", "networks.stored", "link.run_completed"} <= set(
        actions
    )


def test_network_ids_come_from_content_and_rerunning_keeps_them(
    store: Store, tmp_path: Path
) -> None:
    _ingest(store, tmp_path, _ads())
    analyze_case(store, "tester", "river")
    first = {n["network"] for n in list_networks(store, "tester", "river")}
    with store.read() as session:
        members = session.execute(
            select(NetworkRow.key, Record.content_sha256)
            .join(NetworkMember, NetworkMember.network_id == NetworkRow.id)
            .join(Record, Record.id == NetworkMember.record_id)
        ).all()
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    by_key: dict[str, list[str]] = {}
    for key, sha in members:
        by_key.setdefault(key, []).append(sha)
    assert {network_id(v) for v in by_key.values()} == first == set(by_key)
    again = analyze_case(store, "tester", "river")
    assert again.linking is not None and again.linking.unchanged
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    forced = link_case(store, "tester", "river", force=True)
    assert not forced.unchanged
    assert {n["network"] for n in list_networks(store, "tester", "river")} == first
    with store.read() as session:  # the old run is gone, the new one is current
        runs = session.execute(select(LinkRun.id, LinkRun.status)).all()
        assert runs == [(forced.run, "current")]
        assert (
            session.scalar(
                select(func.count()).select_from(LinkRow).where(LinkRow.run_id != forced.run)
            )
            == 0
        )


def test_a_value_on_every_record_is_kept_as_a_hub_not_a_network(
    store: Store, tmp_path: Path
) -> None:
    ads = hub_ads()
    _ingest(store, tmp_path, ads)
    link = analyze_case(store, "tester", "river").linking
    assert link is not None and link.hubs >= 1
    assert link.largest < len(ads) // 2
    assert any("hub" in w for w in link.warnings)
    (hub,) = [d for d in hub_decisions(store, "tester", "river") if d["value"] == "+18325550199"]
    assert hub["hub"] and hub["records"] == len(ads) and hub["reason"]
    with store.read() as session:
        held = session.scalars(select(LinkRow).where(LinkRow.value == "phone:+18325550199")).all()
        assert held and not any(x.counts for x in held) and all("hub" in x.note for x in held)
        assert session.scalar(select(func.count()).select_from(HubDecisionRow)) >= 1


def test_degenerate_case_empty_texts_and_one_word_ads(store: Store, tmp_path: Path) -> None:
    ads = [{"id": f"e{i}", "text": ""} for i in range(5)] + [
        {"id": f"w{i}", "text": "hello"} for i in range(5)
    ]
    _ingest(store, tmp_path, ads)
    link = link_case(store, "tester", "river")
    assert link.networks == 0 and link.largest <= 1
    assert any("nothing linked" in w or "no record" in w for w in link.warnings)
    assert list_networks(store, "tester", "river") == []


def test_two_cases_do_not_share_runs(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, _ads(), "river")
    _ingest(store, tmp_path, _ads()[:4], "lake")
    a = link_case(store, "tester", "river")
    b = link_case(store, "tester", "lake")
    assert (a.networks, b.networks) == (2, 1)
    assert (
        len(list_networks(store, "tester", "river")) == 2
        and len(list_networks(store, "tester", "lake")) == 1
    )


def test_a_record_whose_extraction_ran_out_of_time_is_read_again(
    store: Store, tmp_path: Path
) -> None:
    from sqlalchemy import delete, update

    from threadline.store.models import Mention, RecordStage

    _ingest(store, tmp_path, _ads())
    analyze_case(store, "tester", "river")
    with store.write() as session:  # as a cold start on a loaded machine leaves it
        rid = session.scalar(select(Record.id).where(Record.external_id == "op0-0"))
        session.execute(delete(Mention).where(Mention.record_id == rid))
        session.execute(
            update(RecordStage)
            .where(RecordStage.record_id == rid)
            .values(errors=["text: phone: skipped, time budget of 2.0s exhausted"])
        )
    link = link_case(store, "tester", "river", force=True)
    assert (link.networks, link.in_networks) == (2, 8)


def test_a_dismissed_link_no_longer_merges_networks(store: Store, tmp_path: Path) -> None:
    """A reviewer's dismissal acts like a resolver's negative judgement (issue: review)."""
    from threadline.records import list_records
    from threadline.safeguards.review import record_review

    ads = [
        {"id": "a", "text": "Sweet girl in town this week, call 713-555-0177", "city": "Austin"},
        {"id": "b", "text": "Moving sale: sofa and table, call 713-555-0177", "city": "Austin"},
    ]
    _ingest(store, tmp_path, ads)
    analyze_case(store, "tester", "river")
    assert [n["records"] for n in list_networks(store, "tester", "river")] == [2]
    ids = sorted(r.id for r in list_records(store, "tester", "river"))
    record_review(
        store, "tester", "river", "link", f"{ids[0]}-{ids[1]}", "dismissed",
        "The sofa sale is not the same advertiser: a reused number", "erroneous_link",
    )  # fmt: skip
    again = link_case(store, "tester", "river")
    assert not again.unchanged  # the review changed the input of the run
    assert list_networks(store, "tester", "river") == []  # no network of two any more
    with store.read() as session:
        kept = session.scalars(select(LinkRow).where(LinkRow.record_a == ids[0])).all()
    assert kept, "the dismissed link stays on record as evidence"
