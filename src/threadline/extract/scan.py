"""One shared pass over a record's text that tells each extractor where to look.

Running ten extractors' full patterns over every character of every ad is
what makes naive extraction slow. Instead one pass over the lower-cased text
finds only the *triggers*: digit runs, digit symbols and keycaps, number
words (glued or not), the trigger words every registered extractor declares
(`Extractor.trigger_words`: platform names, payment services, name markers,
price units …), a few symbols ("$", "@") and a "." that may start a
top-level domain. It collects the distinct letter runs first and locates only
the ones that matter, so ordinary words cost a set lookup. Extractors then
run their own bounded patterns anchored at those positions.

The pass is cached for the last text seen in each thread, so the first
extractor pays for it and the others reuse it. Offsets are into the original
text: lower-casing is done so that it never changes the length (a character
whose lower case is longer is left as it is).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Final

import regex

from threadline.extract.base import ExtractContext
from threadline.extract.bounded import BoundedPattern
from threadline.immutable import Immutable

SYMBOLS = "$€£¥₹@＠|"
SYMBOL_DIGITS = "⓪①-⑨⑴-⑼⒈-⒐⓵-⓽⓿❶-❾➀-➈➊-➒¹²³⁰⁴-⁹₀-₉"
LOOKALIKES_LOW = "oils|"  # O/o→0, I/l/|→1, S/s→5 after lower-casing


class Token(Immutable):
    """A trigger. A plain class, not a NamedTuple: a scan makes ~30 of them per ad,
    and compiled, this constructor is a C call where a NamedTuple's `__new__` runs
    as interpreted Python (see `threadline.immutable`)."""

    __slots__ = ("end", "kind", "low", "start")
    _fields = ("kind", "start", "end", "low")

    def __init__(self, kind: str, start: int, end: int, low: str) -> None:
        # d (digits) | kc (keycap) | ten (🔟) | sym (digit symbols) | num | w | s | dot
        self.kind: Final = kind
        self.start: Final = start
        self.end: Final = end
        self.low: Final = low  # lower-cased surface


def trie_pattern(words: list[str]) -> str:
    """A regex alternation of `words` factored as a trie (much faster than a flat list)."""
    root: dict[str, dict] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        end = "" in node
        alts = [regex.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and not end else "(?:" + "|".join(alts) + ")"
        return body + ("?" if end and alts else "")

    return build(root)


def lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@dataclass(frozen=True, slots=True)
class Lexicon:
    words: frozenset[str]  # every extractor's trigger words made of letters only
    literals: tuple[str, ...]  # trigger words with digits or symbols ("sn4p", "venm0")
    numbers: frozenset[str]  # number words (rules/numbers.yaml)
    prefixes: frozenset[str]  # first three letters of number words: glued runs start so
    glued: regex.Pattern[str]  # a run made only of number words ("fourfifteen")


# The scan's patterns are linear by construction (one character class each, no
# nesting); texts longer than bounded.SHORT_TEXT still run them with a timeout.
# Letter runs: `str.split` (C) cuts the text at whitespace, which is never a
# letter, and most of the distinct pieces are whole words (`str.isalpha`, the
# same Unicode letter test as \p{L}). Only the pieces with digits, punctuation
# or symbols in them go through a pattern, and through the standard library's
# `re`: on these short strings it costs a fraction of `regex`, and
# `[^\W\d_]+` is one character class under "+", linear, needing no timeout.
# The class is every alphanumeric but decimal digits and "_": the letters plus
# a few numeric symbols ("²", "①", "½"), which `_piece_runs` splits off.
_WORDISH = re.compile(r"[^\W\d_]+")
_DIGITS = BoundedPattern("scan.digits", r"\d+")
_SYM = BoundedPattern("scan.symbol_digits", rf"(?P<sym>[{SYMBOL_DIGITS}]+)|(?P<ten>\U0001F51F)")
_KEYCAP = ("\u20e3", "\ufe0f\u20e3")


@cache
def lexicon() -> Lexicon:
    """Trigger words of every registered extractor, and the number words."""
    from threadline.extract.numbers import number_rules
    from threadline.extract.registry import all_extractors

    words: set[str] = set()
    for ex in all_extractors():
        words.update(w.lower() for w in ex.trigger_words())
    numbers = frozenset(number_rules().words)
    return Lexicon(
        words=frozenset(w for w in words if w.isalpha()),
        literals=tuple(sorted(w for w in words if not w.isalpha())),
        numbers=numbers,
        prefixes=frozenset(w[:3] for w in numbers if len(w) >= 3),
        # a run made only of number words, with look-alike letters between them ("oone")
        glued=regex.compile(
            rf"(?=.*(?:{trie_pattern(sorted(numbers))}))"
            rf"(?:{trie_pattern(sorted(numbers))}|[{LOOKALIKES_LOW[:4]}])+"
        ),
    )


_LOOKALIKE_WORDS = frozenset(
    "".join(p) for n in range(1, 5) for p in itertools.product(LOOKALIKES_LOW[:4], repeat=n)
)


def _START(t: Token) -> int:
    return t.start


class Scan:
    """The triggers of one text, grouped for quick selection.

    Token kinds: "d" digit run, "kc" keycap digit, "ten" 🔟, "sym" digit
    symbols (①, ¹ …), "num" number word(s) or look-alike letters touching a
    digit, "w" trigger word, "s" trigger symbol, "dot" a "." before a TLD-like word.
    """

    __slots__ = ("by_kind", "by_word", "digitish", "low", "pieces", "text", "trigger_words")

    def __init__(self, text: str, ctx: ExtractContext | None) -> None:
        self.text = text
        self.low = low = lower_same_length(text)
        lex = lexicon()
        # Tokens go straight into the lists their readers use (no grouping pass):
        # `digitish` for the digit windows, `by_word` for trigger words, `by_kind`.
        digitish: list[Token] = []  # num, d, kc, ten, sym and "|"
        words: list[Token] = []
        # Letter runs: find which distinct words matter first, then locate only
        # those; most words of an ad trigger nothing. What a piece of text holds
        # (its trigger words and number words, usually none) is remembered per
        # distinct piece across records, so an ordinary word costs a dict lookup.
        if ctx is not None:
            ctx.check("scan")
        # the distinct whitespace-separated pieces: extractors that need a long
        # unbroken run (crypto addresses) test these before scanning the text
        self.pieces = pieces = set(low.split())
        wanted: set[str] = set()
        numbers: set[str] = set()
        for piece in pieces:
            hits = _HITS.get(piece)
            if hits is None:
                hits = _piece_hits(piece, lex)
                if len(_HITS) < MAX_CACHED_WORDS and len(piece) <= 64:  # from text: bounded
                    _HITS[piece] = hits
            for w, is_wanted, is_number in hits:
                if is_wanted:
                    wanted.add(w)
                if is_number:
                    numbers.add(w)
        by_word: dict[str, list[Token]] = defaultdict(list)
        for w in wanted | numbers:
            lookalike = w in numbers and w not in lex.numbers and not w.strip("oils")
            for s in _find_word(low, w):
                e = s + len(w)
                is_num = w in numbers and (not lookalike or _touches_digit(low, s, e))
                if not is_num and w not in wanted:
                    continue
                tok = Token("num" if is_num else "w", s, e, w)
                (digitish if is_num else words).append(tok)
                if w in wanted:
                    by_word[w].append(tok)
        for w in lex.literals:  # "sn4p" is no letter run: found as a literal, whole
            for s in _find_literal(low, w):
                tok = Token("w", s, s + len(w), w)
                words.append(tok)
                by_word[w].append(tok)
        digit_runs: list[Token] = []
        n = len(low)
        # the runs as strings (no match objects), each located by `str.find` from
        # the end of the last: every digit belongs to a run, so the first
        # occurrence of the next run's digits after that end is the run itself
        e = 0
        for w in _DIGITS.findall(low, ctx):
            s = low.find(w, e)
            e = s + len(w)
            # "4️⃣": the last digit is a keycap (the first test is a cheap reject)
            if e < n and low[e] in "\u20e3\ufe0f" and low.startswith(_KEYCAP, e):
                if e - s > 1:
                    digit_runs.append(Token("d", s, e - 1, w[:-1]))
                digitish.append(Token("kc", e - 1, e + (1 if low[e] == "\u20e3" else 2), w[-1]))
            else:
                digit_runs.append(Token("d", s, e, w))
        digitish.extend(digit_runs)
        symbols: list[Token] = []
        for ch in SYMBOLS:
            i = low.find(ch)
            while i >= 0:
                symbols.append(Token("s", i, i + 1, ch))
                i = low.find(ch, i + 1)
        if len(symbols) > 1:
            symbols.sort(key=_START)
        if "|" in low:
            digitish.extend(t for t in symbols if t.low == "|")
        # a set test, not a regex: the regex module's class test over these
        # ranges costs ~50 us on an ordinary non-ASCII ad (emoji)
        if not low.isascii() and not _SYMBOL_DIGIT_SET.isdisjoint(low):
            digitish.extend(
                Token(m.lastgroup, m.start(), m.end(), m.group())
                for m in _SYM.all_matches(low, ctx)
            )
        dots: list[Token] = []
        i = low.find(".")
        while i >= 0:  # "x.com", "example.org": a "." between an alnum and 2+ letters
            if (
                i
                and low[i - 1].isalnum()
                and low[i + 1 : i + 3].isalpha()
                and len(low[i + 1 : i + 3]) == 2
            ):
                dots.append(Token("dot", i, i + 1, "."))
            i = low.find(".", i + 1)
        digitish.sort(key=_START)
        self.digitish = digitish
        self.trigger_words = words
        self.by_word = by_word
        self.by_kind: dict[str, list[Token]] = {"d": digit_runs, "s": symbols, "dot": dots}

    @property
    def tokens(self) -> list[Token]:
        """Every trigger in text order (the readers use the grouped lists)."""
        return sorted(
            [*self.digitish, *self.trigger_words, *self.by_kind["s"], *self.by_kind["dot"]],
            key=_START,
        )

    def words(self, wanted: frozenset[str]) -> list[Token]:
        """Tokens that are any of `wanted` (lower-case), in text order."""
        # a set: `frozenset & dict_keys` is computed by dict_keys and returns one
        hits: set[str] = self.by_word.keys() & wanted
        if not hits:
            return []
        if len(hits) == 1:
            return list(self.by_word[next(iter(hits))])
        return sorted((t for w in hits for t in self.by_word[w]), key=lambda t: t.start)

    def symbols(self, chars: str) -> list[Token]:
        return [t for t in self.by_kind.get("s", ()) if t.low in chars]


def split_cached(
    piece: str, cache: dict[str, tuple[str, ...]], split: Callable[[str], tuple[str, ...]]
) -> tuple[str, ...]:
    """`split(piece)` for a whitespace-free piece of text, remembered in `cache`.

    Ads repeat their words, so a dict lookup replaces most splits; pieces come
    from hostile text, so the cache is bounded in entries and piece length.
    """
    found = cache.get(piece)
    if found is None:
        found = split(piece)
        if len(cache) < MAX_CACHED_WORDS and len(piece) <= 64:
            cache[piece] = found
    return found


def piece_union(
    text: str, cache: dict[str, tuple[str, ...]], split: Callable[[str], tuple[str, ...]]
) -> set[str]:
    """The union of `split` over the distinct whitespace-separated pieces of `text`.

    Equal to splitting the whole text whenever `split` never yields whitespace:
    `str.split` cuts the pieces in C instead of a pattern reading every character.
    """
    return pieces_union(set(text.split()), cache, split)


def pieces_union(
    pieces: set[str], cache: dict[str, tuple[str, ...]], split: Callable[[str], tuple[str, ...]]
) -> set[str]:
    """The union of `split` over `pieces` (distinct, whitespace-free), cached per piece."""
    out: set[str] = set()
    for piece in pieces:
        for w in split_cached(piece, cache, split):
            out.add(w)
    return out


def _piece_runs(piece: str) -> tuple[str, ...]:
    """The distinct maximal runs of letters (Unicode \\p{L}, as `str.isalpha`) in `piece`."""
    if piece.isalpha():
        return (piece,)
    out: set[str] = set()
    for w in _WORDISH.findall(piece):
        if w.isalpha():
            out.add(w)
        else:  # a numeric symbol inside: split the run around it
            _add_alpha_parts(w, out)
    return tuple(out)


def _add_alpha_parts(w: str, runs: set[str]) -> None:
    start = -1
    for i, ch in enumerate(w):
        if ch.isalpha():
            if start < 0:
                start = i
        elif start >= 0:
            runs.add(w[start:i])
            start = -1
    if start >= 0:
        runs.add(w[start:])


def _touches_digit(low: str, s: int, e: int) -> bool:
    """Look-alike letters count only next to a digit (or a "+": "+I 415…")."""
    return low[s - 1 : s].isdigit() or low[s - 1 : s] in ("+", "＋") or low[e : e + 1].isdigit()


def _expand(spec: str) -> frozenset[str]:
    """The characters of a character-class body made of single characters and "a-z" ranges."""
    out: set[str] = set()
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.update(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        else:
            out.add(spec[i])
            i += 1
    return frozenset(out)


_SYMBOL_DIGIT_SET = _expand(SYMBOL_DIGITS + "\U0001f51f")
MAX_CACHED_WORDS = 65536
# piece of text → (letter run, a trigger word, a number word) for its runs that are either
_HITS: dict[str, tuple[tuple[str, bool, bool], ...]] = {}
_NO_HITS: tuple[tuple[str, bool, bool], ...] = ()


def _piece_hits(piece: str, lex: Lexicon) -> tuple[tuple[str, bool, bool], ...]:
    """The letter runs of `piece` that are trigger words or number words.

    Number words are the lexicon's, look-alike letter runs ("i", "oi": kept
    later only when touching a digit) and glued runs of number words
    ("fourfifteen", "oone").
    """
    out = []
    for w in _piece_runs(piece):
        is_wanted = w in lex.words
        is_number = (
            w in lex.numbers or w in _LOOKALIKE_WORDS or (not is_wanted and _is_glued(w, lex))
        )
        if is_wanted or is_number:
            out.append((w, is_wanted, is_number))
    return tuple(out) if out else _NO_HITS


def _is_glued(w: str, lex: Lexicon) -> bool:
    return (
        len(w) > 3
        and (w[:3] in lex.prefixes or w[0] in "oils")
        and lex.glued.fullmatch(w, concurrent=False) is not None
    )


def _find_word(low: str, w: str) -> list[int]:
    """Start offsets of `w` as a whole letter run in `low` (`str.find` runs in C).

    `w` is itself a whole letter run of `low`, so a hit is whole when neither
    neighbour is a letter (`str.isalpha` is the Unicode letter test, like \\p{L}).
    """
    out = []
    n = len(w)
    i = low.find(w)
    while i >= 0:
        if not (i and low[i - 1].isalpha()) and not low[i + n : i + n + 1].isalpha():
            out.append(i)
        i = low.find(w, i + n)
    return out


def _find_literal(low: str, w: str) -> list[int]:
    """Start offsets of `w` with no letter or digit glued on either side."""
    out = []
    i = low.find(w)
    while i >= 0:
        if not (i and low[i - 1].isalnum()) and not low[i + len(w) : i + len(w) + 1].isalnum():
            out.append(i)
        i = low.find(w, i + 1)
    return out


_local = threading.local()


def scan(text: str, ctx: ExtractContext | None = None) -> Scan:
    """The scan of `text`, reused when the same string object was scanned last."""
    last = getattr(_local, "last", None)
    if last is not None and last.text is text:
        return last
    result = Scan(text, ctx)
    _local.last = result
    return result
