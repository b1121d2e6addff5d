"""The safeguards through the real `threadline` command: in-process with Typer's runner
(fast), and one refusal as a subprocess to pin the exit code a script sees."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from safeguards_helpers import ADS, BASIS, PHONE, PURPOSE
from threadline.cli import app
from threadline.cli import commands as _commands  # noqa: F401  (registers the commands)

REFUSED = 3


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def tl(data_dir: Path, actor: str, *args: str) -> Ran:
    result = CliRunner().invoke(
        app,
        ["--data-dir", str(data_dir), "--actor", actor, *args],
        env={"COLUMNS": "200"},
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def subprocess_tl(data_dir: Path, actor: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_")}
    env.update(THREADLINE_DATA_DIR=str(data_dir), COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "threadline", "--actor", actor, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def ok(r: Ran) -> Ran:
    assert r.returncode == 0, r.stderr
    return r


def lines(r: Ran) -> list[dict]:
    return [json.loads(line) for line in ok(r).stdout.splitlines()]


def _setup(d: Path) -> None:
    ok(tl(d, "root", "user", "create", "root", "--role", "admin"))
    ok(tl(d, "root", "user", "create", "sue", "--role", "supervisor"))
    ok(tl(d, "root", "user", "create", "sam", "--role", "supervisor"))
    ok(tl(d, "root", "user", "create", "ana", "--role", "analyst"))
    for name, ads in ADS.items():
        ok(tl(d, "sue", "case", "create", name, "--purpose", PURPOSE, "--legal-basis", BASIS))
        path = d / f"{name}.jsonl"
        path.write_text("\n".join(json.dumps(a) for a in ads) + "\n")
        ok(tl(d, "sue", "ingest", str(path), "--case", name))
        ok(tl(d, "sue", "analyze", "--case", name))
    ok(tl(d, "sue", "case", "members", "add", "A", "ana", "--role", "analyst"))
    ok(tl(d, "sue", "case", "members", "add", "A", "sam", "--role", "supervisor"))


def test_an_analyst_of_a_is_refused_everything_on_b_through_the_cli(tmp_path: Path) -> None:
    d = tmp_path
    _setup(d)
    hits = lines(tl(d, "ana", "search", PHONE, "--case", "A", "--format", "json"))
    assert len(hits) == 2 and {h["shown"] for h in hits} == {PHONE}
    b_hits = lines(tl(d, "sue", "search", PHONE, "--case", "B", "--format", "json"))
    b_record = str(b_hits[0]["record_id"])
    for args in (
        ["case", "show", "B"],
        ["search", PHONE, "--case", "B"],
        ["record", "show", b_record, "--case", "B"],
        ["record", "list", "--case", "B"],
        ["quarantine", "list", "--case", "B"],
        ["analyze", "--case", "B"],
        ["ingest", str(d / "A.jsonl"), "--case", "B"],
        ["review", "list", "--case", "B"],
        ["case", "members", "list", "B"],
        ["audit", "log", "--case", "B"],
        ["report", "oversight", "--case", "B"],
    ):
        r = tl(d, "ana", *args)
        assert r.returncode == REFUSED, (args, r.stdout, r.stderr)
        assert "refused:" in r.stderr and "not a member of case 'B'" in r.stderr, args
        assert "Traceback" not in r.stderr
    assert [c["name"] for c in lines(tl(d, "ana", "case", "list", "--format", "json"))] == ["A"]
    real = subprocess_tl(d, "ana", "case", "show", "B")
    assert real.returncode == REFUSED and "not a member of case 'B'" in real.stderr
    refusals = lines(tl(d, "sue", "report", "oversight", "--case", "B", "--format", "json"))[0][
        "refusals"
    ]
    assert len(refusals) == 12 and {r["actor"] for r in refusals} == {"ana"}


def test_review_approve_and_report_through_the_cli(tmp_path: Path) -> None:
    d = tmp_path
    _setup(d)
    rid = str(
        lines(tl(d, "ana", "search", PHONE, "--case", "A", "--format", "json"))[0]["record_id"]
    )
    no_reason = tl(d, "sue", "review", "record", rid, "--case", "A", "--decision", "dismissed",
                   "--rationale", "Not what it seemed at all")  # fmt: skip
    assert no_reason.returncode == 1 and "needs a reason" in no_reason.stderr
    ok(tl(d, "sue", "review", "record", rid, "--case", "A", "--decision", "confirmed",
          "--rationale", "Matches the source page"))  # fmt: skip
    link = f"{int(rid) + 1}-{rid}"
    ok(tl(d, "sue", "review", "link", link, "--case", "A", "--decision", "dismissed",
          "--reason", "erroneous_link", "--rationale", "Different people"))  # fmt: skip
    reviews = lines(tl(d, "ana", "review", "list", "--case", "A", "--format", "json"))
    assert [(r["target"], r["decision"]) for r in reviews] == [
        (f"link:{rid}-{int(rid) + 1}", "dismissed"),
        (f"record:{rid}", "confirmed"),
    ]
    shown = ok(tl(d, "ana", "record", "show", rid, "--case", "A")).stdout
    assert "Matches the source page" in shown and "+1 415 555 0134" in shown
    own = tl(d, "sue", "approve", "export", "--case", "A", "--target", f"record:{rid}",
             "--requester", "sue", "--rationale", "I approve my own export")  # fmt: skip
    assert own.returncode == REFUSED and "four eyes" in own.stderr
    ok(tl(d, "sam", "approve", "export", "--case", "A", "--target", f"record:{rid}",
          "--requester", "ana", "--rationale", "Requested by the prosecutor"))  # fmt: skip
    (report,) = lines(tl(d, "sue", "report", "oversight", "--case", "A", "--format", "json"))
    assert report["reviews"]["dismissal_rate"] == {"link": 1.0, "record": 0.0}
    assert [a["actor"] for a in report["approvals"]] == ["sam"]
    assert [r["details"]["reason"][:10] for r in report["refusals"]] == ["four eyes:"]
    text = ok(tl(d, "sue", "report", "oversight", "--case", "A")).stdout
    assert "Oversight report for case A" in text and "export approvals" in text
    ok(tl(d, "root", "audit", "verify"))


def test_retention_run_purges_and_the_chain_still_verifies(tmp_path: Path) -> None:
    d = tmp_path
    ok(tl(d, "root", "user", "create", "root", "--role", "admin", "--role", "supervisor"))
    ok(tl(d, "root", "case", "create", "old", "--purpose", PURPOSE, "--legal-basis", BASIS,
          "--retention-days", "1"))  # fmt: skip
    path = d / "ads.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ADS["A"]) + "\n")
    ok(tl(d, "root", "ingest", str(path), "--case", "old"))
    assert "no case is past" in ok(tl(d, "root", "retention", "run")).stdout
    with sqlite3.connect(d / "threadline.db") as db:
        db.execute("UPDATE cases SET retain_until = '2020-01-01 00:00:00.000000'")
    shown = tl(d, "root", "case", "show", "old")
    assert shown.returncode == REFUSED and "passed its retention deadline" in shown.stderr
    (dry,) = lines(tl(d, "root", "retention", "run", "--dry-run", "--format", "json"))
    assert dry["rows"]["records"] == 3 and dry["blobs"] == 1 and dry["dry_run"]
    done = ok(tl(d, "root", "retention", "run")).stdout
    assert "purged case old" in done and "3 records" in done
    assert [p for p in (d / "blobs").rglob("*") if p.is_file()] == []  # its only blob went
    verify = ok(tl(d, "root", "audit", "verify"))
    assert "audit chain OK" in verify.stdout
    purged = tl(d, "root", "case", "show", "old")
    assert purged.returncode == REFUSED and "was purged" in purged.stderr
