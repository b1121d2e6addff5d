"""The extraction nouns: a mention, its explanation, the context, the extractor.

Compiled with the hot path (see `setup.py`): every extractor calls
`Extractor.mention` and the context's deadline checks from compiled code.

An extractor reads a record's text and returns mentions: spans of that exact,
unmodified text, each with its cleaned value, a confidence and a typed
explanation of how it was found. Offsets are Python `str` indices — Unicode
code points, not bytes and not UTF-16 units — so `text[start:end] == raw`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar, Final

from threadline.extract.mention import Explanation, Mention
from threadline.immutable import Immutable
from threadline.values.base import CleanContext

__all__ = [
    "Example",
    "Explanation",
    "ExtractContext",
    "ExtractError",
    "Extractor",
    "Mention",
]


class ExtractContext(Immutable):
    """What an extractor may know besides the text.

    `default_region` (ISO 3166-1 alpha-2) reads phone numbers written without
    a country code; `default_currency` (ISO 4217) reads "$" and "roses".
    `deadline` is a `time.monotonic()` instant after which bounded regexes
    stop (set by the engine from its time budget).

    Immutable like `Mention` (a plain class with `Final` attributes, for the
    same reason): extractors ask it for the deadline in their inner loops.
    """

    __slots__ = ("deadline", "default_currency", "default_region")
    _fields = ("default_region", "default_currency", "deadline")

    def __init__(
        self,
        default_region: str | None = None,
        default_currency: str | None = None,
        deadline: float | None = None,
    ) -> None:
        self.default_region: Final = default_region
        self.default_currency: Final = default_currency
        self.deadline: Final = deadline

    def with_region(self, region: str | None) -> ExtractContext:
        return ExtractContext(region, self.default_currency, self.deadline)

    def clean_context(self) -> CleanContext:
        return _clean_context(self.default_region, self.default_currency)

    def remaining(self) -> float:
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()

    def check(self, where: str) -> None:
        """Raise `ExtractError` once the deadline has passed (call it inside long loops)."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ExtractError(f"time budget exhausted in {where}")


@lru_cache(maxsize=1024)
def _clean_context(region: str | None, currency: str | None) -> CleanContext:
    """The value types' context; the region's currency is looked up once per region."""
    if currency is None and region:
        from threadline.values.place import currency_of

        currency = currency_of(region)
    return CleanContext(region, currency)


@dataclass(frozen=True, slots=True)
class Example:
    """An extractor's own test case: `text` must yield exactly `expected`.

    `expected` holds (type, raw, normalized) triples in text order. An empty
    tuple is a negative example. `obfuscation`, when given, is the sorted
    union of the evasion techniques the mentions must record.
    """

    text: str
    expected: tuple[tuple[str, str, str], ...]
    region: str | None = None
    note: str = ""
    obfuscation: tuple[str, ...] | None = None


class ExtractError(Exception):
    """A per-record extraction failure (time budget, bounded regex timeout)."""


class Extractor:
    """Base of every extractor. A subclass sets the class variables and `extract`.

    Extractors are stateless and cheap to share between threads and
    processes; compiled patterns live at module level.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    types: ClassVar[tuple[str, ...]]  # value types it emits
    examples: ClassVar[tuple[Example, ...]]

    def trigger_words(self) -> frozenset[str]:
        """Lower-case words after which this extractor looks (see `threadline.extract.scan`)."""
        return frozenset()

    def prepare(self) -> None:
        """Load data the extractor needs (gazetteer, rules) before any time budget starts."""

    def extract(self, text: str, ctx: ExtractContext) -> list[Mention]:
        raise NotImplementedError

    def mention(
        self,
        text: str,
        type_: str,
        start: int,
        end: int,
        normalized: str,
        confidence: float,
        explanation: Explanation,
    ) -> Mention:
        """Build a mention whose raw is, by construction, `text[start:end]`."""
        return Mention(
            type=type_,
            raw=text[start:end],
            normalized=normalized,
            start=start,
            end=end,
            extractor=self.name,
            extractor_version=self.version,
            confidence=round(confidence, 3),
            explanation=explanation,
        )

    def __repr__(self) -> str:
        return f"<Extractor {self.name} {self.version}>"
