from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from threadline.store import BlobStore, Store
from threadline.store.migrate import current_revision, head_revision
from threadline.store.models import Base


def test_migrations_build_the_schema_the_models_describe(store: Store) -> None:
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_reopening_a_store_keeps_its_data(store: Store) -> None:
    from conftest import add_user
    from threadline.cases import create_case, list_cases

    create_case(store, add_user(store, "tester"), "kept", "Purpose of the case", "Legal basis")
    again = Store(store.settings)
    assert [c.name for c in list_cases(again, "tester")] == ["kept"]
    again.dispose()


def test_sqlite_runs_in_wal_mode(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_blob_is_named_by_its_sha256_and_read_only(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    ref = blobs.put_bytes(b"ad text as acquired")
    assert ref.path.name == ref.sha256
    assert ref.path.read_bytes() == b"ad text as acquired"
    assert not ref.path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []  # no temp file left behind


def test_storing_the_same_bytes_twice_keeps_one_untouched_file(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    src = tmp_path / "crawl.jsonl"
    src.write_bytes(b'{"id": 1}\n' * 1000)
    first = blobs.put_file(src)
    mtime = first.path.stat().st_mtime_ns
    second = blobs.put_bytes(src.read_bytes())
    assert second.sha256 == first.sha256 and second.size == src.stat().st_size
    assert first.path.stat().st_mtime_ns == mtime


def test_blob_verify_detects_changed_bytes(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    ref = blobs.put_bytes(b"original bytes")
    assert blobs.verify(ref.sha256)
    os.chmod(ref.path, 0o644)
    ref.path.write_bytes(b"altered bytes")
    assert not blobs.verify(ref.sha256)


@pytest.mark.parametrize("bad", ["", "abc", "../" + "a" * 61, "G" * 64])
def test_blob_names_must_be_hex_digests(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        BlobStore(tmp_path).path(bad)
