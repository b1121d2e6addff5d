"""The fairness report over a stored case: `threadline report bias --case NAME`.

Reads the case's analysed ads and job ads with their stored signals and
scores, in batches, and hands them to `threadline.indicators.bias_report`
(flag rates by language, region and ethnicity/nationality words, disparity
ratios, indicators without outcome evidence that fire mostly on one group).
One report per record kind, since each kind has its own indicators. The
record's language is its `lang` field ("unknown" without one), its region the
country `threadline screen` reads its phone numbers in. Producing a report is
audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from threadline import audit
from threadline.errors import NotFound, ValidationError
from threadline.indicators.bias import BiasReport, Record, bias_report
from threadline.indicators.signal import Signal, SignalExplanation
from threadline.risk import SCORED_KINDS, joined
from threadline.safeguards.access import guard
from threadline.screen import region_for_record
from threadline.store.db import Store
from threadline.store.models import Record as RecordRow
from threadline.store.models import ScoreRow, SignalRow

BATCH = 2000


def _signal(row: SignalRow) -> Signal:
    return Signal(
        row.indicator,
        row.name,
        row.category,
        (),
        row.weight,
        row.grade,
        row.citation,
        SignalExplanation.from_dict(row.explanation),
    )


def _records(store: Store, case_id: int, kind: str) -> Iterator[Record]:
    """(text, lang, region, signals, score) of every scored record of `kind`, batch by batch."""
    last = 0
    while True:
        with store.read() as session:
            rows = session.execute(
                select(RecordRow, ScoreRow.value)
                .join(ScoreRow, ScoreRow.record_id == RecordRow.id)
                .where(RecordRow.case_id == case_id, RecordRow.kind == kind, RecordRow.id > last)
                .order_by(RecordRow.id)
                .limit(BATCH)
            ).all()
            if not rows:
                return
            ids = [r.id for r, _ in rows]
            sigs: dict[int, list[Signal]] = {}
            for s in session.scalars(select(SignalRow).where(SignalRow.record_id.in_(ids))):
                sigs.setdefault(s.record_id, []).append(_signal(s))
        last = ids[-1]
        for rec, value in rows:
            fields: dict[str, Any] = rec.fields or {}
            lang = fields.get("lang")
            text, _ = joined(rec.title or None, rec.text)
            yield (
                text,
                lang[:8] if isinstance(lang, str) and lang else None,
                region_for_record({**fields, "place": rec.place}),
                sigs.get(rec.id, []),
                value,
            )


def case_bias_report(
    store: Store,
    actor: str,
    case_name: str,
    *,
    kinds: tuple[str, ...] = SCORED_KINDS,
    min_group: int = 30,
    min_flags: int = 5,
    threshold: float = 1.25,
) -> dict[str, BiasReport]:
    """One fairness report per record kind that has scored records in the case."""
    for kind in kinds:
        if kind not in SCORED_KINDS:
            raise ValidationError(f"kind {kind!r} has no indicators; one of {SCORED_KINDS}")
    case = guard(store, actor, case_name, "read", audit_as="report.bias")
    with store.read() as session:
        counts = dict(
            session.execute(
                select(ScoreRow.kind, func.count())
                .where(ScoreRow.case_id == case.id)
                .group_by(ScoreRow.kind)
            ).all()
        )
    present = [k for k in kinds if counts.get(k)]
    if not present:
        raise NotFound(
            f"case {case_name!r} has no scored records: run `threadline analyze --case {case_name}`"
        )
    reports = {
        kind: bias_report(
            _records(store, case.id, kind),
            kind=kind,
            min_group=min_group,
            min_flags=min_flags,
            threshold=threshold,
        )
        for kind in present
    }
    with store.write() as session:
        audit.append(
            session,
            actor=actor,
            action="report.bias",
            case_id=case.id,
            target=f"case:{case.id}",
            details={
                kind: {
                    "records": r.n_records,
                    "disparate_without_outcome_evidence": len(r.without_outcome_evidence),
                }
                for kind, r in reports.items()
            },
        )
    return reports
