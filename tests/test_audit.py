from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from conftest import add_user
from threadline import audit
from threadline.cases import create_case
from threadline.store import Store
from threadline.store.models import AuditEvent, AuditHead

PURPOSE = "Identify operations behind escort ads in the region"
BASIS = "Court order 2026/114 under national anti-trafficking law"


def _fill(store: Store, n: int) -> None:
    """n audited writes (a case opened each time), so event i is the i-th write."""
    for i in range(n):
        with store.write() as session:
            audit.append(
                session,
                actor=f"user{i}",
                action="case.created",
                case_id=None,
                target=f"case:{i}",
                details={"name": f"case-{i}", "purpose": PURPOSE, "legal_basis": BASIS},
            )


def _verify(store: Store) -> audit.VerifyResult:
    with store.read() as session:
        return audit.verify(session, store.settings.audit_checkpoint, store.settings.database_url)


def test_untouched_chain_verifies_and_matches_checkpoint(store: Store) -> None:
    _fill(store, 5)
    result = _verify(store)
    assert result.ok, result.problem
    assert (result.events_checked, result.head_seq, result.checkpoint_seq) == (5, 5, 5)
    cp = json.loads(store.settings.audit_checkpoint.read_text())
    assert cp["seq"] == 5 and cp["hash"] == result.head_hash


def test_each_event_hash_covers_the_previous_one(store: Store) -> None:
    _fill(store, 3)
    with store.read() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert events[0].prev_hash == audit.GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


def test_an_edited_event_is_reported_as_the_first_broken_one(store: Store) -> None:
    _fill(store, 6)
    with store.write() as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(actor="someone-else"))
    result = _verify(store)
    assert not result.ok
    assert result.first_broken_seq == 3
    assert "altered" in (result.problem or "")


def test_an_edit_with_recomputed_hashes_is_still_caught_by_the_checkpoint(store: Store) -> None:
    """A forger who rewrites an event and re-hashes the rest of the chain and the head row."""
    _fill(store, 4)
    with store.write() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        prev = audit.GENESIS
        for ev in events:
            if ev.seq == 2:
                ev.details = ev.details.replace("Court order", "Verbal request")
            ev.prev_hash = prev
            ev.hash = audit.event_hash(
                ev.seq, ev.at, ev.actor, ev.action, ev.case_id, ev.target, ev.details, prev
            )
            prev = ev.hash
        session.execute(update(AuditHead).values(hash=prev))
    result = _verify(store)
    assert not result.ok and result.first_broken_seq == 4
    assert "checkpoint" in (result.problem or "")


def test_deleting_the_last_events_is_detected(store: Store) -> None:
    _fill(store, 6)
    with store.write() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq > 4))
        kept = session.scalars(select(AuditEvent).where(AuditEvent.seq == 4)).one()
        # a careful attacker also rewinds the head row; only the checkpoint remains
        session.execute(update(AuditHead).values(seq=4, hash=kept.hash))
    result = _verify(store)
    assert not result.ok
    assert result.first_broken_seq == 5
    assert "checkpoint records event 6" in (result.problem or "")


def test_deleting_the_last_events_without_rewinding_the_head_is_detected(store: Store) -> None:
    _fill(store, 3)
    with store.write() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
    result = _verify(store)
    assert not result.ok and result.first_broken_seq == 3


def test_a_deleted_middle_event_is_reported(store: Store) -> None:
    _fill(store, 5)
    with store.write() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
    result = _verify(store)
    assert not result.ok
    assert result.first_broken_seq == 2 and "missing" in (result.problem or "")


def test_checkpoint_never_moves_backwards(tmp_path: Path) -> None:
    path = tmp_path / "cp.json"
    audit.write_checkpoint(path, "sqlite:///x", 7, "a" * 64)
    audit.write_checkpoint(path, "sqlite:///x", 5, "b" * 64)
    assert audit.read_checkpoint(path) == audit.Checkpoint(
        7, "a" * 64, audit.database_fingerprint("sqlite:///x")
    )


def test_concurrent_writers_keep_one_valid_chain(store: Store) -> None:
    errors: list[BaseException] = []
    for k in range(4):
        add_user(store, f"w{k}")  # the admin, then 4 users: 5 events

    def worker(k: int) -> None:
        try:
            for i in range(5):
                create_case(store, f"w{k}", f"case-{k}-{i}", PURPOSE, BASIS)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = _verify(store)
    assert result.ok, result.problem
    assert result.events_checked == 25 and result.checkpoint_seq == 25


@pytest.mark.parametrize("details", [{"b": 1, "a": [1, 2]}, {"ü": "ñ", "n": None}])
def test_details_round_trip_byte_for_byte(store: Store, details: dict) -> None:
    with store.write() as session:
        audit.append(session, actor="t", action="x", case_id=None, target="t", details=details)
    assert _verify(store).ok
