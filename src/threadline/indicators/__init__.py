"""Indicators: an evidence-graded catalogue, detection, signals, scores and a bias report.

    from threadline.indicators import assess
    result = assess(text, mentions, kind="ad", lang="en", region="US")
    result.signals            # Signal per indicator that fired, with spans and citation
    result.score.value        # 0-1 risk level for review; result.score.contributions sum to it
    result.to_screen()        # {"signals": [...], "score": ...} for `threadline screen`

The catalogue is data (`catalogue/*.yaml`), validated on load; see
`score` for the scoring function and `calibration` for how it is calibrated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from threadline.extract.base import ExtractError, Mention
from threadline.indicators.bias import BiasReport, Disparity, GroupRate, bias_report
from threadline.indicators.calibration import Calibration, calibration_for
from threadline.indicators.catalogue import Catalogue, load_catalogue
from threadline.indicators.detect import detect
from threadline.indicators.rules import DetectContext
from threadline.indicators.schema import KINDS, CatalogueError, Indicator
from threadline.indicators.score import (
    REVIEW_THRESHOLD,
    Contribution,
    Score,
    explain_rows,
    score,
)
from threadline.indicators.signal import Signal, SignalExplanation


@dataclass(frozen=True, slots=True)
class Assessment:
    signals: tuple[Signal, ...]
    score: Score
    errors: tuple[str, ...] = ()  # a bounded pattern timed out: no signals for this record

    def to_screen(self) -> dict[str, Any]:
        """The `signals` and `score` keys of a `threadline screen` output line (+ `errors`)."""
        out: dict[str, Any] = {
            "signals": [s.to_screen_dict() for s in self.signals],
            "score": round(self.score.value, 6),
        }
        if self.errors:
            out["errors"] = list(self.errors)
        return out

    def explain(self) -> list[dict[str, Any]]:
        """Rows for `threadline explain`: each contribution with its evidence."""
        return explain_rows(self.signals, self.score)


@lru_cache(maxsize=512)
def _context(region: str | None) -> DetectContext:
    """The context of a record known only by its region (one per region, reused)."""
    return DetectContext(region=region)


def assess(
    text: str,
    mentions: Sequence[Mention],
    *,
    kind: str,
    lang: str | None = None,
    region: str | None = None,
    context: DetectContext | None = None,
) -> Assessment:
    """Detect and score one record: what `threadline screen` fills in.

    Hostile text that makes a bounded pattern time out gives no signals and an
    error naming the pattern, never an exception: the batch goes on.
    """
    ctx = context or _context(region)
    try:
        signals = detect(text, mentions, kind=kind, lang=lang, context=ctx)
    except ExtractError as exc:
        return Assessment((), score((), kind=kind), (f"indicators: {exc}",))
    return Assessment(signals, score(signals, kind=kind))


__all__ = [
    "KINDS",
    "REVIEW_THRESHOLD",
    "Assessment",
    "BiasReport",
    "Calibration",
    "Catalogue",
    "CatalogueError",
    "Contribution",
    "DetectContext",
    "Disparity",
    "GroupRate",
    "Indicator",
    "Score",
    "Signal",
    "SignalExplanation",
    "assess",
    "bias_report",
    "calibration_for",
    "detect",
    "explain_rows",
    "load_catalogue",
    "score",
]
