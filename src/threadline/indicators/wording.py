"""Review-first wording: nothing the package shows may call a record "trafficking".

The vocabulary is "indicators", "risk", "for review". `verdicts(text)` finds
phrasings that state a finding about a record or a person ("this ad is
trafficking", "flagged as trafficking", "trafficking ad", "trafficker");
`scan_package()` runs it over every user-facing string of the indicator and
job-model packages: Python string literals and docstrings, the catalogue's
names, descriptions and notes, and the model card. Citations are exempt:
the titles of studies and journals (Journal of Human Trafficking) are
references, not verdicts.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import regex
import yaml

_VERDICT = regex.compile(
    r"""
    \b(?:is|are|was|were|be|been|being)\s+(?:an?\s+)?
      (?:(?:likely|probably|probable|possible|confirmed|clearly|definitely)\s+)?
      (?:(?:sex|labou?r|human)\s+)?trafficking\b
    | \b(?:flagged|classified|labell?ed|identified|detected|marked|confirmed)\s+as\s+(?:an?\s+)?
      (?:(?:sex|labou?r|human)\s+)?trafficking\b
    | \btrafficking\s+(?:ad|ads|record|records|post|posts|listing|listings|detected|found|
      confirmed|verdict|label)\b
    | \btraffickers?\b
    """,
    regex.IGNORECASE | regex.VERBOSE,
)
PACKAGE_DIRS = ("indicators", "jobmodel")
EXEMPT_KEYS = frozenset({"citation", "short", "url"})  # references in sources.yaml


@dataclass(frozen=True, slots=True)
class Finding:
    where: str
    phrase: str


def verdicts(text: str) -> list[str]:
    """Verdict phrasings in `text` (empty when the wording is review-first)."""
    return [m.group() for m in _VERDICT.finditer(text)]


def _python_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _yaml_strings(obj: object, where: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k not in EXEMPT_KEYS:
                out += _yaml_strings(v, f"{where}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _yaml_strings(v, f"{where}[{i}]")
    elif isinstance(obj, str):
        out.append((where, obj))
    return out


def scan_package(root: Path | None = None) -> list[Finding]:
    """Every verdict phrasing in the indicator and job-model packages' user-facing text."""
    base = root or Path(__file__).resolve().parent.parent
    findings: list[Finding] = []
    for pkg in PACKAGE_DIRS:
        for path in sorted((base / pkg).rglob("*")):
            rel = path.relative_to(base)
            if path.name == "wording.py":  # the checker quotes the phrasings it forbids
                continue
            if path.suffix == ".py":
                strings = [(f"{rel}:{line}", s) for line, s in _python_strings(path)]
            elif path.suffix in (".yaml", ".yml"):
                strings = _yaml_strings(yaml.safe_load(path.read_text(encoding="utf-8")), str(rel))
            elif path.suffix == ".md":
                strings = [(str(rel), path.read_text(encoding="utf-8"))]
            else:
                continue
            for where, text in strings:
                findings += [Finding(where, v) for v in verdicts(text)]
    return findings
