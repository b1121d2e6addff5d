"""The words of folded text, as the indicator stage reads them (compiled, see setup.py).

A word is a `\\w+` run of the folded text. `WORDS` is the standard library's
engine: the pattern is linear-time (no backtracking), where catalogue patterns
use `regex`. Whitespace is never a word character, so the words of a text are
the words of its whitespace-separated pieces: `str.split` cuts those in C,
and each distinct piece is split into words once per process (a bounded
cache; ads repeat their words). A `findall` over the whole of an ad written
with emoji (a UCS-4 string) costs ~100,000 instructions; this, a fraction.
"""

from __future__ import annotations

import re

WORDS = re.compile(r"\w+")
MAX_CACHED_PIECES = 65536
_PIECE_WORDS: dict[str, tuple[str, ...]] = {}


def _piece_words(piece: str) -> tuple[str, ...]:
    found = _PIECE_WORDS.get(piece)
    if found is None:
        found = tuple(WORDS.findall(piece))
        if len(_PIECE_WORDS) < MAX_CACHED_PIECES and len(piece) <= 64:  # from text: bounded
            _PIECE_WORDS[piece] = found
    return found


def word_set(folded: str) -> frozenset[str]:
    """The distinct words of `folded`: `frozenset(WORDS.findall(folded))`."""
    out: set[str] = set()
    for piece in set(folded.split()):
        for w in _piece_words(piece):
            out.add(w)
    return frozenset(out)


def word_list(folded: str) -> list[str]:
    """The words of `folded` in order: `WORDS.findall(folded)`."""
    out: list[str] = []
    for piece in folded.split():
        out.extend(_piece_words(piece))
    return out
