"""De-obfuscation of digit sequences: from what an ad shows to the digits it means.

Ads hide phone numbers from filters: "4one5 - 5five5 - 12 3 4",
"fourfifteen five five five…", "4I5.555.I234", keycap emoji, full-width or
circled digits, number words in English, Spanish, Portuguese and French,
odd separators, and numbers split by a few words of text. This module undoes
that *without touching the text*: it reads the text and returns
`DigitWindow`s, each a normalized digit stream plus an offset map from every
normalized digit back to the span of the original text it came from.

The steps, in order:
1. **Tokenize** (the shared scan, `threadline.extract.scan`): runs of decimal
   digits in any script (`\\d`, so full-width and mathematical digits too),
   keycap emoji ("4️⃣"), circled/super-/subscript digit symbols, "🔟", number
   words and look-alike letters (O/o→0, I/l/|→1, S/s→5). Number words may be
   glued to digits ("4one5") or to each other ("fourfifteen") but never to
   other letters ("someone", "weight" are not numbers). A run of look-alike
   letters alone counts only when it touches a digit or a "+" ("I234", "+I",
   not the pronoun "I").
2. **Exclude** pieces that are something else by their context: a price
   ("$200", "200/hr", "150 roses"), a time ("10am"), an age ("22yo"), a
   measurement ("5'6", "36DD"), an id ("Post ID: 88213409"). Rules are data:
   `rules/phone.yaml`. An excluded piece also breaks the window.
3. **Join** consecutive pieces separated only by separator characters
   (spaces, dashes, dots, brackets, emoji, zero-width characters …, at most
   `max_gap` of them) or a filler word ("dash", "guion"). Two to four short
   runs split by a little ordinary text ("415 555 text me 0123") are also
   joined, as a *bridged* window, when together they make 10–13 digits.
4. **Convert** number words to digits with the small grammar of
   `rules/numbers.yaml` ("twenty one" → 21, "quinientos cincuenta y cinco" →
   555, "double five" → 55). Every output digit keeps the span of the words
   it came from.

What the digits *are* (a valid phone number in some region) is decided by the
phone extractor and the value type, not here. Each window records which
obfuscation techniques it used, because obfuscation is itself an indicator.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Final

import regex

from threadline.extract.base import ExtractContext
from threadline.extract.numbers import (
    LOOKALIKES,
    NumberRules,
    Piece,
    Unit,
    alternation,
    convert_words,
    number_rules,
)
from threadline.extract.scan import Token, scan, trie_pattern
from threadline.immutable import Immutable


@dataclass(frozen=True, slots=True)
class _Patterns:
    unit: regex.Pattern[str]
    gap: regex.Pattern[str]
    filler: regex.Pattern[str]


@cache
def patterns() -> _Patterns:
    rules = number_rules()
    lookalike = regex.escape("".join(LOOKALIKES))
    seps = regex.escape("".join(sorted(rules.separators)))
    # listed separators, any other dash or "other" punctuation (⁕, ·), symbols and
    # emoji, marks, invisible format characters and spaces
    gap_chars = rf"[{seps}\p{{Pd}}\p{{Po}}\p{{Ps}}\p{{Pe}}\p{{So}}\p{{Sk}}\p{{Mn}}\p{{Cf}}\p{{Zs}}]"
    return _Patterns(
        # splits a lower-cased run of number words ("fourfifteen") into its words
        unit=regex.compile(rf"{trie_pattern(sorted(rules.words))}|[{lookalike}]"),
        gap=regex.compile(rf"{gap_chars}{{0,{rules.max_gap}}}"),
        filler=regex.compile(
            rf"(?i){gap_chars}{{0,3}}(?:{alternation(list(rules.filler_words))}){gap_chars}{{0,3}}"
        ),
    )


class DigitWindow(Immutable):
    """A run of pieces read as one digit stream, with the offset map back to the text.

    A plain class for the reason given on `Piece`.
    """

    __slots__ = ("bridges", "digits", "gaps", "pieces")
    _fields = ("pieces", "gaps", "bridges")

    def __init__(
        self, pieces: tuple[Piece, ...], gaps: tuple[str, ...], bridges: tuple[int, ...] = ()
    ) -> None:
        self.pieces: Final = pieces
        self.gaps: Final = gaps  # the original text between consecutive pieces
        # indexes into `gaps` of the runs of text it was joined across
        self.bridges: Final = bridges
        self.digits: Final = "".join(p.digits for p in pieces)  # the normalized digit stream

    @property
    def bridged(self) -> bool:
        return bool(self.bridges)

    @property
    def offsets(self) -> tuple[tuple[int, int], ...]:
        """Offset map: for each digit of `digits`, the original span it came from."""
        return tuple((p.start, p.end) for p in self.pieces for _ in p.digits)

    def original_span(self, a: int, b: int) -> tuple[int, int]:
        """The original text span of normalized digits [a, b)."""
        offs = self.offsets
        return offs[a][0], offs[b - 1][1]


def _token_units(tok: Token, text: str, low: str) -> list[Piece | Unit] | None:
    """What one trigger token stands for: ready pieces (digits) or word units to convert later.

    None when the token is not digit-like here (a lone "I" or "lol").
    """
    kind, s, e = tok.kind, tok.start, tok.end
    if kind == "d":
        raw = text[s:e]
        if raw.isascii():
            return [Piece(raw, s, e, frozenset({"ascii"}))]
        digits = "".join(str(unicodedata.digit(c)) for c in raw)
        return [Piece(digits, s, e, frozenset({"unicode_digits"}))]
    if kind == "kc":
        return [Piece(text[s], s, e, frozenset({"emoji_digits"}))]
    if kind == "s":  # "|" touching a digit reads as 1 ("4|5"); anything else is not a digit
        if tok.low == "|" and (text[s - 1 : s].isdigit() and text[e : e + 1].isdigit()):
            return [Piece("1", s, e, frozenset({"letter_for_digit"}))]
        return None
    if kind == "ten":
        return [Piece("10", s, e, frozenset({"emoji_digits"}))]
    if kind == "sym":
        return [
            Piece(str(unicodedata.digit(c)), s + i, s + i + 1, frozenset({"emoji_digits"}))
            for i, c in enumerate(text[s:e])
        ]
    units: list[Piece | Unit] = [
        (u.group(), u.start(), u.end())
        for u in patterns().unit.finditer(low, s, e, concurrent=False)
    ]
    if all(isinstance(u, tuple) and u[0] in LOOKALIKES for u in units) and not (
        text[s - 1 : s].isdigit() or text[s - 1 : s] in ("+", "＋") or text[e : e + 1].isdigit()
    ):
        return None  # look-alike letters count only when they touch a digit
    return units


def _pieces(items: list[Piece | Unit], rules: NumberRules) -> list[Piece]:
    """Convert the word units of a window into pieces; digit pieces pass through."""
    out: list[Piece] = []
    words: list[Unit] = []
    for item in items:
        if isinstance(item, Piece):
            out.extend(convert_words(words, rules))
            words = []
            out.append(item)
        else:
            words.append(item)
    out.extend(convert_words(words, rules))
    return out


def _excluded(
    start: int,
    end: int,
    n_digits: int,
    low: str,
    edges: tuple[_EdgeIndex, _EdgeIndex],
    confirms: tuple[regex.Pattern[str], ...],
) -> bool:
    """Is the token at [start, end) a price, time, age, measurement or id by its context?

    Plain string tests (`startswith`/`endswith` with tuples run in C): this runs
    for every digit token of every record.
    """
    after, before = edges
    tail = low[end : end + 16].lstrip(" \t")
    first = tail[:1]
    for k in range(len(after)):  # (a loop over indexes: zip is a generic call when compiled)
        max_digits, by_first = after[k]
        confirm = confirms[k]
        words = by_first.get(first)
        if words is not None and n_digits <= max_digits and tail.startswith(words):
            m = confirm.match(tail, concurrent=False)
            # "0139 $150": a symbol or unit that starts the *next* amount is no suffix
            if m is not None and (
                m.group() in _MARKS or not _NEXT_AMOUNT.match(tail, m.end(), concurrent=False)
            ):
                return True
    spaced = low[max(0, start - 24) : start].rstrip(" \t")
    heads = (spaced, spaced[:-1].rstrip(" \t")) if spaced[-1:] in ":#.=-" else (spaced,)
    for max_digits, by_last in before:
        if n_digits > max_digits:
            continue
        for head in heads:
            words = by_last.get(head[-1:])
            if words is not None and head.endswith(words):
                for w in words:
                    if head.endswith(w):
                        before_w = head[-len(w) - 1 : -len(w)]
                        if not (before_w.isalnum() or before_w == "/"):
                            return True
    return False


_MARKS = frozenset("'’\"”")  # feet/inches: "5'6" stays a measurement


_EdgeIndex = tuple[tuple[int, dict[str, tuple[str, ...]]], ...]  # (max digits, words by char)


@cache
def _edge_index() -> tuple[_EdgeIndex, _EdgeIndex]:
    """The `not_phone_after` words by first character and the `not_phone_before` words
    by last, per rule group: `_excluded` tests only the few words that can match."""

    def index(words: tuple[str, ...], at: int) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for w in words:
            out.setdefault(w[at], []).append(w)
        return {c: tuple(ws) for c, ws in out.items()}

    rules = number_rules()
    return (
        tuple((n, index(words, 0)) for n, words in rules.after),
        tuple((n, index(words, -1)) for n, words in rules.before),
    )


_NEXT_AMOUNT = regex.compile(r"[ \t]{0,2}[:=\-]?[ \t]{0,2}[$€£]?\d")


@cache
def _after_patterns() -> tuple[regex.Pattern[str], ...]:
    """One anchored check per `not_phone_after` group: a listed word, not a longer word."""
    return tuple(
        regex.compile(rf"(?:{alternation(list(ws))})(?!\p{{L}})") for _, ws in number_rules().after
    )


def _digits_of(item: Piece | Unit) -> int:
    return len(item.digits) if isinstance(item, Piece) else 1


def _joinable(gap: str, left: Piece | Unit, right: Piece | Unit, p: _Patterns) -> bool:
    if not gap:
        return True
    if gap == ":" and _digits_of(left) <= 2 and _digits_of(right) == 2:
        return False  # a clock time, "10:30"
    known = _GAPS.get(gap)
    if known is None:  # the same few separators recur in every ad: test each once
        known = (
            p.gap.fullmatch(gap, concurrent=False) is not None
            or p.filler.fullmatch(gap, concurrent=False) is not None
        )
        if len(_GAPS) < MAX_CACHED_GAPS and len(gap) <= 32:
            _GAPS[gap] = known
    return known


MAX_CACHED_GAPS = 16384
_GAPS: dict[str, bool] = {}


MAX_WINDOW_ITEMS = 64  # a longer run of digit pieces is a flood, read in chunks of this size
MIN_DIGITS = 7  # shortest phone number (national significant number) worth reading
BRIDGE_MAX_GAP = 30  # "415 555 (text me) 0123": at most this much text between parts
BRIDGE_MIN_DIGITS, BRIDGE_MAX_DIGITS = 10, 13  # digits of a number worth bridging for


_WORD_DIGITS = {"digits": 1, "pairs": 2, "tens": 2, "hundreds": 3, "scale": 3, "repeat": 3}


def _most_digits(tok: Token, rules: NumberRules) -> int:
    """An upper bound on the digits a digit-like token can stand for."""
    if tok.kind == "num":
        word = rules.words.get(tok.low)
        # glued words and look-alike runs: at most three digits per letter
        return 3 * len(tok.low) if word is None else _WORD_DIGITS.get(word.kind, 0)
    return 2 if tok.kind == "ten" else tok.end - tok.start


def _candidate_tokens(tokens: list[Token], rules: NumberRules) -> list[Token]:
    """The prefilter: the digit-like tokens (`Scan.digitish`) of the clusters that
    could hold a phone number.

    Tokens closer than the longest joinable gap (separators, or a filler word
    between separators) form a tight cluster: no window reaches across a
    wider gap. Tight clusters closer than `BRIDGE_MAX_GAP` form a chain: no
    bridged window reaches across a wider one. A tight cluster is read only
    when its tokens together could make `MIN_DIGITS` digits, or its chain
    could make the 10 digits of a bridged number; everything else (a time, a
    price, a size, a date) is skipped before any exclusion test, word
    conversion or window is built. Reading only these gives the same windows
    as reading every token (tests/test_deobfuscate.py checks it).
    """
    join_gap = _join_gap()
    clusters: list[tuple[list[Token], int]] = []
    end = -BRIDGE_MAX_GAP - 1
    for tok in tokens:
        if tok.start > end + join_gap or not clusters:
            clusters.append(([], tok.start - end))  # (tokens, gap before the cluster)
        clusters[-1][0].append(tok)
        end = max(end, tok.end)
    out: list[Token] = []
    chain: list[tuple[list[Token], int]] = []
    for k, (toks, _gap) in enumerate(clusters):
        chain.append((toks, sum(_most_digits(t, rules) for t in toks)))
        nxt_gap = clusters[k + 1][1] if k + 1 < len(clusters) else BRIDGE_MAX_GAP + 1
        if nxt_gap > BRIDGE_MAX_GAP:  # the chain ends here
            whole = sum(bound for _, bound in chain) >= BRIDGE_MIN_DIGITS
            for ctoks, bound in chain:
                if whole or bound >= MIN_DIGITS:
                    out.extend(ctoks)
            chain = []
    return out


@cache
def _join_gap() -> int:
    """Longest text between two pieces of one window (see `_joinable`), plus one."""
    rules = number_rules()
    longest_filler = max((len(w) for w in rules.filler_words), default=0)
    return max(rules.max_gap, 3 + longest_filler + 3) + 1


def digit_windows(
    text: str, ctx: ExtractContext | None = None, *, prefilter: bool = True
) -> list[DigitWindow]:
    """All windows of at least `MIN_DIGITS` digits, plus bridged pairs of shorter ones.

    `prefilter=False` reads every digit-like token (the reference the
    prefilter is tested against).
    """
    rules = number_rules()
    p = patterns()
    windows: list[DigitWindow] = []
    short: list[tuple[DigitWindow, bool]] = []  # every window; bool: next break was plain text
    items: list[Piece | Unit] = []
    last_end = -1

    def flush(text_follows: bool) -> None:
        nonlocal items
        if items:
            pieces = _pieces(items, rules)
            if pieces:
                gaps = tuple(text[a.end : b.start] for a, b in pairwise(pieces))
                window = DigitWindow(tuple(pieces), gaps)
                if len(window.digits) >= MIN_DIGITS:
                    windows.append(window)
                short.append((window, text_follows))
        items = []

    sc = scan(text, ctx)
    edges, confirms = _edge_index(), _after_patterns()
    excluded_end = -2
    tokens = _candidate_tokens(sc.digitish, rules) if prefilter else sc.digitish
    for n, tok in enumerate(tokens):
        if ctx is not None and not n & 255:
            ctx.check("digit_windows")
        units = _token_units(tok, text, sc.low)
        if units is None:
            continue
        s, e = tok.start, tok.end
        n_digits = sum(len(u.digits) if isinstance(u, Piece) else 1 for u in units)
        # a thousands group of an excluded amount ("$1,800") is part of that amount
        group = (
            s == excluded_end + 1 and text[excluded_end] in ",." and tok.kind == "d" and e - s == 3
        )
        if group or _excluded(s, e, n_digits, sc.low, edges, confirms):
            flush(text_follows=False)
            last_end = -1
            excluded_end = e
            continue
        if items and (
            len(items) >= MAX_WINDOW_ITEMS
            or not _joinable(text[last_end:s], items[-1], units[0], p)
        ):
            flush(text_follows=True)
        items.extend(units)
        last_end = e
    flush(text_follows=False)
    windows.extend(_bridges(text, short))
    return windows


def _bridges(text: str, short: list[tuple[DigitWindow, bool]]) -> list[DigitWindow]:
    """Join two to four short windows split by a little ordinary text.

    "415 555 text me 0123", "+1 xo 307 xo 555 xo 0138": each part alone is too
    short to be a number; together they must make 10–13 digits, and every
    part has 3+ digits (a group of a written number) except a "+" country code.
    """
    out = []
    for i in range(len(short)):
        first = short[i][0]
        if first.pieces[0].weak or (
            len(first.digits) < 3 and text[first.pieces[0].start - 1 : first.pieces[0].start] != "+"
        ):
            continue
        parts = [first]
        for j in range(i + 1, min(i + 4, len(short))):
            prev, text_follows = short[j - 1]
            nxt = short[j][0]
            gap = text[prev.pieces[-1].end : nxt.pieces[0].start]
            if (
                not text_follows
                or not 3 <= len(nxt.digits) < MIN_DIGITS
                or nxt.pieces[0].weak  # "Columbus, OH 43229": "oh" is no zero here
                or len(gap) > BRIDGE_MAX_GAP
                or len(gap.split()) > 4
                or any(c.isdigit() for c in gap)
            ):
                break
            parts.append(nxt)
            if any(len(p.digits) >= MIN_DIGITS for p in parts):
                break
            if BRIDGE_MIN_DIGITS <= sum(len(p.digits) for p in parts) <= BRIDGE_MAX_DIGITS:
                out.append(_join(text, parts))
    return out


def _join(text: str, parts: list[DigitWindow]) -> DigitWindow:
    pieces: list[Piece] = []
    gaps: list[str] = []
    bridges: list[int] = []
    for part in parts:
        if pieces:
            bridges.append(len(gaps))
            gaps.append(text[pieces[-1].end : part.pieces[0].start])
        pieces.extend(part.pieces)
        gaps.extend(part.gaps)
    return DigitWindow(tuple(pieces), tuple(gaps), tuple(bridges))


def obfuscation_of(window: DigitWindow, first: int, last: int) -> tuple[str, ...]:
    """Evasion techniques used by pieces [first, last] of a window, sorted."""
    rules = number_rules()
    found: set[str] = set()
    pieces = window.pieces[first : last + 1]
    for piece in pieces:
        for kind in piece.kinds:
            if kind.startswith("spelled:"):
                found.add(f"spelled_digits:{kind.split(':', 1)[1]}")
            elif kind != "ascii":
                found.add(kind)
    gaps = window.gaps[first:last]
    for k, gap in enumerate(gaps, start=first):
        if k in window.bridges:
            found.add("split_by_text")
        elif any(c not in rules.plain_separators for c in gap):
            if any(unicodedata.category(c) == "Cf" for c in gap):
                found.add("invisible_characters")
            found.add("unusual_separators")
    singles = sum(1 for p in pieces if len(p.digits) == 1 and not _spelled(p))
    if singles >= 5:
        found.add("spaced_digits")
    return tuple(sorted(found))


def _spelled(piece: Piece) -> bool:
    return any(k.startswith("spelled:") or k == "letter_for_digit" for k in piece.kinds)
