"""Compile the catalogue's text part (phrases, patterns, group words) for fast matching.

Per record kind and language, every indicator's phrases and patterns become
one bounded alternation with a named group per item. A regex runs only when
the record's words make a match possible: a phrase needs all its literal
words in the text, a pattern one of its `anchors`. So a record pays for one
word split plus the few indicators it may carry, not for the whole catalogue.
`scan_all` runs every item unconditionally: the brute-force reference that
the tests compare the gated scan against.

Phrase syntax: words separated by anything non-word ("24/7", "100% real");
``#`` stands for a number ("only # places left"), ``*`` for any one word.
Between two words of a phrase up to `MAX_PHRASE_GAP` non-word characters may
stand (spaces, punctuation, emoji).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import regex

from threadline.extract.base import ExtractContext
from threadline.extract.bounded import BoundedPattern
from threadline.indicators.catalogue import Catalogue
from threadline.indicators.schema import LANGS, MAX_PHRASE_GAP, Indicator
from threadline.indicators.words import WORDS

_TOKENS = re.compile(r"\w+|[#*]")
_GAP = rf"\W{{1,{MAX_PHRASE_GAP}}}"
_NUM = r"\d(?:[\d.,]{0,12}\d)?"
_ANY = r"\w{1,30}"
MAX_SPANS = 20  # evidence spans kept per signal
_NUM_MAX = 14  # characters `_NUM` can match
_ANY_MAX = 30  # characters `_ANY` can match


def phrase_core(phrase: str) -> str:
    """A phrase as a regex without its word boundaries (`build_matcher` adds them once)."""
    return _GAP.join(
        _NUM if t == "#" else _ANY if t == "*" else regex.escape(t) for t in _TOKENS.findall(phrase)
    )


def phrase_length(phrase: str) -> int:
    """The most characters `phrase_core(phrase)` can match."""
    tokens = _TOKENS.findall(phrase)
    size = sum(_ANY_MAX if t == "*" else _NUM_MAX if t == "#" else len(t) for t in tokens)
    return size + MAX_PHRASE_GAP * max(len(tokens) - 1, 0)


def phrase_words(phrase: str) -> frozenset[str]:
    return frozenset(WORDS.findall(phrase))


@dataclass(frozen=True, slots=True)
class Program:
    """One indicator's text part for one set of languages: its phrases and its patterns.

    Phrases share one alternation with the word boundaries factored out (one
    boundary test, not a look-around per item: many times faster in `regex`); the
    authored patterns keep their own anchors in a second alternation.
    """

    index: int
    phrases: BoundedPattern | None
    patterns: BoundedPattern | None
    labels: dict[str, str]  # group name -> item label ("phrase:en:...", "pattern:id", "group:x")
    keys: tuple[tuple[str, frozenset[str]], ...] = ()  # per phrase: its key word and all its words
    radius: int = 0  # the longest text any phrase can match, in characters


Gate = tuple[int, int, frozenset[str]]  # (indicator index, part: 0 phrases 1 patterns, needs)


@dataclass(frozen=True, slots=True)
class KindMatcher:
    kind: str
    lang: str | None
    indicators: tuple[Indicator, ...]
    programs: dict[int, Program]  # indicator index -> its text program
    gates: dict[str, tuple[Gate, ...]]  # word -> the parts it may make match
    gate_words: frozenset[str]  # the keys of `gates`, for one C-level set intersection
    always: frozenset[int]  # indicators whose code rule runs on every record (combine "any")
    always_order: tuple[int, ...]  # the same, sorted
    citations: tuple[str, ...]  # per indicator, its sources' short citations

    def candidates(self, vocab: frozenset[str]) -> set[tuple[int, int]]:
        found: set[tuple[int, int]] = set()
        gates = self.gates
        # a record shares few words with the catalogue: intersect first, then look up
        for word in vocab & self.gate_words:
            for idx, part, needs in gates[word]:
                if (idx, part) not in found and needs <= vocab:
                    found.add((idx, part))
        return found

    def run(
        self,
        idx: int,
        part: int,
        folded: str,
        ctx: ExtractContext | None,
        out: Hits,
        vocab: frozenset[str] | None = None,
    ) -> None:
        prog = self.programs[idx]
        pattern = prog.phrases if part == 0 else prog.patterns
        if pattern is None:
            return
        windows = phrase_windows(prog, folded, vocab) if part == 0 and vocab is not None else None
        if windows is None:
            matches = pattern.all_matches(folded, ctx)
        else:
            matches = [m for s, e in windows for m in pattern.finditer(folded, ctx, s, e)]
        if not matches:
            return
        spans, labels = out.setdefault(idx, ([], []))
        for m in matches:
            spans.append(m.span())
            label = prog.labels[m.lastgroup or ""]
            if label not in labels:
                labels.append(label)

    def scan(self, folded: str, vocab: frozenset[str], ctx: ExtractContext | None) -> Hits:
        out: Hits = {}
        for idx, part in sorted(self.candidates(vocab)):
            self.run(idx, part, folded, ctx, out, vocab)
        return out

    def scan_all(self, folded: str, ctx: ExtractContext | None = None) -> Hits:
        """Reference: run every program with no gate."""
        out: Hits = {}
        for idx in sorted(self.programs):
            for part in (0, 1):
                self.run(idx, part, folded, ctx, out)
        return out


Hits = dict[int, tuple[list[tuple[int, int]], list[str]]]
MAX_WINDOWS = 16  # key-word occurrences past this: scan the whole text instead


def _cut(folded: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to whitespace (or the text's ends) on both sides.

    Whitespace is a non-word character, so `\b` at a widened edge means the
    same inside the window as in the whole text.
    """
    s = max(folded.rfind(" ", 0, start), folded.rfind("\n", 0, start)) + 1
    e = len(folded)
    for sep in (" ", "\n"):
        k = folded.find(sep, end)
        if 0 <= k < e:
            e = k
    return s, e


def phrase_windows(
    prog: Program, folded: str, vocab: frozenset[str]
) -> list[tuple[int, int]] | None:
    """Disjoint stretches of `folded` that hold every match of `prog`'s phrases, or None.

    Every phrase match holds its key word as a whole word and is at most
    `prog.radius` characters long, so it lies within `radius` of an
    occurrence of the key word of a phrase whose words are all in `vocab`.
    Scanning only those stretches (merged, widened to whitespace) finds exactly
    the matches a scan of the whole text finds: no match can cross a
    stretch's edge, so the scan enters each stretch as a whole-text scan
    would. Far cheaper on long ads, where the phrases sit in a few places.
    None when there are too many occurrences to be worth it.
    """
    r = prog.radius
    spans: list[tuple[int, int]] = []
    seen: set[str] = set()
    for key, needs in prog.keys:
        if key in seen or key not in vocab or not needs <= vocab:
            continue
        seen.add(key)
        i = folded.find(key)
        while i >= 0:
            spans.append(_cut(folded, max(i - r, 0), i + len(key) + r))
            if len(spans) > MAX_WINDOWS:
                return None
            i = folded.find(key, i + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _items(
    cat: Catalogue, ind: Indicator, langs: Iterable[str]
) -> list[tuple[str, str, frozenset[str], int, int]]:
    """(label, regex, words, part, longest match) for each text item of `ind` in `langs`."""
    items = []
    det = ind.detect
    for lang in langs:
        for phrase in det.phrases.get(lang, ()):
            items.append(
                (
                    f"phrase:{lang}:{phrase}",
                    phrase_core(phrase),
                    phrase_words(phrase),
                    0,
                    phrase_length(phrase),
                )
            )
        for spec in det.patterns.get(lang, ()):
            items.append((f"pattern:{spec.id}", spec.regex, frozenset(spec.anchors), 1, 0))
        if det.group_words:
            for group, words in cat.groups[det.group_words].groups.items():
                for w in words.get(lang, ()):
                    items.append(
                        (f"group:{group}", phrase_core(w), phrase_words(w), 0, phrase_length(w))
                    )
    return items


def build_matcher(cat: Catalogue, kind: str, lang: str | None) -> KindMatcher:
    indicators = cat.for_kind(kind)
    programs: dict[int, Program] = {}
    gates: dict[str, list[Gate]] = {}
    for idx, ind in enumerate(indicators):
        langs = [lang] if lang in ind.languages else ([] if lang else list(ind.languages))
        # longest first: at one position the alternation takes the first item that matches
        items = sorted(_items(cat, ind, langs), key=lambda it: -len(it[1]))
        if not items:
            continue
        seen: set[str] = set()
        alts: tuple[list[str], list[str]] = ([], [])
        labels: dict[str, str] = {}
        keys: list[tuple[str, frozenset[str]]] = []
        radius = 0
        for k, (label, rx, words, part, longest) in enumerate(items):
            if rx in seen:  # the same phrase in two languages
                continue
            seen.add(rx)
            labels[f"i{k}"] = label
            alts[part].append(f"(?P<i{k}>{rx})")
            if part == 0:  # a phrase needs all its words: key it on the longest, check the rest
                key = max(sorted(words), key=len)
                gates.setdefault(key, []).append((idx, 0, words))
                keys.append((key, words))
                radius = max(radius, longest)
            else:  # a pattern needs any one of its anchors
                for w in words:
                    gates.setdefault(w, []).append((idx, 1, frozenset()))
        phrases = (
            BoundedPattern(f"indicator:{ind.id}:phrases", r"\b(?:" + "|".join(alts[0]) + r")\b")
            if alts[0]
            else None
        )
        patterns = (
            BoundedPattern(f"indicator:{ind.id}:patterns", "|".join(alts[1])) if alts[1] else None
        )
        programs[idx] = Program(idx, phrases, patterns, labels, tuple(keys), radius)
    frozen_gates = {w: tuple(dict.fromkeys(v)) for w, v in gates.items()}
    always = frozenset(
        i
        for i, ind in enumerate(indicators)
        if ind.detect.rule is not None and ind.detect.combine == "any"
    )
    citations = tuple(cat.citation(ind) for ind in indicators)
    return KindMatcher(
        kind,
        lang,
        indicators,
        programs,
        frozen_gates,
        frozenset(gates),
        always,
        tuple(sorted(always)),
        citations,
    )


_MATCHERS: dict[tuple[str, str, str | None], KindMatcher] = {}


def matcher_for(cat: Catalogue, kind: str, lang: str | None) -> KindMatcher:
    """The compiled matcher for (catalogue version, kind, language), built once per process."""
    key_lang = lang if lang in LANGS else None
    key = (cat.version, kind, key_lang)
    m = _MATCHERS.get(key)
    if m is None:
        m = _MATCHERS[key] = build_matcher(cat, kind, key_lang)
    return m


def merge_spans(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted, overlapping spans joined, at most `MAX_SPANS`."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return tuple((s, e) for s, e in out[:MAX_SPANS])
