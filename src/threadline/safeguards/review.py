"""Reviews: a person's recorded decision on a record, link or network.

Targets are named as `kind:id`:

* `record:<record id>` — a stored record of the case;
* `link:<record id>-<record id>` — the link between two records of the case, in
  either order (stored with the smaller id first);
* `network:<network id>` — a network as the linking stage names it (`net-…`).

The latest review of a target is its current decision; earlier ones stay as its
history. The audit event holds the decision, reason and a SHA-256 of the
rationale, not its text: the text stays in the case and is purged with it,
while the permanent audit log keeps nothing personal.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from threadline import audit
from threadline.errors import NotFound, ValidationError
from threadline.safeguards.access import guard
from threadline.store.db import Store, utcnow
from threadline.store.models import Record, Review

TARGET_KINDS = ("record", "link", "network")
DECISIONS = ("confirmed", "dismissed", "needs_more")
DISMISSAL_REASONS = ("erroneous_link", "not_trafficking_related", "duplicate", "other")
MIN_RATIONALE = 10
MAX_RATIONALE = 4000
NETWORK_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")


@dataclass(frozen=True, slots=True)
class Target:
    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class ReviewInfo:
    id: int
    case_id: int
    target: str
    decision: str
    reason: str | None
    rationale: str
    reviewer: str
    created_at: datetime


def parse_target(kind: str, target_id: str) -> Target:
    """Validate and canonicalise a target (a link's record ids sorted)."""
    if kind not in TARGET_KINDS:
        raise ValidationError(f"unknown review target {kind!r}: one of {', '.join(TARGET_KINDS)}")
    raw = (target_id or "").strip()
    if kind == "record":
        if not raw.isdigit():
            raise ValidationError(f"a record id is a number, not {raw!r}")
        return Target(kind, str(int(raw)))
    if kind == "link":
        m = re.fullmatch(r"(\d+)\s*[-,:]\s*(\d+)", raw)
        if not m or m.group(1) == m.group(2):
            raise ValidationError(f"a link is named by two record ids, e.g. 12-34, not {raw!r}")
        a, b = sorted((int(m.group(1)), int(m.group(2))))
        return Target(kind, f"{a}-{b}")
    if not NETWORK_ID_RE.fullmatch(raw):
        raise ValidationError(f"not a network id: {raw!r}")
    return Target(kind, raw)


def parse_target_ref(ref: str) -> Target:
    """`network:net-abc` → Target('network', 'net-abc')."""
    kind, sep, rest = (ref or "").partition(":")
    if not sep:
        raise ValidationError(
            f"name a target as KIND:ID (record:12, link:12-34, network:ID): {ref!r}"
        )
    return parse_target(kind, rest)


def _check_records_exist(session: Session, case_id: int, target: Target) -> None:
    if target.kind == "network":
        return  # networks are derived; their ids are checked by the linking stage's views
    ids = [int(x) for x in target.id.split("-")]
    found = session.scalar(
        select(func.count()).where(Record.case_id == case_id, Record.id.in_(ids))
    )
    if found != len(ids):
        raise NotFound(f"no {target} in this case")


def record_review(
    store: Store,
    actor: str,
    case_name: str,
    kind: str,
    target_id: str,
    decision: str,
    rationale: str,
    reason: str | None = None,
) -> ReviewInfo:
    target = parse_target(kind, target_id)
    if decision not in DECISIONS:
        raise ValidationError(f"unknown decision {decision!r}: one of {', '.join(DECISIONS)}")
    if decision == "dismissed":
        if reason not in DISMISSAL_REASONS:
            raise ValidationError(
                f"a dismissal needs a reason (--reason): one of {', '.join(DISMISSAL_REASONS)}"
            )
    elif reason is not None:
        raise ValidationError("a reason (--reason) is given only with --decision dismissed")
    text = (rationale or "").strip()
    if len(text) < MIN_RATIONALE:
        raise ValidationError(
            f"a review needs a rationale (--rationale) of at least {MIN_RATIONALE} characters"
        )
    if len(text) > MAX_RATIONALE:
        raise ValidationError(f"a rationale is at most {MAX_RATIONALE} characters")
    case = guard(store, actor, case_name, "review", target=str(target))
    with store.write() as session:
        _check_records_exist(session, case.id, target)
        row = Review(
            case_id=case.id,
            target_kind=target.kind,
            target_id=target.id,
            decision=decision,
            reason=reason,
            rationale=text,
            reviewer=actor,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            actor=actor,
            action="review.recorded",
            case_id=case.id,
            target=str(target),
            details={
                "review": row.id,
                "decision": decision,
                "reason": reason,
                "rationale_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            },
        )
        return _info(row)


def _info(r: Review) -> ReviewInfo:
    return ReviewInfo(
        r.id,
        r.case_id,
        f"{r.target_kind}:{r.target_id}",
        r.decision,
        r.reason,
        r.rationale,
        r.reviewer,
        r.created_at,
    )


def reviews_for(session: Session, case_id: int, target: Target) -> list[ReviewInfo]:
    """Every review of one item, oldest first (no access check: callers have done it)."""
    rows = session.scalars(
        select(Review)
        .where(
            Review.case_id == case_id,
            Review.target_kind == target.kind,
            Review.target_id == target.id,
        )
        .order_by(Review.id)
    )
    return [_info(r) for r in rows]


def current_decision(session: Session, case_id: int, target: Target) -> ReviewInfo | None:
    """The latest review of a target, which is its decision now."""
    row = session.scalar(
        select(Review)
        .where(
            Review.case_id == case_id,
            Review.target_kind == target.kind,
            Review.target_id == target.id,
        )
        .order_by(Review.id.desc())
        .limit(1)
    )
    return _info(row) if row is not None else None


def get_reviews(
    store: Store, actor: str, case_name: str, kind: str, target_id: str
) -> list[ReviewInfo]:
    """Reviews of one item for a user who may read the case."""
    target = parse_target(kind, target_id)
    case = guard(store, actor, case_name, "read")
    with store.read() as session:
        return reviews_for(session, case.id, target)


def list_reviews(
    store: Store, actor: str, case_name: str, *, kind: str | None = None, limit: int = 1000
) -> list[ReviewInfo]:
    case = guard(store, actor, case_name, "read", audit_as="reviews.viewed")
    with store.read() as session:
        query = select(Review).where(Review.case_id == case.id)
        if kind is not None:
            query = query.where(Review.target_kind == kind)
        rows = session.scalars(query.order_by(Review.id.desc()).limit(limit))
        return [_info(r) for r in rows]


def dismissed_link_keys(session: Session, case_id: int) -> set[tuple[int, int, str]]:
    """Links a person dismissed, as `(record_a, record_b, reason)` with record_a < record_b.

    Contract for the linking stage: before building networks for a case, call
    this and drop every link between `record_a` and `record_b` (both store record
    ids, the smaller first; test membership with `(min(x, y), max(x, y))`),
    whatever its evidence, so the two records merge only through *other* links.
    Only the latest review of a link counts: a dismissal later confirmed (or
    marked needs_more) no longer removes it. `reason` is one of
    `DISMISSAL_REASONS`; the linking stage may record it with the dropped link.
    No access check here — it runs inside a stage its caller has authorised.
    """
    latest = (
        select(Review.target_id, func.max(Review.id).label("last"))
        .where(Review.case_id == case_id, Review.target_kind == "link")
        .group_by(Review.target_id)
        .subquery()
    )
    rows = session.execute(
        select(Review.target_id, Review.reason)
        .join(latest, Review.id == latest.c.last)
        .where(Review.decision == "dismissed")
    ).all()
    keys: set[tuple[int, int, str]] = set()
    for target_id, reason in rows:
        a, b = (int(x) for x in target_id.split("-"))
        keys.add((a, b, reason or "other"))
    return keys
