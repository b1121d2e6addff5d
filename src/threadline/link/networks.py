"""Reading a case's current linking run: its networks and its hub decisions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from threadline.errors import NotFound
from threadline.safeguards.access import guard
from threadline.store.db import Store
from threadline.store.models import HubDecisionRow, LinkRun, NetworkRow

__all__ = ["current_run", "hub_decisions", "list_networks"]


def current_run(session: Session, case_id: int) -> LinkRun | None:
    return session.scalar(
        select(LinkRun).where(LinkRun.case_id == case_id, LinkRun.status == "current")
    )


def list_networks(
    store: Store, actor: str, case_name: str, *, min_size: int = 2, limit: int | None = None
) -> list[dict[str, Any]]:
    """The current run's networks, largest first: ``{"network", "records", "score", "summary"}``.

    Access-checked and audited as a read of the case (`networks.listed`)."""
    case = guard(store, actor, case_name, "read", audit_as="networks.listed")
    with store.read() as session:
        run = current_run(session, case.id)
        if run is None:
            raise NotFound(f"case {case_name!r} has not been linked (run `threadline analyze`)")
        query = (
            select(NetworkRow.key, NetworkRow.size, NetworkRow.score, NetworkRow.summary)
            .where(NetworkRow.run_id == run.id, NetworkRow.size >= min_size)
            .order_by(NetworkRow.size.desc(), NetworkRow.key)
        )
        if limit:
            query = query.limit(limit)
        return [
            {"network": r.key, "records": r.size, "score": r.score, "summary": r.summary}
            for r in session.execute(query)
        ]


def hub_decisions(
    store: Store, actor: str, case_name: str, *, hubs_only: bool = True
) -> list[dict[str, Any]]:
    """The current run's hub decisions (held-back values first by record count)."""
    case = guard(store, actor, case_name, "read")
    with store.read() as session:
        run = current_run(session, case.id)
        if run is None:
            return []
        query = select(HubDecisionRow.details).where(HubDecisionRow.run_id == run.id)
        if hubs_only:
            query = query.where(HubDecisionRow.hub.is_(True))
        rows = [r for (r,) in session.execute(query)]
    return sorted(rows, key=lambda d: (-int(d["records"]), str(d["value"])))
