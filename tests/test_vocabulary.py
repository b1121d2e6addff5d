"""Review-first vocabulary: nothing threadline shows calls a record "trafficking".

The words are "indicators", "risk", "for review". Citations are exempt: the
titles of studies and journals ("J. Human Trafficking") are references, not
verdicts about a record. Checked three ways: the real commands' output on a
synthetic case, the source strings of the modules that produce output, and the
catalogue's indicator ids, names and categories.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from threadline.indicators import load_catalogue
from threadline.indicators.wording import _python_strings, verdicts
from threadline.synth import generate

SRC = Path(__file__).resolve().parents[1] / "src" / "threadline"
OUTPUT_MODULES = [
    *sorted((SRC / "cli").glob("*.py")),
    SRC / "screen.py",
    SRC / "risk.py",
    SRC / "explain.py",
    SRC / "bias_case.py",
    SRC / "analyze.py",
]
CLI_HELP = "Privacy-by-design intelligence against human trafficking."  # the mission, not a record


def _flat(text: str) -> str:
    return " ".join(text.split())


def _without_citations(text: str) -> str:
    text = _flat(text)
    for source in load_catalogue().sources.values():
        text = text.replace(_flat(source.short), "")
    return text.replace(CLI_HELP, "")


ACTOR = "t"


def _run(data_dir: Path, *args: str, stdin: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_")}
    env.update(THREADLINE_DATA_DIR=str(data_dir), THREADLINE_ACTOR=ACTOR, COLUMNS="120")
    r = subprocess.run(
        [sys.executable, "-m", "threadline", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout + r.stderr


@pytest.mark.slow
def test_command_output_never_calls_a_record_trafficking(tmp_path: Path) -> None:
    corpus = [ad for ad, _ in generate(120, 11)]
    lines = "\n".join(json.dumps(a) for a in corpus)
    path = tmp_path / "ads.jsonl"
    path.write_text(lines, "utf-8")
    outputs = [_run(tmp_path, "screen", stdin=lines)]
    outputs.append(
        _run(tmp_path, "user", "create", ACTOR, "--role", "admin", "--role", "supervisor")
    )
    outputs.append(
        _run(
            tmp_path,
            "case",
            "create",
            "c",
            "--purpose",
            "Review synthetic ads for risk",
            "--legal-basis",
            "Synthetic data only, no persons",
        )
    )
    outputs.append(_run(tmp_path, "ingest", "--case", "c", str(path)))
    outputs.append(_run(tmp_path, "analyze", "--case", "c"))
    outputs.append(_run(tmp_path, "analyze", "--case", "c", "--output", "json"))
    ids = [a["id"] for a in corpus if a["kind"] == "ad"][:3]
    ids += [a["id"] for a in corpus if a["kind"] == "job_ad"][:3]
    for rid in ids:
        outputs.append(_run(tmp_path, "explain", rid, "--case", "c"))
        outputs.append(_run(tmp_path, "explain", rid, "--case", "c", "--format", "json"))
    outputs.append(_run(tmp_path, "report", "bias", "--case", "c", "--min-group", "5"))
    outputs.append(_run(tmp_path, "report", "bias", "--case", "c", "--format", "json"))
    outputs.append(_run(tmp_path, "--help"))
    for out in outputs:
        assert out.strip()
        assert "traffick" not in _without_citations(out).lower()


@pytest.mark.parametrize("path", OUTPUT_MODULES, ids=lambda p: p.name)
def test_output_modules_use_review_first_wording(path: Path) -> None:
    for line, text in _python_strings(path):
        assert not verdicts(text), f"{path.name}:{line}: {verdicts(text)}"


def test_catalogue_names_never_say_trafficking() -> None:
    cat = load_catalogue()
    for ind in cat.indicators:
        for text in (ind.id, ind.name, ind.category):
            assert "traffick" not in text.lower(), ind.id


def test_the_wording_check_catches_a_verdict() -> None:
    assert verdicts("This ad is likely trafficking; flagged as trafficking")
    assert not verdicts("risk 0.93, for review; indicators: phone_obfuscated")
