"""Spelled-out numbers as data and as a small grammar: words → digits with their spans.

The vocabulary (`rules/numbers.yaml`: English, Spanish, Portuguese, French)
and the phone context rules (`rules/phone.yaml`) are loaded and validated
here. `convert_words` turns a run of number words and look-alike letters
into `Piece`s — digits plus the span of the original text they stand for
("twenty one" → "21" spanning both words, "quinientos cincuenta y cinco" →
"555").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import regex

from threadline.immutable import Immutable
from threadline.values.base import DataError, load_yaml

RULES = "threadline.extract.rules"
_KINDS = ("digits", "pairs", "tens", "hundreds", "repeat")
# after lower-casing: O/o → 0, I/i/l/| → 1, S/s → 5
LOOKALIKES = {"o": "0", "i": "1", "l": "1", "|": "1", "s": "5"}


@dataclass(frozen=True, slots=True)
class Word:
    kind: str  # digits | pairs | tens | hundreds | scale | repeat | joiner
    value: int
    lang: str
    weak: bool


@dataclass(frozen=True, slots=True)
class NumberRules:
    words: dict[str, Word]  # lower-case surface form → meaning
    max_gap: int
    separators: frozenset[str]
    plain_separators: frozenset[str]
    filler_words: tuple[str, ...]
    after: tuple[tuple[int, tuple[str, ...]], ...]  # (max piece digits, words)
    before: tuple[tuple[int, tuple[str, ...]], ...]


def _word_table(data: dict[str, Any]) -> dict[str, Word]:
    words: dict[str, Word] = {}
    for lang, spec in data["languages"].items():
        if not isinstance(spec, dict):
            raise DataError(f"numbers.yaml: language {lang!r} must be a mapping")
        weak = {w.lower() for w in spec.get("weak") or ()}
        for kind in _KINDS:
            table = spec.get(kind) or {}
            if not isinstance(table, dict):
                raise DataError(f"numbers.yaml: {lang}.{kind} must be a mapping")
            for surface, value in table.items():
                if not isinstance(value, int) or not 0 <= value <= 99:
                    raise DataError(f"numbers.yaml: {lang}.{kind}.{surface} must be 0..99")
                key = str(surface).lower()
                words.setdefault(key, Word(kind, value, lang, key in weak))
        for kind in ("scale", "joiners"):
            for surface in spec.get(kind) or ():
                key = str(surface).lower()
                words.setdefault(key, Word(kind.rstrip("s"), 0, lang, True))
    return words


@cache
def number_rules() -> NumberRules:
    nums = load_yaml(RULES, "numbers.yaml", {"languages": dict})
    ctx = load_yaml(
        RULES,
        "phone.yaml",
        {"max_gap": int, "separators": str, "not_phone_after": list, "not_phone_before": list},
    )
    after, before = _context_rules(ctx, "not_phone_after"), _context_rules(ctx, "not_phone_before")
    return NumberRules(
        words=_word_table(nums),
        max_gap=ctx["max_gap"],
        separators=frozenset(ctx["separators"]),
        plain_separators=frozenset(ctx.get("plain_separators", " -.()")),
        filler_words=tuple(ctx.get("filler_words") or ()),
        after=tuple(after),
        before=before,
    )


def _context_rules(data: dict[str, Any], key: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
    out = []
    for rule in data[key]:
        if not isinstance(rule, dict) or not isinstance(rule.get("max_digits"), int):
            raise DataError(f"phone.yaml: {key} entries need max_digits and words")
        words = rule.get("words")
        if not isinstance(words, list) or not words:
            raise DataError(f"phone.yaml: {key} entries need a non-empty words list")
        out.append((rule["max_digits"], tuple(str(w).lower() for w in words)))
    return tuple(out)


def alternation(words: list[str]) -> str:
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


class Piece(Immutable):
    """Digits that one token (or a tens+unit word pair) stands for, with its original span.

    A plain class, not a frozen dataclass: a dataclass's generated `__init__`
    stays interpreted Python even in the compiled build (~1.5 µs a piece,
    several pieces an ad); see `threadline.immutable`.
    """

    __slots__ = ("digits", "end", "kinds", "start", "weak")
    _fields = ("digits", "start", "end", "kinds", "weak")

    def __init__(
        self, digits: str, start: int, end: int, kinds: frozenset[str], weak: bool = False
    ) -> None:
        self.digits: Final = digits
        self.start: Final = start
        self.end: Final = end
        # ascii | unicode_digits | emoji_digits | spelled:<lang> | letter_for_digit
        self.kinds: Final = kinds
        # only weak words ("oh", "one", "y"): never the sole reason for a match
        self.weak: Final = weak


Unit = tuple[str, int, int]  # a number word or look-alike letter: (surface, start, end)


def convert_words(units: list[tuple[str, int, int]], rules: NumberRules) -> list[Piece]:
    """Number words → pieces (grammar of rules/numbers.yaml); look-alikes map one to one."""
    out: list[Piece] = []
    i = 0
    while i < len(units):
        surface, s, e = units[i]
        if surface in LOOKALIKES:
            out.append(Piece(LOOKALIKES[surface], s, e, frozenset({"letter_for_digit"})))
            i += 1
            continue
        w = rules.words[surface.lower()]
        kinds = frozenset({f"spelled:{w.lang}"})
        if w.kind == "digits":
            out.append(Piece(str(w.value), s, e, kinds, w.weak))
        elif w.kind == "pairs":
            out.append(Piece(f"{w.value:02d}", s, e, kinds))
        elif w.kind in ("tens", "hundreds", "scale", "repeat"):
            digits, end, used = _compound(w, units, i, rules, out)
            if w.kind == "scale" and out and len(out[-1].digits) == 1:
                prev = out.pop()
                s, digits = prev.start, prev.digits + digits[1:]
            out.append(Piece(digits, s, end, kinds))
            i += used
            continue
        # joiners outside a tens+unit pair carry no digit
        i += 1
    return out


def _compound(
    w: Word, units: list[tuple[str, int, int]], i: int, rules: NumberRules, out: list[Piece]
) -> tuple[str, int, int]:
    """Digits, end offset and units consumed for a tens/hundreds/scale/repeat word."""

    def word(k: int) -> Word | None:
        return rules.words.get(units[k][0].lower()) if k < len(units) else None

    end = units[i][2]
    if w.kind == "repeat":
        nxt = word(i + 1)
        if nxt is not None and nxt.kind == "digits":
            return str(nxt.value) * w.value, units[i + 1][2], 2
        return "", end, 1
    if w.kind == "tens":
        k = i + 1
        joiner = word(k)
        if joiner is not None and joiner.kind == "joiner":
            k += 1
        nxt = word(k)
        if nxt is not None and nxt.kind == "digits" and nxt.value > 0:
            return f"{w.value}{nxt.value}", units[k][2], k - i + 1
        return f"{w.value}0", end, 1
    # hundreds ("quinientos") or scale ("[four] hundred"): a digit then two more
    lead = str(w.value) if w.kind == "hundreds" else "1"
    nxt = word(i + 1)
    if nxt is not None and nxt.kind == "pairs":
        return f"{lead}{nxt.value:02d}", units[i + 1][2], 2
    if nxt is not None and nxt.kind == "tens":
        digits, tail_end, used = _compound(nxt, units, i + 1, rules, out)
        return lead + digits, tail_end, used + 1
    if nxt is not None and nxt.kind == "digits":
        return f"{lead}0{nxt.value}", units[i + 1][2], 2
    return f"{lead}00", end, 1
