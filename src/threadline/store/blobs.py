"""Content-addressed blob store: files named by the SHA-256 of their bytes.

A blob is written to a temporary file in the same directory, flushed to disk,
then hard-linked to its final name. `link` fails if the name exists, so a
stored blob is never overwritten or modified; blobs are made read-only.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class BlobRef:
    sha256: str
    size: int
    path: Path


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def put_bytes(self, data: bytes) -> BlobRef:
        sha = hashlib.sha256(data).hexdigest()
        final = self.path(sha)
        if final.is_file():
            return BlobRef(sha, len(data), final)
        with self._temp() as (fh, tmp):
            fh.write(data)
            return self._commit(tmp, fh, sha, len(data))

    def put_file(self, source: Path) -> BlobRef:
        """Copy a file in while hashing it, in bounded memory."""
        digest = hashlib.sha256()
        size = 0
        with self._temp() as (fh, tmp), source.open("rb") as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                fh.write(chunk)
                size += len(chunk)
            return self._commit(tmp, fh, digest.hexdigest(), size)

    def verify(self, sha256: str) -> bool:
        """Re-hash a stored blob: True when its bytes still match its name."""
        digest = hashlib.sha256()
        with self.open(sha256) as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    @contextmanager
    def _temp(self) -> Iterator[tuple[BinaryIO, Path]]:
        self._tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self._tmp, prefix="incoming-")
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh, tmp
        finally:
            tmp.unlink(missing_ok=True)

    def _commit(self, tmp: Path, fh: BinaryIO, sha: str, size: int) -> BlobRef:
        fh.flush()
        os.fsync(fh.fileno())
        final = self.path(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(tmp, final)
        except FileExistsError:
            pass  # same name means same bytes: the stored copy stays untouched
        else:
            os.chmod(final, 0o444)
        return BlobRef(sha, size, final)
