"""Why a stored record has its score: contributions, evidence grades, citations, spans in context.

`explain_record(store, actor, ref, case_name=...)` reads one analysed record's
stored score and signals and returns them as typed data; the CLI and the API
only lay it out. The contributions are the stored ones, so they sum to the
stored score exactly (`threadline.indicators.score`). Each evidence span comes
with a little of the text around it, cut to `CONTEXT_CHARS` on each side: the
analyst sees why, without the whole ad. Viewing an explanation is audited.

A record is named by its number in the store, or — with a case — by its
external id (the `id` of the ingested line).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from threadline import audit
from threadline.cases import resolve_case
from threadline.errors import NotFound, ValidationError
from threadline.indicators.score import BASELINE
from threadline.safeguards.access import MASK, guard, may
from threadline.store.db import Store
from threadline.store.models import Case, Record, ScoreRow, SignalRow

CONTEXT_CHARS = 40
MAX_REF = 200


@dataclass(frozen=True, slots=True)
class Evidence:
    field: str  # "title" | "text"
    start: int
    end: int
    before: str  # up to CONTEXT_CHARS of the field before the span ("…" marks a cut)
    match: str  # field[start:end]
    after: str


@dataclass(frozen=True, slots=True)
class ExplainedSignal:
    indicator: str
    name: str
    category: str
    grade: str
    weight: float
    contribution: float
    citation: str
    evidence: tuple[Evidence, ...]
    matched: tuple[str, ...]  # catalogue items that fired ("phrase:en:…", "rule:…")
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordExplanation:
    record_id: int
    external_id: str | None
    case: str
    kind: str
    value: float
    for_review: bool
    baseline: float  # the no-signal share of the value
    signals: tuple[ExplainedSignal, ...]  # largest contribution first
    method: str
    calibration: str  # how the value was calibrated, in words
    calibration_version: str
    catalogue_version: str
    job_model: dict[str, Any] | None  # job ads: probability, top features, versions
    model_version: str | None
    training_data: str | None
    errors: tuple[str, ...]

    @property
    def total(self) -> float:
        """The baseline plus every contribution: equal to `value`."""
        import math

        return math.fsum([self.baseline, *(s.contribution for s in self.signals)])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> Evidence:
    lo, hi = max(start - width, 0), min(end + width, len(text))
    before = ("…" if lo > 0 else "") + text[lo:start]
    after = text[end:hi] + ("…" if hi < len(text) else "")
    return Evidence("text", start, end, before, text[start:end], after)


def _find_record(session: Any, ref: str, case_name: str | None) -> tuple[Record, Case]:
    ref = ref.strip()
    if not ref or len(ref) > MAX_REF:
        raise ValidationError("a record id is a number or, with --case, an external id")
    case = resolve_case(session, case_name) if case_name else None
    rec = None
    if case is not None:
        rec = session.scalars(
            select(Record).where(Record.case_id == case.id, Record.external_id == ref).limit(1)
        ).first()
    if rec is None and ref.isdigit() and len(ref) < 19:
        rec = session.get(Record, int(ref))
        if rec is not None and case is not None and rec.case_id != case.id:
            rec = None
    if rec is None:
        where = f" in case {case_name!r}" if case_name else ""
        raise NotFound(f"no record {ref!r}{where}")
    return rec, session.get(Case, rec.case_id)


def explain_record(
    store: Store, actor: str, ref: str, *, case_name: str | None = None
) -> RecordExplanation:
    """The stored score of record `ref` with each signal's contribution and evidence.

    Access-checked on the record's case; for a role that may not see identifiers
    the evidence keeps its offsets but not the text around them.
    """
    with store.read() as session:
        _rec, found_case = _find_record(session, ref, case_name)
    checked = guard(store, actor, found_case.name, "read")
    with store.read() as session:
        show_text = may(session, actor, checked, "see_identifiers")
    with store.write() as session:
        rec, case = _find_record(session, ref, case_name)
        row = session.get(ScoreRow, rec.id)
        if row is None:
            raise NotFound(
                f"record {ref!r} has no score yet: run `threadline analyze --case {case.name}`"
                if rec.kind in ("ad", "job_ad")
                else f"record {ref!r} is of kind {rec.kind!r}, which has no indicators"
            )
        sig_rows = session.scalars(
            select(SignalRow).where(SignalRow.record_id == rec.id).order_by(SignalRow.id)
        ).all()
        audit.append(
            session,
            actor=actor,
            action="record.explained",
            case_id=case.id,
            target=f"record:{rec.id}",
            details={"score": row.value},
        )
        shares = {c["indicator"]: float(c["contribution"]) for c in row.contributions}
        fields = {"title": rec.title or "", "text": rec.text}
        signals = []
        for s in sig_rows:
            evidence = []
            for span in s.spans:
                source = fields.get(span["field"], "")
                ev = context(source, int(span["start"]), int(span["end"]))
                if not show_text:
                    ev = Evidence(ev.field, ev.start, ev.end, "", MASK, "")
                evidence.append(
                    Evidence(span["field"], ev.start, ev.end, ev.before, ev.match, ev.after)
                )
            signals.append(
                ExplainedSignal(
                    s.indicator,
                    s.name,
                    s.category,
                    s.grade,
                    s.weight,
                    shares.get(s.indicator, 0.0),
                    s.citation,
                    tuple(evidence),
                    tuple(s.explanation.get("matched", ())),
                    tuple(s.explanation.get("notes", ())),
                )
            )
        signals.sort(key=lambda x: (-x.contribution, x.indicator))
        cal = row.calibration or {}
        fitted = cal.get("fitted_on", "")
        scale = "SYNTHETIC data" if fitted == "synthetic" else fitted
        return RecordExplanation(
            record_id=rec.id,
            external_id=rec.external_id,
            case=case.name,
            kind=rec.kind,
            value=row.value,
            for_review=row.for_review,
            baseline=shares.get(BASELINE, 0.0),
            signals=tuple(signals),
            method=row.method,
            calibration=(  # the data's version, not its description (its role labels)
                f"{cal.get('method')} a={float(cal.get('a', 0)):.4f} "
                f"b={float(cal.get('b', 0)):.4f}, fitted on {scale} "
                f"({cal.get('data_version') or 'no data'})"
            ),
            calibration_version=str(cal.get("version", "")),
            catalogue_version=row.catalogue_version,
            job_model=row.job_model,
            model_version=row.model_version,
            training_data=row.training_data,
            errors=tuple(row.errors or ()),
        )
