"""Verify an evidence bundle: every listed file's hash and size, no extra files, the signature.

The bundle is untrusted input. Its manifest is read with a size bound and
checked field by field; a path that is absolute, contains '..', is not in
normal form or passes through a symbolic link is reported and never opened.
Nothing is written anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from threadline.errors import NotFound, ValidationError
from threadline.evidence.bundle import MANIFEST, PUBLIC_KEY, SIGNATURE, UNLISTED
from threadline.evidence.outdir import CHUNK, safe_relative
from threadline.evidence.signing import (
    MAX_KEY_FILE,
    fingerprint,
    load_public_key,
    parse_public_key,
    signature_valid,
)

MAX_MANIFEST = 64 * 1024 * 1024
MAX_SIGNATURE = 1024
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class BundleCheck:
    ok: bool
    files_checked: int
    altered: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    unsafe: tuple[str, ...]  # manifest paths pointing outside the folder (never followed)
    signature: str  # valid | invalid | missing | not checked
    key_source: str | None  # given (--public-key) | bundle (enclosed, proves integrity only)
    key_fingerprint: str | None
    problems: tuple[str, ...] = field(default=())


def verify_bundle(folder: Path, public_key: Path | None = None) -> BundleCheck:
    if folder.is_symlink():
        raise ValidationError(f"{folder} is a symbolic link; give the bundle folder itself")
    if not folder.is_dir():
        raise NotFound(f"no bundle folder at {folder}")
    given = load_public_key(public_key) if public_key is not None else None
    root = folder.resolve()
    problems: list[str] = []
    manifest_bytes = _read_bounded(root, MANIFEST, MAX_MANIFEST, problems)
    entries = _entries(manifest_bytes, problems) if manifest_bytes is not None else []

    altered: list[str] = []
    missing: list[str] = []
    unsafe: list[str] = []
    listed: set[str] = set()
    checked = 0
    for path, sha256, size in entries:
        try:
            rel = safe_relative(path)
        except ValidationError:
            unsafe.append(path)
            continue
        if path in listed:
            problems.append(f"the manifest lists {path} twice")
            continue
        if rel.parts[0] in UNLISTED and len(rel.parts) == 1:
            problems.append(f"the manifest lists {path}, which it cannot cover")
            continue
        listed.add(path)
        target = root.joinpath(*rel.parts)
        if _through_symlink(root, rel.parts):
            unsafe.append(path)
            continue
        if not target.exists():
            missing.append(path)
            continue
        if not target.is_file():
            altered.append(path)
            continue
        checked += 1
        if _sha256(target) != (sha256, size):
            altered.append(path)

    extra = [p for p in _all_files(root) if p not in listed and p not in UNLISTED]
    signature, key_source, key_fp = _check_signature(root, manifest_bytes, given, problems)

    for label, items in (
        ("altered", altered),
        ("missing", missing),
        ("extra", extra),
        ("outside the bundle", unsafe),
    ):
        if items:
            problems.append(f"{len(items)} file(s) {label}: {', '.join(sorted(items)[:5])}")
    if signature != "valid":
        problems.append(f"signature {signature}")
    return BundleCheck(
        ok=not problems,
        files_checked=checked,
        altered=tuple(sorted(altered)),
        missing=tuple(sorted(missing)),
        extra=tuple(sorted(extra)),
        unsafe=tuple(unsafe),
        signature=signature,
        key_source=key_source,
        key_fingerprint=key_fp,
        problems=tuple(problems),
    )


def _read_bounded(root: Path, name: str, limit: int, problems: list[str]) -> bytes | None:
    path = root / name
    if path.is_symlink():
        problems.append(f"{name} is a symbolic link; not followed")
        return None
    if not path.is_file():
        problems.append(f"{name} is missing")
        return None
    if path.stat().st_size > limit:
        problems.append(f"{name} is larger than {limit:,} bytes")
        return None
    return path.read_bytes()


def _entries(manifest: bytes, problems: list[str]) -> list[tuple[str, str, int]]:
    try:
        doc = json.loads(manifest)
    except ValueError as exc:
        problems.append(f"{MANIFEST} is not valid JSON: {exc}")
        return []
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, list):
        problems.append(f"{MANIFEST} has no list of files")
        return []
    out: list[tuple[str, str, int]] = []
    for i, f in enumerate(files):
        if not _valid_entry(f):
            problems.append(f"{MANIFEST}: file entry {i} is malformed")
            continue
        out.append((f["path"], f["sha256"], f["size"]))
    return out


def _valid_entry(f: Any) -> bool:
    return (
        isinstance(f, dict)
        and isinstance(f.get("path"), str)
        and isinstance(f.get("sha256"), str)
        and _HEX64.fullmatch(f["sha256"]) is not None
        and type(f.get("size")) is int
        and f["size"] >= 0
    )


def _through_symlink(root: Path, parts: tuple[str, ...]) -> bool:
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            return True
    return False


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _all_files(root: Path) -> list[str]:
    """Every entry that is not a plain directory, relative and POSIX; symlinks included."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(dirpath).relative_to(root)
        for name in dirnames:
            if (Path(dirpath) / name).is_symlink():
                found.append((base / name).as_posix())
        found.extend((base / name).as_posix() for name in filenames)
    return found


def _check_signature(
    root: Path, manifest: bytes | None, given: Ed25519PublicKey | None, problems: list[str]
) -> tuple[str, str | None, str | None]:
    key, source = given, "given"
    if key is None:
        enclosed = _read_bounded(root, PUBLIC_KEY, MAX_KEY_FILE, problems)
        if enclosed is None:
            problems.append("no public key: pass --public-key or keep signer.pub.pem")
            return "not checked", None, None
        try:
            key, source = parse_public_key(enclosed, PUBLIC_KEY), "bundle"
        except ValidationError as exc:
            problems.append(str(exc))
            return "not checked", None, None
    signature = _read_bounded(root, SIGNATURE, MAX_SIGNATURE, problems)
    if signature is None or manifest is None:
        return "missing", source, fingerprint(key)
    ok = signature_valid(key, manifest, signature)
    return ("valid" if ok else "invalid"), source, fingerprint(key)
