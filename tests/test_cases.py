from __future__ import annotations

import json
from datetime import timedelta

import pytest

from conftest import add_user
from threadline.cases import create_case, get_case, list_cases
from threadline.errors import Conflict, NotFound, ValidationError
from threadline.store import Store
from threadline.store.models import AuditEvent

PURPOSE = "Identify operations behind escort ads in the region"
BASIS = "Court order 2026/114 under national anti-trafficking law"


def test_case_is_created_with_purpose_legal_basis_and_retention(store: Store) -> None:
    add_user(store, "analyst1")
    info = create_case(store, "analyst1", "op-river", PURPOSE, BASIS, retention_days=90)
    assert (info.name, info.purpose, info.legal_basis, info.owner) == (
        "op-river",
        PURPOSE,
        BASIS,
        "analyst1",
    )
    assert info.retain_until - info.created_at == timedelta(days=90)
    assert info.created_at.tzinfo is not None
    shown = get_case(store, "analyst1", "op-river")
    assert shown.retain_until == info.retain_until and shown.records == 0
    assert [c.name for c in list_cases(store, "analyst1")] == ["op-river"]


def test_case_creation_is_audited(store: Store) -> None:
    add_user(store, "analyst1")
    info = create_case(store, "analyst1", "op-river", PURPOSE, BASIS)
    with store.read() as session:
        event = session.query(AuditEvent).filter(AuditEvent.case_id.isnot(None)).one()
    assert (event.actor, event.action, event.case_id) == ("analyst1", "case.created", info.id)
    assert json.loads(event.details)["legal_basis"] == BASIS


@pytest.mark.parametrize(
    ("purpose", "basis", "message"),
    [
        (None, BASIS, "needs a purpose"),
        ("   ", BASIS, "needs a purpose"),
        (PURPOSE, None, "needs a legal basis"),
        (PURPOSE, "\t\n", "needs a legal basis"),
        ("because", BASIS, "too short"),
        (PURPOSE, "law\x00x" * 3, "control characters"),
    ],
)
def test_case_without_purpose_or_legal_basis_is_refused(
    store: Store, purpose: str | None, basis: str | None, message: str
) -> None:
    add_user(store, "analyst1")
    with store.read() as session:
        before = session.query(AuditEvent).count()
    with pytest.raises(ValidationError, match=message):
        create_case(store, "analyst1", "op-river", purpose, basis)
    assert list_cases(store, "analyst1") == []
    with store.read() as session:
        assert session.query(AuditEvent).count() == before


def test_case_names_are_unique(store: Store) -> None:
    add_user(store, "a"), add_user(store, "b")
    create_case(store, "a", "op-river", PURPOSE, BASIS)
    with pytest.raises(Conflict, match="already exists"):
        create_case(store, "b", "op-river", PURPOSE, BASIS)


@pytest.mark.parametrize("days", [0, -1, 100_000])
def test_retention_is_bounded(store: Store, days: int) -> None:
    add_user(store, "a")
    with pytest.raises(ValidationError, match="retention"):
        create_case(store, "a", "c", PURPOSE, BASIS, retention_days=days)


def test_unknown_case_is_a_clear_error(store: Store) -> None:
    with pytest.raises(NotFound, match="no case named 'nope'"):
        get_case(store, add_user(store, "a"), "nope")
