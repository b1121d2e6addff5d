"""EMSCAD, the reference benchmark for the job-ad model: verify the file, read its rows.

EMSCAD (Employment Scam Aegean Dataset; Vidros et al., Future Internet 9(1):6,
2017) holds 17,880 job ads, 866 of them fraudulent. It cannot be shipped or
downloaded here; a user supplies the CSV. `verify` accepts only the exact
file — 50,061,601 bytes, SHA-256 59253295...bf60, 17,880 rows, the 18
columns `job_id ... fraudulent` — because partial copies circulate (one
drops the description of every legitimate row, which makes the task
trivially easy). When the file differs, the error says how: size, hash,
columns, row count, or the tell-tale empty descriptions.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from threadline.errors import ThreadlineError

EXPECTED_SIZE = 50_061_601
EXPECTED_SHA256 = "59253295129d8b6a27607f9904f7d4ddf4dbb0ee35e079c7eb51b58b5e62bf60"
EXPECTED_ROWS = 17_880
EXPECTED_FRAUDULENT = 866
COLUMNS = (
    "job_id",
    "title",
    "location",
    "department",
    "salary_range",
    "company_profile",
    "description",
    "requirements",
    "benefits",
    "telecommuting",
    "has_company_logo",
    "has_questions",
    "employment_type",
    "required_experience",
    "required_education",
    "industry",
    "function",
    "fraudulent",
)
DIAGNOSE_LIMIT = 200_000_000  # bytes: larger files are not parsed to explain a mismatch


class EmscadError(ThreadlineError):
    """The EMSCAD file is absent or not the exact published file."""


@dataclass(frozen=True, slots=True)
class Verified:
    path: Path
    size: int
    sha256: str
    rows: int
    fraudulent: int

    @property
    def data_version(self) -> str:
        return "emscad-sha256:" + self.sha256[:16]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    """The CSV's rows as dicts (fields may span lines; long fields allowed)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        yield from csv.DictReader(f)


def diagnose(path: Path) -> list[str]:
    """What is wrong with a file that is not the published EMSCAD: one sentence per finding."""
    findings: list[str] = []
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as f:
            header = next(csv.reader(f), [])
    except OSError as exc:
        return [f"cannot read it: {exc}"]
    if tuple(h.strip() for h in header) != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        findings.append(
            f"its header has {len(header)} columns, expected the 18 columns job_id ... fraudulent"
            + (f" (missing: {', '.join(missing)})" if missing else "")
        )
        return findings
    rows = fraud = legit_empty = fraud_empty = 0
    try:
        for row in read_rows(path):
            rows += 1
            is_fraud = (row.get("fraudulent") or "").strip() == "1"
            fraud += is_fraud
            if not (row.get("description") or "").strip():
                if is_fraud:
                    fraud_empty += 1
                else:
                    legit_empty += 1
    except csv.Error as exc:
        findings.append(f"it is not well-formed CSV: {exc}")
        return findings
    if rows != EXPECTED_ROWS:
        findings.append(f"it has {rows:,} rows, expected {EXPECTED_ROWS:,}")
    if fraud != EXPECTED_FRAUDULENT:
        findings.append(f"it has {fraud:,} fraudulent rows, expected {EXPECTED_FRAUDULENT:,}")
    legit = rows - fraud
    if legit and legit_empty > legit // 2:
        findings.append(
            f"{legit_empty:,} of {legit:,} legitimate rows have an empty description "
            f"(fraudulent: {fraud_empty:,} of {fraud:,}): this looks like a partial copy in "
            "circulation, on which the task is trivially easy"
        )
    return findings


def verify(path: Path | str) -> Verified:
    """The verified file, or `EmscadError` saying plainly what is missing or different."""
    p = Path(path)
    if not p.is_file():
        raise EmscadError(
            f"EMSCAD file not found at {p}: the dataset is not shipped and is never downloaded; "
            "supply the published CSV (17,880 rows, 50,061,601 bytes) to run the benchmark."
        )
    size = p.stat().st_size
    problems: list[str] = []
    if size != EXPECTED_SIZE:
        problems.append(f"its size is {size:,} bytes, expected {EXPECTED_SIZE:,}")
    digest = sha256_of(p)
    if digest != EXPECTED_SHA256:
        problems.append(f"its SHA-256 is {digest}, expected {EXPECTED_SHA256}")
    if size <= DIAGNOSE_LIMIT:  # also checks rows and columns of the exact file
        problems += diagnose(p)
    if problems:
        raise EmscadError(
            f"{p} is not the published EMSCAD file: " + "; ".join(problems) + ". Refusing to "
            "benchmark on it."
        )
    return Verified(p, size, digest, EXPECTED_ROWS, EXPECTED_FRAUDULENT)
