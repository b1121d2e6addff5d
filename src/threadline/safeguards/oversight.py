"""The oversight (transparency) report of a case, computed from its audit trail alone.

Because it reads only the hash-chained audit log, it covers the case's whole
life, also after a retention purge, and it shows nothing the log does not hold:
who did what and how often, never record content.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from threadline.safeguards.access import guard, guard_global
from threadline.store.db import Store
from threadline.store.models import AuditEvent

# audit actions by what the report calls them
ACCESS_ACTIONS = frozenset(
    {
        "case.viewed",
        "record.viewed",
        "records.listed",
        "quarantine.viewed",
        "reviews.viewed",
        "audit.viewed",
    }
)
SEARCH_ACTIONS = frozenset({"search.run"})
EXPORT_ACTIONS = frozenset({"export.authorized", "export.completed", "export.refused"})
APPROVAL_ACTIONS = frozenset({"export.approved"})
REFUSAL_ACTIONS = frozenset({"access.refused", "export.refused"})
MEMBERSHIP_ACTIONS = frozenset({"case.member_added", "case.member_removed"})


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    target: str
    details: dict
    case_id: int | None = None
    hash: str = ""


@dataclass(frozen=True, slots=True)
class OversightReport:
    case_id: int
    case_name: str
    first_event: str | None
    last_event: str | None
    events: int
    actors: dict[str, dict[str, int]]  # actor → action → count
    access: list[AuditEntry]  # reads of case data
    searches: list[AuditEntry]
    exports: list[AuditEntry]
    approvals: list[AuditEntry]
    refusals: list[AuditEntry]
    membership: list[AuditEntry]
    reviews: dict[str, dict[str, int]]  # target kind → decision → count
    dismissal_reasons: dict[str, int]
    dismissal_rate: dict[str, float]  # target kind → dismissed / reviewed
    purged: list[AuditEntry] = field(default_factory=list)

    def to_dict(self) -> dict:
        def entries(items: list[AuditEntry]) -> list[dict]:
            return [
                {
                    "seq": e.seq,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "target": e.target,
                    "details": e.details,
                }
                for e in items
            ]

        return {
            "case": {"id": self.case_id, "name": self.case_name},
            "period": {"first": self.first_event, "last": self.last_event},
            "events": self.events,
            "actors": self.actors,
            "access": entries(self.access),
            "searches": entries(self.searches),
            "exports": entries(self.exports),
            "approvals": entries(self.approvals),
            "refusals": entries(self.refusals),
            "membership": entries(self.membership),
            "reviews": {
                "by_kind": self.reviews,
                "dismissal_reasons": self.dismissal_reasons,
                "dismissal_rate": self.dismissal_rate,
            },
            "purged": entries(self.purged),
        }


def _events(session: Session, case_id: int, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == case_id, AuditEvent.seq > last)
            .order_by(AuditEvent.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        for ev in rows:
            yield AuditEntry(ev.seq, ev.at, ev.actor, ev.action, ev.target, json.loads(ev.details))
        last = rows[-1].seq


def oversight_report(store: Store, actor: str, case_name: str) -> OversightReport:
    """Who accessed what, searches, exports, approvals, refusals and reviews of a case."""
    case = guard(store, actor, case_name, "audit_read", audit_as="audit.viewed")
    actors: dict[str, Counter[str]] = {}
    buckets: dict[str, list[AuditEntry]] = {
        k: [] for k in ("access", "searches", "exports", "approvals", "refusals", "membership")
    }
    purged: list[AuditEntry] = []
    reviews: dict[str, Counter[str]] = {}
    reasons: Counter[str] = Counter()
    first = last = None
    count = 0
    with store.read() as session:
        for e in _events(session, case.id):
            count += 1
            first = first or e.at
            last = e.at
            actors.setdefault(e.actor, Counter())[e.action] += 1
            if e.action in ACCESS_ACTIONS:
                buckets["access"].append(e)
            if e.action in SEARCH_ACTIONS:
                buckets["searches"].append(e)
            if e.action in EXPORT_ACTIONS:
                buckets["exports"].append(e)
            if e.action in APPROVAL_ACTIONS:
                buckets["approvals"].append(e)
            if e.action in REFUSAL_ACTIONS:
                buckets["refusals"].append(e)
            if e.action in MEMBERSHIP_ACTIONS:
                buckets["membership"].append(e)
            if e.action == "case.purged":
                purged.append(e)
            if e.action == "review.recorded":
                kind = e.target.split(":", 1)[0]
                reviews.setdefault(kind, Counter())[e.details.get("decision", "?")] += 1
                if e.details.get("decision") == "dismissed":
                    reasons[e.details.get("reason") or "other"] += 1
    rates = {kind: round(c["dismissed"] / sum(c.values()), 4) for kind, c in reviews.items() if c}
    return OversightReport(
        case_id=case.id,
        case_name=case.name,
        first_event=first,
        last_event=last,
        events=count,
        actors={a: dict(sorted(c.items())) for a, c in sorted(actors.items())},
        reviews={k: dict(sorted(c.items())) for k, c in sorted(reviews.items())},
        dismissal_reasons=dict(sorted(reasons.items())),
        dismissal_rate=dict(sorted(rates.items())),
        purged=purged,
        **buckets,
    )


def case_audit_events(
    store: Store, actor: str, case_name: str | None, limit: int
) -> list[AuditEntry]:
    """The most recent audit events of one case (or of all, for an auditor or admin)."""
    if case_name is not None:
        case = guard(store, actor, case_name, "audit_read", audit_as="audit.viewed")
    else:
        guard_global(store, actor, "audit_read_all")
        case = None
    with store.read() as session:
        query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
        if case is not None:
            query = query.where(AuditEvent.case_id == case.id)
        rows = list(reversed(session.scalars(query).all()))
        return [
            AuditEntry(
                ev.seq,
                ev.at,
                ev.actor,
                ev.action,
                ev.target,
                json.loads(ev.details),
                ev.case_id,
                ev.hash,
            )
            for ev in rows
        ]
