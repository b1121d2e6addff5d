"""The image stage: hash image records, record their EXIF, match them against hash lists.

Two steps, each versioned per record in ``RecordStage`` like extraction:

- ``image`` (version ``HASH_VERSION``): decode the record's blob safely,
  compute SHA-256, MD5, PDQ and quality (``ImageHash`` row; a file that does
  not decode keeps its SHA-256 and MD5 and the reason), and store EXIF facts as
  mentions of the image record (``field="exif"``, empty span: the fact points
  at the whole file). Absent or stripped EXIF is itself a mention
  (``exif_absent``), an unreadable block ``exif_unreadable``.
- ``image_match`` (version = the matcher's fingerprint of every enabled
  hash-list entry and the threshold): PDQ within ``max_distance`` (default 31)
  of an enabled PDQ entry, or equal SHA-256/MD5, becomes a ``HashMatch`` — a
  signal for review carrying list, entry, distance and quality. Changing any
  list re-matches every image once from the stored hashes (no decoding).

Each batch is one transaction with its audit event. Audit details give counts
per list, never hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, select

from threadline import audit
from threadline.hashindex.pdq import PDQ_MATCH_THRESHOLD, is_matchable
from threadline.images.matcher import Matcher, build_matcher
from threadline.media import (
    DEFAULT_MAX_BYTES,
    ExifFacts,
    ImageDecodeError,
    exif_from_bytes,
    hash_bytes,
)
from threadline.safeguards.access import guard
from threadline.store.db import Store, utcnow
from threadline.store.models import HashMatch, ImageHash, Record, RecordStage
from threadline.store.models import Mention as MentionRow

HASH_STAGE = "image"
MATCH_STAGE = "image_match"
HASH_VERSION = "1"
EXIF_EXTRACTOR = "exif"
EXIF_FIELD = "exif"

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ImageStageSummary:
    case: str
    images: int  # image records in the case
    hashed: int  # decoded and hashed in this run
    failed: int  # could not be decoded (reason kept in image_hashes.error)
    low_quality: int  # PDQ quality < 50: kept, never matched
    exif_present: int
    with_gps: int
    matched_records: int  # records (re)matched in this run
    matches: int  # matches stored in this run
    match_version: str


def analyze_images(
    store: Store,
    actor: str,
    case_name: str,
    *,
    progress: Progress | None = None,
    batch_size: int = 200,
    max_distance: int = PDQ_MATCH_THRESHOLD,
) -> ImageStageSummary:
    """Run both steps on whatever is missing or outdated in the case's image records."""
    case = guard(store, actor, case_name, "analyze")
    with store.read() as session:
        images = (
            session.scalar(
                select(func.count()).where(Record.case_id == case.id, Record.kind == "image")
            )
            or 0
        )
        matcher = build_matcher(session, max_distance)
    counts = _hash_step(store, actor, case.id, batch_size, progress)
    matched, matches = _match_step(store, actor, case.id, matcher, batch_size * 5)
    return ImageStageSummary(case_name, images, *counts, matched, matches, matcher.fingerprint)


# ---------------------------------------------------------------- step 1: hashes and EXIF


def _pending(case_id: int, stage: str, version: str, *cols):  # type: ignore[no-untyped-def]
    done = and_(
        RecordStage.record_id == Record.id,
        RecordStage.stage == stage,
        RecordStage.version == version,
    )
    return (
        select(*cols)
        .select_from(Record)
        .outerjoin(RecordStage, done)
        .where(Record.case_id == case_id, Record.kind == "image", RecordStage.record_id.is_(None))
    )


def _hash_step(
    store: Store, actor: str, case_id: int, batch_size: int, progress: Progress | None
) -> tuple[int, int, int, int, int]:
    with store.read() as session:
        total = session.scalar(_pending(case_id, HASH_STAGE, HASH_VERSION, func.count())) or 0
    hashed = failed = low = exif_present = gps = done = 0
    last_id = 0
    while True:
        with store.read() as session:
            batch = session.execute(
                _pending(case_id, HASH_STAGE, HASH_VERSION, Record.id, Record.blob_sha256)
                .where(Record.id > last_id)
                .order_by(Record.id)
                .limit(batch_size)
            ).all()
        if not batch:
            break
        last_id = batch[-1].id
        hash_rows, mentions, stages = [], [], []
        for rec in batch:
            errors: list[str] = []
            data = _read_blob(store, rec.blob_sha256, errors)
            row, facts = _analyse_bytes(case_id, rec.id, rec.blob_sha256, data, errors)
            hash_rows.append(row)
            if row["pdq"] is not None:
                hashed += 1
                low += not is_matchable(row["quality"])
            else:
                failed += 1
            if facts is not None:
                exif_present += facts.present
                gps += facts.gps_lat is not None
                mentions.extend(exif_mentions(case_id, rec.id, facts))
            stages.append(_stage_row(rec.id, HASH_STAGE, HASH_VERSION, errors))
        ids = [r.id for r in batch]
        with store.write() as session:
            session.execute(delete(ImageHash).where(ImageHash.record_id.in_(ids)))
            session.execute(
                delete(MentionRow).where(
                    MentionRow.record_id.in_(ids), MentionRow.extractor == EXIF_EXTRACTOR
                )
            )
            session.execute(
                delete(RecordStage).where(
                    RecordStage.record_id.in_(ids), RecordStage.stage == HASH_STAGE
                )
            )
            session.execute(ImageHash.__table__.insert(), hash_rows)
            if mentions:
                session.execute(MentionRow.__table__.insert(), mentions)
            session.execute(RecordStage.__table__.insert(), stages)
            audit.append(
                session,
                actor=actor,
                action="images.hashed",
                case_id=case_id,
                target=f"case:{case_id}",
                details={
                    "records": len(batch),
                    "failed": sum(r["error"] is not None for r in hash_rows),
                    "exif_mentions": len(mentions),
                    "version": HASH_VERSION,
                    "first_record": ids[0],
                    "last_record": ids[-1],
                },
            )
        done += len(batch)
        if progress is not None:
            progress(done, total)
    return hashed, failed, low, exif_present, gps


def _read_blob(store: Store, sha256: str | None, errors: list[str]) -> bytes | None:
    if sha256 is None:
        errors.append("image record has no stored bytes")
        return None
    try:
        with store.blobs.open(sha256) as fh:
            data = fh.read(DEFAULT_MAX_BYTES + 1)
    except OSError as exc:
        errors.append(f"blob unreadable: {exc.strerror or exc}")
        return None
    if len(data) > DEFAULT_MAX_BYTES:
        errors.append(f"image exceeds {DEFAULT_MAX_BYTES:,} bytes")
        return None
    return data


def _analyse_bytes(
    case_id: int, record_id: int, blob: str | None, data: bytes | None, errors: list[str]
) -> tuple[dict, ExifFacts | None]:
    row: dict = {
        "record_id": record_id,
        "case_id": case_id,
        "sha256": (blob or "") if data is None else hashlib.sha256(data).hexdigest(),
        "md5": None if data is None else hashlib.md5(data, usedforsecurity=False).hexdigest(),
        "pdq": None,
        "quality": None,
        "width": None,
        "height": None,
        "error": None,
        "version": HASH_VERSION,
    }
    if data is None:
        row["error"] = errors[-1] if errors else "no data"
        return row, None
    try:
        h = hash_bytes(data)
    except ImageDecodeError as exc:
        row["error"] = f"{exc.reason}: {exc}"[:500]
        errors.append(row["error"])
        return row, None
    row.update(pdq=h.pdq_hex, quality=h.quality, width=h.width, height=h.height)
    try:
        facts = exif_from_bytes(data)
    except ImageDecodeError as exc:  # decoded above, so only a header re-read could fail
        errors.append(f"exif: {exc}")
        facts = None
    return row, facts


def exif_mentions(case_id: int, record_id: int, facts: ExifFacts) -> list[dict]:
    """EXIF facts as mentions of the image record (the whole file is the span)."""
    found: list[tuple[str, str, str, dict]] = []
    if not facts.present:
        found.append(("exif_absent", "", "absent", {"note": "no EXIF: never had it or stripped"}))
    elif "_error" in facts.fields_raw and facts.make is None and facts.taken_at is None:
        found.append(("exif_unreadable", "", "unreadable", {"error": facts.fields_raw["_error"]}))
    for kind, value, tag in (
        ("camera_make", facts.make, "Make"),
        ("camera_model", facts.model, "Model"),
        ("software", facts.software, "Software"),
    ):
        if value:
            found.append((kind, value, value.casefold(), {"tag": tag}))
    if facts.taken_at is not None:
        iso = facts.taken_at.isoformat()
        tz = "offset from OffsetTimeOriginal" if facts.taken_at.tzinfo else "camera local time"
        found.append(("taken_at", iso, iso, {"tag": "DateTimeOriginal", "clock": tz}))
    if facts.gps_lat is not None and facts.gps_lon is not None:
        value = f"{facts.gps_lat:.6f},{facts.gps_lon:.6f}"
        detail: dict = {"tag": "GPSInfo", "lat": facts.gps_lat, "lon": facts.gps_lon}
        if facts.gps_alt is not None:
            detail["alt_m"] = facts.gps_alt
        found.append(("gps", value, value, detail))
    return [
        {
            "case_id": case_id,
            "record_id": record_id,
            "field": EXIF_FIELD,
            "type": kind,
            "raw": raw,
            "normalized": normalized,
            "start": 0,
            "end": 0,
            "extractor": EXIF_EXTRACTOR,
            "extractor_version": HASH_VERSION,
            "confidence": 1.0,
            "explanation": {"source": "EXIF", **detail},
        }
        for kind, raw, normalized, detail in found
    ]


# ---------------------------------------------------------------- step 2: matching


def _match_step(
    store: Store, actor: str, case_id: int, matcher: Matcher, batch_size: int
) -> tuple[int, int]:
    version = matcher.fingerprint
    matched = stored = 0
    last_id = 0
    while True:
        with store.read() as session:
            batch = session.execute(
                _pending(
                    case_id,
                    MATCH_STAGE,
                    version,
                    Record.id,
                    ImageHash.sha256,
                    ImageHash.md5,
                    ImageHash.pdq,
                    ImageHash.quality,
                )
                .join(ImageHash, ImageHash.record_id == Record.id)
                .where(Record.id > last_id)
                .order_by(Record.id)
                .limit(batch_size)
            ).all()
        if not batch:
            break
        last_id = batch[-1].id
        now = utcnow()
        rows = []
        per_list: dict[int, int] = {}
        for rec in batch:
            for m in matcher.match(rec.sha256, rec.md5, rec.pdq, rec.quality):
                per_list[m.entry.list_id] = per_list.get(m.entry.list_id, 0) + 1
                rows.append(
                    {
                        "case_id": case_id,
                        "record_id": rec.id,
                        "list_id": m.entry.list_id,
                        "entry_id": m.entry.entry_id,
                        "hash_type": m.entry.hash_type,
                        "distance": m.distance,
                        "quality": m.quality,
                        "match_only": m.entry.match_only,
                        "version": version,
                        "matched_at": now,
                    }
                )
        rows = _closest_per_entry(rows)
        ids = [r.id for r in batch]
        with store.write() as session:
            session.execute(delete(HashMatch).where(HashMatch.record_id.in_(ids)))
            session.execute(
                delete(RecordStage).where(
                    RecordStage.record_id.in_(ids), RecordStage.stage == MATCH_STAGE
                )
            )
            if rows:
                session.execute(HashMatch.__table__.insert(), rows)
            session.execute(
                RecordStage.__table__.insert(),
                [_stage_row(i, MATCH_STAGE, version, []) for i in ids],
            )
            audit.append(
                session,
                actor=actor,
                action="images.matched",
                case_id=case_id,
                target=f"case:{case_id}",
                details={
                    "records": len(batch),
                    "matches": len(rows),
                    "by_list": {str(k): v for k, v in sorted(per_list.items())},
                    "version": version,
                    "first_record": ids[0],
                    "last_record": ids[-1],
                },
            )
        matched += len(batch)
        stored += len(rows)
    return matched, stored


def _closest_per_entry(rows: list[dict]) -> list[dict]:
    """One match per (record, entry): an entry hit both exactly and by PDQ keeps the closest."""
    best: dict[tuple[int, int], dict] = {}
    for row in rows:
        key = (row["record_id"], row["entry_id"])
        if key not in best or row["distance"] < best[key]["distance"]:
            best[key] = row
    return list(best.values())


def _stage_row(record_id: int, stage: str, version: str, errors: list[str]) -> dict:
    return {
        "record_id": record_id,
        "stage": stage,
        "version": version,
        "errors": errors,
        "done_at": utcnow(),
    }
