"""`threadline keys create`, `export` and `verify`, run as the real command."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_settings
from evidence_corpus import PHONE, build
from threadline.store import Store

pytestmark = pytest.mark.slow


def tl(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_")}
    env.update(THREADLINE_DATA_DIR=str(data_dir), THREADLINE_ACTOR="cli-lead", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "threadline", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    store = Store(make_settings(tmp / "data"))
    try:
        build(store, tmp)
    finally:
        store.dispose()
    return tmp / "data"


def test_export_needs_a_key_then_bundles_verify_and_tampering_fails(
    data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bundle"
    r = tl(data_dir, "export", "--case", "river", "--records", "1,2", "--out", str(out))
    assert r.returncode == 1 and "threadline keys create" in r.stderr
    assert not out.exists()

    pub = tmp_path / "lead.pub.pem"
    r = tl(data_dir, "keys", "create", "--public-out", str(pub))
    assert r.returncode == 0, r.stderr
    private = data_dir / "keys" / "evidence-signing.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert pub.read_bytes() == (data_dir / "keys" / "evidence-signing.pub.pem").read_bytes()
    again = tl(data_dir, "keys", "create")
    assert again.returncode == 1 and "never replaced" in again.stderr

    r = tl(
        data_dir,
        "export",
        "--case",
        "river",
        "--records",
        "1,2,5",
        "--format",
        "bundle",
        "--out",
        str(out),
        "--output",
        "json",
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["records"] == 3 and summary["pseudonymized"] is True
    assert PHONE not in (out / "facts" / "records.jsonl").read_text()

    ok = tl(data_dir, "verify", str(out), "--public-key", str(pub))
    assert ok.returncode == 0 and "bundle OK" in ok.stdout
    (out / "facts" / "mentions.jsonl").write_text("[]\n")
    bad = tl(data_dir, "verify", str(out), "--public-key", str(pub), "--output", "json")
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["altered"] == ["facts/mentions.jsonl"]

    again = tl(data_dir, "export", "--case", "river", "--records", "1", "--out", str(out))
    assert again.returncode == 1 and "not empty" in again.stderr


@pytest.mark.parametrize("fmt,name", [("case", "case.jsonld"), ("ftm", "entities.ftm.json")])
def test_case_and_ftm_exports(data_dir: Path, tmp_path: Path, fmt: str, name: str) -> None:
    out = tmp_path / fmt
    r = tl(
        data_dir,
        "export",
        "--case",
        "river",
        "--records",
        "1,2",
        "--format",
        fmt,
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    assert [p.name for p in out.iterdir()] == [name]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--records", "1,x"], "comma"),
        (["--records", "999"], "no record 999"),
        (["--records", "1", "--format", "pdf"], "unknown format"),
    ],
)
def test_export_errors_are_clear(
    data_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    r = tl(data_dir, "export", "--case", "river", "--out", str(tmp_path / "o"), *args)
    assert r.returncode == 1 and message in r.stderr
    assert not (tmp_path / "o").exists()


def test_verify_of_a_folder_that_is_not_there(data_dir: Path, tmp_path: Path) -> None:
    r = tl(data_dir, "verify", str(tmp_path / "none"))
    assert r.returncode == 1 and "no bundle folder" in r.stderr


def test_the_export_gate_refuses_unconfirmed_and_unapproved_exports(
    data_dir: Path, tmp_path: Path
) -> None:
    tl(data_dir, "keys", "create")  # idempotent for this test: an existing key is kept
    image = _image_record(data_dir)
    out = tmp_path / "o"
    review = ("review", "record", str(image), "--case", "river", "--decision", "needs_more")
    r = tl(data_dir, *review, "--rationale", "Check who took this photo before it leaves")
    assert r.returncode == 0, r.stderr
    args = ("--case", "river", "--records", str(image), "--out", str(out))
    unconfirmed = tl(data_dir, "export", *args)
    assert unconfirmed.returncode == 3 and "needs_more" in unconfirmed.stderr, unconfirmed.stderr
    clear = tl(
        data_dir, "export", "--case", "river", "--records", "1", "--personal-data",
        "--format", "ftm", "--out", str(out),
    )  # fmt: skip
    assert clear.returncode == 3 and "approv" in clear.stderr
    assert not out.exists()
    r = tl(
        data_dir, "approve", "export", "--case", "river", "--target", "record:1",
        "--requester", "cli-lead", "--rationale", "Court requested identifiers of this record",
    )  # fmt: skip
    assert r.returncode == 3 and "four eyes" in r.stderr
    r = tl(
        data_dir, "--actor", "lead", "approve", "export", "--case", "river", "--target",
        "record:1", "--requester", "cli-lead", "--rationale", "Court requested this record's IDs",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    approved = tl(
        data_dir, "export", "--case", "river", "--records", "1", "--personal-data",
        "--format", "ftm", "--out", str(out), "--output", "json",
    )  # fmt: skip
    assert approved.returncode == 0, approved.stderr
    assert json.loads(approved.stdout)["pseudonymized"] is False
    log = tl(data_dir, "audit", "log", "--case", "river", "--format", "json", "--limit", "40")
    assert "export.refused" in log.stdout and "export.completed" in log.stdout


def _image_record(data_dir: Path) -> int:
    store = Store(make_settings(data_dir))
    try:
        from sqlalchemy import select

        from threadline.store.models import Record

        with store.read() as session:
            return session.scalars(select(Record.id).where(Record.kind == "image")).first()
    finally:
        store.dispose()


def test_a_reviewed_network_exports_with_all_its_records(data_dir: Path, tmp_path: Path) -> None:
    nets = tl(data_dir, "networks", "--case", "river", "--format", "json")
    assert nets.returncode == 0, nets.stderr
    rows = [json.loads(line) for line in nets.stdout.splitlines() if line.strip()]
    rows = rows[0] if len(rows) == 1 and isinstance(rows[0], list) else rows
    net = max(rows, key=lambda n: n["records"])
    out = tmp_path / "net"
    args = ("--case", "river", "--network", net["network"], "--format", "case", "--out", str(out))
    refused = tl(data_dir, "export", *args)
    assert refused.returncode == 3 and "not been reviewed" in refused.stderr
    review = ("review", "network", net["network"], "--case", "river", "--decision", "confirmed")
    assert tl(data_dir, *review, "--rationale", "One author across the cities").returncode == 0
    done = tl(data_dir, "export", *args, "--output", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["records"] == net["records"] and summary["pseudonymized"] is True
