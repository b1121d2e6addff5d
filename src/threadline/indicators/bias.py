"""Fairness report: flag rates by language, region and ethnicity/nationality words.

For each indicator, and for the score (a record counts as flagged when its
value is at or above `REVIEW_THRESHOLD`), the report gives the flag rate in
every group of three dimensions — the record's language, its region, and the
ethnicity/nationality word groups its text mentions (`groups.yaml`; a record
naming none is in group "none", one naming two is in both) — and the
disparity ratio: the highest group rate over the lowest, among groups of at
least `min_group` records. A ratio of `threshold` or more (default 1.25, the
inverse of the four-fifths rule of 29 CFR 1607.4(D)) with at least
`min_flags` flags in the top group marks the row disparate. Disparate rows of
indicators without outcome evidence are listed apart: they fire mostly on one
group and nothing but practitioner opinion says that they should (Hundman et
al., "Always Lurking", arXiv 1712.00846).

`ethnicity_stated` is disparate on the ethnicity dimension by construction
(it fires exactly when a group word is present); the report says so.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import regex

from threadline.extract.bounded import BoundedPattern
from threadline.indicators.catalogue import Catalogue, load_catalogue
from threadline.indicators.schema import fold
from threadline.indicators.score import REVIEW_THRESHOLD, Score
from threadline.indicators.signal import Signal

DIMENSIONS = ("language", "region", "ethnicity_nationality")
SCORE = "score"
NONE_GROUP = "none"
BY_CONSTRUCTION = {("ethnicity_stated", "ethnicity_nationality")}

Record = tuple[str, str | None, str | None, Sequence[Signal], "Score | float | None"]


@dataclass(frozen=True, slots=True)
class GroupRate:
    group: str
    n: int
    flagged: int

    @property
    def rate(self) -> float:
        return self.flagged / self.n if self.n else 0.0


@dataclass(frozen=True, slots=True)
class Disparity:
    subject: str  # indicator id or "score"
    dimension: str
    groups: tuple[GroupRate, ...]  # every group seen, largest first
    ratio: float | None  # highest / lowest rate among compared groups; inf if lowest is 0
    top_group: str | None
    low_group: str | None
    grade: str  # the indicator's evidence grade, "score" for the score
    weight: float
    disparate: bool
    by_construction: bool = False

    def to_dict(self) -> dict[str, Any]:
        finite = self.ratio is not None and math.isfinite(self.ratio)
        return {
            "subject": self.subject,
            "dimension": self.dimension,
            "ratio": round(self.ratio, 3) if finite and self.ratio is not None else None,
            "unbounded": self.ratio is not None and not finite,
            "top_group": self.top_group,
            "low_group": self.low_group,
            "grade": self.grade,
            "weight": self.weight,
            "disparate": self.disparate,
            "by_construction": self.by_construction,
            "groups": [
                {"group": g.group, "n": g.n, "flagged": g.flagged, "rate": round(g.rate, 4)}
                for g in self.groups
            ],
        }


@dataclass(frozen=True, slots=True)
class BiasReport:
    n_records: int
    catalogue_version: str
    min_group: int
    min_flags: int
    threshold: float
    review_threshold: float
    rows: tuple[Disparity, ...]
    without_outcome_evidence: tuple[Disparity, ...]  # disparate, not outcome-validated
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_records": self.n_records,
            "catalogue_version": self.catalogue_version,
            "min_group": self.min_group,
            "min_flags": self.min_flags,
            "threshold": self.threshold,
            "review_threshold": self.review_threshold,
            "rows": [r.to_dict() for r in self.rows],
            "without_outcome_evidence": [
                {
                    "subject": r.subject,
                    "dimension": r.dimension,
                    "top_group": r.top_group,
                    "ratio": r.to_dict()["ratio"],
                    "weight": r.weight,
                    "grade": r.grade,
                }
                for r in self.without_outcome_evidence
            ],
            "notes": list(self.notes),
        }

    def to_text(self) -> str:
        """A plain table: subject, dimension, ratio, top and low group rates."""
        lines = [
            f"Flag rates by group over {self.n_records} records"
            f" (catalogue {self.catalogue_version}); disparity = highest / lowest group rate,"
            f" groups of >= {self.min_group} records.",
            f"{'subject':28s} {'dimension':22s} {'ratio':>7s}  {'highest':28s} {'lowest':28s}",
        ]
        for r in self.rows:
            ratio = "-" if r.ratio is None else ("inf" if math.isinf(r.ratio) else f"{r.ratio:.2f}")
            rates = {g.group: g for g in r.groups}
            hi = rates.get(r.top_group or "")
            lo = rates.get(r.low_group or "")
            mark = " *" if r.disparate else ""
            lines.append(
                f"{r.subject:28s} {r.dimension:22s} {ratio:>7s}  "
                f"{_cell(hi):28s} {_cell(lo):28s}{mark}"
            )
        lines.append("* disparate. Disparate without outcome evidence:")
        for r in self.without_outcome_evidence:
            effect = "no effect on the score (weight 0)" if r.weight == 0 else f"weight {r.weight}"
            lines.append(f"  - {r.subject} on {r.dimension}: mostly {r.top_group}; {effect}")
        if not self.without_outcome_evidence:
            lines.append("  (none)")
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)


def _cell(g: GroupRate | None) -> str:
    return "-" if g is None else f"{g.group} {g.rate:.3f} ({g.flagged}/{g.n})"


class GroupFinder:
    """Which ethnicity/nationality word groups a text names (whole words, folded)."""

    def __init__(self, cat: Catalogue, dimension: str = "ethnicity_nationality") -> None:
        groups = cat.groups[dimension].groups
        self.names: dict[str, str] = {}
        alts = []
        for k, (group, langs) in enumerate(sorted(groups.items())):
            words = sorted({w for ws in langs.values() for w in ws}, key=len, reverse=True)
            self.names[f"g{k}"] = group
            alts.append(f"(?P<g{k}>" + "|".join(regex.escape(w) for w in words) + ")")
        self.pattern = BoundedPattern(f"groups:{dimension}", r"\b(?:" + "|".join(alts) + r")\b")

    def groups(self, text: str) -> tuple[str, ...]:
        found = {
            self.names[m.lastgroup]
            for m in self.pattern.all_matches(fold(text), None)
            if m.lastgroup
        }
        return tuple(sorted(found)) or (NONE_GROUP,)


def _flagged(value: Score | float | None, threshold: float) -> bool | None:
    if value is None:
        return None
    v = value.value if isinstance(value, Score) else float(value)
    return v >= threshold


def bias_report(
    records: Iterable[Record],
    *,
    kind: str | None = None,
    catalogue: Catalogue | None = None,
    min_group: int = 30,
    min_flags: int = 5,
    threshold: float = 1.25,
    review_threshold: float = REVIEW_THRESHOLD,
) -> BiasReport:
    """Flag rates and disparity ratios per indicator and for the score (see module docstring).

    `records` yields (text, lang, region, signals, score); `score` may be a
    `Score`, a number or None (not scored). With `kind`, every indicator of that
    kind is reported, including those that never fired.
    """
    cat = catalogue or load_catalogue()
    finder = GroupFinder(cat)
    subjects: dict[str, tuple[str, float]] = {}
    if kind is not None:
        subjects = {i.id: (i.grade, i.weight) for i in cat.for_kind(kind)}
    totals: dict[str, dict[str, int]] = {d: defaultdict(int) for d in DIMENSIONS}
    scored: dict[str, dict[str, int]] = {d: defaultdict(int) for d in DIMENSIONS}
    flags: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    n = 0
    for text, lang, region, signals, value in records:
        n += 1
        groups = {
            "language": (lang or "unknown",),
            "region": (region or "unknown",),
            "ethnicity_nationality": finder.groups(text),
        }
        fired = {s.indicator for s in signals}
        for s in signals:
            if s.indicator not in subjects:
                subjects[s.indicator] = (s.grade, s.weight)
        flagged = _flagged(value, review_threshold)
        for dim, gs in groups.items():
            for g in gs:
                totals[dim][g] += 1
                for iid in fired:
                    flags[(iid, dim)][g] += 1
                if flagged is not None:
                    scored[dim][g] += 1
                    if flagged:
                        flags[(SCORE, dim)][g] += 1
    rows: list[Disparity] = []
    for subject, (grade, weight) in [*sorted(subjects.items()), (SCORE, ("score", 0.0))]:
        for dim in DIMENSIONS:
            base = scored[dim] if subject == SCORE else totals[dim]
            counts = flags.get((subject, dim), {})
            rates = tuple(
                sorted(
                    (GroupRate(g, m, counts.get(g, 0)) for g, m in base.items()),
                    key=lambda r: (-r.n, r.group),
                )
            )
            rows.append(
                _disparity(subject, dim, rates, grade, weight, min_group, min_flags, threshold)
            )
    without = tuple(
        r for r in rows if r.disparate and r.grade not in ("outcome-validated", "score")
    )
    notes = ("Rates on synthetic data describe the generator, not the world.",)
    if any(s == "ethnicity_stated" for s, _ in BY_CONSTRUCTION if s in subjects):
        notes = (
            "ethnicity_stated fires exactly when a group word is present: disparate on"
            " ethnicity_nationality by construction, and outcome-validated"
            " (Lugo-Graulich et al. 2024); the score inherits part of that disparity.",
            *notes,
        )
    return BiasReport(
        n,
        cat.version,
        min_group,
        min_flags,
        threshold,
        review_threshold,
        tuple(rows),
        without,
        notes,
    )


def _disparity(
    subject: str,
    dim: str,
    rates: tuple[GroupRate, ...],
    grade: str,
    weight: float,
    min_group: int,
    min_flags: int,
    threshold: float,
) -> Disparity:
    compared = [r for r in rates if r.n >= min_group]
    construction = (subject, dim) in BY_CONSTRUCTION
    if len(compared) < 2 or not any(r.flagged for r in compared):
        return Disparity(subject, dim, rates, None, None, None, grade, weight, False, construction)
    hi = max(compared, key=lambda r: (r.rate, r.n))
    lo = min(compared, key=lambda r: (r.rate, -r.n))
    ratio = math.inf if lo.rate == 0 else hi.rate / lo.rate
    disparate = ratio >= threshold and hi.flagged >= min_flags
    return Disparity(
        subject, dim, rates, ratio, hi.group, lo.group, grade, weight, disparate, construction
    )
