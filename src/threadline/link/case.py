"""Linking a case in the store: `link_case` writes links, networks and hub decisions.

It reads the case's records with their stored mentions (the extraction stage),
runs the same pure stages as `threadline link` (`featurize` → `build_chunk` →
`link_features`), and writes a *linking run*:

* every link as a row (records a and b, kind ``identifier`` / ``text`` /
  ``template``, the shared value or the similarity, strength, and whether it
  merges networks — a hub's links are kept with ``counts`` false);
* every network of two or more records, its key (``net-`` + 12 hex digits of
  SHA-256 over its members' content hashes, so the same records give the same
  key on every run and in every store), its members and its summary
  (identifiers, places, time span, movement, indicator totals, score with
  contributions, templates with slots);
* every hub decision, hub or not, with its reason.

Runs are versioned: the new run is written beside the current one in batches,
each batch one transaction with its audit event, and becomes current in one
last transaction that also deletes the old run, so a reader sees either the
old networks or the new ones, never a mix. A run that died half-way is
deleted by the next. When the records, their mentions and the settings are
unchanged since the current run (`LinkRun.input_digest`), nothing is written.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import orjson
from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.orm import Session

from threadline import audit
from threadline.extract.base import Explanation, Mention
from threadline.link.config import LinkConfig
from threadline.link.features import build_chunk, concat_chunks, featurize, warm_up
from threadline.link.image_pivots import IMAGE_PIVOT, image_pivots
from threadline.link.network import Network
from threadline.link.pipeline import LinkResult, link_features
from threadline.link.scoring import MemberText, member_signals, pairs, score_summary
from threadline.safeguards.access import guard
from threadline.safeguards.review import dismissed_link_keys
from threadline.store.db import Store, utcnow
from threadline.store.models import (
    HubDecisionRow,
    LinkRow,
    LinkRun,
    NetworkMember,
    NetworkRow,
    Record,
    RecordStage,
)
from threadline.store.models import Mention as MentionRow

READ_BATCH = 5_000
WRITE_BATCH = 5_000  # rows per transaction
MAX_SUMMARY_MEMBERS = 1_000  # member ids listed in a stored summary (all are in network_members)
EXTRACT_STAGE = "extract"

Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass(frozen=True)
class LinkCaseSummary:
    case: str
    run: int  # the current run's id
    unchanged: bool  # the input had not changed: nothing written
    records: int
    networks: int  # of two or more records
    in_networks: int
    largest: int
    links: dict[str, int]  # per kind
    hubs: int
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "run": self.run,
            "unchanged": self.unchanged,
            "records": self.records,
            "networks": self.networks,
            "in_networks": self.in_networks,
            "largest": self.largest,
            "links": dict(self.links),
            "hubs": self.hubs,
            "warnings": list(self.warnings),
        }


@dataclass
class _Case:
    """What was read of the case: record ids and texts in record-id order."""

    ids: list[int]
    labels: list[str]  # external id, or "#<record id>": how members are shown
    texts: list[str]
    kinds: list[str]
    regions: list[str | None]


def link_case(
    store: Store,
    actor: str,
    case_name: str,
    *,
    config: LinkConfig | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> LinkCaseSummary:
    """Link a case's records into networks and store the run (see the module docstring)."""
    config = config or LinkConfig()
    warm_up(config)  # load the extractors' data outside any record's time budget
    case = guard(store, actor, case_name, "analyze")
    images = image_pivots(store, case_name)
    if images and IMAGE_PIVOT not in config.pivot_types:
        config = replace(config, pivot_types=(*config.pivot_types, IMAGE_PIVOT))
    with store.read() as session:
        dismissed_keys = sorted(dismissed_link_keys(session, case.id))
        total = (
            session.scalar(
                select(func.count()).where(Record.case_id == case.id, Record.kind != "image")
            )
            or 0
        )
        current = session.scalar(
            select(LinkRun).where(LinkRun.case_id == case.id, LinkRun.status == "current")
        )
    digest = hashlib.sha256(orjson.dumps(config.to_dict(), option=orjson.OPT_SORT_KEYS))
    chunks, info = [], _Case([], [], [], [], [])
    for feats, rows in _read(store, case.id, config, total, progress, images):
        for f, r in zip(feats, rows, strict=True):
            digest.update(f"{r.content_sha256}\x1f{f.pivots!r}\x1f{r.kind}\x1e".encode())
        chunks.append(build_chunk(feats, [0] * len(feats), config))
        info.ids.extend(r.id for r in rows)
        info.labels.extend(r.external_id or f"#{r.id}" for r in rows)
        info.texts.extend(r.text or "" for r in rows)
        info.kinds.extend(r.kind for r in rows)
        info.regions.extend(_region(r) for r in rows)
    digest.update(repr([(a, b) for a, b, _ in dismissed_keys]).encode())  # reviews change runs
    input_digest = digest.hexdigest()
    if current is not None and current.input_digest == input_digest and not force:
        s = current.summary
        return LinkCaseSummary(
            case_name, current.id, True, s["records"], s["networks"], s["in_networks"],
            s["largest"], s["links"], s["hubs"], tuple(s["warnings"]),
        )  # fmt: skip
    position = {record_id: i for i, record_id in enumerate(info.ids)}
    dismissed = {
        (min(position[a], position[b]), max(position[a], position[b]))
        for a, b, _ in dismissed_keys
        if a in position and b in position
    }
    result = link_features(concat_chunks(chunks, config.num_perm), config, dismissed=dismissed)
    result.texts = info.texts
    return _write(store, actor, case, case_name, config, input_digest, result, info, progress)


def _region(row: Any) -> str | None:
    from threadline.screen import region_for_record

    return region_for_record({**(row.fields or {}), "place": row.place})


def _read(
    store: Store,
    case_id: int,
    config: LinkConfig,
    total: int,
    progress: Progress | None,
    images: dict[int, set[str]] | None = None,
) -> Iterator[tuple[list[Any], list[Any]]]:
    """(features, record rows) per batch of records, in record-id order."""
    pivot_types = set(config.pivot_types)
    stage = and_(RecordStage.record_id == Record.id, RecordStage.stage == EXTRACT_STAGE)
    last, done = 0, 0
    memo: dict[tuple[str, str], Any] = {}
    while True:
        with store.read() as session:
            rows = session.execute(
                select(
                    Record.id,
                    Record.external_id,
                    Record.content_sha256,
                    Record.kind,
                    Record.text,
                    Record.place,
                    Record.posted_at,
                    Record.fields,
                    RecordStage.version,
                    RecordStage.errors,
                )
                .select_from(Record)
                .outerjoin(RecordStage, stage)
                .where(Record.case_id == case_id, Record.kind != "image", Record.id > last)
                .order_by(Record.id)
                .limit(READ_BATCH)
            ).all()
            if not rows:
                return
            ids = [r.id for r in rows]
            found: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for m in session.execute(
                select(
                    MentionRow.record_id,
                    MentionRow.field,
                    MentionRow.type,
                    MentionRow.normalized,
                    MentionRow.start,
                    MentionRow.end,
                )
                .where(MentionRow.record_id.in_(ids), MentionRow.type.in_(pivot_types))
                .order_by(MentionRow.id)
            ):
                text_field = m.field == "text"
                found[m.record_id].append(
                    {
                        "type": m.type,
                        "normalized": m.normalized,
                        "start": m.start if text_field else None,  # title offsets: no masking
                        "end": m.end if text_field else None,
                    }
                )
        for r in rows:
            for value in sorted((images or {}).get(r.id, ())):
                found[r.id].append(
                    {"type": IMAGE_PIVOT, "normalized": value, "start": None, "end": None}
                )
        feats = [featurize(_record_obj(r, found.get(r.id)), config, memo) for r in rows]
        last = rows[-1].id
        done += len(rows)
        if progress is not None:
            progress("read", done, total)
        yield feats, rows


def _record_obj(row: Any, mentions: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The record as `featurize` reads it; the key is the content hash (stable network ids)."""
    fields = row.fields if isinstance(row.fields, dict) else {}
    obj: dict[str, Any] = {
        "id": row.content_sha256,
        "text": row.text or "",
        "kind": row.kind,
        "posted_at": row.posted_at.isoformat() if row.posted_at else None,
    }
    for key in ("city", "region", "country"):
        if isinstance(fields.get(key), str):
            obj[key] = fields[key]
    if row.place and "city" not in obj:
        obj["city"] = row.place
    # Extracted: its stored mentions (an empty list is an answer). A record whose extraction
    # ran out of its time budget (a cold start on a loaded machine) is read again by the
    # linker's own extractors rather than linked on what little was found.
    if row.version is not None and not _cut_short(row.errors):
        obj["mentions"] = mentions or []
    return obj


def _cut_short(errors: Any) -> bool:
    return isinstance(errors, list) and any("time budget" in str(e) for e in errors)


# --- writing ------------------------------------------------------------------------------


def _write(
    store: Store,
    actor: str,
    case: Any,
    case_name: str,
    config: LinkConfig,
    input_digest: str,
    result: LinkResult,
    info: _Case,
    progress: Progress | None,
) -> LinkCaseSummary:
    with store.write() as session:
        for run_id in session.scalars(
            select(LinkRun.id).where(LinkRun.case_id == case.id, LinkRun.status == "writing")
        ).all():
            _delete_run(session, run_id)  # a run that died half-way
        run_id = session.execute(
            insert(LinkRun).returning(LinkRun.id),
            [
                {
                    "case_id": case.id,
                    "status": "writing",
                    "input_digest": input_digest,
                    "config": config.to_dict(),
                    "summary": {},
                    "started_at": utcnow(),
                    "completed_at": None,
                }
            ],
        ).scalar_one()
        audit.append(
            session, actor=actor, action="link.run_started", case_id=case.id,
            target=f"link_run:{run_id}",
            details={"records": len(result), "input_digest": input_digest},
        )  # fmt: skip
    record_of = {k: info.ids[i] for i, k in enumerate(result.keys)}
    label_of = {k: info.labels[i] for i, k in enumerate(result.keys)}
    templates = _templates(result, label_of)
    link_counts = _write_links(store, actor, case.id, run_id, result, record_of, templates)
    nets = _write_networks(store, actor, case.id, run_id, result, info, templates, progress)
    hubs = _write_hubs(store, actor, case.id, run_id, result)
    sizes = np.bincount(result.labels) if len(result) else np.zeros(1, np.int64)
    warnings = list(result.warnings)
    if len(result) == 0:
        warnings.append("the case has no records with text to link")
    elif not np.any(np.diff(result.batch.offsets) > 0) and not len(result.id_pairs):
        warnings.append("no record has text or identifiers usable as evidence: nothing linked")
    summary = LinkCaseSummary(
        case_name, run_id, False, len(result), nets, int(sizes[sizes >= 2].sum()),
        int(sizes.max()) if len(result) else 0, link_counts, hubs, tuple(warnings),
    )  # fmt: skip
    with store.write() as session:
        old = session.scalars(
            select(LinkRun.id).where(LinkRun.case_id == case.id, LinkRun.status == "current")
        ).all()
        for old_id in old:
            _delete_run(session, old_id)
        session.execute(
            update(LinkRun)
            .where(LinkRun.id == run_id)
            .values(status="current", completed_at=utcnow(), summary=summary.to_dict())
        )
        audit.append(
            session, actor=actor, action="link.run_completed", case_id=case.id,
            target=f"link_run:{run_id}",
            details={**summary.to_dict(), "replaced_runs": list(old), "warnings": warnings[:20]},
        )  # fmt: skip
    return summary


def _delete_run(session: Session, run_id: int) -> None:
    for model in (NetworkMember, LinkRow, HubDecisionRow, NetworkRow):
        session.execute(delete(model).where(model.run_id == run_id))
    session.execute(delete(LinkRun).where(LinkRun.id == run_id))


def _batches(rows: Iterator[dict[str, Any]], size: int = WRITE_BATCH) -> Iterator[list[dict]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _templates(result: LinkResult, label_of: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Templates per network: id (from the template text), text with slots, members, slots."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for nid, tpl in result.templates():
        d = tpl.to_dict()
        d["id"] = "tpl-" + hashlib.sha256(tpl.text.encode()).hexdigest()[:12]
        d["keys"] = list(tpl.members)
        d["members"] = [label_of[k] for k in tpl.members]
        out[nid].append(d)
    return out


def _link_rows(
    result: LinkResult, run_id: int, record_of: dict[str, int], templates: dict[str, list[dict]]
) -> Iterator[dict[str, Any]]:
    for link in result.links():
        yield {
            "run_id": run_id, "record_a": record_of[link.a], "record_b": record_of[link.b],
            "kind": link.reason, "value": link.value, "similarity": link.similarity,
            "strength": link.strength, "counts": link.counts, "note": link.note,
        }  # fmt: skip
    for tpls in templates.values():
        for t in tpls:
            first, *rest = t["keys"]
            for other in rest:  # a star from the first member: the template is the reason
                yield {
                    "run_id": run_id, "record_a": record_of[first], "record_b": record_of[other],
                    "kind": "template", "value": t["id"], "similarity": None, "strength": 1.0,
                    "counts": False, "note": "same template (its text links merge)",
                }  # fmt: skip


def _write_links(
    store: Store,
    actor: str,
    case_id: int,
    run_id: int,
    result: LinkResult,
    record_of: dict[str, int],
    templates: dict[str, list[dict]],
) -> dict[str, int]:
    counts: dict[str, int] = {"identifier": 0, "text": 0, "template": 0}
    for batch in _batches(_link_rows(result, run_id, record_of, templates)):
        with store.write() as session:
            session.execute(insert(LinkRow), batch)
            audit.append(
                session, actor=actor, action="links.stored", case_id=case_id,
                target=f"link_run:{run_id}", details={"links": len(batch)},
            )  # fmt: skip
        for row in batch:
            counts[row["kind"]] += 1
    return counts


def _write_networks(
    store: Store,
    actor: str,
    case_id: int,
    run_id: int,
    result: LinkResult,
    info: _Case,
    templates: dict[str, list[dict]],
    progress: Progress | None,
) -> int:
    index = {k: i for i, k in enumerate(result.keys)}
    multi = int(np.sum(np.bincount(result.labels) >= 2)) if len(result) else 0
    written = 0
    pending: list[tuple[Network, list[int]]] = []

    def flush() -> None:
        nonlocal written
        ids = [info.ids[r] for _, rows in pending for r in rows]
        mentions = _mentions(store, ids)
        batch = [
            (_network_row(net, rows, info, mentions, templates, case_id, run_id), rows)
            for net, rows in pending
        ]
        _flush_networks(store, actor, case_id, run_id, batch, info)
        written += len(batch)
        pending.clear()
        if progress is not None:
            progress("networks", written, multi)

    size = 0
    for net in result.networks(min_size=2):
        pending.append((net, [index[k] for k in net.members]))
        size += net.size
        if size >= WRITE_BATCH:
            flush()
            size = 0
    if pending:
        flush()
    return written


def _network_row(
    net: Network,
    rows: Sequence[int],
    info: _Case,
    mentions: dict[int, list[Mention]],
    templates: dict[str, list[dict]],
    case_id: int,
    run_id: int,
) -> dict[str, Any]:
    members = [
        MemberText(
            info.texts[r], info.kinds[r], tuple(mentions.get(info.ids[r], ())), info.regions[r]
        )
        for r in rows
    ]
    signals = member_signals(members)
    scored = score_summary(signals, [m.kind for m in members])
    d = net.to_dict()
    totals: dict[str, dict[str, Any]] = {}
    for sig in pairs(signals):
        for name, weight in dict(sig).items():
            t = totals.setdefault(name, {"indicator": name, "records": 0, "weight": weight})
            t["records"] += 1
    links_by_kind: dict[str, int] = defaultdict(int)
    for link in net.links:
        links_by_kind[link.reason] += 1
    summary = {
        "id": net.id,
        "size": net.size,
        "members": [info.labels[r] for r in rows[:MAX_SUMMARY_MEMBERS]],
        "identifiers": d["identifiers"],
        "places": d["places"],
        "first_seen": d["first_seen"],
        "last_seen": d["last_seen"],
        "movement": d["movement"],
        "indicators": sorted(totals.values(), key=lambda t: (-t["records"], t["indicator"])),
        **scored,
        "templates": [
            {k: v for k, v in t.items() if k != "keys"} for t in templates.get(net.id, [])
        ],
        "links": dict(links_by_kind),
        "held_back": len(net.held_back),
        "warnings": d["warnings"],
    }
    return {
        "run_id": run_id, "case_id": case_id, "key": net.id, "size": net.size,
        "score": scored["score"], "summary": summary,
    }  # fmt: skip


def _mentions(store: Store, record_ids: list[int]) -> dict[int, list[Mention]]:
    """Stored text mentions of these records, as extractor `Mention`s (for the indicators)."""
    out: dict[int, list[Mention]] = defaultdict(list)
    with store.read() as session:
        for k in range(0, len(record_ids), 1000):
            for m in session.scalars(
                select(MentionRow)
                .where(MentionRow.record_id.in_(record_ids[k : k + 1000]))
                .where(MentionRow.field == "text")
                .order_by(MentionRow.record_id, MentionRow.start, MentionRow.id)
            ):
                e = m.explanation if isinstance(m.explanation, dict) else {}
                expl = Explanation(
                    str(e.get("pattern_id", "")),
                    tuple(e.get("steps", ())),
                    tuple(e.get("obfuscation", ())),
                    tuple(e.get("notes", ())),
                )
                out[m.record_id].append(
                    Mention(
                        m.type,
                        m.raw,
                        m.normalized,
                        m.start,
                        m.end,
                        m.extractor,
                        m.extractor_version,
                        m.confidence,
                        expl,
                    )
                )
    return out


def _flush_networks(
    store: Store,
    actor: str,
    case_id: int,
    run_id: int,
    batch: list[tuple[dict[str, Any], list[int]]],
    info: _Case,
) -> None:
    with store.write() as session:
        ids = session.execute(
            insert(NetworkRow).returning(
                NetworkRow.id, NetworkRow.key, sort_by_parameter_order=True
            ),
            [row for row, _ in batch],
        ).all()
        members = [
            {"network_id": nid, "record_id": info.ids[r], "run_id": run_id}
            for (nid, _), (_, rows) in zip(ids, batch, strict=True)
            for r in rows
        ]
        session.execute(insert(NetworkMember), members)
        audit.append(
            session, actor=actor, action="networks.stored", case_id=case_id,
            target=f"link_run:{run_id}",
            details={"networks": len(batch), "records": len(members),
                     "keys": [key for _, key in ids][:50]},
        )  # fmt: skip


def _write_hubs(store: Store, actor: str, case_id: int, run_id: int, result: LinkResult) -> int:
    rows = (
        {
            "run_id": run_id,
            "type": d.type,
            "value": d.value,
            "hub": d.hub,
            "records": d.records,
            "reason": d.reason,
            "details": d.to_dict(),
        }
        for d in sorted(result.decisions.values(), key=lambda d: (d.type, d.value, d.use))
    )
    hubs = 0
    for batch in _batches(rows):
        with store.write() as session:
            session.execute(insert(HubDecisionRow), batch)
            audit.append(
                session, actor=actor, action="hub_decisions.stored", case_id=case_id,
                target=f"link_run:{run_id}",
                details={"decisions": len(batch), "hubs": sum(1 for r in batch if r["hub"])},
            )  # fmt: skip
        hubs += sum(1 for r in batch if r["hub"])
    return hubs


# --- reading --------------------------------------------------------------------------------
