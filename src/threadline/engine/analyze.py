"""Extraction and indicators over stored records, per partition, on the local or the Ray engine.

`analyze_partitioned` turns records into `AnalyzedRecord`s — mention rows in the
store's shape (`analyze._row`), the record's extractor errors, and its
indicator signals and score (`indicators.assess` over the text field) — one
partition per task. The work per record is the local code's
(`analyze.extract_record`, `indicators.assess`), so both engines give the same
rows.

`analyze_case_on` is `analyze.analyze_case` with the computation on an engine:
the driver reads pending records in batches, the engine analyses them, and the
driver writes each finished batch in one transaction with its audit event, in
record order. Nothing is written from a worker, so a worker that dies is
retried by Ray without leaving anything behind; a run that fails leaves whole
batches written and the rest pending, and the next run does only those (each
batch deletes what it replaces: no duplicates).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, func, select

from threadline import audit
from threadline.analyze import (
    EXTRACT_STAGE,
    AnalyzeSummary,
    _pending,
    analyze_case,
    extract_record,
    extraction_version,
)
from threadline.analyze import _row as mention_row
from threadline.engine.runtime import EngineError, kill_once, ray_session
from threadline.safeguards.access import guard
from threadline.store.db import Store, utcnow
from threadline.store.models import Mention as MentionRow
from threadline.store.models import Record, RecordStage

PARTITION_RECORDS = 1000
StoredRecord = tuple[
    int, str | None, str, str | None, dict | None, str
]  # id, title, text, place, fields, kind


@dataclass(frozen=True)
class AnalyzedRecord:
    record_id: int
    mentions: tuple[dict[str, Any], ...]  # store rows without case_id
    errors: tuple[str, ...]  # extractor errors, as the extract stage records them
    indicator_errors: tuple[str, ...]
    signals: tuple[dict[str, Any], ...]  # indicator, weight, grade, spans, citation, explanation
    score: float


def analyze_records(
    records: Sequence[StoredRecord], kill_marker: str | None = None
) -> list[AnalyzedRecord]:
    """One partition's work (a Ray task, or a loop in the local engine).

    `kill_marker` is the fault drill of `ray_tasks.features_task`: the first attempt dies.
    """
    if kill_marker is not None:
        kill_once(kill_marker)
    from threadline.indicators import KINDS, assess
    from threadline.screen import region_for_record

    out = []
    for rid, title, text, place, fields, kind in records:
        found, errors = extract_record(title, text, place, fields)
        rows = []
        for fld, m in found:
            row = mention_row(0, rid, fld, m)
            del row["case_id"]
            rows.append(row)
        region = region_for_record({**(fields or {}), "place": place})
        in_text = [m for fld, m in found if fld == "text"]
        result = assess(text or "", in_text, kind=kind if kind in KINDS else "ad", region=region)
        signals = tuple(
            {**s.to_screen_dict(), "explanation": s.explanation.to_dict()} for s in result.signals
        )
        out.append(
            AnalyzedRecord(
                rid,
                tuple(rows),
                tuple(errors),
                tuple(result.errors),
                signals,
                round(result.score.value, 6),
            )
        )
    return out


def _partitions(records: Iterable[StoredRecord], size: int) -> Iterator[list[StoredRecord]]:
    part: list[StoredRecord] = []
    for r in records:
        part.append(r)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def _map_ray(
    ray: Any, parts: Iterable[list[StoredRecord]], max_retries: int, kill: str | None = None
) -> Iterator[tuple[list[StoredRecord], list[AnalyzedRecord]]]:
    """Each partition with its results, in order; a bounded number in flight."""
    task = ray.remote(max_retries=max_retries, retry_exceptions=False)(analyze_records)
    window = 2 * max(1, int(ray.cluster_resources().get("CPU", 1))) + 1
    pending: deque[tuple[list[StoredRecord], Any]] = deque()
    try:
        for i, part in enumerate(parts):
            pending.append((part, task.remote(part, kill if i == 1 else None)))
            if len(pending) >= window:
                done, ref = pending.popleft()
                yield done, ray.get(ref)
        while pending:
            done, ref = pending.popleft()
            yield done, ray.get(ref)
    except ray.exceptions.RayError as exc:
        raise EngineError(f"the Ray run failed: {exc}") from exc


def analyze_partitioned(
    records: Iterable[StoredRecord],
    *,
    engine: str = "local",
    address: str | None = None,
    num_workers: int | None = None,
    partition_records: int = PARTITION_RECORDS,
    data_dir: Path | None = None,
    max_retries: int = 3,
) -> list[AnalyzedRecord]:
    """Extraction and indicators of each record, in input order (see the module docstring)."""
    parts = _partitions(records, partition_records)
    if engine == "local":
        return [a for part in parts for a in analyze_records(part)]
    if engine != "ray":
        raise EngineError(f"unknown engine {engine!r}; known: local, ray")
    with ray_session(address, num_workers, data_dir=data_dir) as ray:
        return [a for _, res in _map_ray(ray, parts, max_retries) for a in res]


# --- over a stored case ----------------------------------------------------------------------


def _pending_batches(
    store: Store, case_id: int, version: str, size: int
) -> Iterator[list[StoredRecord]]:
    """Records of the case not yet extracted with this version, in id order (as `analyze`)."""
    stage = and_(
        RecordStage.record_id == Record.id,
        RecordStage.stage == EXTRACT_STAGE,
        RecordStage.version == version,
    )
    last = 0
    while True:
        with store.read() as session:
            rows = session.execute(
                select(
                    Record.id, Record.title, Record.text, Record.place, Record.fields, Record.kind
                )
                .select_from(Record)
                .outerjoin(RecordStage, stage)
                .where(
                    Record.case_id == case_id,
                    Record.kind != "image",
                    RecordStage.record_id.is_(None),
                    Record.id > last,
                )
                .order_by(Record.id)
                .limit(size)
            ).all()
        if not rows:
            return
        last = rows[-1].id
        yield [tuple(r) for r in rows]  # type: ignore[misc]


def _write_batch(
    store: Store, actor: str, case_id: int, version: str, results: list[AnalyzedRecord]
) -> int:
    """One batch in one transaction, as `analyze.analyze_case` writes it."""
    ids = [r.record_id for r in results]
    rows = [{"case_id": case_id, **m} for r in results for m in r.mentions]
    stages = [
        {
            "record_id": r.record_id,
            "stage": EXTRACT_STAGE,
            "version": version,
            "errors": list(r.errors),
            "done_at": utcnow(),
        }
        for r in results
    ]
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
            case_id=case_id,
            target=f"case:{case_id}",
            details={
                "records": len(ids),
                "mentions": len(rows),
                "version": version,
                "first_record": ids[0],
                "last_record": ids[-1],
            },
        )
    return len(rows)


def analyze_case_on(
    store: Store,
    actor: str,
    case_name: str,
    *,
    engine: str = "local",
    address: str | None = None,
    num_workers: int | None = None,
    batch_size: int = PARTITION_RECORDS,
    max_retries: int = 3,
    kill_once: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    risk_progress: Callable[[int, int], None] | None = None,
    link_progress: Callable[[str, int, int], None] | None = None,
) -> AnalyzeSummary:
    """`analyze_case` with extraction on the chosen engine (see the module docstring).

    The later stages (images, indicators and scores, linking) then run as in
    `analyze_case` over the stored mentions, so both engines store the same facts.
    """
    stages = {"risk_progress": risk_progress, "link_progress": link_progress}
    if engine == "local":
        if address:
            raise EngineError("--address needs the ray engine")
        return analyze_case(
            store, actor, case_name, batch_size=batch_size, progress=progress, **stages
        )
    if engine != "ray":
        raise EngineError(f"unknown engine {engine!r}; known: local, ray")
    version = extraction_version()
    case_id = guard(store, actor, case_name, "analyze").id
    with store.read() as session:
        total = session.scalar(select(func.count()).where(Record.case_id == case_id)) or 0
        pending = session.scalar(_pending(case_id, version, count=True)) or 0
    processed = mentions = errors = 0
    by_type: dict[str, int] = {}
    with ray_session(address, num_workers, data_dir=store.settings.data_dir) as ray:
        batches = _pending_batches(store, case_id, version, batch_size)
        for _, results in _map_ray(ray, batches, max_retries, kill_once):
            mentions += _write_batch(store, actor, case_id, version, results)
            for r in results:
                errors += bool(r.errors)
                for m in r.mentions:
                    by_type[m["type"]] = by_type.get(m["type"], 0) + 1
            processed += len(results)
            if progress is not None:
                progress(processed, pending)
    rest = analyze_case(store, actor, case_name, batch_size=batch_size, **stages)
    return replace(
        rest, processed=processed, mentions=mentions, errors=errors, by_type=by_type, records=total
    )
