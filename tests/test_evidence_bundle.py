"""Evidence bundles: what they contain, and verification tested by tampering."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from evidence_corpus import Corpus, build
from threadline import audit
from threadline.errors import Conflict, NotFound, ValidationError
from threadline.evidence import Selection, export_bundle, verify_bundle
from threadline.evidence.signing import public_pem, sign
from threadline.store import Store
from threadline.store.db import utcnow
from threadline.store.models import AuditEvent, Case, Record

KEY = Ed25519PrivateKey.generate()


def _all_ids(c: Corpus) -> list[int]:
    return [*c.ads.values(), c.page, c.image]


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bundle_holds_raw_bytes_facts_custody_and_a_valid_signature(
    store: Store, tmp_path: Path
) -> None:
    c = build(store, tmp_path)
    out = tmp_path / "bundle"
    summary = export_bundle(
        store,
        "lead",
        c.case,
        Selection.of_records(_all_ids(c)),
        out,
        signing_key=KEY,
        pseudonymize=False,
    )
    manifest = json.loads((out / "manifest.json").read_bytes())
    assert manifest["case"]["legal_basis"] == "Court order 2026/114 (synthetic)"
    assert manifest["case"]["purpose"] == "Identify operations behind ads"
    assert manifest["tool"]["name"] == "threadline" and manifest["tool"]["version"]
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk - set(listed) == {"manifest.json", "manifest.json.sig", "signer.pub.pem"}
    for path, entry in listed.items():
        assert _sha(out / path) == entry["sha256"] and (out / path).stat().st_size == entry["size"]
    # raw bytes as acquired: each record's own bytes, the image payload, whole sources
    with store.read() as session:
        recs = session.scalars(select(Record).order_by(Record.id)).all()
    for rec in recs:
        assert f"raw/{rec.content_sha256}" in listed
    image = next(r for r in recs if r.kind == "image")
    assert (out / "raw" / image.blob_sha256).read_bytes()[:2] == b"\xff\xd8"  # the JPEG
    assert all(r["path"] for r in manifest["raw"])  # every source selected in full
    records = [json.loads(line) for line in (out / "facts/records.jsonl").read_text().splitlines()]
    exif = next(r["exif"] for r in records if r["kind"] == "image")
    assert exif["make"] == "Canon" and round(exif["gps_lat"], 2) == 29.75
    mentions = [json.loads(x) for x in (out / "facts/mentions.jsonl").read_text().splitlines()]
    texts = {r["id"]: r for r in records}
    for m in mentions:
        if m["field"] in ("title", "text"):  # EXIF facts describe a file, not a span
            assert texts[m["record_id"]][m["field"]][m["start"] : m["end"]] == m["raw"]
    events = [json.loads(x) for x in (out / "custody/events.jsonl").read_text().splitlines()]
    stages = [e["stage"] for e in events]
    for stage in ("acquired", "ingested", "analysed", "exported"):
        assert stage in stages
    acquired = next(e for e in events if e["stage"] == "acquired")
    assert acquired["actor"] == "collector" and acquired["tool_version"].startswith("threadline")
    assert all(e["audit_seq"] for e in events[:-1])
    # signed, verified with the key the recipient was given
    key_file = tmp_path / "signer.pem"
    key_file.write_bytes(public_pem(KEY.public_key()))
    check = verify_bundle(out, key_file)
    assert check.ok and check.signature == "valid" and check.key_source == "given"
    assert check.files_checked == len(listed)
    # and the export itself is audited, with the manifest's hash
    with store.read() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert audit.verify(
            session, store.settings.audit_checkpoint, store.settings.database_url
        ).ok
    assert event is not None and event.action == "evidence.exported"
    details = json.loads(event.details)
    assert details["sha256"] == summary.main_sha256 == _sha(out / "manifest.json")
    assert details["record_ids"] == sorted(_all_ids(c)) and details["pseudonymized"] is False


def test_partly_selected_source_is_listed_by_hash_not_shipped(
    sqlite_store: Store, tmp_path: Path
) -> None:
    c = build(sqlite_store, tmp_path)
    out = tmp_path / "bundle"
    export_bundle(
        sqlite_store,
        "lead",
        c.case,
        Selection.of_records([c.ads["a1"]]),
        out,
        signing_key=KEY,
        pseudonymize=False,
    )
    manifest = json.loads((out / "manifest.json").read_bytes())
    (source,) = [r for r in manifest["raw"] if r["kind"] == "source"]
    assert source["path"] is None and "part of this source" in source["withheld_reason"]
    assert not (out / "raw" / source["sha256"]).exists()
    (record,) = [r for r in manifest["raw"] if r["kind"] == "record"]
    assert (out / record["path"]).read_bytes().startswith(b'{"id": "a1"')


# ------------------------------------------------------------------ refusals


def test_records_of_another_case_are_not_found_and_nothing_is_written(
    sqlite_store: Store, tmp_path: Path
) -> None:
    a = build(sqlite_store, tmp_path, "alpha")
    b = build(sqlite_store, tmp_path, "beta")
    out = tmp_path / "bundle"
    with pytest.raises(NotFound, match="no record"):
        export_bundle(
            sqlite_store,
            "lead",
            a.case,
            Selection.of_records([a.ads["a1"], b.ads["a1"]]),
            out,
            signing_key=KEY,
        )
    assert not out.exists()


def test_a_non_empty_output_folder_is_refused(sqlite_store: Store, tmp_path: Path) -> None:
    c = build(sqlite_store, tmp_path)
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(Conflict, match="not empty"):
        export_bundle(sqlite_store, "lead", c.case, Selection.of_records([1]), out, signing_key=KEY)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_symlinked_output_folder_is_refused(sqlite_store: Store, tmp_path: Path) -> None:
    c = build(sqlite_store, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").symlink_to(elsewhere)
    with pytest.raises(ValidationError, match="symbolic link"):
        export_bundle(
            sqlite_store,
            "lead",
            c.case,
            Selection.of_records([1]),
            tmp_path / "out",
            signing_key=KEY,
        )
    assert not any(elsewhere.iterdir())


def test_an_expired_case_is_refused(sqlite_store: Store, tmp_path: Path) -> None:
    c = build(sqlite_store, tmp_path)
    with sqlite_store.write() as session:
        session.execute(update(Case).values(retain_until=utcnow()))
    with pytest.raises(ValidationError, match="retention deadline"):
        export_bundle(
            sqlite_store,
            "lead",
            c.case,
            Selection.of_records([1]),
            tmp_path / "b",
            signing_key=KEY,
        )
    assert not (tmp_path / "b").exists()


def test_altered_blob_store_fails_the_export_and_leaves_nothing(
    sqlite_store: Store, tmp_path: Path
) -> None:
    c = build(sqlite_store, tmp_path)
    with sqlite_store.read() as session:
        rec = session.get(Record, c.image)
        assert rec is not None
        blob = sqlite_store.blobs.path(rec.blob_sha256 or "")
    os.chmod(blob, 0o644)
    blob.write_bytes(b"\xff\xd8 not the image that was acquired")
    out = tmp_path / "bundle"
    with pytest.raises(Conflict, match="no longer match"):
        export_bundle(
            sqlite_store,
            "lead",
            c.case,
            Selection.of_records([c.image]),
            out,
            signing_key=KEY,
            pseudonymize=False,
        )
    assert not out.exists()


# ------------------------------------------------------------------ tampering


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import make_settings

    tmp = tmp_path_factory.mktemp("pristine")
    store = Store(make_settings(tmp / "data"))
    try:
        c = build(store, tmp)
        export_bundle(
            store,
            "lead",
            c.case,
            Selection.of_records(_all_ids(c)),
            tmp / "bundle",
            signing_key=KEY,
            pseudonymize=False,
        )
    finally:
        store.dispose()
    (tmp / "signer.pem").write_bytes(public_pem(KEY.public_key()))
    return tmp


@pytest.fixture
def bundle(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "bundle"
    shutil.copytree(pristine / "bundle", copy, symlinks=True)
    return copy


@pytest.fixture
def trusted(pristine: Path) -> Path:
    return pristine / "signer.pem"


def _raw_file(bundle: Path) -> Path:
    return next((bundle / "raw").iterdir())


def test_pristine_bundle_verifies(bundle: Path, trusted: Path) -> None:
    assert verify_bundle(bundle, trusted).ok


def test_one_altered_byte_is_reported(bundle: Path, trusted: Path) -> None:
    victim = _raw_file(bundle)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    check = verify_bundle(bundle, trusted)
    assert not check.ok and check.altered == (victim.relative_to(bundle).as_posix(),)
    assert check.signature == "valid"  # the manifest itself is intact


def test_a_missing_file_is_reported(bundle: Path, trusted: Path) -> None:
    (bundle / "custody" / "events.jsonl").unlink()
    check = verify_bundle(bundle, trusted)
    assert not check.ok and check.missing == ("custody/events.jsonl",)


def test_an_extra_file_is_reported(bundle: Path, trusted: Path) -> None:
    (bundle / "facts" / "planted.jsonl").write_text("{}\n")
    os.symlink("/etc/hostname", bundle / "link")
    check = verify_bundle(bundle, trusted)
    assert not check.ok and check.extra == ("facts/planted.jsonl", "link")


def test_an_edited_manifest_breaks_the_signature(bundle: Path, trusted: Path) -> None:
    path = bundle / "manifest.json"
    path.write_text(path.read_text().replace("Court order 2026/114", "Court order 2026/999"))
    check = verify_bundle(bundle, trusted)
    assert not check.ok and check.signature == "invalid"


def test_a_swapped_signature_is_reported(bundle: Path, trusted: Path) -> None:
    other = Ed25519PrivateKey.generate()
    manifest = (bundle / "manifest.json").read_bytes()
    (bundle / "manifest.json.sig").write_bytes(sign(other, manifest))
    check = verify_bundle(bundle, trusted)
    assert not check.ok and check.signature == "invalid"


def test_resigning_with_another_key_fails_against_the_trusted_key(
    bundle: Path, trusted: Path
) -> None:
    other = Ed25519PrivateKey.generate()
    manifest = (bundle / "manifest.json").read_bytes()
    (bundle / "manifest.json.sig").write_bytes(sign(other, manifest))
    (bundle / "signer.pub.pem").write_bytes(public_pem(other.public_key()))
    assert verify_bundle(bundle).ok  # self-consistent: proves integrity only …
    assert verify_bundle(bundle).key_source == "bundle"
    assert verify_bundle(bundle, trusted).signature == "invalid"  # … not who signed


def test_a_missing_signature_or_key_is_reported(bundle: Path, tmp_path: Path) -> None:
    (bundle / "signer.pub.pem").unlink()
    check = verify_bundle(bundle)
    assert not check.ok and check.signature == "not checked"
    assert any("no public key" in p for p in check.problems)
    with pytest.raises(NotFound, match="no public key"):
        verify_bundle(bundle, tmp_path / "nowhere.pem")
    (bundle / "manifest.json.sig").unlink()
    own = tmp_path / "k.pem"
    own.write_bytes(public_pem(KEY.public_key()))
    assert verify_bundle(bundle, own).signature == "missing"


@pytest.mark.parametrize("evil", ["../outside.txt", "/etc/hostname", "raw/../../outside.txt"])
def test_manifest_paths_outside_the_folder_are_errors_never_followed(
    bundle: Path, trusted: Path, evil: str
) -> None:
    outside = bundle.parent / "outside.txt"
    outside.write_text("planted")
    manifest = json.loads((bundle / "manifest.json").read_bytes())
    target = outside if not evil.startswith("/") else Path(evil)
    manifest["files"].append(
        {"path": evil, "sha256": _sha(target), "size": target.stat().st_size, "role": "raw"}
    )
    body = json.dumps(manifest).encode()
    (bundle / "manifest.json").write_bytes(body)
    (bundle / "manifest.json.sig").write_bytes(sign(KEY, body))  # even when properly signed
    check = verify_bundle(bundle, trusted)
    assert not check.ok and check.unsafe == (evil,)
    assert check.signature == "valid"


def test_a_symlink_escaping_the_folder_is_not_followed(bundle: Path, trusted: Path) -> None:
    victim = _raw_file(bundle)
    copy = bundle.parent / "copy-outside"
    shutil.copyfile(victim, copy)
    victim.unlink()
    victim.symlink_to(copy)  # same bytes, but outside the bundle
    check = verify_bundle(bundle, trusted)
    assert not check.ok and check.unsafe == (victim.relative_to(bundle).as_posix(),)


def test_a_malformed_manifest_is_a_clear_problem(bundle: Path, trusted: Path) -> None:
    (bundle / "manifest.json").write_text('{"files": [{"path": 3}]')
    check = verify_bundle(bundle, trusted)
    assert not check.ok and any("not valid JSON" in p for p in check.problems)
    (bundle / "manifest.json").write_text('{"files": [{"path": "x", "sha256": "zz", "size": -1}]}')
    check = verify_bundle(bundle, trusted)
    assert any("malformed" in p for p in check.problems)
