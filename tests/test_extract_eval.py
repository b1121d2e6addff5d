"""The labelled evaluation set: gold offsets are right, and quality does not regress.

The set (tests/data/extract_eval.jsonl) holds hand-written and generated
ad-like snippets in English and Spanish, many adversarial, with gold spans.
Every 5th row is held out (`split: heldout`): extractor rules are developed
against the `dev` rows only; both splits are reported by the benchmark.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from threadline.extract.base import ExtractContext, Mention
from threadline.extract.engine import extract_all
from threadline.extract.evaluate import Counts, evaluate, load_rows
from threadline.values import VALUE_TYPES

EVAL = Path(__file__).parent / "data" / "extract_eval.jsonl"
# F1 floors: the target for the identifiers that link operations, lower
# ones for the rest so a regression anywhere fails.
FLOORS = {
    "phone": 0.97,
    "email": 0.97,
    "payment_handle": 0.97,
    "handle": 0.9,
    "price": 0.9,
    "age": 0.9,
    "crypto_address": 0.9,
    "url": 0.8,
    "name": 0.8,
    "location": 0.75,
}


@cache
def rows() -> list[dict]:
    return load_rows(EVAL)


@cache
def predictions() -> dict[str, list[Mention]]:
    """Each row extracted once; the splits are scored from these."""
    return {
        r["id"]: list(
            extract_all(r["text"], ExtractContext(default_region=r.get("region") or "US")).mentions
        )
        for r in rows()
    }


@cache
def scores(split: str | None) -> dict[str, Counts]:
    chosen = [r for r in rows() if split is None or r["split"] == split]
    return evaluate(chosen, lambda row: predictions()[row["id"]])


def test_set_shape() -> None:
    data = rows()
    assert len(data) >= 300
    assert {r["lang"] for r in data} >= {"en", "es"}
    assert sum(1 for r in data if r["lang"] == "es") >= 60
    adversarial = sum(1 for r in data if "adversarial" in r["source"] or r["source"] == "hand")
    assert adversarial / len(data) >= 0.4
    assert {r["split"] for r in data} == {"dev", "heldout"}
    assert len({r["id"] for r in data}) == len(data)


def test_gold_offsets_are_exact_slices() -> None:
    for r in rows():
        for g in r["gold"]:
            assert g["type"] in VALUE_TYPES, (r["id"], g)
            assert 0 <= g["start"] < g["end"] <= len(r["text"]), (r["id"], g)
            raw = r["text"][g["start"] : g["end"]]
            assert raw == raw.strip() and raw, (r["id"], g)
            assert VALUE_TYPES[g["type"]].validate(g["normalized"]), (r["id"], g)


@pytest.mark.parametrize("split", [None, "dev", "heldout"], ids=["all", "dev", "heldout"])
@pytest.mark.parametrize("type_", sorted(FLOORS))
def test_f1_floor(split: str | None, type_: str) -> None:
    counts = scores(split).get(type_)
    if counts is None or counts.tp + counts.fn == 0:
        pytest.skip(f"no gold {type_} in this split")
    floor = (
        FLOORS[type_]
        if split is None or type_ in ("phone", "email", "payment_handle")
        else min(FLOORS[type_], 0.5)
    )  # small held-out samples of the minor types are noisy
    assert counts.f1 >= floor, (counts.misses[:10], counts.false_alarms[:10])
