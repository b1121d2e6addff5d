"""Ed25519 keys that sign evidence bundles (the `cryptography` package).

The private key lives in `<data dir>/keys/evidence-signing.pem`, PKCS#8 PEM,
created with mode 0600 and never overwritten; the public key beside it
(`evidence-signing.pub.pem`) is what recipients are given, by a channel other
than the bundle, so that `threadline verify --public-key` proves who signed.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from threadline import audit
from threadline.errors import Conflict, NotFound, ValidationError
from threadline.store.db import Store

KEY_DIR = "keys"
PRIVATE_NAME = "evidence-signing.pem"
PUBLIC_NAME = "evidence-signing.pub.pem"
MAX_KEY_FILE = 16 * 1024


@dataclass(frozen=True, slots=True)
class KeyInfo:
    private_path: Path
    public_path: Path
    fingerprint: str  # SHA-256 of the raw 32-byte public key, hex


def default_private_path(data_dir: Path) -> Path:
    return data_dir / KEY_DIR / PRIVATE_NAME


def fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def create_keys(store: Store, actor: str, *, private_path: Path | None = None) -> KeyInfo:
    """Create a signing key pair; refuse to replace an existing private key."""
    path = private_path or default_private_path(store.settings.data_dir)
    public_path = path.with_name(path.name.removesuffix(".pem") + ".pub.pem")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL: never overwrite a key that signed earlier bundles; 0600 from the start
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise Conflict(f"a signing key already exists at {path}; it is never replaced") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    public_path.write_bytes(public_pem(key.public_key()))
    info = KeyInfo(path, public_path, fingerprint(key.public_key()))
    with store.write() as session:
        audit.append(
            session,
            actor=actor,
            action="signing_key.created",
            case_id=None,
            target=f"key:{info.fingerprint}",
            details={"algorithm": "Ed25519", "public_key": str(public_path)},
        )
    return info


def load_private_key(path: Path) -> Ed25519PrivateKey:
    data = _read_key_file(path, "signing key", "run `threadline keys create` first")
    if path.stat().st_mode & 0o077:
        raise ValidationError(
            f"signing key {path} is readable by others: `chmod 600 {path}` before signing"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValidationError(f"{path} is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValidationError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    return parse_public_key(_read_key_file(path, "public key", "check the path"), str(path))


def parse_public_key(data: bytes, label: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValidationError(f"{label} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValidationError(f"{label} is not an Ed25519 public key")
    return key


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    """The detached signature as one line of base64 text."""
    return base64.b64encode(key.sign(data)) + b"\n"


def signature_valid(public_key: Ed25519PublicKey, data: bytes, signature_file: bytes) -> bool:
    try:
        raw = base64.b64decode(signature_file.strip(), validate=True)
        public_key.verify(raw, data)
    except (ValueError, InvalidSignature):
        return False
    return True


def _read_key_file(path: Path, label: str, hint: str) -> bytes:
    if not path.is_file():
        raise NotFound(f"no {label} at {path}: {hint}")
    if path.stat().st_size > MAX_KEY_FILE:
        raise ValidationError(f"{path} is too large to be a key")
    return path.read_bytes()
