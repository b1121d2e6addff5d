"""Users, roles and case access, enforced in the service layer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from safeguards_helpers import PHONE, World, build_world
from threadline.analyze import analyze_case
from threadline.cases import create_case, get_case, list_cases
from threadline.errors import Conflict, Forbidden, ValidationError
from threadline.ingest.query import list_quarantine, list_sources
from threadline.ingest.service import ingest_paths
from threadline.records import list_records, search_identifiers, view_record
from threadline.safeguards import access
from threadline.safeguards.export_gate import authorize_export
from threadline.safeguards.oversight import oversight_report
from threadline.safeguards.review import list_reviews, record_review
from threadline.store import Store
from threadline.store.db import utcnow
from threadline.store.models import AuditEvent, Case


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path)


def _refusals(store: Store, case_name: str) -> list[dict]:
    with store.read() as session:
        case_id = session.scalar(select(Case.id).where(Case.name == case_name))
        rows = session.scalars(
            select(AuditEvent).where(
                AuditEvent.case_id == case_id, AuditEvent.action == "access.refused"
            )
        )
        return [{"actor": e.actor, **json.loads(e.details)} for e in rows]


def test_an_analyst_of_case_a_can_do_nothing_to_case_b(world: World, tmp_path: Path) -> None:
    s, ana = world.store, world.ana
    b_record = world.records["B"][0]
    # what the analyst may do in A works …
    assert get_case(s, ana, "A").records == 3
    listed = list_records(s, ana, "A")
    assert [r.id for r in listed] == world.records["A"] and listed[0].mentions >= 2
    assert view_record(s, ana, "A", world.records["A"][0]).id == world.records["A"][0]
    assert {h.record_id for h in search_identifiers(s, ana, "A", PHONE)} == set(
        world.records["A"][:2]
    )
    # … and the same calls on B are refused
    extra = tmp_path / "more.jsonl"
    extra.write_text('{"id": "x", "text": "hello"}\n')
    attempts = {
        "read": lambda: get_case(s, ana, "B"),
        "sources": lambda: list_sources(s, ana, "B"),
        "quarantine": lambda: list_quarantine(s, ana, "B"),
        "record": lambda: view_record(s, ana, "B", b_record),
        "records": lambda: list_records(s, ana, "B"),
        "search": lambda: search_identifiers(s, ana, "B", PHONE),
        "analyze": lambda: analyze_case(s, ana, "B"),
        "ingest": lambda: ingest_paths(s, ana, "B", [extra]),
        "export": lambda: authorize_export(
            s, ana, "B", "record", str(b_record), personal_data=False
        ),
        "reviews": lambda: list_reviews(s, ana, "B"),
        "review": lambda: record_review(
            s, ana, "B", "record", str(b_record), "confirmed", "looks right to me"
        ),
        "oversight": lambda: oversight_report(s, ana, "B"),
        "members": lambda: access.list_members(s, ana, "B"),
    }
    for what, attempt in attempts.items():
        with pytest.raises(Forbidden, match="not a member of case 'B'"):
            attempt()
        assert what  # (named for the failure message)
    assert [c.name for c in list_cases(s, ana)] == ["A"]
    refused = _refusals(s, "B")
    assert len(refused) == len(attempts) and {r["actor"] for r in refused} == {ana}
    assert {r["action"] for r in refused} >= {"read", "search", "ingest", "analyze", "export"}
    # nothing was written to B
    assert get_case(s, world.sup, "B").records == 2


def test_roles_limit_what_members_do_within_their_case(world: World) -> None:
    s = world.store
    rid = str(world.records["A"][0])
    with pytest.raises(Forbidden, match=r"role researcher in case 'A'.* may not analyze"):
        analyze_case(s, world.res, "A")
    with pytest.raises(Forbidden, match="may not review"):
        record_review(s, world.ana, "A", "record", rid, "confirmed", "an analyst's own view")
    with pytest.raises(Forbidden, match="may not export"):
        authorize_export(s, world.rev, "A", "record", rid, personal_data=False)
    with pytest.raises(Forbidden, match="may not audit read"):
        oversight_report(s, world.ana, "A")
    with pytest.raises(Forbidden, match="may not manage members"):
        access.add_member(s, world.ana, "A", world.res, "researcher")
    # the reviewer may review, the auditor (global role) may read every audit trail
    record_review(s, world.rev, "A", "record", rid, "confirmed", "reviewed the ad text")
    assert oversight_report(s, world.aud, "B").events > 0
    with pytest.raises(Forbidden):
        get_case(s, world.aud, "B")  # … but no case data


def test_unknown_and_deactivated_users_are_refused(world: World) -> None:
    s = world.store
    with pytest.raises(Forbidden, match="'mallory' is not a threadline user"):
        get_case(s, "mallory", "A")
    access.revoke_role(s, "admin", world.res, "researcher")  # last role: deactivated
    with pytest.raises(Forbidden, match="'res' is deactivated"):
        get_case(s, world.res, "A")
    assert world.res not in [m.user for m in access.list_members(s, world.sup, "A")]


def test_bootstrap_first_user_must_be_admin_then_only_admins_create_users(
    sqlite_store: Store,
) -> None:
    s = sqlite_store
    with pytest.raises(Forbidden, match="no users exist yet"):
        create_case(s, "nobody", "c", "a purpose for it", "a legal basis here")
    with pytest.raises(ValidationError, match="first user must be an admin"):
        access.create_user(s, "me", "me", ["analyst"])
    admin = access.create_user(s, "me", "root", ["admin"])
    assert admin.roles == ("admin",)
    with pytest.raises(Forbidden, match="'stranger' is not a threadline user"):
        access.create_user(s, "stranger", "x", ["admin"])
    access.create_user(s, "root", "sue", ["supervisor"])
    with pytest.raises(Forbidden, match="'sue' may not manage users: needs the role admin"):
        access.create_user(s, "sue", "x", ["admin"])
    with pytest.raises(Conflict, match="already exists"):
        access.create_user(s, "root", "sue", ["analyst"])
    with pytest.raises(Forbidden, match="may not create case"):
        create_case(s, "root", "c", "a purpose for it", "a legal basis here")  # admin alone
    with pytest.raises(Conflict, match="last active admin"):
        access.revoke_role(s, "root", "root", "admin")


def test_case_creator_supervises_and_members_need_the_role(world: World) -> None:
    s = world.store
    members = {m.user: m.role for m in access.list_members(s, world.sup, "A")}
    assert members == {"sue": "supervisor", "sam": "supervisor", "ana": "analyst",
                       "rev": "reviewer", "res": "researcher"}  # fmt: skip
    with pytest.raises(Conflict, match="does not hold the supervisor role"):
        access.add_member(s, world.sup, "B", world.ana, "supervisor")
    access.grant_role(s, "admin", world.ana, "supervisor")
    access.add_member(s, world.sup, "B", world.ana, "supervisor")
    assert get_case(s, world.ana, "B").name == "B"
    access.remove_member(s, world.sup, "B", world.ana)
    with pytest.raises(Conflict, match="last supervisor"):
        access.remove_member(s, world.sup, "B", world.sup)


def test_an_expired_case_is_refused_clearly_but_its_audit_trail_stays_readable(
    world: World,
) -> None:
    s = world.store
    with s.write() as session:
        session.execute(update(Case).where(Case.name == "A").values(retain_until=utcnow()))
    with pytest.raises(Forbidden, match="case 'A' passed its retention deadline"):
        get_case(s, world.ana, "A")
    with pytest.raises(Forbidden, match="retention deadline"):
        search_identifiers(s, world.sup, "A", PHONE)
    assert oversight_report(s, world.sup, "A").events > 0


@pytest.mark.parametrize(
    ("value", "masked"),
    [("+14155550134", "***0134"), ("ann@example.org", "***.org"), ("short", "***"), ("", "***")],
)
def test_mask_identifier(value: str, masked: str) -> None:
    assert access.mask_identifier(value) == masked


def test_a_researcher_sees_identifiers_masked_in_records_and_searches(world: World) -> None:
    s = world.store
    rid = world.records["A"][0]
    full = view_record(s, world.ana, "A", rid)
    masked = view_record(s, world.res, "A", rid)
    assert "+1 415 555 0134" in full.text and "ann@example.org" in full.text
    assert not full.masked
    assert masked.masked
    assert "+1 415 555 0134" not in masked.text and "ann@example.org" not in masked.text
    assert "***0134" in masked.text and masked.text.startswith("New in town, call ")
    phones = [m.shown for m in masked.mentions if m.type == "phone"]
    assert phones == ["***0134"]
    hits = search_identifiers(s, world.res, "A", PHONE)
    assert hits and {h.shown for h in hits} == {"***0134"}
    assert {h.shown for h in search_identifiers(s, world.ana, "A", PHONE)} == {PHONE}


def test_reads_are_audited_as_access_events(world: World) -> None:
    s = world.store
    get_case(s, world.ana, "A")
    view_record(s, world.ana, "A", world.records["A"][1])
    search_identifiers(s, world.ana, "A", "(415) 555-0134")
    with s.read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.actor == world.ana).order_by(AuditEvent.seq)
        ).all()
    assert [e.action for e in events] == ["case.viewed", "record.viewed", "search.run"]
    assert events[1].target == f"record:{world.records['A'][1]}"
    search = json.loads(events[2].details)
    assert "555" not in events[2].details and len(search["query_sha256"]) == 64
