"""Hash lists: provenance, import with reported problems, add/disable/remove, export, match-only."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import add_user
from threadline.errors import NotFound, ValidationError
from threadline.hashlists import (
    MatchOnlyRefused,
    add_entry,
    create_list,
    export_entries,
    get_list,
    import_entries,
    list_entries,
    list_lists,
    remove_entry,
    set_enabled,
)
from threadline.hashlists.formats import parse_rows
from threadline.store import Store
from threadline.store.models import AuditEvent

PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_B = "35f10f1ae0675f9e941854ad931f6641899a34dccbbbd4252be9d918faf21407"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
RECEIVED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _curators(request: pytest.FixtureRequest) -> None:
    """Hash lists are curated by supervisors (and admins): the actors here are supervisors."""
    if "store" in request.fixturenames:
        store = request.getfixturevalue("store")
        for name in ("curator", "owner", "analyst", "c"):
            add_user(store, name)


def make(store: Store, name: str = "partner", *, match_only: bool = False) -> None:
    create_list(
        store,
        "curator",
        name,
        supplied_by="Partner NGO hotline",
        received_at=RECEIVED,
        terms="Shared under MoU 2026-07, no redistribution",
        purpose="Triage of ad images for known content",
        match_only=match_only,
    )


def actions(store: Store) -> list[tuple[str, dict]]:
    with store.read() as s:
        return [
            (e.action, json.loads(e.details))
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        ]


def lines(text: str) -> list[bytes]:
    return io.BytesIO(text.encode()).readlines()


def test_provenance_is_required(store: Store) -> None:
    with pytest.raises(ValidationError, match="supplied"):
        create_list(
            store, "c", "x", supplied_by="", received_at=RECEIVED, terms="MoU 1", purpose="triage"
        )
    with pytest.raises(ValidationError, match="received"):
        create_list(
            store, "c", "x", supplied_by="NGO", received_at=None, terms="MoU 1", purpose="triage"
        )
    make(store)
    info = get_list(store, "partner")
    assert (info.supplied_by, info.received_at, info.match_only) == (
        "Partner NGO hotline",
        RECEIVED,
        False,
    )
    assert actions(store)[-1][0] == "hashlist.created"


def test_import_reports_bad_rows_by_line_and_keeps_good_ones(store: Store) -> None:
    make(store)
    text = (
        "hash,type,label,source\n"
        f"{PDQ_A},pdq,ad photo,partner\n"
        f"{PDQ_A.upper()},PDQ,same again,\n"  # a duplicate once normalised
        "zz,pdq\n"  # not hex
        f"{MD5},md5\n"
        f"{SHA},sha1\n"  # unknown type
        "\n"
        f'{PDQ_B},pdq,"quoted, label",x,extra\n'  # five columns
        f"{SHA},sha256,\x07bell\n"
    )
    result = import_entries(store, "curator", "partner", lines(text), "csv")
    assert (result.rows, result.added, result.duplicates) == (4, 3, 1)
    assert [(p.line, p.reason.split(" ")[0]) for p in result.problems] == [
        (4, "a"),
        (6, "unknown"),
        (8, "expected"),
    ]
    assert result.problems[0].raw == "zz,pdq"
    entries = list_entries(store, "partner")
    assert {(e.hash_type, e.value) for e in entries} == {
        ("pdq", PDQ_A),
        ("md5", MD5),
        ("sha256", SHA),
    }
    assert (
        next(e for e in entries if e.hash_type == "sha256").label == "bell"
    )  # control char cleaned
    action, details = actions(store)[-1]
    assert action == "hashlist.imported"
    assert [p["line"] for p in details["problems"]] == [4, 6, 8] and details["added"] == 3


def test_threatexchange_bank_csv_round_trip(store: Store) -> None:
    make(store)
    te = (
        f"{PDQ_B},99244958314735,2021-05-07T18:07:52+0000,test_pdq_samples media_type_photo\n"
        f"{PDQ_A},14230237532781,2021-05-07T18:07:52+0000,\n"
        f"{PDQ_A[:-2]},1,2021-05-07T18:07:52+0000,short\n"
        f"{PDQ_B},1,yesterday,bad time\n"
    )
    result = import_entries(store, "curator", "partner", lines(te), "te")
    assert result.added == 2 and [p.line for p in result.problems] == [3, 4]
    first = list_entries(store, "partner")[0]
    assert first.source == "threatexchange:99244958314735@2021-05-07T18:07:52+0000"
    assert first.label == "test_pdq_samples media_type_photo"
    out = io.StringIO()
    assert export_entries(store, "curator", "partner", out, "te") == 2
    assert out.getvalue().splitlines() == te.splitlines()[:2]
    # and the plain form
    out = io.StringIO()
    export_entries(store, "curator", "partner", out, "csv")
    assert out.getvalue().splitlines()[0] == "hash,type,label,source"
    again = list(parse_rows(lines(out.getvalue()), "csv"))
    assert [(e.value, e.source) for e in again] == [  # type: ignore[union-attr]
        (PDQ_B, first.source),
        (PDQ_A, "threatexchange:14230237532781@2021-05-07T18:07:52+0000"),
    ]


def test_add_disable_remove_are_audited(store: Store) -> None:
    make(store)
    assert add_entry(store, "curator", "partner", "pdq", PDQ_A, label="x") is True
    assert add_entry(store, "curator", "partner", "pdq", PDQ_A) is False
    with pytest.raises(ValidationError):
        add_entry(store, "curator", "partner", "md5", PDQ_A)
    set_enabled(store, "curator", "partner", "pdq", PDQ_A, enabled=False)
    assert get_list(store, "partner").enabled == 0
    with pytest.raises(ValidationError, match="reason"):
        remove_entry(store, "curator", "partner", "pdq", PDQ_A, reason="")
    remove_entry(store, "curator", "partner", "pdq", PDQ_A, reason="withdrawn by the supplier")
    with pytest.raises(NotFound):
        remove_entry(store, "curator", "partner", "pdq", PDQ_A, reason="withdrawn by the supplier")
    assert get_list(store, "partner").entries == 0
    assert [a for a, _ in actions(store)][-4:] == [
        "hashlist.entry_added",
        "hashlist.entry_added",
        "hashlist.entry_disabled",
        "hashlist.entry_removed",
    ]


def test_match_only_lists_never_show_entries(store: Store) -> None:
    make(store, "sealed", match_only=True)
    result = import_entries(store, "curator", "sealed", lines(f"{PDQ_A},pdq\n{PDQ_B[:-1]}x,pdq\n"))
    assert result.added == 1 and result.problems[0].raw is None  # no raw text in the report
    with pytest.raises(MatchOnlyRefused):
        list_entries(store, "sealed")
    with pytest.raises(MatchOnlyRefused, match="--reason"):
        export_entries(store, "curator", "sealed", io.StringIO())
    set_enabled(store, "curator", "sealed", "pdq", PDQ_A, enabled=False)
    assert PDQ_A not in json.dumps(actions(store))  # audit keeps a digest, not the hash
    out = io.StringIO()
    n = export_entries(
        store, "curator", "sealed", out, reason="returned to the supplier on request"
    )
    assert n == 1 and PDQ_A in out.getvalue()
    action, details = actions(store)[-1]
    assert action == "hashlist.exported_match_only" and details["entries"] == 1
    assert [i.name for i in list_lists(store)] == ["sealed"]


def tl(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_")}
    env.update(THREADLINE_DATA_DIR=str(data_dir), THREADLINE_ACTOR="cli-tester", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "threadline", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_hashlist_cli(tmp_path: Path) -> None:
    admin = ("user", "create", "cli-tester", "--role", "admin", "--role", "supervisor")
    assert tl(tmp_path, *admin).returncode == 0
    base = ("--supplied-by", "Partner NGO", "--received-at", "2026-11-20", "--terms", "MoU 7")
    r = tl(tmp_path, "hashlist", "create", "open", *base, "--purpose", "triage of ad images")
    assert r.returncode == 0, r.stderr
    r = tl(tmp_path, "hashlist", "create", "sealed", *base, "--purpose", "triage", "--match-only")
    assert r.returncode == 0, r.stderr
    csv_file = tmp_path / "in.csv"
    csv_file.write_text(f"{PDQ_A},pdq,label a\nnot-a-hash,pdq\n{MD5},md5\n")
    r = tl(tmp_path, "hashlist", "import", "open", str(csv_file))
    assert r.returncode == 1 and "line 2:" in r.stderr and "2 added" in r.stdout
    r = tl(tmp_path, "hashlist", "import", "sealed", "-", stdin=f"{PDQ_B},pdq\n")
    assert r.returncode == 0, r.stderr
    shown = tl(tmp_path, "hashlist", "show", "open").stdout
    assert PDQ_A in shown and "label a" in shown
    sealed = tl(tmp_path, "hashlist", "show", "sealed")
    assert sealed.returncode == 0 and PDQ_B not in sealed.stdout and "match-only" in sealed.stdout
    as_json = json.loads(tl(tmp_path, "hashlist", "show", "sealed", "--format", "json").stdout)
    assert as_json["entries"] == [] and as_json["by_type"] == {"pdq": 1}
    refused = tl(tmp_path, "hashlist", "export", "sealed")
    assert refused.returncode == 1 and PDQ_B not in refused.stdout + refused.stderr
    out = tmp_path / "out.csv"
    r = tl(tmp_path, "hashlist", "export", "open", "--out", str(out))
    assert r.returncode == 0 and PDQ_A in out.read_text()
    assert tl(tmp_path, "hashlist", "disable", "open", MD5, "--type", "md5").returncode == 0
    r = tl(tmp_path, "hashlist", "remove", "open", PDQ_A, "--reason", "withdrawn by supplier")
    assert r.returncode == 0, r.stderr
    listed = [
        json.loads(x)
        for x in tl(tmp_path, "hashlist", "list", "--format", "json").stdout.splitlines()
    ]
    assert {(x["name"], x["entries"], x["enabled"]) for x in listed} == {
        ("open", 1, 0),
        ("sealed", 1, 1),
    }
