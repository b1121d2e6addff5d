"""Cases: every record belongs to exactly one, opened with a purpose and a legal basis."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from threadline import audit
from threadline.config import DEFAULT_RETENTION_DAYS
from threadline.errors import Conflict, NotFound, ValidationError
from threadline.store.db import Store, utcnow
from threadline.store.models import Case, QuarantinedItem, Record, Source

MAX_NAME = 200
MIN_JUSTIFICATION = 10  # characters: a word or two is not a purpose or a legal basis
MAX_RETENTION_DAYS = 3650


@dataclass(frozen=True, slots=True)
class CaseInfo:
    id: int
    name: str
    purpose: str
    legal_basis: str
    owner: str
    created_at: datetime
    retention_days: int
    retain_until: datetime
    sources: int = 0
    records: int = 0
    quarantined: int = 0


def _clean(label: str, value: str | None, minimum: int = 1) -> str:
    text = (value or "").strip()
    if any(unicodedata.category(c) == "Cc" for c in text.replace("\n", "")):
        raise ValidationError(f"{label} must not contain control characters")
    if len(text) < minimum:
        if not text:
            raise ValidationError(f"a case needs a {label}")
        raise ValidationError(f"{label} is too short: say it in at least {minimum} characters")
    return text


def create_case(
    store: Store,
    actor: str,
    name: str,
    purpose: str | None,
    legal_basis: str | None,
    retention_days: int | None = None,
) -> CaseInfo:
    name = _clean("name", name)
    if len(name) > MAX_NAME or "\n" in name:
        raise ValidationError(f"a case name is one line of at most {MAX_NAME} characters")
    purpose = _clean("purpose (--purpose)", purpose, MIN_JUSTIFICATION)
    legal_basis = _clean("legal basis (--legal-basis)", legal_basis, MIN_JUSTIFICATION)
    days = DEFAULT_RETENTION_DAYS if retention_days is None else retention_days
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise ValidationError(f"retention must be between 1 and {MAX_RETENTION_DAYS} days")
    from threadline.safeguards.access import add_owner, guard_global

    guard_global(store, actor, "create_case")
    now = utcnow()
    try:
        with store.write() as session:
            if session.scalar(select(Case.id).where(Case.name == name)) is not None:
                raise Conflict(f"a case named {name!r} already exists")
            case = Case(
                name=name,
                purpose=purpose,
                legal_basis=legal_basis,
                owner=actor,
                created_at=now,
                retention_days=days,
                retain_until=now + timedelta(days=days),
            )
            session.add(case)
            session.flush()
            add_owner(session, case, actor)  # who opens a case supervises it
            audit.append(
                session,
                actor=actor,
                action="case.created",
                case_id=case.id,
                target=f"case:{case.id}",
                details={
                    "name": name,
                    "purpose": purpose,
                    "legal_basis": legal_basis,
                    "retention_days": days,
                },
            )
            return _info(case)
    except IntegrityError as exc:  # a concurrent create won the race
        raise Conflict(f"a case named {name!r} already exists") from exc


def resolve_case(session: Session, name: str) -> Case:
    case = session.scalar(select(Case).where(Case.name == name))
    if case is None:
        raise NotFound(f"no case named {name!r} (see `threadline case list`)")
    return case


def get_case(store: Store, actor: str, name: str) -> CaseInfo:
    """A case with its counts, for a user who may read it (audited as an access)."""
    from threadline.safeguards.access import guard

    case = guard(store, actor, name, "read", audit_as="case.viewed")
    with store.read() as session:
        return _info(case, **_counts(session, case.id))


def list_cases(store: Store, actor: str) -> list[CaseInfo]:
    """The cases `actor` is a member of (every case for an admin or auditor)."""
    from threadline.safeguards.access import visible_case_ids

    with store.read() as session:
        visible = visible_case_ids(session, actor)
        query = select(Case).order_by(Case.name)
        if visible is not None:
            query = query.where(Case.id.in_(visible))
        return [_info(c, **_counts(session, c.id)) for c in session.scalars(query).all()]


def _counts(session: Session, case_id: int) -> dict[str, int]:
    def count(model: type) -> int:
        return (
            session.scalar(select(func.count()).select_from(model).where(model.case_id == case_id))
            or 0
        )

    return {
        "sources": count(Source),
        "records": count(Record),
        "quarantined": count(QuarantinedItem),
    }


def _info(case: Case, **counts: int) -> CaseInfo:
    return CaseInfo(
        id=case.id,
        name=case.name,
        purpose=case.purpose,
        legal_basis=case.legal_basis,
        owner=case.owner,
        created_at=case.created_at,
        retention_days=case.retention_days,
        retain_until=case.retain_until,
        **counts,
    )
