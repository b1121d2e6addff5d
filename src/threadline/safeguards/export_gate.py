"""The export gate: nothing leaves a case unreviewed, personal data only with four eyes.

An exporter calls `authorize_export` before it writes anything and passes the
`ExportClearance` along (it names the review and approval for the custody
chain), then calls `record_export` once the files are written:

    clearance = authorize_export(store, actor, "river", "network", "net-3f2a…",
                                 personal_data=not pseudonymize)
    ... write the bundle ...
    record_export(store, clearance, fmt="bundle", details={"files": n, "manifest_sha256": h})

`authorize_export` grants when

1. `actor` may export from the case (analyst or supervisor member, case not expired);
2. the target's latest review is `confirmed`;
3. for personal data (identifiers not pseudonymised), a supervisor of the case
   other than `actor` approved this export for `actor`, and the approval has not
   expired.

Otherwise it raises `Forbidden` with the reason, after committing an
`export.refused` audit event in its own transaction (the refusal stays on
record although the export fails). A grant is audited as `export.authorized`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from threadline import audit
from threadline.errors import Forbidden, ValidationError
from threadline.safeguards.access import case_role, get_user, guard, may
from threadline.safeguards.review import (
    MIN_RATIONALE,
    Target,
    current_decision,
    parse_target,
)
from threadline.store.db import Store, utcnow
from threadline.store.models import Case, ExportApproval

DEFAULT_APPROVAL_HOURS = 72
MAX_APPROVAL_HOURS = 24 * 30


@dataclass(frozen=True, slots=True)
class ExportClearance:
    """Permission for one export, with what it rests on (for the chain of custody)."""

    case_id: int
    case_name: str
    target: str  # "network:net-…", "record:12", "link:3-7"
    personal_data: bool  # True: identifiers may leave unpseudonymised
    requester: str
    review_id: int
    reviewer: str
    approval_id: int | None
    approver: str | None
    authorized_at: datetime
    audit_seq: int  # the export.authorized event


@dataclass(frozen=True, slots=True)
class ApprovalInfo:
    id: int
    case_id: int
    target: str
    requester: str
    approver: str
    created_at: datetime
    expires_at: datetime


def _refuse(store: Store, actor: str, case: Case, target: Target, reason: str) -> Forbidden:
    with store.write() as session:
        audit.append(
            session,
            actor=actor,
            action="export.refused",
            case_id=case.id,
            target=str(target),
            details={"reason": reason},
        )
    return Forbidden(reason)


def authorize_export(
    store: Store,
    actor: str,
    case_name: str,
    target_kind: str,
    target_id: str,
    *,
    personal_data: bool,
) -> ExportClearance:
    """Check the gate for one export; raise Forbidden (audited) or return a clearance."""
    target = parse_target(target_kind, target_id)
    case = guard(store, actor, case_name, "export", target=str(target))
    with store.read() as session:
        review = current_decision(session, case.id, target)
        approval = None
        if review is not None and review.decision == "confirmed" and personal_data:
            now = utcnow()
            candidates = session.scalars(
                select(ExportApproval)
                .where(
                    ExportApproval.case_id == case.id,
                    ExportApproval.target_kind == target.kind,
                    ExportApproval.target_id == target.id,
                    ExportApproval.requester == actor,
                    ExportApproval.approver != actor,
                    ExportApproval.expires_at > now,
                )
                .order_by(ExportApproval.id.desc())
            ).all()
            # the approver must still supervise the case now, not only when approving
            approval = next(
                (a for a in candidates if may(session, a.approver, case, "approve_export")), None
            )
    if review is None:
        raise _refuse(
            store, actor, case, target,
            f"{target} has not been reviewed: exporting needs a confirming review "
            f"(`threadline review {target.kind} {target.id} --case {case.name} "
            "--decision confirmed --rationale …`)",
        )  # fmt: skip
    if review.decision != "confirmed":
        raise _refuse(
            store, actor, case, target,
            f"{target} was last reviewed as {review.decision} by {review.reviewer} "
            f"(review {review.id}): only a confirmed item may be exported",
        )  # fmt: skip
    if personal_data and approval is None:
        raise _refuse(
            store, actor, case, target,
            f"exporting personal data from {target} needs the approval of a second person "
            f"with the supervisor role in case {case.name!r} (four eyes): they run "
            f"`threadline approve export --case {case.name} --target {target} "
            f"--requester {actor} --rationale …`; without it, export pseudonymised",
        )  # fmt: skip
    with store.write() as session:
        event = audit.append(
            session,
            actor=actor,
            action="export.authorized",
            case_id=case.id,
            target=str(target),
            details={
                "personal_data": personal_data,
                "review": review.id,
                "approval": approval.id if approval else None,
                "approver": approval.approver if approval else None,
            },
        )
        return ExportClearance(
            case_id=case.id,
            case_name=case.name,
            target=str(target),
            personal_data=personal_data,
            requester=actor,
            review_id=review.id,
            reviewer=review.reviewer,
            approval_id=approval.id if approval else None,
            approver=approval.approver if approval else None,
            authorized_at=utcnow(),
            audit_seq=event.seq,
        )


def record_export(
    store: Store, clearance: ExportClearance, *, fmt: str, details: dict | None = None
) -> int:
    """Audit a finished export (`export.completed`); returns the event's sequence number.

    `details` should say how much left (files, entities, manifest hash), never content.
    """
    with store.write() as session:
        event = audit.append(
            session,
            actor=clearance.requester,
            action="export.completed",
            case_id=clearance.case_id,
            target=clearance.target,
            details={
                "format": fmt,
                "personal_data": clearance.personal_data,
                "authorized_seq": clearance.audit_seq,
                **(details or {}),
            },
        )
        return event.seq


def approve_export(
    store: Store,
    actor: str,
    case_name: str,
    target_ref: Target,
    requester: str,
    rationale: str,
    *,
    valid_hours: int = DEFAULT_APPROVAL_HOURS,
) -> ApprovalInfo:
    """A supervisor approves `requester`'s export of personal data from one target."""
    text = (rationale or "").strip()
    if len(text) < MIN_RATIONALE:
        raise ValidationError(
            f"an approval needs a rationale (--rationale) of at least {MIN_RATIONALE} characters"
        )
    if not 1 <= valid_hours <= MAX_APPROVAL_HOURS:
        raise ValidationError(f"an approval is valid for 1 to {MAX_APPROVAL_HOURS} hours")
    target = parse_target(target_ref.kind, target_ref.id)
    case = guard(store, actor, case_name, "approve_export", target=str(target))
    if requester == actor:
        raise _refuse(
            store, actor, case, target,
            "four eyes: the person who exports cannot approve their own export; "
            "another supervisor of the case must approve it",
        )  # fmt: skip
    with store.read() as session:
        get_user(session, requester)
        requester_may = may(session, requester, case, "export")
        role = case_role(session, get_user(session, requester), case.id)
        review = current_decision(session, case.id, target)
    if not requester_may:
        raise ValidationError(
            f"{requester!r} (role {role or 'none'} in case {case.name!r}) may not export from it"
        )
    if review is None or review.decision != "confirmed":
        raise _refuse(
            store, actor, case, target,
            f"{target} has no confirming review yet: review it before approving its export",
        )  # fmt: skip
    now = utcnow()
    with store.write() as session:
        row = ExportApproval(
            case_id=case.id,
            target_kind=target.kind,
            target_id=target.id,
            requester=requester,
            approver=actor,
            rationale=text,
            created_at=now,
            expires_at=now + timedelta(hours=valid_hours),
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            actor=actor,
            action="export.approved",
            case_id=case.id,
            target=str(target),
            details={
                "approval": row.id,
                "requester": requester,
                "review": review.id,
                "expires_at": row.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "rationale_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            },
        )
        return ApprovalInfo(
            row.id, case.id, str(target), requester, actor, row.created_at, row.expires_at
        )
