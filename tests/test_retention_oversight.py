"""Retention purges and the oversight report, through the service layer and the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from safeguards_helpers import BASIS, PHONE, PURPOSE, World, build_world
from threadline import audit
from threadline.analyze import analyze_case
from threadline.cases import create_case, get_case
from threadline.errors import Forbidden
from threadline.ingest.service import ingest_paths
from threadline.records import search_identifiers, view_record
from threadline.safeguards.export_gate import approve_export, authorize_export
from threadline.safeguards.oversight import oversight_report
from threadline.safeguards.retention import run_retention
from threadline.safeguards.review import Target, record_review
from threadline.store import Store
from threadline.store.db import utcnow
from threadline.store.models import AuditEvent, Blob, Case, Mention, Record, Review, Source

WHY = "Checked the ad text against the source page"


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path)


def _expire(store: Store, name: str) -> None:
    with store.write() as session:
        session.execute(update(Case).where(Case.name == name).values(retain_until=utcnow()))


def _count(store: Store, model: type, case_name: str | None = None) -> int:
    with store.read() as session:
        q = select(func.count()).select_from(model)
        if case_name is not None:
            q = q.join(Case, Case.id == model.case_id).where(Case.name == case_name)
        return session.scalar(q) or 0


def test_retention_purges_an_expired_case_and_only_blobs_nobody_else_holds(
    world: World, tmp_path: Path
) -> None:
    s, sup = world.store, world.sup
    create_case(s, sup, "C", PURPOSE, BASIS, retention_days=1)
    own = tmp_path / "own.jsonl"
    own.write_text('{"id": "c1", "text": "Only here: call +1 202 555 0111"}\n')
    ingest_paths(s, sup, "C", [tmp_path / "A.jsonl", own])  # A.jsonl's bytes are A's too
    analyze_case(s, sup, "C")
    with s.read() as session:
        c_record = session.scalar(select(Record.id).where(Record.external_id == "c1"))
        shared_sha, own_sha = (
            session.scalar(select(Source.sha256).where(Source.path == str(p))) for p in
            (tmp_path / "A.jsonl", own)
        )  # fmt: skip
    record_review(s, sup, "C", "record", str(c_record), "confirmed", WHY)
    a_before = get_case(s, sup, "A")
    with pytest.raises(Forbidden, match="needs the role admin"):
        run_retention(s, sup)
    _expire(s, "C")

    (dry,) = run_retention(s, "admin", dry_run=True)
    assert dry.case_name == "C" and dry.rows["records"] == 4 and dry.rows["reviews"] == 1
    assert dry.blobs == 1 and _count(s, Record, "C") == 4 and s.blobs.exists(own_sha)

    (done,) = run_retention(s, "admin")
    assert (done.rows, done.blobs, done.blob_bytes) == (dry.rows, 1, dry.blob_bytes)
    for model in (Record, Source, Mention, Review):
        assert _count(s, model, "C") == 0
    assert not s.blobs.exists(own_sha) and s.blobs.exists(shared_sha)
    with s.read() as session:
        assert session.get(Blob, own_sha) is None and session.get(Blob, shared_sha) is not None
        purged = session.scalar(select(AuditEvent).where(AuditEvent.action == "case.purged"))
        assert purged is not None
        details = json.loads(purged.details)
        assert details["rows"]["records"] == 4 and details["blobs"] == 1
        assert "0111" not in purged.details  # counts, never content
        result = audit.verify(session, s.settings.audit_checkpoint, s.settings.database_url)
    assert result.ok, result.problem
    # case A is untouched; C is refused clearly but its audit trail remains readable
    assert get_case(s, sup, "A").records == a_before.records
    assert view_record(s, sup, "A", world.records["A"][0]).id == world.records["A"][0]
    with pytest.raises(Forbidden, match="case 'C' was purged on"):
        search_identifiers(s, sup, "C", PHONE)
    report = oversight_report(s, sup, "C")
    assert [e.action for e in report.purged] == ["case.purged"]
    assert run_retention(s, "admin") == []  # nothing left to do


def test_oversight_report_counts_access_searches_exports_refusals_and_reviews(
    world: World,
) -> None:
    s = world.store
    a1, a2, a3 = (str(r) for r in world.records["A"])
    get_case(s, world.ana, "A")
    view_record(s, world.res, "A", int(a1))
    search_identifiers(s, world.ana, "A", PHONE)
    record_review(s, world.rev, "A", "record", a1, "confirmed", WHY)
    record_review(s, world.rev, "A", "record", a2, "dismissed", WHY, "not_trafficking_related")
    record_review(s, world.rev, "A", "link", f"{a1}-{a3}", "dismissed", WHY, "erroneous_link")
    record_review(s, world.rev, "A", "record", a3, "needs_more", WHY)
    with pytest.raises(Forbidden):
        authorize_export(s, world.ana, "A", "record", a1, personal_data=True)
    approve_export(s, world.sup2, "A", Target("record", a1), world.ana, "Prosecutor asked")
    authorize_export(s, world.ana, "A", "record", a1, personal_data=True)
    with pytest.raises(Forbidden):
        get_case(s, world.ana, "B")  # refusals on B are B's, not A's

    report = oversight_report(s, world.aud, "A")
    assert [(e.actor, e.action) for e in report.access] == [
        (world.ana, "case.viewed"),
        (world.res, "record.viewed"),
        (world.aud, "audit.viewed"),  # reading the report is itself an access
    ]
    assert [e.actor for e in report.searches] == [world.ana]
    assert [e.action for e in report.exports] == ["export.refused", "export.authorized"]
    assert [e.actor for e in report.approvals] == [world.sup2]
    assert [e.action for e in report.refusals] == ["export.refused"]
    assert report.reviews == {
        "link": {"dismissed": 1},
        "record": {"confirmed": 1, "dismissed": 1, "needs_more": 1},
    }
    assert report.dismissal_rate == {"link": 1.0, "record": pytest.approx(1 / 3, abs=1e-4)}
    assert report.dismissal_reasons == {"erroneous_link": 1, "not_trafficking_related": 1}
    assert report.actors[world.ana]["search.run"] == 1
    assert json.loads(json.dumps(report.to_dict()))["case"]["name"] == "A"
    b = oversight_report(s, world.aud, "B")
    assert [e.actor for e in b.refusals] == [world.ana]
