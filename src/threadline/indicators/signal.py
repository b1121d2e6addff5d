"""A signal: one catalogue indicator that fired on one record, with its evidence.

`Signal.spans` are code-point offsets into the record's original text, like a
mention's. The explanation says which phrases, patterns or rule fired, under
which catalogue version, so an analyst can retrace the finding. A signal is a
reason to look again, never a finding about a person.

Plain classes with `Final` attributes, compiled with the hot path (see
`setup.py`): read-only at run time like frozen dataclasses, but built by one C
call where a dataclass's generated `__init__` runs interpreted, several times
an ad.
"""

from __future__ import annotations

from typing import Any, Final

from threadline.immutable import Immutable


class SignalExplanation(Immutable):
    """How an indicator fired: typed evidence for the analyst, not decoration.

    `matched` names each catalogue item that matched ("phrase:en:no experience
    needed", "pattern:fee_amount", "rule:phone_obfuscated", "group:latin_american").
    `notes` are the rule's own facts (techniques used, counts).
    """

    __slots__ = ("catalogue_version", "matched", "notes", "sources")
    _fields = ("catalogue_version", "matched", "sources", "notes")

    def __init__(
        self,
        catalogue_version: str,
        matched: tuple[str, ...],
        sources: tuple[str, ...],  # keys into sources.yaml
        notes: tuple[str, ...] = (),
    ) -> None:
        self.catalogue_version: Final = catalogue_version
        self.matched: Final = matched
        self.sources: Final = sources
        self.notes: Final = notes

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SignalExplanation:
        return cls(
            str(d["catalogue_version"]),
            tuple(d.get("matched", ())),
            tuple(d.get("sources", ())),
            tuple(d.get("notes", ())),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "catalogue_version": self.catalogue_version,
            "matched": list(self.matched),
            "sources": list(self.sources),
            "notes": list(self.notes),
        }


class Signal(Immutable):
    """One indicator that fired on one record."""

    __slots__ = (
        "category",
        "citation",
        "explanation",
        "grade",
        "indicator",
        "name",
        "spans",
        "weight",
    )
    _fields = (
        "indicator",
        "name",
        "category",
        "spans",
        "weight",
        "grade",
        "citation",
        "explanation",
    )

    def __init__(
        self,
        indicator: str,  # catalogue id
        name: str,
        category: str,
        spans: tuple[tuple[int, int], ...],  # sorted, non-overlapping; may be empty for absences
        weight: float,
        grade: str,  # outcome-validated | practitioner-reported | weak-or-contradicted
        citation: str,  # short citations of the entry's sources, "; "-joined
        explanation: SignalExplanation,
    ) -> None:
        self.indicator: Final = indicator
        self.name: Final = name
        self.category: Final = category
        self.spans: Final = spans
        self.weight: Final = weight
        self.grade: Final = grade
        self.citation: Final = citation
        self.explanation: Final = explanation

    def to_screen_dict(self) -> dict[str, Any]:
        """The `threadline screen` form: exactly indicator, spans, weight, grade, citation."""
        return {
            "indicator": self.indicator,
            "spans": [list(s) for s in self.spans],
            "weight": self.weight,
            "grade": self.grade,
            "citation": self.citation,
        }

    def to_dict(self) -> dict[str, Any]:
        """The full form, for storage and `threadline explain`."""
        return {
            **self.to_screen_dict(),
            "name": self.name,
            "category": self.category,
            "explanation": self.explanation.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Signal:
        """The inverse of `to_dict` (for signals read back from storage)."""
        return cls(
            indicator=str(d["indicator"]),
            name=str(d["name"]),
            category=str(d["category"]),
            spans=tuple((int(a), int(b)) for a, b in d["spans"]),
            weight=float(d["weight"]),
            grade=str(d["grade"]),
            citation=str(d["citation"]),
            explanation=SignalExplanation.from_dict(d["explanation"]),
        )
