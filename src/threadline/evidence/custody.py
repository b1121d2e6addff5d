"""Chain of custody of a selection: audit events and provenance rows, in order.

Stages: acquired, ingested, analysed, reviewed, approved, exported. Each event
names who, when, the tool version where the log records one, and the audit
event's sequence number and hash, so a recipient holding the case's audit
export (or `threadline audit verify` on the source system) can check that
these entries are part of the unbroken chain.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from threadline import __version__
from threadline.evidence.selection import ExportData
from threadline.store.db import Store
from threadline.store.models import AuditEvent

TOOL_VERSION = f"threadline {__version__}"

# audit action → custody stage; rules as data. Actions from later stages
# (reviews, approvals, exports) are matched by prefix below.
STAGE_OF_ACTION: Mapping[str, str] = {
    "case.created": "case opened",
    "source.acquired": "acquired",
    "source.ingest_resumed": "ingested",
    "records.stored": "ingested",
    "source.ingested": "ingested",
    "record.quarantined": "ingested",
    "mentions.extracted": "analysed",
}
STAGE_OF_PREFIX: tuple[tuple[str, str], ...] = (
    ("review", "reviewed"),
    ("approval", "approved"),
    ("export.approv", "approved"),
    ("evidence.exported", "exported"),
    ("export", "exported"),
)


@dataclass(frozen=True, slots=True)
class CustodyEvent:
    stage: str
    at: str
    actor: str
    action: str
    target: str
    tool_version: str | None
    details: dict[str, Any]
    audit_seq: int | None
    audit_hash: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "tool_version": self.tool_version,
            "details": self.details,
            "audit_seq": self.audit_seq,
            "audit_hash": self.audit_hash,
        }


def stage_of(action: str) -> str | None:
    if action in STAGE_OF_ACTION:
        return STAGE_OF_ACTION[action]
    for prefix, stage in STAGE_OF_PREFIX:
        if action.startswith(prefix):
            return stage
    return None


def custody_events(store: Store, data: ExportData) -> list[CustodyEvent]:
    """Audit events of the case that concern the selected records, their sources or network."""
    ids = {r.id for r in data.records}
    targets = {f"record:{i}" for i in ids} | {f"source:{s.id}" for s in data.sources}
    if data.selection.network_id is not None:
        targets.add(f"network:{data.selection.network_id}")
    case_target = f"case:{data.case.id}"
    tool_of_source = {f"source:{s.id}": s.tool_version for s in data.sources}
    out: list[CustodyEvent] = []
    with store.read() as session:
        last = 0
        while True:  # in pages: a large case has many events
            page = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.case_id == data.case.id, AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(5000)
            ).all()
            if not page:
                break
            last = page[-1].seq
            for ev in page:
                stage = stage_of(ev.action)
                if stage is None:
                    continue
                details = _details(ev.details)
                if not _concerns(ev, details, targets, case_target, ids):
                    continue
                tool = details.get("tool_version") or tool_of_source.get(ev.target)
                if ev.action == "mentions.extracted" and details.get("version"):
                    tool = f"{TOOL_VERSION}; extractors {details['version']}"
                out.append(
                    CustodyEvent(
                        stage=stage,
                        at=ev.at,
                        actor=ev.actor,
                        action=ev.action,
                        target=ev.target,
                        tool_version=tool,
                        details=details,
                        audit_seq=ev.seq,
                        audit_hash=ev.hash,
                    )
                )
            session.expunge_all()
    return out


def provenance(data: ExportData) -> dict[str, Any]:
    """The provenance rows themselves: how each source was acquired, what processed each record."""
    return {
        "sources": [
            {
                "id": s.id,
                "sha256": s.sha256,
                "size": s.size,
                "format": s.format,
                "acquired_by": s.acquired_by,
                "acquired_at": s.acquired_at.isoformat(),
                "tool_version": s.tool_version,
                "completed_at": s.completed_at.isoformat() if s.completed_at else None,
            }
            for s in data.sources
        ],
        "record_stages": [
            {
                "record_id": st.record_id,
                "stage": st.stage,
                "version": st.version,
                "done_at": st.done_at.isoformat(),
                "errors": list(st.errors or []),
            }
            for st in data.stages
        ],
    }


def _details(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {"unparsed": text}
    return value if isinstance(value, dict) else {"value": value}


def _concerns(
    ev: AuditEvent, details: dict[str, Any], targets: set[str], case_target: str, ids: set[int]
) -> bool:
    if ev.target in targets:
        return True
    if ev.target != case_target:
        return False
    if ev.action == "case.created":
        return True
    if ev.action == "mentions.extracted":
        first, last = details.get("first_record"), details.get("last_record")
        if isinstance(first, int) and isinstance(last, int):
            return any(first <= i <= last for i in ids)
        return False
    # a case-level review/approval/export event that lists records or the network
    listed = details.get("records") or details.get("record_ids")
    return isinstance(listed, list) and any(i in ids for i in listed if isinstance(i, int))
