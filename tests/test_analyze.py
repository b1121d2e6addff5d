from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from conftest import add_user
from threadline.analyze import analyze_case
from threadline.cases import create_case
from threadline.ingest.service import ingest_paths
from threadline.store import Store
from threadline.store.models import AuditEvent, Mention, Record

ADS = [
    {
        "id": "a1",
        "title": "Call 415-555-0123",
        "text": "Sweet Lina, text me at 4I5 555 OI23 or lina@example.com",
        "city": "San Francisco",
    },
    {"id": "a2", "text": "No contact details here, just $200/hr and 36-24-36", "city": "Dallas"},
    {
        "id": "a3",
        "text": "Escríbeme: cuatro uno cinco cinco cinco cinco cero uno dos tres",
        "country": "US",
    },
]


def _ingest(store: Store, tmp_path: Path) -> None:
    add_user(store, "tester")
    create_case(store, "tester", "river", "Identify operations in ads", "Court order 2026/114 …")
    path = tmp_path / "ads.jsonl"
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ADS), "utf-8")
    ingest_paths(store, "tester", "river", [path])


def test_analyze_stores_mentions_with_spans_into_the_original_text(
    store: Store, tmp_path: Path
) -> None:
    _ingest(store, tmp_path)
    summary = analyze_case(store, "tester", "river")
    assert (summary.records, summary.processed, summary.errors) == (3, 3, 0)
    with store.read() as session:
        rows = session.execute(
            select(Mention, Record).join(Record, Record.id == Mention.record_id)
        ).all()
    assert rows
    for m, rec in rows:
        source = rec.title if m.field == "title" else rec.text
        assert source[m.start : m.end] == m.raw
    phones = {(rec.external_id, m.field, m.normalized) for m, rec in rows if m.type == "phone"}
    assert ("a1", "title", "+14155550123") in phones
    assert ("a1", "text", "+14155550123") in phones
    assert ("a3", "text", "+14155550123") in phones
    assert not any(rec.external_id == "a2" for m, rec in rows if m.type == "phone")
    obfuscated = [
        m for m, rec in rows if rec.external_id == "a1" and m.field == "text" and m.type == "phone"
    ]
    assert obfuscated[0].explanation["obfuscation"]
    assert ("a1", "text", "lina@example.com") in {
        (rec.external_id, m.field, m.normalized) for m, rec in rows if m.type == "email"
    }


def test_analyze_twice_does_nothing_the_second_time(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path)
    first = analyze_case(store, "tester", "river")
    with store.read() as session:
        n_mentions = len(session.scalars(select(Mention.id)).all())
        n_events = len(session.scalars(select(AuditEvent.seq)).all())
    second = analyze_case(store, "tester", "river")
    assert first.processed == 3 and second.processed == 0 and second.mentions == 0
    with store.read() as session:
        assert len(session.scalars(select(Mention.id)).all()) == n_mentions
        assert len(session.scalars(select(AuditEvent.seq)).all()) == n_events
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("mentions.extracted") == 1
