"""The base of the hot path's small result classes: immutable values without dataclasses.

A frozen dataclass's generated `__init__` stays interpreted Python even in
the compiled build, and sets every field through `object.__setattr__`; the
mention, signal and score classes are built several times per ad, so they are
plain classes instead (compiled, see `setup.py`). Each declares its
attributes `Final` in `__init__` — read-only at run time in the compiled
build, as a frozen dataclass's are, and checked by the type checker in the
pure-Python fallback — and lists them in `_fields`, in constructor order.
This base gives them what a dataclass would: equality and hashing over those
fields, a keyword `repr`, and pickling (by the constructor, for worker
processes).
"""

from __future__ import annotations

from typing import Any, ClassVar


class Immutable:
    __slots__ = ()  # subclasses declare theirs: no instance dict even when interpreted
    _fields: ClassVar[tuple[str, ...]] = ()

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self) or not isinstance(other, Immutable):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        args = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({args})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), self._key())
