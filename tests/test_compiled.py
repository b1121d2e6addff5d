"""The compiled hot path (mypyc, see setup.py) gives exactly what its interpreted source gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import threadline
from threadline.compiled import EXTENSION_SUFFIXES, status

HERE = Path(__file__).resolve().parent
EVAL = HERE / "data" / "extract_eval.jsonl"
PACKAGE = Path(threadline.__file__).resolve().parent
needs_compiled = pytest.mark.skipif(
    not status().loaded_compiled, reason="built with THREADLINE_PURE_PYTHON=1: nothing compiled"
)


def _probe(tmp_path: Path, pythonpath: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    run = subprocess.run(
        [sys.executable, str(HERE / "compiled_probe.py"), str(EVAL), "600"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def test_the_build_manifest_lists_current_sources() -> None:
    s = status()
    assert len(s.modules) >= 20 and "threadline.extract.scan" in s.modules
    assert s.stale == (), f"compiled modules older than their source: {s.stale}; reinstall"
    if s.built:
        assert s.loaded_compiled == s.modules  # every listed module imports compiled


@needs_compiled
def test_compiled_and_interpreted_give_identical_results(tmp_path: Path) -> None:
    source = tmp_path / "pure"
    shutil.copytree(
        PACKAGE,
        source / "threadline",
        ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"),
    )
    compiled = _probe(tmp_path, None)
    interpreted = _probe(tmp_path, str(source))
    assert compiled["scan_module"].endswith(EXTENSION_SUFFIXES)
    assert interpreted["scan_module"] == str(source / "threadline/extract/scan.py")
    a, b = compiled["results"], interpreted["results"]
    assert len(a) == len(b) > 600
    assert sum(len(r["mentions"]) for r in a) > 1000 and sum(len(r["signals"]) for r in a) > 300
    assert not [e for r in a + b for e in r["errors"] if "internal error" in e]
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    assert not diffs, (
        f"{len(diffs)} records differ, first {diffs[0]}: {a[diffs[0]]} != {b[diffs[0]]}"
    )
