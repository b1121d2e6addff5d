"""Evidence bundle: raw bytes, derived facts, chain of custody, a manifest and its signature.

Layout (see docs/evidence.md):

    manifest.json        every other file with SHA-256 and size, the case, the selection
    manifest.json.sig    detached Ed25519 signature over manifest.json's exact bytes (base64)
    signer.pub.pem       the signer's public key (for convenience; trust the one you were given)
    raw/<sha256>         raw bytes as acquired, named by their hash
    facts/*.jsonl        records, mentions (with spans), attachments; network.json
    custody/             events.jsonl (acquired … exported) and provenance.json
    exports/             the same selection as CASE/UCO JSON-LD and FollowTheMoney entities
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from threadline import __version__
from threadline.evidence import case_uco, ftm, raw
from threadline.evidence.common import ExportSummary, dumps, jsonl, record_audit
from threadline.evidence.custody import TOOL_VERSION, CustodyEvent, custody_events, provenance
from threadline.evidence.facts import Facts, RecordFact, derive
from threadline.evidence.outdir import OutputFolder, WrittenFile
from threadline.evidence.pseudonym import for_case
from threadline.evidence.selection import ExportData, Selection, load
from threadline.evidence.signing import fingerprint, public_pem, sign
from threadline.store.db import Store, utcnow

BUNDLE_FORMAT = "threadline-evidence-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
PUBLIC_KEY = "signer.pub.pem"
UNLISTED = (MANIFEST, SIGNATURE, PUBLIC_KEY)  # the only files the manifest cannot list


def export_bundle(
    store: Store,
    actor: str,
    case: str,
    selection: Selection,
    out_dir: Path,
    *,
    signing_key: Ed25519PrivateKey,
    pseudonymize: bool = True,
) -> ExportSummary:
    data = load(store, case, selection)
    pseudonymizer = for_case(store, actor, data.case.id, enabled=pseudonymize)
    facts = derive(data, pseudonymizer)
    events = custody_events(store, data)
    now = utcnow()
    key_fp = fingerprint(signing_key.public_key())
    events.append(
        CustodyEvent(
            stage="exported",
            at=now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            actor=actor,
            action="evidence.exported",
            target=f"case:{data.case.id}",
            tool_version=TOOL_VERSION,
            details={"format": "bundle", "pseudonymized": pseudonymize, "signing_key": key_fp},
            audit_seq=None,  # the audit event is appended once the bundle is complete
            audit_hash=None,
        )
    )
    folder = OutputFolder(out_dir)
    try:
        listed: list[dict[str, Any]] = []

        def add(entry: WrittenFile, role: str) -> None:
            listed.append(
                {"path": entry.path, "sha256": entry.sha256, "size": entry.size, "role": role}
            )

        raw_rows = _write_raw(store, data, folder, pseudonymize, add)
        raw_path = {r["sha256"]: r["path"] for r in raw_rows if r["path"]}
        exif = {r.id: raw.exif_of(store, r.blob_sha256) for r in data.records if r.kind == "image"}
        add(
            folder.write_bytes(
                "facts/records.jsonl",
                jsonl(
                    [_record_json(r, raw_path, exif.get(r.id), pseudonymize) for r in facts.records]
                ),
            ),
            "facts",
        )
        add(
            folder.write_bytes(
                "facts/mentions.jsonl", jsonl([m.as_json() for m in facts.mentions()])
            ),
            "facts",
        )
        add(
            folder.write_bytes(
                "facts/attachments.jsonl",
                jsonl(
                    [
                        {
                            "record_id": a.record_id,
                            "attached_id": a.attached_id,
                            "relation": a.relation,
                            "ref": facts.rewriter.substitute(a.ref),
                        }
                        for a in data.attachments
                    ]
                ),
            ),
            "facts",
        )
        if data.selection.network_id is not None:
            add(
                folder.write_bytes(
                    "facts/network.json",
                    dumps(
                        {
                            "network_id": data.selection.network_id,
                            "record_ids": [r.id for r in data.records],
                            "summary": facts.network_summary,
                        }
                    ),
                ),
                "facts",
            )
        add(
            folder.write_bytes(
                "custody/events.jsonl", jsonl([_custody_json(e, facts) for e in events])
            ),
            "custody",
        )
        add(
            folder.write_bytes(
                "custody/provenance.json", dumps(facts.rewriter.value(provenance(data)))
            ),
            "custody",
        )
        add(
            folder.write_bytes(
                "exports/case.jsonld",
                case_uco.build(store, data, facts, events, pseudonymized=pseudonymize, exif=exif),
            ),
            "export",
        )
        add(
            folder.write_bytes(
                "exports/entities.ftm.json",
                ftm.build(store, data, facts, pseudonymized=pseudonymize),
            ),
            "export",
        )
        manifest = dumps(
            {
                "bundle_format": BUNDLE_FORMAT,
                "tool": {"name": "threadline", "version": __version__},
                "created_at": now.isoformat(),
                "created_by": actor,
                "case": _case_json(data),
                "selection": {
                    "record_ids": [r.id for r in data.records],
                    "network_id": data.selection.network_id,
                },
                "pseudonymized": pseudonymize,
                "signature": {
                    "algorithm": "Ed25519",
                    "file": SIGNATURE,
                    "public_key_file": PUBLIC_KEY,
                    "public_key_sha256": key_fp,
                },
                "files": sorted(listed, key=lambda f: f["path"]),
                "raw": raw_rows,
            }
        )
        main = folder.write_bytes(MANIFEST, manifest)
        folder.write_bytes(SIGNATURE, sign(signing_key, manifest))
        folder.write_bytes(PUBLIC_KEY, public_pem(signing_key.public_key()))
        seq = record_audit(
            store,
            actor,
            data,
            fmt="bundle",
            out_dir=folder.root,
            pseudonymized=pseudonymize,
            main_file=MANIFEST,
            main_sha256=main.sha256,
            extra={"signing_key": key_fp},
        )
    except BaseException:
        folder.discard()
        raise
    return ExportSummary(
        case=data.case.name,
        format="bundle",
        out_dir=folder.root,
        records=len(data.records),
        files=len(folder.files),
        bytes=sum(f.size for f in folder.files),
        pseudonymized=pseudonymize,
        withheld=sum(1 for r in raw_rows if r["path"] is None),
        network_id=data.selection.network_id,
        main_file=MANIFEST,
        main_sha256=main.sha256,
        signing_key=key_fp,
        audit_seq=seq,
    )


def _write_raw(
    store: Store, data: ExportData, folder: OutputFolder, pseudonymize: bool, add: Any
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    written: dict[str, str] = {}
    for item in raw.plan(data, pseudonymize=pseudonymize):
        size = item.size if item.size >= 0 else raw.blob_size(store, item.sha256)
        path: str | None = None
        if item.include:
            path = written.get(item.sha256)
            if path is None:
                path = f"raw/{item.sha256}"
                with raw.open_raw(store, item) as (fh, length):
                    entry = folder.copy_stream(path, fh, length)
                raw.check_hash(item, entry.sha256)
                add(entry, "raw")
                written[item.sha256] = path
        rows.append(
            {
                "kind": item.kind,
                "owner": item.owner,
                "sha256": item.sha256,
                "size": size,
                "path": path,
                "withheld_reason": None if item.include else item.reason,
            }
        )
    return rows


def _record_json(
    r: RecordFact, raw_path: dict[str, str], exif: Any, pseudonymize: bool
) -> dict[str, Any]:
    row = r.row
    exif_json = None
    if exif is not None:
        exif_json = exif.as_json()
        if pseudonymize:  # raw tags can carry an owner's name or a serial number
            exif_json["fields_raw"] = {}
    return {
        "id": row.id,
        "kind": row.kind,
        "external_id": row.external_id,
        "title": r.title,
        "text": r.text,
        "url": r.url,
        "place": row.place,
        "posted_at": row.posted_at,
        "image_refs": r.image_refs,
        "fields": r.fields,
        "warnings": r.warnings,
        "source_id": row.source_id,
        "raw_offset": row.raw_offset,
        "raw_length": row.raw_length,
        "content_sha256": row.content_sha256,
        "blob_sha256": row.blob_sha256,
        "raw_file": raw_path.get(row.content_sha256),
        "ingested_at": row.ingested_at,
        "exif": exif_json,
    }


def _custody_json(event: CustodyEvent, facts: Facts) -> dict[str, Any]:
    out = event.as_json()
    out["details"] = facts.rewriter.value(out["details"])
    return out


def _case_json(data: ExportData) -> dict[str, Any]:
    c = data.case
    return {
        "id": c.id,
        "name": c.name,
        "purpose": c.purpose,
        "legal_basis": c.legal_basis,
        "owner": c.owner,
        "created_at": c.created_at.isoformat(),
        "retain_until": c.retain_until.isoformat(),
    }
