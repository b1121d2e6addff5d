"""The words of folded text, as the indicator stage reads them (compiled, see setup.py).

A word is a `\\w+` run of the folded text. `WORDS` is the standard library's
engine: the pattern is linear-time (no backtracking), where catalogue patterns
use `regex`. Whitespace is never a word character, so the words of a text are
the words of its whitespace-separated pieces: `str.split` cuts those in C,
and each distinct piece is split into words once per process
(`threadline.extract.scan.piece_union`, as the extraction scan does). A
`findall` over the whole of an ad written with emoji (a UCS-4 string) costs
~100,000 instructions; this, a fraction.
"""

from __future__ import annotations

import re

from threadline.extract.scan import piece_union, split_cached

WORDS = re.compile(r"\w+")
_PIECE_WORDS: dict[str, tuple[str, ...]] = {}  # piece → its words


def _words_of(piece: str) -> tuple[str, ...]:
    return tuple(WORDS.findall(piece))


def word_set(folded: str) -> frozenset[str]:
    """The distinct words of `folded`: `frozenset(WORDS.findall(folded))`."""
    return frozenset(piece_union(folded, _PIECE_WORDS, _words_of))


def word_list(folded: str) -> list[str]:
    """The words of `folded` in order: `WORDS.findall(folded)`."""
    out: list[str] = []
    for piece in folded.split():
        out.extend(split_cached(piece, _PIECE_WORDS, _words_of))
    return out
