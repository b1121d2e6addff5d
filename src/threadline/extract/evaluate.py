"""Score extraction against a labelled set: per-type precision, recall and F1.

A row is `{"id", "text", "region", "split", "gold": [{"type", "start", "end",
"normalized"}]}`. A predicted mention matches a gold span when the type and
the normalized value are equal and the spans overlap (annotators and
extractors may disagree on whether "Zelle: " or "(" belongs to the span; the
value is what links records). Each gold span matches at most one mention.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from threadline.extract.base import ExtractContext, Mention
from threadline.extract.engine import extract_all


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)  # "row: type raw" for the report
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_rows(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _default_extract(row: dict[str, Any]) -> list[Mention]:
    ctx = ExtractContext(default_region=row.get("region") or "US")
    return list(extract_all(row["text"], ctx).mentions)


def evaluate(
    rows: Iterable[dict[str, Any]],
    extract: Callable[[dict[str, Any]], list[Mention]] = _default_extract,
) -> dict[str, Counts]:
    """Per-type counts over `rows` (types seen in gold or predictions)."""
    counts: dict[str, Counts] = {}
    for row in rows:
        text = row["text"]
        predicted = extract(row)
        gold = list(row["gold"])
        used: set[int] = set()
        for m in predicted:
            c = counts.setdefault(m.type, Counts())
            hit = next(
                (
                    i
                    for i, g in enumerate(gold)
                    if i not in used
                    and g["type"] == m.type
                    and g["normalized"] == m.normalized
                    and g["start"] < m.end
                    and m.start < g["end"]
                ),
                None,
            )
            if hit is None:
                c.fp += 1
                c.false_alarms.append(f"{row['id']}: {m.raw!r} -> {m.normalized}")
            else:
                used.add(hit)
                c.tp += 1
        for i, g in enumerate(gold):
            if i not in used:
                c = counts.setdefault(g["type"], Counts())
                c.fn += 1
                c.misses.append(
                    f"{row['id']}: {text[g['start'] : g['end']]!r} -> {g['normalized']}"
                )
    return counts


def table(counts: dict[str, Counts]) -> str:
    lines = [f"{'type':<16}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}"]
    for name in sorted(counts):
        c = counts[name]
        lines.append(
            f"{name:<16}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}{c.tp:>6}{c.fp:>5}{c.fn:>5}"
        )
    return "\n".join(lines)
