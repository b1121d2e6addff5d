"""An ingest killed half-way (SIGKILL of a real process) and run again ends as one clean run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from conftest import add_user
from threadline import audit
from threadline.cases import create_case
from threadline.config import Settings
from threadline.store import Store
from threadline.store.models import AuditEvent, Blob, QuarantinedItem, Record, Source

pytestmark = pytest.mark.slow

LINES = 20_000
BATCH = 200


def _corpus(path: Path) -> None:
    with path.open("wb") as fh:
        for i in range(LINES):
            if i % 997 == 0:
                fh.write(b'{"id": "broken ' + str(i).encode() + b'"\n')  # quarantined
                continue
            obj = {"id": f"ad-{i}", "text": f"Ad number {i} " + "lorem ipsum " * 20, "city": "Reno"}
            fh.write(json.dumps(obj).encode() + b"\n")
            if i % 101 == 0:
                fh.write(json.dumps(obj).encode() + b"\n")  # a duplicate line


def _run(data_dir: Path, url: str, corpus: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "THREADLINE_DATA_DIR": str(data_dir),
        "THREADLINE_DATABASE_URL": url,
        "THREADLINE_ACTOR": "tester",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "threadline",
            "ingest",
            str(corpus),
            "--case",
            "river",
            "--batch-size",
            str(BATCH),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _snapshot(url: str, data_dir: Path) -> dict[str, object]:
    store = Store(Settings.load(data_dir=data_dir, database_url=url), migrate=False)
    with store.read() as s:
        snap = {
            "records": sorted(
                s.execute(
                    select(
                        Record.content_sha256,
                        Record.external_id,
                        Record.text,
                        Record.raw_offset,
                        Record.raw_length,
                    )
                ).all()
            ),
            "sources": s.execute(
                select(
                    Source.sha256,
                    Source.status,
                    Source.read_count,
                    Source.stored_count,
                    Source.duplicate_count,
                    Source.quarantined_count,
                )
            ).all(),
            "quarantine": sorted(
                s.execute(
                    select(
                        QuarantinedItem.raw_offset,
                        QuarantinedItem.reason,
                        QuarantinedItem.blob_sha256,
                    )
                ).all()
            ),
            "blobs": sorted(s.scalars(select(Blob.sha256)).all()),
        }
    store.dispose()
    return snap


def _count_records(url: str) -> int:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM records")).scalar() or 0
    except Exception:
        return 0  # schema not created yet
    finally:
        engine.dispose()


def _second_url(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'clean' / 'threadline.db'}"
    return request.getfixturevalue("pg_url_2")


@pytest.fixture
def pg_url_2(pg_url: str) -> str:
    """A second fresh PostgreSQL database for the clean run."""
    import uuid

    import psycopg

    name = f"threadline_test_{uuid.uuid4().hex[:12]}"
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_killed_ingest_resumes_to_the_same_store_as_a_clean_run(
    tmp_path: Path, database_url: str, request: pytest.FixtureRequest
) -> None:
    corpus = tmp_path / "ads.jsonl"
    _corpus(corpus)
    clean_url = _second_url(database_url, tmp_path, request)
    purpose, basis = "Resume test on synthetic ads", "Synthetic data, no legal basis needed"
    for data_dir, url in [(tmp_path / "killed", database_url), (tmp_path / "clean", clean_url)]:
        s = Store(Settings.load(data_dir=data_dir, database_url=url, actor="tester"))
        create_case(s, add_user(s, "tester"), "river", purpose, basis)
        s.dispose()

    proc = _run(tmp_path / "killed", database_url, corpus)
    deadline = time.monotonic() + 120
    while _count_records(database_url) < 3 * BATCH:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "ingest made no progress"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = _count_records(database_url)
    assert 0 < partial < LINES, "the kill must land half-way"

    resumed = _run(tmp_path / "killed", database_url, corpus)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err.decode()
    assert "resumed" in out.decode()
    clean = _run(tmp_path / "clean", clean_url, corpus)
    _, err = clean.communicate(timeout=300)
    assert clean.returncode == 0, err.decode()

    got = _snapshot(database_url, tmp_path / "killed")
    want = _snapshot(clean_url, tmp_path / "clean")
    assert got == want
    assert len(want["quarantine"]) == 21  # type: ignore[arg-type]
    (source,) = want["sources"]  # type: ignore[misc]
    assert source[1] == "complete" and source[2] == source[3] + source[4] + source[5]

    store = Store(Settings.load(data_dir=tmp_path / "killed", database_url=database_url))
    with store.read() as s:
        assert audit.verify(s, store.settings.audit_checkpoint, database_url).ok
        actions = s.scalars(select(AuditEvent.action)).all()
        assert "source.ingest_resumed" in actions
        assert s.scalar(select(func.count()).select_from(Record)) == len(want["records"])  # type: ignore[arg-type]
    store.dispose()
