"""The analysis stages over a case in the store: extraction, images, indicators and
scores, then linking.

Each stage records, per record, the version of the configuration that
processed it (`RecordStage`), so `analyze` only does what is missing or
outdated: re-running it on an analysed case does nothing, and upgrading an
extractor re-extracts every record once. Each batch is one transaction with
its audit event.

After extraction, records of a scored kind (ad, job_ad) pass through three
versioned stages, run together per batch because each feeds the next:
`indicators` (version: the catalogue's), `jobmodel` (job ads only; version:
the model's) and `score` (version: catalogue and calibrations). A record is
re-assessed when any of its stages is missing or outdated — a changed
catalogue re-scores every record once — and re-extracting a record drops its
later stages, since its signals rest on its mentions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

import orjson
from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import aliased

from threadline import audit
from threadline.case_context import CaseContext, load_case_context
from threadline.extract.base import Explanation, ExtractContext, Mention
from threadline.extract.engine import extract_all
from threadline.extract.registry import all_extractors
from threadline.images import analyze_images
from threadline.link.case import LinkCaseSummary, link_case
from threadline.safeguards.access import guard
from threadline.screen import region_for_record
from threadline.store.db import Store, utcnow
from threadline.store.models import Mention as MentionRow
from threadline.store.models import Record, RecordStage, ScoreRow, SignalRow

EXTRACT_STAGE = "extract"
INDICATORS_STAGE = "indicators"
JOBMODEL_STAGE = "jobmodel"
SCORE_STAGE = "score"
RISK_STAGES = (INDICATORS_STAGE, JOBMODEL_STAGE, SCORE_STAGE)
TEXT_FIELDS = ("title", "text")


def extraction_version() -> str:
    """One identifier for the set of extractors and their versions."""
    parts = sorted(f"{e.name}@{e.version}" for e in all_extractors())
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class AnalyzeSummary:
    case: str
    version: str
    records: int  # in the case
    processed: int  # extracted in this run
    mentions: int  # stored in this run
    errors: int  # records with at least one extractor error
    by_type: dict[str, int]
    risk: RiskSummary | None = None
    linking: LinkCaseSummary | None = None  # the linking stage, after the others


@dataclass(frozen=True, slots=True)
class RiskSummary:
    versions: dict[str, str]  # stage -> version
    processed: int  # records assessed in this run
    signals: int  # signals stored in this run
    for_review: int  # of the records assessed in this run, those at or above the threshold
    errors: int  # records whose assessment reported an error
    by_indicator: dict[str, int]


def analyze_case(
    store: Store,
    actor: str,
    case_name: str,
    *,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    risk_progress: Callable[[int, int], None] | None = None,
    link_progress: Callable[[str, int, int], None] | None = None,
) -> AnalyzeSummary:
    """Extract, images, assess (indicators, job model, score), then link: each stage does
    only what is missing or outdated."""
    summary = extract_case(store, actor, case_name, batch_size=batch_size, progress=progress)
    analyze_images(store, actor, case_name)  # hashes, EXIF, hash-list matches
    risk = assess_case(store, actor, case_name, batch_size=batch_size, progress=risk_progress)
    linking = link_case(store, actor, case_name, progress=link_progress)
    return replace(summary, risk=risk, linking=linking)


def extract_case(
    store: Store,
    actor: str,
    case_name: str,
    *,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> AnalyzeSummary:
    version = extraction_version()
    case = guard(store, actor, case_name, "analyze")
    with store.read() as session:
        total = session.scalar(select(func.count()).where(Record.case_id == case.id)) or 0
        pending = session.scalar(_pending(case.id, version, count=True)) or 0
    processed = mentions = errors = 0
    by_type: dict[str, int] = {}
    last_id = 0
    while True:
        with store.read() as session:
            batch = session.execute(
                _pending(case.id, version).where(Record.id > last_id).limit(batch_size)
            ).all()
        if not batch:
            break
        last_id = batch[-1].id
        rows, stages = [], []
        for rec in batch:
            found, errs = extract_record(rec.title, rec.text, rec.place, rec.fields)
            for field, m in found:
                rows.append(_row(case.id, rec.id, field, m))
                by_type[m.type] = by_type.get(m.type, 0) + 1
            stages.append(
                {
                    "record_id": rec.id,
                    "stage": EXTRACT_STAGE,
                    "version": version,
                    "errors": errs,
                    "done_at": utcnow(),
                }
            )
            errors += bool(errs)
        ids = [r.id for r in batch]
        with store.write() as session:
            session.execute(delete(MentionRow).where(MentionRow.record_id.in_(ids)))
            session.execute(  # later stages rest on the mentions: they run again
                delete(RecordStage).where(
                    RecordStage.record_id.in_(ids),
                    RecordStage.stage.in_((EXTRACT_STAGE, *RISK_STAGES)),
                )
            )
            if rows:
                session.execute(MentionRow.__table__.insert(), rows)
            session.execute(RecordStage.__table__.insert(), stages)
            audit.append(
                session,
                actor=actor,
                action="mentions.extracted",
                case_id=case.id,
                target=f"case:{case.id}",
                details={
                    "records": len(batch),
                    "mentions": len(rows),
                    "version": version,
                    "first_record": ids[0],
                    "last_record": ids[-1],
                },
            )
        processed += len(batch)
        mentions += len(rows)
        if progress is not None:
            progress(processed, pending)
    return AnalyzeSummary(case_name, version, total, processed, mentions, errors, by_type)


def extract_record(
    title: str | None, text: str, place: str | None, fields: dict | None
) -> tuple[list[tuple[str, Mention]], list[str]]:
    """Mentions in a record's title and text, read with the record's own region."""
    obj = {**(fields or {}), "place": place}
    ctx = ExtractContext(default_region=region_for_record(obj))
    found: list[tuple[str, Mention]] = []
    errors: list[str] = []
    for field, value in (("title", title), ("text", text)):
        if not value:
            continue
        result = extract_all(value, ctx)
        found.extend((field, m) for m in result.mentions)
        errors.extend(f"{field}: {e}" for e in result.errors)
    return found, errors


def _pending(case_id: int, version: str, *, count: bool = False):  # type: ignore[no-untyped-def]
    """Records of the case not yet extracted with this version (images have no text)."""
    stage = and_(
        RecordStage.record_id == Record.id,
        RecordStage.stage == EXTRACT_STAGE,
        RecordStage.version == version,
    )
    cols = (
        [func.count()]
        if count
        else [Record.id, Record.title, Record.text, Record.place, Record.fields]
    )
    query = (
        select(*cols)
        .select_from(Record)
        .outerjoin(RecordStage, stage)
        .where(Record.case_id == case_id, Record.kind != "image", RecordStage.record_id.is_(None))
    )
    return query if count else query.order_by(Record.id)


def _row(case_id: int, record_id: int, field: str, m: Mention) -> dict:
    return {
        "case_id": case_id,
        "record_id": record_id,
        "field": field,
        "type": m.type,
        "raw": m.raw,
        "normalized": m.normalized,
        "start": m.start,
        "end": m.end,
        "extractor": m.extractor,
        "extractor_version": m.extractor_version,
        "confidence": m.confidence,
        "explanation": m.explanation.to_dict(),
    }


# --- indicators, job-ad model and score -------------------------------------------


def risk_versions() -> dict[str, str]:
    """The version of each assessment stage: what a stored result must match to be current."""
    from threadline.indicators import calibration_for, load_catalogue
    from threadline.risk import JOB_KIND, SCORED_KINDS, job_model

    cat = load_catalogue().version
    cals = "|".join(
        orjson.dumps(calibration_for(k).to_dict(), option=orjson.OPT_SORT_KEYS).decode()
        for k in SCORED_KINDS
    )
    model = job_model().version
    score = hashlib.sha256(f"{cat}|{cals}|{JOB_KIND}:{model}".encode()).hexdigest()[:16]
    return {INDICATORS_STAGE: cat, JOBMODEL_STAGE: model, SCORE_STAGE: f"score-{score}"}


def assess_case(
    store: Store,
    actor: str,
    case_name: str,
    *,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> RiskSummary:
    """Signals, job-model predictions and scores for the case's extracted ads and job ads."""
    case = guard(store, actor, case_name, "analyze")
    with store.read() as session:
        known = load_case_context(session, case.id)
        versions = risk_versions()
        # what the case rules read is part of the stage: a change re-assesses the case
        stage_versions = {
            **versions,
            INDICATORS_STAGE: f"{versions[INDICATORS_STAGE]}+case-{known.fingerprint}",
        }
        versions["case_context"] = known.fingerprint
        pending = session.scalar(_risk_pending(case.id, stage_versions, count=True)) or 0
    processed = n_signals = for_review = errors = 0
    by_indicator: dict[str, int] = {}
    last_id = 0
    while True:
        with store.read() as session:
            batch = session.execute(
                _risk_pending(case.id, stage_versions).where(Record.id > last_id).limit(batch_size)
            ).all()
            ids = [r.id for r in batch]
            found: dict[int, list[MentionRow]] = {}
            if ids:
                for m in session.scalars(
                    select(MentionRow)
                    .where(MentionRow.record_id.in_(ids))
                    .order_by(MentionRow.record_id, MentionRow.id)
                ):
                    found.setdefault(m.record_id, []).append(m)
        if not batch:
            break
        last_id = ids[-1]
        signal_rows, score_rows, stages = [], [], []
        now = utcnow()
        for rec in batch:
            risk = assess_stored(rec, found.get(rec.id, []), known)
            a = risk.assessment
            for sig in a.signals:
                signal_rows.append(_signal_row(case.id, rec, sig))
                by_indicator[sig.indicator] = by_indicator.get(sig.indicator, 0) + 1
            score_rows.append(_score_row(case.id, rec, risk, versions, now))
            for_review += a.score.for_review
            errors += bool(a.errors)
            done = [INDICATORS_STAGE, SCORE_STAGE]
            if risk.job is not None:
                done.append(JOBMODEL_STAGE)
            stages += [
                {
                    "record_id": rec.id,
                    "stage": st,
                    "version": stage_versions[st],
                    "errors": list(a.errors),
                    "done_at": now,
                }
                for st in done
            ]
        with store.write() as session:
            session.execute(delete(SignalRow).where(SignalRow.record_id.in_(ids)))
            session.execute(delete(ScoreRow).where(ScoreRow.record_id.in_(ids)))
            session.execute(
                delete(RecordStage).where(
                    RecordStage.record_id.in_(ids), RecordStage.stage.in_(RISK_STAGES)
                )
            )
            if signal_rows:
                session.execute(SignalRow.__table__.insert(), signal_rows)
            session.execute(ScoreRow.__table__.insert(), score_rows)
            session.execute(RecordStage.__table__.insert(), stages)
            audit.append(
                session,
                actor=actor,
                action="records.scored",
                case_id=case.id,
                target=f"case:{case.id}",
                details={
                    "records": len(batch),
                    "signals": len(signal_rows),
                    "versions": versions,
                    "first_record": ids[0],
                    "last_record": ids[-1],
                },
            )
        processed += len(batch)
        n_signals += len(signal_rows)
        if progress is not None:
            progress(processed, pending)
    return RiskSummary(versions, processed, n_signals, for_review, errors, by_indicator)


def _to_mention(m: MentionRow) -> Mention:
    return Mention(
        m.type,
        m.raw,
        m.normalized,
        m.start,
        m.end,
        m.extractor,
        m.extractor_version,
        m.confidence,
        Explanation(
            str(m.explanation.get("pattern_id", "")),
            tuple(m.explanation.get("steps", ())),
            tuple(m.explanation.get("obfuscation", ())),
            tuple(m.explanation.get("notes", ())),
        ),
    )


def assess_stored(rec, mentions: list[MentionRow], known: CaseContext | None = None):  # type: ignore[no-untyped-def]
    """The `RecordRisk` of a stored record from its fields, stored mentions and case context."""
    from threadline.risk import assess_record, record_lang

    fields = rec.fields or {}
    title_m = [_to_mention(m) for m in mentions if m.field == "title"]
    text_m = [_to_mention(m) for m in mentions if m.field == "text"]
    region = region_for_record({**fields, "place": rec.place})
    return assess_record(
        rec.text,
        text_m,
        kind=rec.kind,
        lang=record_lang(fields),
        region=region,
        title=rec.title or None,
        title_mentions=title_m,
        has_images=bool(rec.image_refs),
        context=(known or CaseContext()).for_record(rec.id, region, [*title_m, *text_m]),
    )


def _signal_row(case_id: int, rec, sig) -> dict:  # type: ignore[no-untyped-def]
    from threadline.risk import joined, split_span

    _, shift = joined(rec.title or None, rec.text)
    spans = []
    for a, b in sig.spans:
        field, start, end = split_span(a, b, rec.title, shift)
        if end > start:
            spans.append({"field": field, "start": start, "end": end})
    return {
        "case_id": case_id,
        "record_id": rec.id,
        "indicator": sig.indicator,
        "name": sig.name,
        "category": sig.category,
        "weight": sig.weight,
        "grade": sig.grade,
        "citation": sig.citation,
        "spans": spans,
        "explanation": sig.explanation.to_dict(),
        "catalogue_version": sig.explanation.catalogue_version,
    }


def _score_row(case_id: int, rec, risk, versions: dict[str, str], now) -> dict:  # type: ignore[no-untyped-def]
    from threadline.risk import calibration_version

    s = risk.assessment.score
    job = risk.job
    return {
        "record_id": rec.id,
        "case_id": case_id,
        "kind": rec.kind,
        "value": s.value,
        "for_review": s.for_review,
        "weight_sum": s.weight_sum,
        "contributions": [c.to_dict() for c in s.contributions],
        "method": s.method,
        "calibration": {"version": calibration_version(s.calibration), **s.calibration.to_dict()},
        "catalogue_version": versions[INDICATORS_STAGE],
        "job_model": job.to_dict() if job is not None else None,
        "model_version": job.model_version if job is not None else None,
        "training_data": job.training_data if job is not None else None,
        "errors": list(risk.assessment.errors),
        "scored_at": now,
    }


def _risk_pending(case_id: int, versions: dict[str, str], *, count: bool = False):  # type: ignore[no-untyped-def]
    """Extracted ads and job ads whose indicators, job-model or score stage is missing or old."""
    from threadline.risk import JOB_KIND, SCORED_KINDS

    def current(stage: str):  # type: ignore[no-untyped-def]
        rs = aliased(RecordStage)
        return rs, and_(rs.record_id == Record.id, rs.stage == stage, rs.version == versions[stage])

    ext = aliased(RecordStage)
    ind, ind_on = current(INDICATORS_STAGE)
    job, job_on = current(JOBMODEL_STAGE)
    sco, sco_on = current(SCORE_STAGE)
    cols = (
        [func.count()]
        if count
        else [
            Record.id,
            Record.kind,
            Record.title,
            Record.text,
            Record.place,
            Record.fields,
            Record.image_refs,
        ]
    )
    query = (
        select(*cols)
        .select_from(Record)
        .join(ext, and_(ext.record_id == Record.id, ext.stage == EXTRACT_STAGE))
        .outerjoin(ind, ind_on)
        .outerjoin(job, job_on)
        .outerjoin(sco, sco_on)
        .where(
            Record.case_id == case_id,
            Record.kind.in_(SCORED_KINDS),
            or_(
                ind.record_id.is_(None),
                sco.record_id.is_(None),
                and_(Record.kind == JOB_KIND, job.record_id.is_(None)),
            ),
        )
    )
    return query if count else query.order_by(Record.id)
