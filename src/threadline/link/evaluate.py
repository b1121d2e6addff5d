"""Clustering quality against ground truth: pairwise precision/recall/F1 and adjusted Rand index.

Everything is counted from the contingency table of (predicted cluster, true
cluster) — pairs are never enumerated, so a million records cost one pass.
A pair is "predicted linked" when both records share a predicted network and
"truly linked" when both share a true cluster; singletons contribute no pairs.

Ground truth for the synthetic corpus (`truth_clusters`): the planted author.
An operation's ads (``operation`` = ``op-…``) form one cluster; an independent
or an employer is an author too (``entity`` ``ind-…``/``emp-…``), so her own
reposts belong together — the issue's "independents are singletons unless truly
linked". Hub values (a switchboard) are shared by unrelated authors and must
not merge them; that is exactly what the metric punishes. The generator makes
no template shared across authors: a template id belongs to one operation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    f1: float
    ari: float
    true_pairs: int
    predicted_pairs: int
    common_pairs: int
    records: int

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "ari": self.ari,
            "true_pairs": self.true_pairs,
            "predicted_pairs": self.predicted_pairs,
            "common_pairs": self.common_pairs,
            "records": self.records,
        }


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_scores(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> PairScores:
    """Scores of labels `predicted` against `truth` (same length, one label per record)."""
    if len(predicted) != len(truth):
        raise ValueError("predicted and truth must have one label per record")
    n = len(truth)
    cells = Counter(zip(predicted, truth, strict=True))
    rows = Counter(predicted)
    cols = Counter(truth)
    common = sum(_pairs(c) for c in cells.values())
    pred_pairs = sum(_pairs(c) for c in rows.values())
    true_pairs = sum(_pairs(c) for c in cols.values())
    precision = common / pred_pairs if pred_pairs else 1.0
    recall = common / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = _pairs(n)
    expected = pred_pairs * true_pairs / total if total else 0.0
    top = (pred_pairs + true_pairs) / 2
    ari = (common - expected) / (top - expected) if top != expected else 1.0
    return PairScores(precision, recall, f1, ari, true_pairs, pred_pairs, common, n)


def truth_clusters(truth: Iterable[Mapping[str, Any]]) -> list[str]:
    """One true cluster label per synthetic truth record (see the module docstring)."""
    out = []
    for i, t in enumerate(truth):
        label = t.get("operation") or t.get("entity")
        out.append(str(label) if label else f"single:{i}")
    return out


def operation_scores(
    predicted: Sequence[Hashable], truth: Sequence[Mapping[str, Any]]
) -> PairScores:
    """Scores restricted to the planted operations: records of no operation are singletons.

    A stricter view of the same run: linking an independent's own reposts counts
    against precision here, so this under-states precision; reported beside
    the author-level scores, not instead of them.
    """
    labels = [
        str(t.get("operation")) if t.get("operation") else f"single:{i}"
        for i, t in enumerate(truth)
    ]
    keep = [i for i, t in enumerate(truth) if t.get("operation")]
    return pair_scores([predicted[i] for i in keep], [labels[i] for i in keep])
