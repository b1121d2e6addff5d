"""What every exporter shares: the typed summary, the audit event, JSON helpers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from threadline import audit
from threadline.evidence.selection import ExportData
from threadline.store.db import Store

MAX_IDS_IN_AUDIT = 1000  # beyond this the audit event names the ids by their hash


@dataclass(frozen=True, slots=True)
class ExportSummary:
    case: str
    format: str  # bundle | case | ftm
    out_dir: Path
    records: int
    files: int  # files written
    bytes: int  # bytes written
    pseudonymized: bool
    withheld: int  # raw files listed by hash but not written (pseudonymized or minimised)
    network_id: str | None
    main_file: str  # manifest.json, case.jsonld or entities.ftm.json (relative to out_dir)
    main_sha256: str
    signing_key: str | None  # fingerprint of the key that signed (bundles)
    audit_seq: int


def record_audit(
    store: Store,
    actor: str,
    data: ExportData,
    *,
    fmt: str,
    out_dir: Path,
    pseudonymized: bool,
    main_file: str,
    main_sha256: str,
    extra: dict[str, Any] | None = None,
) -> int:
    ids = [r.id for r in data.records]
    listed: dict[str, Any] = (
        {"record_ids": ids}
        if len(ids) <= MAX_IDS_IN_AUDIT
        else {"record_ids_sha256": hashlib.sha256(json.dumps(ids).encode()).hexdigest()}
    )
    with store.write() as session:
        event = audit.append(
            session,
            actor=actor,
            action="evidence.exported",
            case_id=data.case.id,
            target=f"case:{data.case.id}",
            details={
                "format": fmt,
                "records": len(ids),
                **listed,
                "network_id": data.selection.network_id,
                "pseudonymized": pseudonymized,
                "out_dir": str(out_dir),
                "file": main_file,
                "sha256": main_sha256,
                **(extra or {}),
            },
        )
        return event.seq


def write_single_file(
    store: Store,
    actor: str,
    data: ExportData,
    folder: Any,  # an OutputFolder
    *,
    fmt: str,
    name: str,
    body: bytes,
    pseudonymized: bool,
) -> ExportSummary:
    """Write the one file of a CASE or FtM export, audit it, and summarise; on any error
    the folder's files are removed."""
    try:
        entry = folder.write_bytes(name, body)
        seq = record_audit(
            store, actor, data, fmt=fmt, out_dir=folder.root, pseudonymized=pseudonymized,
            main_file=name, main_sha256=entry.sha256,
        )  # fmt: skip
    except BaseException:
        folder.discard()
        raise
    return ExportSummary(
        case=data.case.name,
        format=fmt,
        out_dir=folder.root,
        records=len(data.records),
        files=1,
        bytes=entry.size,
        pseudonymized=pseudonymized,
        withheld=0,
        network_id=data.selection.network_id,
        main_file=name,
        main_sha256=entry.sha256,
        signing_key=None,
        audit_seq=seq,
    )


def dumps(value: Any) -> bytes:
    """Stable, readable JSON: sorted keys so two exports of the same facts are byte-equal."""
    return (
        json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2, default=_default) + "\n"
    ).encode("utf-8")


def jsonl(rows: list[Any]) -> bytes:
    return b"".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True, default=_default).encode("utf-8") + b"\n"
        for r in rows
    )


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
