"""A network's risk score with its contributions, from its members' indicator signals.

The score is the record scoring function (`threadline.indicators.score`) applied to
the distinct indicators seen on the network's members: an indicator counts once,
however many members show it, so a network is not "riskier" for being larger,
and the contributions are in the same units as a record's. How many members show
each indicator is kept beside it (`IndicatorTotal.records`) for the analyst.

Signals come from `member_signals`: today it runs `threadline.indicators.assess` on
each member's text with its stored mentions; when the indicator stage stores
signals, this is the one function to point at them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from threadline.indicators import Score, Signal, assess, score

MAX_ASSESSED_CHARS = 20_000  # per member text: indicators fire early; a flood adds nothing


@dataclass(frozen=True)
class MemberText:
    """What scoring needs of one member record."""

    text: str
    kind: str
    mentions: tuple[Any, ...]  # threadline.extract.base.Mention of the text
    region: str | None = None


def member_signals(members: Iterable[MemberText]) -> list[tuple[Signal, ...]]:
    """Signals per member (assessed from its text and mentions)."""
    out = []
    for m in members:
        text = m.text[:MAX_ASSESSED_CHARS]
        mentions = tuple(x for x in m.mentions if x.end <= len(text))
        out.append(assess(text, mentions, kind=m.kind, region=m.region).signals)
    return out


def network_score(signals: Sequence[Sequence[Signal]], kinds: Sequence[str]) -> Score:
    """The score of the distinct indicators of the members, calibrated for their main kind."""
    kind = Counter(kinds).most_common(1)[0][0] if kinds else "ad"
    return score((s for sig in signals for s in sig), kind=kind)


def score_summary(signals: Sequence[Sequence[Signal]], kinds: Sequence[str]) -> dict[str, Any]:
    """``score``, ``for_review``, ``contributions`` and per-indicator member counts, as data."""
    result = network_score(signals, kinds)
    seen: Counter[str] = Counter()
    for sig in signals:
        seen.update({s.indicator for s in sig})
    return {
        "score": round(result.value, 6),
        "for_review": result.for_review,
        "contributions": [
            {**c.to_dict(), "records": seen.get(c.indicator, 0)} for c in result.contributions
        ],
    }


def pairs(signals: Sequence[Sequence[Signal]]) -> list[tuple[tuple[str, float], ...]]:
    """(indicator, weight) pairs per member, the form `network.summarize` totals."""
    return [tuple((s.indicator, s.weight) for s in sig) for sig in signals]
