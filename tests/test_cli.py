"""The real `threadline` command, run as a subprocess the way users and scripts run it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PURPOSE = "Identify operations behind escort ads in the region"
BASIS = "Court order 2026/114 under national anti-trafficking law"


def tl(data_dir: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_")}
    env.update(THREADLINE_DATA_DIR=str(data_dir), THREADLINE_ACTOR="cli-tester", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "threadline", *args],
        env=env,
        input=stdin.decode() if stdin else None,
        capture_output=True,
        text=True,
        timeout=300,
    )


def first_admin(data_dir: Path, name: str = "cli-tester") -> None:
    """The acting user of `tl` as the first user: admin, and supervisor to open cases."""
    r = tl(data_dir, "user", "create", name, "--role", "admin", "--role", "supervisor")
    assert r.returncode == 0, r.stderr


def test_case_create_list_show(tmp_path: Path) -> None:
    first_admin(tmp_path)
    r = tl(
        tmp_path,
        "case",
        "create",
        "river",
        "--purpose",
        PURPOSE,
        "--legal-basis",
        BASIS,
        "--retention-days",
        "30",
    )
    assert r.returncode == 0, r.stderr
    assert "Created case river" in r.stdout
    listed = [
        json.loads(line)
        for line in tl(tmp_path, "case", "list", "--format", "json").stdout.splitlines()
    ]
    assert [(c["name"], c["owner"], c["retention_days"]) for c in listed] == [
        ("river", "cli-tester", 30)
    ]
    shown = tl(tmp_path, "case", "show", "river")
    assert PURPOSE in shown.stdout and BASIS in shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--legal-basis", BASIS], "a case needs a purpose"),
        (["--purpose", PURPOSE], "a case needs a legal basis"),
    ],
)
def test_case_without_purpose_or_legal_basis_fails_clearly(
    tmp_path: Path, args: list[str], message: str
) -> None:
    first_admin(tmp_path)
    r = tl(tmp_path, "case", "create", "river", *args)
    assert r.returncode == 1
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_audit_verify_exit_code_follows_the_chain(tmp_path: Path) -> None:
    first_admin(tmp_path)  # event 1
    for name in ("a", "b", "c"):
        tl(tmp_path, "case", "create", name, "--purpose", PURPOSE, "--legal-basis", BASIS)
    ok = tl(tmp_path, "audit", "verify")
    assert ok.returncode == 0 and "audit chain OK: 4 events" in ok.stdout
    with sqlite3.connect(tmp_path / "threadline.db") as db:
        db.execute("UPDATE audit_events SET actor = 'nobody' WHERE seq = 2")
    broken = tl(tmp_path, "audit", "verify", "--format", "json")
    assert broken.returncode == 1
    assert json.loads(broken.stdout)["first_broken_seq"] == 2


def test_ingest_summary_and_quarantine_list(tmp_path: Path) -> None:
    first_admin(tmp_path)
    tl(tmp_path, "case", "create", "river", "--purpose", PURPOSE, "--legal-basis", BASIS)
    corpus = tmp_path / "[bold red]evil.jsonl"  # markup in a file name stays text
    corpus.write_bytes(
        b'{"id": "1", "text": "hello"}\n{"id": 2, "text": \n{"id": "3", "text": "bye"}\n'
    )
    r = tl(tmp_path, "ingest", str(corpus), "--case", "river", "--output", "json")
    assert r.returncode == 0, r.stderr
    (src,) = json.loads(r.stdout)["sources"]
    assert (src["read"], src["stored"], src["duplicate"], src["quarantined"]) == (3, 2, 0, 1)
    table = tl(tmp_path, "ingest", str(corpus), "--case", "river").stdout
    assert "[bold red]evil.jsonl" in table and "already ingested" in table
    q = tl(tmp_path, "quarantine", "list", "--case", "river", "--format", "json")
    (item,) = [json.loads(line) for line in q.stdout.splitlines()]
    assert item["locator"] == "line 2" and "JSON" in item["reason"]


def test_audit_log_shows_events_as_text(tmp_path: Path) -> None:
    first_admin(tmp_path)
    tl(
        tmp_path,
        "case",
        "create",
        "<script>x</script>",
        "--purpose",
        PURPOSE,
        "--legal-basis",
        BASIS,
    )
    events = [
        json.loads(line)
        for line in tl(tmp_path, "audit", "log", "--format", "json").stdout.splitlines()
    ]
    assert [e["action"] for e in events] == ["user.created", "case.created"]
    assert events[1]["details"]["name"] == "<script>x</script>"


@pytest.mark.slow
def test_demo_runs_from_nothing_and_is_rerunnable(tmp_path: Path) -> None:
    first = tl(tmp_path, "demo", "--count", "400")
    assert first.returncode == 0, first.stderr
    assert "created 'cli-tester' as a local admin" in first.stdout
    assert "audit chain OK" in first.stdout
    second = tl(tmp_path, "demo", "--count", "400")
    assert second.returncode == 0, second.stderr
    assert "already ingested" in second.stdout and "local admin" not in second.stdout
    cases = [
        json.loads(line)
        for line in tl(tmp_path, "case", "list", "--format", "json").stdout.splitlines()
    ]
    (demo,) = cases
    assert demo["name"] == "demo" and demo["records"] == 400


def test_error_messages_quoting_user_input_are_not_read_as_markup(tmp_path: Path) -> None:
    result = tl(tmp_path, "case", "show", "[red]x[/red]")
    assert result.returncode == 1
    assert "[red]x[/red]" in result.stderr
