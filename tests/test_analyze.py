from __future__ import annotations

import json
import math
from pathlib import Path

from sqlalchemy import select, update

from conftest import add_user
from threadline.analyze import analyze_case
from threadline.cases import create_case
from threadline.indicators import load_catalogue
from threadline.ingest.service import ingest_paths
from threadline.store import Store
from threadline.store.models import (
    AuditEvent,
    Mention,
    Record,
    RecordStage,
    ScoreRow,
    SignalRow,
)

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


JOBS = [
    {
        "id": "j1",
        "kind": "job_ad",
        "title": "Work abroad, no experience",
        "text": "Earn $5000/month in Dubai. Visa and flight paid. Send a passport copy on "
        "WhatsApp and the registration fee of $300.",
        "lang": "en",
        "country": "US",
    },
    {
        "id": "j2",
        "kind": "job_ad",
        "text": "Acme Logistics Ltd, 12 High Street, Leeds, hires a warehouse operative. Apply "
        "at https://acme-logistics.example/careers",
        "lang": "en",
        "country": "GB",
    },
]


def _ingest_jobs(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in JOBS), "utf-8")
    ingest_paths(store, "tester", "river", [path])


def _stages(store: Store, stage: str) -> dict[int, str]:
    with store.read() as session:
        rows = session.execute(
            select(RecordStage.record_id, RecordStage.version).where(RecordStage.stage == stage)
        ).all()
    return dict(rows)


def test_analyze_stores_signals_and_scores_with_evidence(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path)
    _ingest_jobs(store, tmp_path)
    summary = analyze_case(store, "tester", "river")
    risk = summary.risk
    assert risk is not None and risk.processed == 5 and risk.errors == 0
    assert risk.versions["indicators"] == load_catalogue().version
    with store.read() as session:
        recs = {r.external_id: r for r in session.scalars(select(Record))}
        signals = session.scalars(select(SignalRow)).all()
        scores = {s.record_id: s for s in session.scalars(select(ScoreRow))}
    assert len(signals) == risk.signals and set(scores) == {r.id for r in recs.values()}
    for sig in signals:
        rec = next(r for r in recs.values() if r.id == sig.record_id)
        assert sig.citation and sig.grade and sig.catalogue_version == risk.versions["indicators"]
        for span in sig.spans:  # evidence points into the record's own fields
            source = rec.title if span["field"] == "title" else rec.text
            assert 0 <= span["start"] < span["end"] <= len(source)
    fired = {
        (next(k for k, r in recs.items() if r.id == s.record_id), s.indicator) for s in signals
    }
    assert ("a1", "phone_obfuscated") in fired
    assert {("j1", "recruitment_fee"), ("j1", "passport_requested")} <= fired
    # the cue in j1's title is found, and its span indexes the title
    (hp,) = [s for s in signals if s.indicator == "high_pay_no_experience"]
    title = recs["j1"].title
    assert [title[x["start"] : x["end"]] for x in hp.spans if x["field"] == "title"] == [
        "no experience"
    ]
    for s in scores.values():
        assert math.fsum(c["contribution"] for c in s.contributions) == s.value
        assert s.for_review == (s.value >= 0.5) and s.calibration["version"]
    j1, j2, a1 = (scores[recs[k].id] for k in ("j1", "j2", "a1"))
    assert j1.model_version and j1.training_data and j1.job_model["top_features"]
    assert j1.job_model["probability"] > j2.job_model["probability"]
    assert j1.value > j2.value
    assert a1.job_model is None and a1.model_version is None
    assert set(_stages(store, "jobmodel")) == {recs["j1"].id, recs["j2"].id}
    with store.read() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("records.scored") == 1


def test_rerun_does_nothing_and_a_new_catalogue_rescores_once(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path)
    _ingest_jobs(store, tmp_path)
    analyze_case(store, "tester", "river")
    with store.read() as session:
        before = {s.record_id: s.value for s in session.scalars(select(ScoreRow))}
        n_signals = len(session.scalars(select(SignalRow.id)).all())
    again = analyze_case(store, "tester", "river")
    assert again.processed == 0 and again.risk is not None and again.risk.processed == 0
    # records scored under an older catalogue version are re-assessed, once
    with store.write() as session:
        session.execute(
            update(RecordStage)
            .where(RecordStage.stage == "indicators")
            .values(version="cat-0000000000000000")
        )
    third = analyze_case(store, "tester", "river")
    assert third.processed == 0 and third.risk is not None and third.risk.processed == 5
    (version,) = set(_stages(store, "indicators").values())
    assert version.startswith(f"{load_catalogue().version}+case-")
    fourth = analyze_case(store, "tester", "river")
    assert fourth.risk is not None and fourth.risk.processed == 0
    with store.read() as session:
        after = {s.record_id: s.value for s in session.scalars(select(ScoreRow))}
        assert len(session.scalars(select(SignalRow.id)).all()) == n_signals
        actions = session.scalars(select(AuditEvent.action)).all()
    assert after == before
    assert actions.count("records.scored") == 2


def test_reextraction_reassesses_the_record(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path)
    analyze_case(store, "tester", "river")
    with store.write() as session:
        session.execute(
            update(RecordStage).where(RecordStage.stage == "extract").values(version="old")
        )
    again = analyze_case(store, "tester", "river")
    assert again.processed == 3 and again.risk is not None and again.risk.processed == 3


CIRCUIT = [  # one phone, five cities, three persona names
    ("c1", "Hi, my name is Lina. Call 415-555-0199", "Houston"),
    ("c2", "Hi, my name is Maya. Call 415-555-0199", "Dallas"),
    ("c3", "Hi, my name is Rosa. Text 415 555 0199", "Austin"),
    ("c4", "Hi, my name is Lina. Call 415-555-0199", "El Paso"),
    ("c5", "Quiet evenings. Call 212-555-0142", "Houston"),
]


def _ingest_circuit(store: Store, tmp_path: Path, ads: list[tuple[str, str, str]]) -> None:
    path = tmp_path / f"circuit-{ads[0][0]}.jsonl"
    path.write_text("\n".join(json.dumps({"id": i, "text": t, "city": c}) for i, t, c in ads))
    ingest_paths(store, "tester", "river", [path])


def test_case_counts_feed_the_network_indicators_and_new_records_reassess(
    store: Store, tmp_path: Path
) -> None:
    """A phone in many cities under many names fires the network indicators in `analyze`."""
    add_user(store, "tester")
    create_case(store, "tester", "river", "Identify operations in ads", "Court order 2026/114 …")
    _ingest_circuit(store, tmp_path, CIRCUIT[:3] + CIRCUIT[4:])

    def fired() -> dict[str, set[str]]:
        with store.read() as session:
            rows = session.execute(
                select(Record.external_id, SignalRow.indicator).join(
                    SignalRow, SignalRow.record_id == Record.id
                )
            ).all()
        out: dict[str, set[str]] = {}
        for ext, ind in rows:
            out.setdefault(ind, set()).add(ext)
        return out

    analyze_case(store, "tester", "river")
    # three cities (the rule wants 4), three names (the rule wants 3)
    assert "identifier_many_cities" not in fired()
    assert fired()["identifier_many_personas"] == {"c1", "c2", "c3"}
    # a fourth city arrives: every record of the case is assessed again, once
    _ingest_circuit(store, tmp_path, CIRCUIT[3:4])
    summary = analyze_case(store, "tester", "river")
    assert summary.risk is not None and summary.risk.processed == 5
    assert fired()["identifier_many_cities"] == {"c1", "c2", "c3", "c4"}
    with store.read() as session:
        spans = session.scalars(
            select(SignalRow.spans).where(SignalRow.indicator == "identifier_many_cities")
        ).all()
    assert all(s and s[0]["end"] - s[0]["start"] >= 12 for s in spans)  # the phone itself
    again = analyze_case(store, "tester", "river")
    assert again.risk is not None and again.risk.processed == 0
