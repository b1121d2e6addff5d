"""InfoShield-coarse, re-implemented as a baseline (Lee et al., "InfoShield: Generalizable
Information-Theoretic Human-Trafficking Detection", ICDE 2021), from the paper's description.

The coarse stage: lower-case the text, delete every digit, take word 5-grams
as phrases, score each document's phrases by tf-idf, keep its top 10, link
documents that share a kept phrase, and return the connected components.
Phrases found in one document only stay in the ranking (they link nothing);
choosing the top 10 among shared phrases instead merged the whole synthetic
corpus into one component (pairwise precision 0.004 on 5,000 ads).
It uses no identifiers (the digits, and with them the phone numbers, are
gone). Written for comparison on the same corpus, not for production: one
process, plain Python.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from threadline.link.components import connected_components

NGRAM = 5
TOP_K = 10
_WORD = re.compile(r"[^\W\d_]+")


def phrases(text: str, n: int = NGRAM) -> Counter[str]:
    """Word n-gram counts of a text with digits deleted (InfoShield's preprocessing)."""
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return Counter([" ".join(words)]) if words else Counter()
    return Counter(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def coarse_clusters(texts: Iterable[str], top_k: int = TOP_K, n: int = NGRAM) -> list[int]:
    """Cluster label per document (the smallest document index of its component)."""
    counts: list[Counter[str]] = [phrases(t, n) for t in texts]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    total = len(counts)
    first_doc: dict[str, int] = {}
    edges: list[tuple[int, int]] = []
    for i, c in enumerate(counts):
        if not c:
            continue
        scored = sorted(c.items(), key=lambda kv: (-kv[1] * math.log(total / df[kv[0]]), kv[0]))
        for phrase, _ in scored[:top_k]:
            j = first_doc.setdefault(phrase, i)
            if j != i:
                edges.append((j, i))
    arr = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    return connected_components(total, arr).tolist()


def coarse_network_labels(texts: Sequence[str]) -> list[str]:
    """Cluster labels as strings, for the evaluation helpers."""
    return [f"is-{c}" for c in coarse_clusters(texts)]
