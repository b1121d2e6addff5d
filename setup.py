"""Build hook: compile the per-record hot path (extraction, indicator detection) with mypyc.

Why: every record passes through the extractors and the indicator detector,
whose work is many small string and regex steps over adversarial text; run
by the interpreter they managed about 2,400 and 1,800 ads per CPU-second
(benchmarks/RESULTS.md), below the 3,000 per core the project targets.
mypyc (part of mypy) compiles these same type-annotated modules to C
extensions: one source, no hand-written C; `tests/test_compiled.py` checks
that the compiled modules give exactly what the interpreted source gives on
the evaluation set and a synthetic corpus.

``THREADLINE_PURE_PYTHON=1`` skips compilation (a machine without a C
compiler, or working on these modules: the compiled module shadows its .py
file in an editable install until the next ``pip install -e .``, and
`threadline.compiled` warns when it is stale).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
# the modules compiled, relative to src/; `threadline.compiled` lists them too
COMPILED = [
    "threadline/extract/base.py",
    "threadline/extract/bounded.py",
    "threadline/extract/deobfuscate.py",
    "threadline/extract/engine.py",
    "threadline/extract/mention.py",
    "threadline/extract/numbers.py",
    "threadline/extract/scan.py",
    *sorted(
        str(p.relative_to(ROOT / "src"))
        for p in (ROOT / "src/threadline/extract/extractors").glob("*.py")
    ),
    "threadline/immutable.py",
    "threadline/indicators/detect.py",
    "threadline/indicators/matcher.py",
    "threadline/indicators/rules.py",
    "threadline/indicators/score.py",
    "threadline/indicators/signal.py",
    "threadline/indicators/words.py",
]
MANIFEST = ROOT / "src/threadline/compiled.json"


def _write_manifest(compiled: bool) -> None:
    """The SHA-256 of each compiled source, so a stale build can be told from a current one."""
    digests = {
        path: hashlib.sha256((ROOT / "src" / path).read_bytes()).hexdigest() for path in COMPILED
    }
    MANIFEST.write_text(json.dumps({"compiled": compiled, "sources": digests}, indent=1) + "\n")


if os.environ.get("THREADLINE_PURE_PYTHON") == "1":
    _write_manifest(False)
    setup()
else:
    from mypyc.build import mypycify

    _write_manifest(True)
    setup(
        ext_modules=mypycify(
            ["--ignore-missing-imports", "--follow-imports=silent"]
            + [f"src/{path}" for path in COMPILED],
            opt_level="3",
        )
    )
