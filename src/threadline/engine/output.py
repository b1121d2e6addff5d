"""`LinkOutput`: what the distributed linker hands back, shaped like `LinkResult`.

The local `LinkResult` keeps the whole feature batch (shingles, signatures,
every pivot value) in one process; the point of the distributed engine is
that nothing does. `LinkOutput` keeps what a run's products need — record
ids and lines, the text and identifier links, hub decisions, component
labels and network ids — under the same attribute names, so the linker's own
functions (`summarize_result`, `write_assignments`, `LinkResult.links`,
`LinkResult.hubs`) run on it unchanged and give the same summary, file and
links.

Its value index names only the values that can link or be decided on
(shared by two or more records, or named in the config), each at the number
the local index gives it; the slots of values on one record stay empty, and
one placeholder value per record that carries such values follows them (that
is all the hub rule asks of those values). `id_value` and the decisions' keys
are therefore the local numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from threadline.link.config import LinkConfig
from threadline.link.identifiers import HubDecision, ValueIndex
from threadline.link.pipeline import LinkResult
from threadline.link.text import TextLinks


@dataclass(frozen=True)
class BatchMeta:
    """Per-record facts of the batch that the products need (no text, no values)."""

    ids: list[str | None]
    lines: list[int]
    errors: list[str | None]
    kinds: list[str | None]
    notes: int


@dataclass
class LinkOutput:
    config: LinkConfig
    batch: BatchMeta
    keys: list[str]
    text: TextLinks
    values: ValueIndex
    decisions: dict[int, HubDecision]
    id_pairs: np.ndarray
    id_value: np.ndarray
    id_counts: np.ndarray
    text_counts: np.ndarray
    labels: np.ndarray
    network: list[str]
    warnings: list[str]
    timings: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.keys)

    # the linker's own methods: one definition of a link and of the hub order
    hubs = LinkResult.hubs
    _link = LinkResult._link
    links = LinkResult.links


def link_facts(result: Any) -> dict[str, Any]:
    """Everything a run decided, as plain data: compares a `LinkResult` with a `LinkOutput`."""
    return {
        "keys": list(result.keys),
        "network": list(result.network),
        "labels": result.labels.tolist(),
        "links": [link.to_dict() for link in result.links()],
        "text": {
            "copies": result.text.copies,
            "candidates": result.text.candidates,
            "verified": result.text.verified,
        },
        "decisions": sorted(
            (d.to_dict() for d in result.decisions.values()),
            key=lambda d: (d["type"], d["value"], d["use"]),
        ),
        "warnings": list(result.warnings),
    }
