"""A mention and its explanation: the typed, immutable result of extraction.

Plain classes with `Final` attributes rather than frozen dataclasses: this
module is compiled (see `setup.py`), where a `Final` attribute is read-only at
run time as a frozen dataclass field is, and construction is one C call. A
frozen dataclass's generated `__init__` stays interpreted Python even in a
compiled build and sets each field through `object.__setattr__`: ~3.4 µs for
a mention and its explanation, a few of each per ad. In the pure-Python
fallback (`THREADLINE_PURE_PYTHON=1`) the type checker still rejects any
assignment. Equality, hashing, `repr` and pickling behave as a dataclass's.
"""

from __future__ import annotations

from typing import Any, Final


class Explanation:
    """How a mention was found: evidence for the analyst, not decoration.

    `steps` are the transformations applied between the raw slice and the
    normalized value, in order ("spelled:en", "letter_for_digit",
    "phonenumbers:US"). `obfuscation` names the evasion techniques the raw
    text used (an indicator in its own right). `notes` are free-text facts
    (a gazetteer id, coordinates, why a confidence was lowered).
    """

    __slots__ = ("notes", "obfuscation", "pattern_id", "steps")

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

    def _key(self) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        return (self.pattern_id, self.steps, self.obfuscation, self.notes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Explanation):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Explanation(pattern_id={self.pattern_id!r}, steps={self.steps!r}, "
            f"obfuscation={self.obfuscation!r}, notes={self.notes!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (Explanation, self._key())

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern_id": self.pattern_id,
            "steps": list(self.steps),
            "obfuscation": list(self.obfuscation),
            "notes": list(self.notes),
        }


class Mention:
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

    def _key(self) -> tuple[str, str, str, int, int, str, str, float, Explanation]:
        return (
            self.type,
            self.raw,
            self.normalized,
            self.start,
            self.end,
            self.extractor,
            self.extractor_version,
            self.confidence,
            self.explanation,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mention):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Mention(type={self.type!r}, raw={self.raw!r}, normalized={self.normalized!r}, "
            f"start={self.start}, end={self.end}, extractor={self.extractor!r}, "
            f"extractor_version={self.extractor_version!r}, confidence={self.confidence!r}, "
            f"explanation={self.explanation!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (Mention, self._key())

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
