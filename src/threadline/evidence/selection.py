"""What an export contains: an explicit selection of records, loaded from one case.

The caller names the records (a network is its record ids plus the network's id
and summary, as the linking stage gives them). Every id must belong to the case:
an id of another case is reported as not found, never read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from threadline.cases import resolve_case
from threadline.errors import NotFound, ValidationError
from threadline.store.db import Store, utcnow
from threadline.store.models import Attachment, Case, Mention, Record, RecordStage, Source

MAX_RECORDS = 100_000  # one export; larger hand-overs are split by network
_CHUNK = 500  # ids per IN (...) clause


@dataclass(frozen=True, slots=True)
class Selection:
    """Records chosen for export, optionally as one network with its summary."""

    record_ids: tuple[int, ...]
    network_id: str | None = None
    network_summary: Mapping[str, Any] | None = None

    @classmethod
    def of_records(cls, ids: Iterable[int]) -> Selection:
        return cls(tuple(ids))

    @classmethod
    def of_network(
        cls, network_id: str, ids: Iterable[int], summary: Mapping[str, Any] | None = None
    ) -> Selection:
        return cls(tuple(ids), str(network_id), dict(summary or {}))


@dataclass(frozen=True, slots=True)
class CaseFacts:
    id: int
    name: str
    purpose: str
    legal_basis: str
    owner: str
    created_at: datetime
    retain_until: datetime


@dataclass(frozen=True, slots=True)
class ExportData:
    """Everything an exporter needs, read in one transaction."""

    case: CaseFacts
    selection: Selection
    records: tuple[Record, ...]  # detached rows, ordered by id
    sources: tuple[Source, ...]
    mentions: tuple[Mention, ...]
    attachments: tuple[Attachment, ...]  # both ends inside the selection
    stages: tuple[RecordStage, ...]
    source_record_counts: dict[int, int] = field(default_factory=dict)  # all records per source


def load(store: Store, case_name: str, selection: Selection) -> ExportData:
    ids = _check_ids(selection.record_ids)
    with store.read() as session:
        case = resolve_case(session, case_name)
        if case.retain_until <= utcnow():
            raise ValidationError(
                f"case {case_name!r} passed its retention deadline "
                f"({case.retain_until:%Y-%m-%d}): its data is due for purge, not export"
            )
        records = _in(session, Record, Record.id, ids, Record.case_id == case.id)
        missing = sorted(set(ids) - {r.id for r in records})
        if missing:
            shown = ", ".join(str(i) for i in missing[:10])
            raise NotFound(f"no record {shown} in case {case_name!r}")
        source_ids = sorted({r.source_id for r in records})
        sources = _in(session, Source, Source.id, source_ids, Source.case_id == case.id)
        mentions = _in(session, Mention, Mention.record_id, ids, Mention.case_id == case.id)
        attachments = [
            a
            for a in _in(session, Attachment, Attachment.record_id, ids)
            if a.attached_id in set(ids)
        ]
        stages = _in(session, RecordStage, RecordStage.record_id, ids)
        counts = {s.id: s.stored_count for s in sources}
        session.expunge_all()
    return ExportData(
        case=_case_facts(case),
        selection=selection,
        records=tuple(sorted(records, key=lambda r: r.id)),
        sources=tuple(sorted(sources, key=lambda s: s.id)),
        mentions=tuple(sorted(mentions, key=lambda m: (m.record_id, m.field, m.start, m.id))),
        attachments=tuple(sorted(attachments, key=lambda a: a.id)),
        stages=tuple(sorted(stages, key=lambda s: (s.record_id, s.stage))),
        source_record_counts=counts,
    )


def _check_ids(ids: Iterable[int]) -> list[int]:
    try:
        unique = sorted({int(i) for i in ids})
    except (TypeError, ValueError) as exc:
        raise ValidationError("record ids must be whole numbers") from exc
    if not unique:
        raise ValidationError("nothing selected: name at least one record")
    if len(unique) > MAX_RECORDS:
        raise ValidationError(f"at most {MAX_RECORDS:,} records per export")
    return unique


def _in(session: Session, model: type, column: Any, ids: list[int], *where: Any) -> list[Any]:
    rows: list[Any] = []
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        rows.extend(session.scalars(select(model).where(column.in_(chunk), *where)).all())
    return rows


def _case_facts(case: Case) -> CaseFacts:
    return CaseFacts(
        id=case.id,
        name=case.name,
        purpose=case.purpose,
        legal_basis=case.legal_basis,
        owner=case.owner,
        created_at=case.created_at,
        retain_until=case.retain_until,
    )
