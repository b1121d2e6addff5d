"""A mention and its explanation: the typed, immutable result of extraction.

Plain classes with `Final` attributes rather than frozen dataclasses: this
module is compiled (see `setup.py`), where a `Final` attribute is read-only at
run time as a frozen dataclass field is, and construction is one C call. A
frozen dataclass's generated `__init__` stays interpreted Python even in a
compiled build and sets each field through `object.__setattr__`: ~3.4 µs for
a mention and its explanation, a few of each per ad. In the pure-Python
fallback (`THREADLINE_PURE_PYTHON=1`) the type checker still rejects any
assignment. Equality, hashing, `repr` and pickling come from
`threadline.immutable.Immutable`, as a dataclass's would.
"""

from __future__ import annotations

from typing import Any, Final

from threadline.immutable import Immutable


class Explanation(Immutable):
    """How a mention was found: evidence for the analyst, not decoration.

    `steps` are the transformations applied between the raw slice and the
    normalized value, in order ("spelled:en", "letter_for_digit",
    "phonenumbers:US"). `obfuscation` names the evasion techniques the raw
    text used (an indicator in its own right). `notes` are free-text facts
    (a gazetteer id, coordinates, why a confidence was lowered).
    """

    __slots__ = ("notes", "obfuscation", "pattern_id", "steps")
    _fields = ("pattern_id", "steps", "obfuscation", "notes")

    def __init__(
        self,
        pattern_id: str,
        steps: tuple[str, ...] = (),
        obfuscation: tuple[str, ...] = (),
        notes: tuple[str, ...] = (),
    ) -> None:
        self.pattern_id: Final = pattern_id
        self.steps: Final = steps
        self.obfuscation: Final = obfuscation
        self.notes: Final = notes

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern_id": self.pattern_id,
            "steps": list(self.steps),
            "obfuscation": list(self.obfuscation),
            "notes": list(self.notes),
        }


class Mention(Immutable):
    """One value found in a record: the exact span of the original text and what it means."""

    __slots__ = (
        "confidence",
        "end",
        "explanation",
        "extractor",
        "extractor_version",
        "normalized",
        "raw",
        "start",
        "type",
    )
    _fields = (
        "type",
        "raw",
        "normalized",
        "start",
        "end",
        "extractor",
        "extractor_version",
        "confidence",
        "explanation",
    )

    def __init__(
        self,
        type: str,  # a value-type name: phone, email, handle, url, payment_handle, …
        raw: str,  # exactly text[start:end]
        normalized: str,  # the value type's canonical form
        start: int,  # code-point offsets into the record's original text
        end: int,
        extractor: str,
        extractor_version: str,
        confidence: float,  # 0..1
        explanation: Explanation,
    ) -> None:
        self.type: Final = type
        self.raw: Final = raw
        self.normalized: Final = normalized
        self.start: Final = start
        self.end: Final = end
        self.extractor: Final = extractor
        self.extractor_version: Final = extractor_version
        self.confidence: Final = confidence
        self.explanation: Final = explanation

    def shifted(self, offset: int) -> Mention:
        """The same mention with its span moved by `offset` (text embedded in a longer one)."""
        return Mention(
            self.type,
            self.raw,
            self.normalized,
            self.start + offset,
            self.end + offset,
            self.extractor,
            self.extractor_version,
            self.confidence,
            self.explanation,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "raw": self.raw,
            "normalized": self.normalized,
            "start": self.start,
            "end": self.end,
            "extractor": self.extractor,
            "extractor_version": self.extractor_version,
            "confidence": self.confidence,
            "explanation": self.explanation.to_dict(),
        }
