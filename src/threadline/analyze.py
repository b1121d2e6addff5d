"""The analysis stages over a case in the store: extraction of mentions, then linking.

Each stage records, per record, the version of the configuration that
processed it (`RecordStage`), so `analyze` only does what is missing or
outdated: re-running it on an analysed case does nothing, and upgrading an
extractor re-extracts every record once. Each batch is one transaction with
its audit event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, select

from threadline import audit
from threadline.cases import resolve_case
from threadline.extract.base import ExtractContext, Mention
from threadline.extract.engine import extract_all
from threadline.extract.registry import all_extractors
from threadline.link.case import LinkCaseSummary, link_case
from threadline.screen import region_for_record
from threadline.store.db import Store, utcnow
from threadline.store.models import Mention as MentionRow
from threadline.store.models import Record, RecordStage

EXTRACT_STAGE = "extract"
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
    linking: LinkCaseSummary | None = None  # the linking stage, after extraction


def analyze_case(
    store: Store,
    actor: str,
    case_name: str,
    *,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    link_progress: Callable[[str, int, int], None] | None = None,
) -> AnalyzeSummary:
    version = extraction_version()
    with store.read() as session:
        case = resolve_case(session, case_name)
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
            session.execute(
                delete(RecordStage).where(
                    RecordStage.record_id.in_(ids), RecordStage.stage == EXTRACT_STAGE
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
    linking = link_case(store, actor, case_name, progress=link_progress)
    return AnalyzeSummary(case_name, version, total, processed, mentions, errors, by_type, linking)


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
