"""Tamper-evident audit log: a SHA-256 hash chain plus an external checkpoint.

Each event's hash covers its own fields and the previous event's hash, so
editing or deleting any event breaks every hash after it. Deleting the *last*
events leaves a shorter chain that is still internally consistent; to catch
that, every write also records the chain head (sequence number and hash) in a
checkpoint file kept outside the database (`THREADLINE_AUDIT_CHECKPOINT`,
default `<data dir>/audit-checkpoint.json`). Verification fails if the
database's chain is shorter than the checkpoint or disagrees with it.

The checkpoint only helps if whoever can rewrite the database cannot also
rewrite the checkpoint: in a team deployment put it on a volume the database
role cannot write, and publish `threadline audit head` to an outside witness
(a ticket, an e-mail to the supervisor, a transparency log). See docs/safeguards.md.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from threadline.store.db import utcnow
from threadline.store.models import AuditEvent, AuditHead

GENESIS = "0" * 64
HEAD_ROW = 1


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    seq: int,
    at: str,
    actor: str,
    action: str,
    case_id: int | None,
    target: str,
    details: str,
    prev_hash: str,
) -> str:
    body = canonical_json(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "case_id": case_id,
            "target": target,
            "details": details,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    case_id: int | None,
    target: str,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction (so it commits with the change)."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ROW).with_for_update()
    ).scalar_one()
    seq = head.seq + 1
    at = utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = canonical_json(details or {})
    digest = event_hash(seq, at, actor, action, case_id, target, body, head.hash)
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        case_id=case_id,
        target=target,
        details=body,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(event)
    head.seq, head.hash = seq, digest
    session.flush()
    session.info["audit_head"] = (seq, digest)
    return event


# --- checkpoint -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int
    hash: str
    database: str


def database_fingerprint(url: str) -> str:
    """Identify the database a checkpoint belongs to without storing credentials."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def read_checkpoint(path: Path) -> Checkpoint | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        return Checkpoint(int(data["seq"]), str(data["hash"]), str(data["database"]))
    except FileNotFoundError:
        return None


def write_checkpoint(path: Path, database_url: str, seq: int, digest: str) -> None:
    """Advance the checkpoint to (seq, digest); never move it backwards.

    Concurrent writers take an exclusive lock on a side file, re-read, and only
    replace the checkpoint with a later head; the replace is atomic.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fingerprint = database_fingerprint(database_url)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_checkpoint(path)
        if current is not None and current.database == fingerprint and current.seq >= seq:
            return
        tmp = path.with_name(path.name + ".tmp")
        payload = {"seq": seq, "hash": digest, "database": fingerprint, "written_at": _now()}
        tmp.write_text(canonical_json(payload) + "\n", "utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)


def _now() -> str:
    return utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


# --- verification -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    events_checked: int
    head_seq: int
    head_hash: str
    checkpoint_seq: int | None
    first_broken_seq: int | None
    problem: str | None


def _events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify(session: Session, checkpoint_path: Path, database_url: str) -> VerifyResult:
    """Recompute the chain from the first event; report the first event that breaks it."""
    checkpoint = read_checkpoint(checkpoint_path)
    if checkpoint is not None and checkpoint.database != database_fingerprint(database_url):
        checkpoint = None  # a checkpoint of another database says nothing about this one
    prev_hash, expected_seq, count = GENESIS, 1, 0
    hashes_at_checkpoint: str | None = None

    def fail(seq: int, problem: str) -> VerifyResult:
        return VerifyResult(
            False,
            count,
            expected_seq - 1,
            prev_hash,
            checkpoint.seq if checkpoint else None,
            seq,
            problem,
        )

    for ev in _events(session):
        if ev.seq != expected_seq:
            return fail(expected_seq, f"event {expected_seq} is missing (next stored is {ev.seq})")
        if ev.prev_hash != prev_hash:
            return fail(ev.seq, f"event {ev.seq} does not follow event {ev.seq - 1}")
        digest = event_hash(
            ev.seq, ev.at, ev.actor, ev.action, ev.case_id, ev.target, ev.details, ev.prev_hash
        )
        if digest != ev.hash:
            return fail(
                ev.seq, f"event {ev.seq} was altered: its content no longer matches its hash"
            )
        if checkpoint is not None and ev.seq == checkpoint.seq:
            hashes_at_checkpoint = ev.hash
        prev_hash, expected_seq, count = ev.hash, expected_seq + 1, count + 1

    head_seq = expected_seq - 1
    head = session.execute(select(AuditHead).where(AuditHead.id == HEAD_ROW)).scalar_one()
    if (head.seq, head.hash) != (head_seq, prev_hash):
        return fail(
            head_seq + 1,
            f"the chain ends at event {head_seq} but the recorded head is event {head.seq}: "
            "events were removed",
        )
    if checkpoint is not None:
        if checkpoint.seq > head_seq:
            return fail(
                head_seq + 1,
                f"the chain ends at event {head_seq} but the checkpoint records event "
                f"{checkpoint.seq}: the last events were removed",
            )
        if checkpoint.seq > 0 and hashes_at_checkpoint != checkpoint.hash:
            return fail(checkpoint.seq, f"event {checkpoint.seq} differs from the checkpoint")
    return VerifyResult(
        True, count, head_seq, prev_hash, checkpoint.seq if checkpoint else None, None, None
    )
