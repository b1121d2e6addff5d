"""The output folder of an export: must be new or empty, and nothing is written outside it.

Every file is created through `OutputFolder.create`, which takes a relative
path built by the exporter, checks it lies inside the folder, and opens it
with O_EXCL | O_NOFOLLOW, so neither a pre-placed file nor a symlink can
redirect a write.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from threadline.errors import Conflict, ValidationError

CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class WrittenFile:
    path: str  # POSIX, relative to the folder
    sha256: str
    size: int


def safe_relative(path: str) -> PurePosixPath:
    """A relative POSIX path with no '..', no absolute part and no odd characters."""
    if not isinstance(path, str) or not path or "\x00" in path or "\\" in path:
        raise ValidationError(f"not a safe relative path: {path!r}")
    pure = PurePosixPath(path)
    if pure.is_absolute() or any(part in ("..", ".", "") for part in pure.parts):
        raise ValidationError(f"path leaves the folder: {path!r}")
    if path != str(pure):
        raise ValidationError(f"path is not in normal form: {path!r}")
    return pure


class OutputFolder:
    def __init__(self, path: Path) -> None:
        if path.is_symlink():
            raise ValidationError(f"output folder {path} is a symbolic link; give a real folder")
        if path.exists():
            if not path.is_dir():
                raise ValidationError(f"{path} exists and is not a folder")
            if any(path.iterdir()):
                raise Conflict(f"output folder {path} is not empty; give a new or empty folder")
            self.created = False
        else:
            path.mkdir(parents=True)
            self.created = True
        self.root = path.resolve()
        self.files: list[WrittenFile] = []

    def create(self, relative: str) -> tuple[Path, BinaryIO]:
        rel = safe_relative(relative)
        target = self.root.joinpath(*rel.parts)
        parent = target.parent
        parent.mkdir(parents=True, exist_ok=True)
        if parent.resolve() != parent or not parent.is_relative_to(self.root):
            raise ValidationError(f"path leaves the output folder: {relative!r}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        fd = os.open(target, flags, 0o644)
        return target, os.fdopen(fd, "wb")

    def write_bytes(self, relative: str, data: bytes) -> WrittenFile:
        _, fh = self.create(relative)
        with fh:
            fh.write(data)
        entry = WrittenFile(relative, hashlib.sha256(data).hexdigest(), len(data))
        self.files.append(entry)
        return entry

    def copy_stream(self, relative: str, src: BinaryIO, length: int | None = None) -> WrittenFile:
        """Copy up to `length` bytes (all if None) in bounded memory, hashing as it goes."""
        digest = hashlib.sha256()
        size = 0
        _, fh = self.create(relative)
        with fh:
            while length is None or size < length:
                want = CHUNK if length is None else min(CHUNK, length - size)
                chunk = src.read(want)
                if not chunk:
                    break
                digest.update(chunk)
                fh.write(chunk)
                size += len(chunk)
        entry = WrittenFile(relative, digest.hexdigest(), size)
        self.files.append(entry)
        return entry

    def discard(self) -> None:
        """Remove what this export wrote (after a failure), and the folder if it made it."""
        for entry in self.files:
            self.root.joinpath(*PurePosixPath(entry.path).parts).unlink(missing_ok=True)
        if self.created:
            shutil.rmtree(self.root, ignore_errors=True)
