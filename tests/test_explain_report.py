"""`threadline explain` and `threadline report bias` over a stored, analysed case."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import add_user
from threadline.analyze import analyze_case
from threadline.bias_case import case_bias_report
from threadline.cases import create_case
from threadline.errors import NotFound
from threadline.explain import explain_record
from threadline.ingest.service import ingest_paths
from threadline.store import Store
from threadline.store.models import AuditEvent
from threadline.synth import generate

PURPOSE = "Identify operations behind escort ads in the region"
BASIS = "Court order 2026/114 under national anti-trafficking law"


def tl(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command, as a subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_")}
    env.update(THREADLINE_DATA_DIR=str(data_dir), THREADLINE_ACTOR="cli-tester", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "threadline", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


HOSTILE = "[bold red]FAKE[/bold red] \x1b[31m"
ADS = [
    {
        "id": "a1",
        "title": "New in town",
        "text": f"Sweet young girl {HOSTILE} 100% real, text 4I5 555 OI23",
        "lang": "en",
        "country": "US",
    },
    {"id": "a2", "text": "Hello, nice weather today.", "lang": "en", "country": "US"},
    {"id": "p1", "kind": "report", "text": "A hotline report, no indicators apply."},
]


def _case(store: Store, tmp_path: Path, ads: list[dict], *, analyse: bool = True) -> None:
    add_user(store, "tester")
    create_case(store, "tester", "river", PURPOSE, BASIS)
    path = tmp_path / "ads.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ads), "utf-8")
    ingest_paths(store, "tester", "river", [path])
    if analyse:
        analyze_case(store, "tester", "river")


def test_explain_sums_to_the_score_and_shows_evidence(store: Store, tmp_path: Path) -> None:
    _case(store, tmp_path, ADS)
    r = explain_record(store, "tester", "a1", case_name="river")
    assert r.external_id == "a1" and r.kind == "ad"
    assert r.total == r.value and math.isclose(
        r.baseline + sum(s.contribution for s in r.signals), r.value
    )
    by_id = {s.indicator: s for s in r.signals}
    assert {"phone_obfuscated", "trustworthy_language", "youth_language"} <= set(by_id)
    assert by_id["movement_language"].contribution == 0  # contradicted: shown, adds nothing
    (ev,) = by_id["movement_language"].evidence
    assert (ev.field, ev.match) == ("title", "New in town")
    phone = by_id["phone_obfuscated"].evidence[0]
    assert phone.field == "text" and phone.match == "4I5 555 OI23"
    assert phone.before.endswith("text ") and by_id["phone_obfuscated"].citation
    assert r.catalogue_version.startswith("cat-") and r.calibration_version
    # the same record by its number in the store; audited as a read
    again = explain_record(store, "tester", str(r.record_id))
    assert again.value == r.value
    with store.read() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("record.explained") == 2


def test_explain_refuses_unknown_unanalysed_and_unscored_records(
    store: Store, tmp_path: Path
) -> None:
    _case(store, tmp_path, ADS, analyse=False)
    with pytest.raises(NotFound, match="no record 'zz'"):
        explain_record(store, "tester", "zz", case_name="river")
    with pytest.raises(NotFound, match="threadline analyze --case river"):
        explain_record(store, "tester", "a1", case_name="river")
    analyze_case(store, "tester", "river")
    with pytest.raises(NotFound, match="kind 'report'"):
        explain_record(store, "tester", "p1", case_name="river")


def test_bias_report_over_a_stored_case(store: Store, tmp_path: Path) -> None:
    ads = [ad for ad, _ in generate(400, 5)]
    _case(store, tmp_path, ads)
    reports = case_bias_report(store, "tester", "river", min_group=10)
    assert set(reports) == {"ad", "job_ad"}
    n_ads = sum(a["kind"] == "ad" for a in ads)
    ad = reports["ad"]
    assert ad.n_records == n_ads
    rows = {(r.subject, r.dimension): r for r in ad.rows}
    langs = {g.group for g in rows[("score", "language")].groups}
    assert langs == {a["lang"] for a in ads if a["kind"] == "ad"}
    regions = {g.group for g in rows[("score", "region")].groups}
    assert regions == {a["country"] for a in ads if a["kind"] == "ad"}
    eth = rows[("ethnicity_stated", "ethnicity_nationality")]
    assert eth.by_construction and eth.disparate
    for r in ad.without_outcome_evidence:
        assert r.disparate and r.grade != "outcome-validated"
    with store.read() as session:
        assert "report.bias" in session.scalars(select(AuditEvent.action)).all()


def test_bias_report_needs_scored_records(store: Store, tmp_path: Path) -> None:
    _case(store, tmp_path, ADS, analyse=False)
    with pytest.raises(NotFound, match="no scored records"):
        case_bias_report(store, "tester", "river")


def test_cli_explain_and_report(tmp_path: Path) -> None:
    admin = ("user", "create", "cli-tester", "--role", "admin", "--role", "supervisor")
    assert tl(tmp_path, *admin).returncode == 0
    assert tl(tmp_path, "case", "create", "river", "--purpose", PURPOSE, "--legal-basis", BASIS)
    path = tmp_path / "ads.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ADS), "utf-8")
    assert tl(tmp_path, "ingest", "--case", "river", str(path)).returncode == 0
    early = tl(tmp_path, "explain", "a1", "--case", "river")
    assert early.returncode == 1 and "threadline analyze --case river" in early.stderr
    assert tl(tmp_path, "analyze", "--case", "river").returncode == 0
    text = tl(tmp_path, "explain", "a1", "--case", "river")
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert "phone_obfuscated" in out and "outcome-validated" in out and "Lugo-Graulich" in out
    assert "4I5 555 OI23" in out and "(sum of the contributions)" in out
    assert "[bold red]FAKE[/bold red]" in out  # untrusted text printed as text, not markup
    assert "\x1b" not in out
    data = json.loads(tl(tmp_path, "explain", "a1", "--case", "river", "--format", "json").stdout)
    assert (
        math.fsum([data["baseline"], *(s["contribution"] for s in data["signals"])])
        == (data["value"])
    )
    missing = tl(tmp_path, "explain", "nope", "--case", "river")
    assert missing.returncode == 1 and "no record 'nope'" in missing.stderr
    report = tl(
        tmp_path, "report", "bias", "--case", "river", "--min-group", "1", "--format", "json"
    )
    assert report.returncode == 0, report.stderr
    doc = json.loads(report.stdout)
    assert doc["reports"]["ad"]["n_records"] == 2
    assert tl(tmp_path, "report", "bias", "--case", "river").returncode == 0
