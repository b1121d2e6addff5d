"""Reviews, dismissed links for linking, and the export gate (review + four eyes)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from safeguards_helpers import World, build_world
from threadline.errors import Forbidden, NotFound, ValidationError
from threadline.safeguards import access
from threadline.safeguards.export_gate import approve_export, authorize_export, record_export
from threadline.safeguards.review import (
    Target,
    dismissed_link_keys,
    get_reviews,
    parse_target_ref,
    record_review,
)
from threadline.store import Store
from threadline.store.db import utcnow
from threadline.store.models import AuditEvent, Case, ExportApproval

WHY = "Checked the ad text against the source page"


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path)


def _events(store: Store, action: str) -> list[AuditEvent]:
    with store.read() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        )


def _case_id(store: Store, name: str) -> int:
    with store.read() as session:
        return session.scalar(select(Case.id).where(Case.name == name))  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("kind", "target", "decision", "reason", "rationale", "error", "message"),
    [
        ("record", "R0", "dismissed", None, WHY, ValidationError, "needs a reason"),
        ("record", "R0", "confirmed", "duplicate", WHY, ValidationError, "only with --decision"),
        ("record", "R0", "confirmed", None, "ok", ValidationError, "needs a rationale"),
        ("record", "R0", "maybe", None, WHY, ValidationError, "unknown decision"),
        ("record", "abc", "confirmed", None, WHY, ValidationError, "a record id is a number"),
        ("link", "R0", "confirmed", None, WHY, ValidationError, "two record ids"),
        ("network", "../x", "confirmed", None, WHY, ValidationError, "not a network id"),
        ("ad", "R0", "confirmed", None, WHY, ValidationError, "unknown review target"),
        ("record", "B0", "confirmed", None, WHY, NotFound, "no record:"),  # another case's
    ],
)
def test_bad_reviews_are_refused_clearly(
    world: World,
    kind,
    target,
    decision,
    reason,
    rationale,
    error,
    message,
) -> None:
    target = target.replace("R0", str(world.records["A"][0])).replace(
        "B0", str(world.records["B"][0])
    )
    with pytest.raises(error, match=message):
        record_review(world.store, world.rev, "A", kind, target, decision, rationale, reason)


def test_a_review_is_stored_with_history_and_audited_without_its_text(world: World) -> None:
    s, rid = world.store, str(world.records["A"][0])
    record_review(s, world.rev, "A", "record", rid, "needs_more", "Need the hotel's name first")
    latest = record_review(s, world.sup, "A", "record", rid, "confirmed", WHY)
    history = get_reviews(s, world.ana, "A", "record", rid)
    assert [(r.decision, r.reviewer) for r in history] == [
        ("needs_more", world.rev),
        ("confirmed", world.sup),
    ]
    assert history[-1] == latest and latest.target == f"record:{rid}"
    (_, second) = _events(s, "review.recorded")
    details = json.loads(second.details)
    assert details["decision"] == "confirmed" and len(details["rationale_sha256"]) == 64
    assert "source page" not in second.details and second.target == f"record:{rid}"


def test_dismissed_links_are_handed_to_linking_latest_decision_wins(world: World) -> None:
    s = world.store
    a1, a2, a3 = world.records["A"]
    record_review(s, world.rev, "A", "link", f"{a2}-{a1}", "dismissed", WHY, "erroneous_link")
    record_review(s, world.rev, "A", "link", f"{a1}-{a3}", "dismissed", WHY, "duplicate")
    record_review(s, world.sup, "A", "link", f"{a3}-{a1}", "confirmed", "Same studio on both")
    with s.read() as session:
        keys = dismissed_link_keys(session, _case_id(s, "A"))
        assert dismissed_link_keys(session, _case_id(s, "B")) == set()
    assert keys == {(min(a1, a2), max(a1, a2), "erroneous_link")}


def _confirm(world: World, target: str = "") -> str:
    rid = target or str(world.records["A"][0])
    record_review(world.store, world.rev, "A", "record", rid, "confirmed", WHY)
    return rid


def test_export_without_a_review_is_refused_and_the_refusal_is_committed(world: World) -> None:
    s, rid = world.store, str(world.records["A"][0])
    with pytest.raises(Forbidden, match="has not been reviewed"):
        authorize_export(s, world.ana, "A", "record", rid, personal_data=False)
    (refused,) = _events(s, "export.refused")
    assert (refused.actor, refused.target) == (world.ana, f"record:{rid}")
    assert "not been reviewed" in json.loads(refused.details)["reason"]
    assert _events(s, "export.authorized") == []


@pytest.mark.parametrize("decision", ["dismissed", "needs_more"])
def test_export_of_an_item_not_confirmed_is_refused(world: World, decision: str) -> None:
    s, rid = world.store, _confirm(world)
    reason = "not_trafficking_related" if decision == "dismissed" else None
    record_review(
        s, world.rev, "A", "record", rid, decision, "Second look: not what it seemed", reason
    )
    with pytest.raises(Forbidden, match=f"last reviewed as {decision}"):
        authorize_export(s, world.ana, "A", "record", rid, personal_data=False)


def test_pseudonymised_export_needs_only_a_confirming_review(world: World) -> None:
    s, rid = world.store, _confirm(world)
    clearance = authorize_export(s, world.ana, "A", "record", rid, personal_data=False)
    assert (clearance.target, clearance.personal_data, clearance.approver) == (
        f"record:{rid}",
        False,
        None,
    )
    assert clearance.reviewer == world.rev
    (ev,) = _events(s, "export.authorized")
    assert ev.seq == clearance.audit_seq
    seq = record_export(s, clearance, fmt="bundle", details={"files": 3})
    (done,) = _events(s, "export.completed")
    assert done.seq == seq and json.loads(done.details)["authorized_seq"] == clearance.audit_seq


def test_personal_data_export_needs_a_second_supervisor(world: World) -> None:
    s, rid = world.store, _confirm(world)
    with pytest.raises(Forbidden, match="four eyes"):
        authorize_export(s, world.ana, "A", "record", rid, personal_data=True)
    target = parse_target_ref(f"record:{rid}")
    approval = approve_export(s, world.sup2, "A", target, world.ana, "Prosecutor asked for it")
    clearance = authorize_export(s, world.ana, "A", "record", rid, personal_data=True)
    assert (clearance.approval_id, clearance.approver) == (approval.id, world.sup2)
    (approved,) = _events(s, "export.approved")
    assert json.loads(approved.details)["requester"] == world.ana
    assert "Prosecutor" not in approved.details
    # the approval is for ana: another requester still needs their own
    with pytest.raises(Forbidden, match="four eyes"):
        authorize_export(s, world.sup, "A", "record", rid, personal_data=True)


def test_nobody_approves_their_own_export(world: World) -> None:
    s, rid = world.store, _confirm(world)
    target = Target("record", rid)
    with pytest.raises(Forbidden, match="cannot approve their own export"):
        approve_export(s, world.sup, "A", target, world.sup, "I would like to export this")
    assert len(_events(s, "export.refused")) == 1
    with s.read() as session:
        assert session.scalars(select(ExportApproval)).all() == []
    # and a self-approval smuggled into the table is ignored by the gate
    with s.write() as session:
        session.add(
            ExportApproval(
                case_id=_case_id(s, "A"),
                target_kind="record",
                target_id=rid,
                requester=world.sup,
                approver=world.sup,
                rationale="self",
                created_at=utcnow(),
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
    with pytest.raises(Forbidden, match="four eyes"):
        authorize_export(s, world.sup, "A", "record", rid, personal_data=True)


def test_only_a_supervisor_of_the_case_approves(world: World) -> None:
    s, rid = world.store, _confirm(world)
    with pytest.raises(Forbidden, match="may not approve export"):
        approve_export(s, world.rev, "A", Target("record", rid), world.ana, "Reviewer approving")


def test_an_approval_needs_a_confirming_review_and_an_exporting_requester(world: World) -> None:
    s, rid = world.store, str(world.records["A"][1])
    with pytest.raises(Forbidden, match="no confirming review"):
        approve_export(s, world.sup, "A", Target("record", rid), world.ana, "Before any review")
    _confirm(world, rid)
    with pytest.raises(ValidationError, match="may not export"):
        approve_export(s, world.sup, "A", Target("record", rid), world.res, "For the researcher")


def test_an_expired_approval_no_longer_counts(world: World) -> None:
    s, rid = world.store, _confirm(world)
    approve_export(
        s, world.sup2, "A", Target("record", rid), world.ana, "Prosecutor asked", valid_hours=1
    )
    with s.write() as session:
        session.execute(update(ExportApproval).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(Forbidden, match="four eyes"):
        authorize_export(s, world.ana, "A", "record", rid, personal_data=True)


def test_an_approver_who_left_the_case_no_longer_counts(world: World) -> None:
    s, rid = world.store, _confirm(world)
    approve_export(s, world.sup2, "A", Target("record", rid), world.ana, "Prosecutor asked")
    access.remove_member(s, world.sup, "A", world.sup2)
    with pytest.raises(Forbidden, match="four eyes"):
        authorize_export(s, world.ana, "A", "record", rid, personal_data=True)


def test_a_later_dismissal_withdraws_an_approved_export(world: World) -> None:
    s, rid = world.store, _confirm(world)
    approve_export(s, world.sup2, "A", Target("record", rid), world.ana, "Prosecutor asked")
    record_review(s, world.sup, "A", "record", rid, "dismissed", "Wrong person entirely", "other")
    with pytest.raises(Forbidden, match="last reviewed as dismissed"):
        authorize_export(s, world.ana, "A", "record", rid, personal_data=True)


def test_networks_are_gated_like_records(world: World) -> None:
    s = world.store
    with pytest.raises(Forbidden, match="network:net-0123456789ab has not been reviewed"):
        authorize_export(s, world.ana, "A", "network", "net-0123456789ab", personal_data=False)
    record_review(s, world.rev, "A", "network", "net-0123456789ab", "confirmed", WHY)
    clearance = authorize_export(
        s, world.ana, "A", "network", "net-0123456789ab", personal_data=False
    )
    assert clearance.target == "network:net-0123456789ab"
