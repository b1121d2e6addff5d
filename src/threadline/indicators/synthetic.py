"""Screen the synthetic corpus: labelled records for calibration, benchmarks and tests.

Labels come from the generator's ground truth (`truth["role"]`). They are a
test harness, not knowledge of the world: whatever is fitted or measured on
them is reported as synthetic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from threadline.extract.base import ExtractContext, Mention
from threadline.extract.engine import extract_all
from threadline.indicators.detect import detect
from threadline.indicators.rules import DetectContext
from threadline.indicators.signal import Signal

# record kind -> generator role -> label (1: the positive class for calibration)
LABELS: dict[str, dict[str, int]] = {
    "ad": {"trafficking_operation": 1, "independent": 0, "agency_hub_user": 0},
    "job_ad": {"deceptive_job": 1, "legit_job": 0},
}


@dataclass(frozen=True, slots=True)
class SynthRecord:
    ad: dict[str, Any]
    truth: dict[str, Any]
    mentions: tuple[Mention, ...]
    signals: tuple[Signal, ...]

    @property
    def label(self) -> int | None:
        return LABELS.get(self.ad["kind"], {}).get(self.truth["role"])


def screen_synthetic(count: int, seed: int) -> Iterator[SynthRecord]:
    """Generate, extract and detect, record by record (region = the ad's country)."""
    from threadline.synth import generate

    for ad, truth in generate(count, seed):
        mentions = extract_all(ad["text"], ExtractContext(default_region=ad["country"])).mentions
        signals = detect(
            ad["text"],
            mentions,
            kind=ad["kind"],
            lang=ad["lang"],
            context=DetectContext(region=ad["country"]),
        )
        yield SynthRecord(ad, truth, mentions, signals)


def labelled_sums(count: int, seed: int) -> dict[str, tuple[list[float], list[int], str]]:
    """Per kind: (weight sums, labels, data version) over a synthetic corpus."""
    out: dict[str, tuple[list[float], list[int], Any]] = {
        k: ([], [], hashlib.sha256()) for k in LABELS
    }
    for rec in screen_synthetic(count, seed):
        label = rec.label
        if label is None:
            continue
        sums, labels, h = out[rec.ad["kind"]]
        sums.append(sum({s.indicator: s.weight for s in rec.signals}.values()))
        labels.append(label)
        h.update(f"{rec.ad['id']}\0{rec.ad['text']}\0{label}\n".encode())
    return {k: (s, y, "synth-sha256:" + h.hexdigest()[:16]) for k, (s, y, h) in out.items()}
