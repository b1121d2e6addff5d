"""Code rules: indicators that read mentions or counts, not just words.

A rule is a small registered function `(RuleInput, params) -> RuleHit | None`.
The catalogue entry that names it supplies its parameters (validated against
the rule's declared `params`) and its examples, which the shared example test
runs through extraction and detection. A rule that fires on an *absence*
(no company identity) returns the spans of what the ad offers instead (its
only contact details) and says in `notes` what it looked for.

Case rules read what is known across the case, passed in `DetectContext`:
`identifier_many_cities` and `identifier_many_personas` read counts over the
case's records (`threadline.case_context`), and `image_on_hash_list` reads
the hash-list matches of the images a record shows. Without them (stateless
`screen` of text only) they never fire.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

import regex

from threadline.extract.base import ExtractContext, Mention
from threadline.extract.bounded import BoundedPattern
from threadline.immutable import Immutable
from threadline.indicators.schema import check_bounded, fold
from threadline.indicators.words import word_list

Span = tuple[int, int]
MAX_RULE_SPANS = 20


@dataclass(frozen=True, slots=True, order=True)
class ImageMatch:
    """An image the record shows matched a hash-list entry (the list's name, never the hash)."""

    list_name: str
    hash_type: str  # sha256 | md5 | pdq
    distance: int  # 0 for exact hashes
    quality: int | None  # the image's PDQ quality

    def note(self) -> str:
        q = "" if self.quality is None else f", quality {self.quality}"
        return f"list {self.list_name!r}: {self.hash_type} distance {self.distance}{q}"


@dataclass(frozen=True, slots=True)
class DetectContext:
    """What detection may know besides the record's text and mentions.

    `region`: the record's ISO country (reads "abroad"). `identifier_cities` /
    `identifier_personas`: for a normalized identifier value (a mention's
    `normalized`), in how many distinct cities / under how many persona names
    it is advertised across the case. `image_matches`: hash-list matches of
    the images the record shows.
    """

    region: str | None = None
    identifier_cities: Mapping[str, int] = field(default_factory=dict)
    identifier_personas: Mapping[str, int] = field(default_factory=dict)
    image_matches: tuple[ImageMatch, ...] = ()

    @classmethod
    def from_example(cls, context: Mapping[str, Any]) -> DetectContext:
        """The context of a catalogue example (keys as in the YAML)."""
        return cls(
            region=context.get("region"),
            identifier_cities=context.get("identifier_cities", {}),
            identifier_personas=context.get("identifier_personas", {}),
            image_matches=tuple(
                ImageMatch(m["list"], m["hash_type"], m["distance"], m.get("quality"))
                for m in context.get("image_matches", ())
            ),
        )


NO_CONTEXT = DetectContext()


class RuleInput:
    """What a code rule reads about one record.

    A plain class with `Final` attributes (read-only when compiled), not a
    frozen dataclass, whose generated `__init__` would run interpreted once
    per record. The record's word list, which one rule counts, is split only
    when asked for (`words`).
    """

    __slots__ = (
        "_words",
        "context",
        "extract_ctx",
        "folded",
        "kind",
        "lang",
        "mentions",
        "text",
        "vocab",
    )

    def __init__(
        self,
        text: str,  # the record's original text
        folded: str,  # `fold(text)`: same length, so its offsets are the text's
        vocab: frozenset[str],  # the folded text's distinct words
        mentions: tuple[Mention, ...],
        kind: str,
        lang: str | None,
        context: DetectContext,
        extract_ctx: ExtractContext | None = None,
    ) -> None:
        self.text: Final = text
        self.folded: Final = folded
        self.vocab: Final = vocab
        self.mentions: Final = mentions
        self.kind: Final = kind
        self.lang: Final = lang
        self.context: Final = context
        self.extract_ctx: Final = extract_ctx
        self._words: tuple[str, ...] | None = None

    def words(self) -> tuple[str, ...]:
        """The folded text's words, in order (split on first use)."""
        if self._words is None:
            self._words = tuple(word_list(self.folded))
        return self._words

    def langs(self, available: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(available) if self.lang is None else (self.lang,)


class RuleHit(Immutable):
    """What a code rule found: evidence spans and notes (a plain class, as `RuleInput`)."""

    __slots__ = ("notes", "spans")
    _fields = ("spans", "notes")

    def __init__(self, spans: tuple[Span, ...], notes: tuple[str, ...] = ()) -> None:
        self.spans: Final = spans
        self.notes: Final = notes


# parameter types: int, number, words (list of str), lang_words ({lang: [str]}),
# number_map ({key: number}), lang_regex ({lang: bounded regex})
_PARAM_CHECKS: dict[str, Callable[[Any], bool]] = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "words": lambda v: isinstance(v, list) and all(isinstance(w, str) and w for w in v),
    "lang_words": lambda v: (
        isinstance(v, dict)
        and all(isinstance(ws, list) and all(isinstance(w, str) for w in ws) for ws in v.values())
    ),
    "number_map": lambda v: (
        isinstance(v, dict)
        and all(isinstance(x, int | float) and not isinstance(x, bool) for x in v.values())
    ),
    "lang_regex": lambda v: (
        isinstance(v, dict)
        and all(isinstance(r, str) and check_bounded(r) is None for r in v.values())
    ),
}


@dataclass(frozen=True, slots=True)
class RuleSpec:
    name: str
    func: Callable[[RuleInput, Mapping[str, Any]], RuleHit | None]
    uses: tuple[str, ...]  # mention types read
    params: Mapping[str, str]  # name -> type (see _PARAM_CHECKS); all required
    doc: str

    def check_params(self, params: Mapping[str, Any]) -> str | None:
        if not isinstance(params, dict):
            return "expected a mapping"
        unknown = set(params) - set(self.params)
        missing = set(self.params) - set(params)
        if unknown or missing:
            return (
                f"rule {self.name} takes {sorted(self.params)};"
                f" unknown {sorted(unknown)}, missing {sorted(missing)}"
            )
        for key, typ in self.params.items():
            if not _PARAM_CHECKS[typ](params[key]):
                return f"{key} must be of type {typ} (bounded regexes only)"
        return None

    def __call__(self, inp: RuleInput, params: Mapping[str, Any]) -> RuleHit | None:
        return self.func(inp, params)


RULES: dict[str, RuleSpec] = {}


def rule(
    name: str, *, uses: tuple[str, ...] = (), params: Mapping[str, str] | None = None
) -> Callable[[Callable[[RuleInput, Mapping[str, Any]], RuleHit | None]], RuleSpec]:
    def register(func: Callable[[RuleInput, Mapping[str, Any]], RuleHit | None]) -> RuleSpec:
        spec = RuleSpec(name, func, uses, dict(params or {}), (func.__doc__ or "").strip())
        RULES[name] = spec
        return spec

    return register


@lru_cache(maxsize=256)
def word_pattern(words: tuple[str, ...]) -> BoundedPattern:
    """A bounded pattern finding any of `words` (folded) as whole words."""
    alts = "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return BoundedPattern(f"rule-words-{len(words)}", rf"(?<!\w)(?:{alts})(?!\w)")


def word_spans(inp: RuleInput, words: tuple[str, ...]) -> tuple[Span, ...]:
    pat = word_pattern(words)
    return tuple(m.span() for m in pat.all_matches(inp.folded, inp.extract_ctx)[:MAX_RULE_SPANS])


_WORDS_CACHE: dict[tuple[int, str | None], tuple[Mapping[str, list[str]], tuple[str, ...]]] = {}


def _lang_words(inp: RuleInput, table: Mapping[str, list[str]]) -> tuple[str, ...]:
    """The folded words of `table` for the record's language(s), computed once per table."""
    key = (id(table), inp.lang)
    hit = _WORDS_CACHE.get(key)
    if hit is None or hit[0] is not table:  # the table itself is kept, so its id stays unique
        words = tuple(
            dict.fromkeys(fold(w) for lang in inp.langs(table) for w in table.get(lang, ()))
        )
        hit = _WORDS_CACHE[key] = (table, words)
    return hit[1]


_SET_CACHE: dict[tuple[int, str | None], tuple[Mapping[str, list[str]], frozenset[str]]] = {}


def _lang_set(inp: RuleInput, table: Mapping[str, list[str]]) -> frozenset[str]:
    """`_lang_words` as a set, built once per table and language."""
    key = (id(table), inp.lang)
    hit = _SET_CACHE.get(key)
    if hit is None or hit[0] is not table:
        hit = _SET_CACHE[key] = (table, frozenset(_lang_words(inp, table)))
    return hit[1]


_LIST_CACHE: dict[int, tuple[list[str], tuple[str, ...]]] = {}


def _words(items: list[str]) -> tuple[str, ...]:
    """A parameter's word list, folded once."""
    hit = _LIST_CACHE.get(id(items))
    if hit is None or hit[0] is not items:
        hit = _LIST_CACHE[id(items)] = (items, tuple(fold(w) for w in items))
    return hit[1]


def _mention_spans(mentions: list[Mention]) -> tuple[Span, ...]:
    return tuple((m.start, m.end) for m in mentions[:MAX_RULE_SPANS])


@rule("phone_obfuscated", uses=("phone",), params={"ignore": "words"})
def phone_obfuscated(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """A phone number written to evade automatic reading (spelled digits, emoji, splits)."""
    ignore = set(p["ignore"])
    hits = [
        m for m in inp.mentions if m.type == "phone" and set(m.explanation.obfuscation) - ignore
    ]
    if not hits:
        return None
    kinds = sorted({k for m in hits for k in m.explanation.obfuscation} - ignore)
    return RuleHit(_mention_spans(hits), (f"techniques: {', '.join(kinds)}",))


@rule(
    "third_person",
    params={"third": "lang_words", "first": "lang_words", "min_third": "int"},
)
def third_person(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """The ad speaks of the person advertised (she, our girls) more than as her (I, my)."""
    third = _lang_set(inp, p["third"])
    if inp.vocab.isdisjoint(third):  # most ads: no third-person word at all
        return None
    first = _lang_set(inp, p["first"])
    words = inp.words()
    n3 = sum(1 for w in words if w in third)
    if n3 < p["min_third"]:
        return None
    n1 = sum(1 for w in words if w in first)
    if n3 <= n1:
        return None
    return RuleHit(word_spans(inp, tuple(third)), (f"third-person words {n3}, first-person {n1}",))


@rule("multiple_names", uses=("name",), params={"min_names": "int"})
def multiple_names(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """Several distinct person names in one ad."""
    names = [m for m in inp.mentions if m.type == "name"]
    distinct = {m.normalized.lower() for m in names}
    if len(distinct) < p["min_names"]:
        return None
    return RuleHit(_mention_spans(names), (f"{len(distinct)} distinct names",))


@rule("age_below", uses=("age",), params={"below": "int"})
def age_below(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """A stated age below the threshold."""
    hits = [m for m in inp.mentions if m.type == "age" and _int(m.normalized) < p["below"]]
    return RuleHit(_mention_spans(hits)) if hits else None


def _int(value: str) -> int:
    try:
        return int(float(value))
    except ValueError:
        return 1_000


@rule("payment_identifier", uses=("payment_handle", "crypto_address"), params={})
def payment_identifier(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """A payment-app handle or crypto address printed in the ad."""
    hits = [m for m in inp.mentions if m.type in ("payment_handle", "crypto_address")]
    return RuleHit(_mention_spans(hits)) if hits else None


def _email_domain(m: Mention) -> str:
    return m.normalized.rsplit("@", 1)[-1].lower()


@rule(
    "messaging_app_only",
    uses=("url", "email"),
    params={"apps": "words", "call_words": "lang_words", "freemail": "words"},
)
def messaging_app_only(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """A messaging app is the only way to reach the poster: no website, no work e-mail, no call."""
    apps = _words(p["apps"])
    if not inp.vocab.intersection(apps):
        return None
    free = set(p["freemail"])
    for m in inp.mentions:
        if m.type == "url" or (m.type == "email" and _email_domain(m) not in free):
            return None
    if inp.vocab.intersection(_lang_words(inp, p["call_words"])):
        return None
    return RuleHit(word_spans(inp, apps), ("no website, no work e-mail, no call number",))


@lru_cache(maxsize=64)
def _word_sets(items: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """Each item's words (`\\w+` runs), as the record's vocabulary holds them."""
    return tuple(frozenset(regex.findall(r"\w+", w)) for w in items)


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> BoundedPattern:
    return BoundedPattern("rule-param", pattern)


@rule(
    "no_company_identity",
    uses=("url", "email", "phone", "handle"),
    params={"freemail": "words", "legal_forms": "words", "address": "lang_regex"},
)
def no_company_identity(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """No verifiable employer: no website, work e-mail, legal form or street address."""
    free = set(p["freemail"])
    for m in inp.mentions:
        if m.type == "url" or (m.type == "email" and _email_domain(m) not in free):
            return None
    forms = _words(p["legal_forms"])
    # a legal form can match only if all its words are words of the ad: test that first
    if any(ws <= inp.vocab for ws in _word_sets(forms)) and word_pattern(forms).search(
        inp.folded, inp.extract_ctx
    ):
        return None
    for lang in inp.langs(p["address"]):
        pattern = p["address"].get(lang)
        if pattern and _compiled(pattern).search(inp.folded, inp.extract_ctx):
            return None
    contacts = [m for m in inp.mentions if m.type in ("phone", "email", "handle")]
    return RuleHit(
        _mention_spans(contacts),
        ("no website, work e-mail, legal form or street address; spans: the contacts offered",),
    )


_PRICE = regex.compile(r"(\d{1,12}(?:\.\d{1,4})?)\s?([A-Z]{3})?(?:/(\w{1,20}))?")


@rule(
    "high_pay_claim",
    uses=("price",),
    params={"monthly_min": "number_map", "hourly_min": "number_map", "claim_words": "lang_words"},
)
def high_pay_claim(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """Pay stated above an entry-level benchmark for the currency, or pay 'guaranteed'."""
    hits: list[Mention] = []
    for m in inp.mentions:
        if m.type != "price":
            continue
        match = _PRICE.fullmatch(m.normalized, concurrent=False)
        if not match or not match.group(2):
            continue
        amount, cur, unit = float(match.group(1)), match.group(2), match.group(3)
        table = p["hourly_min"] if unit == "hour" else p["monthly_min"]
        if unit in (None, "hour", "month") and cur in table and amount >= table[cur]:
            hits.append(m)
    spans = list(_mention_spans(hits))
    claims = _lang_words(inp, p["claim_words"])
    if inp.vocab.intersection(claims):
        spans += word_spans(inp, claims)
    return RuleHit(tuple(sorted(spans))) if spans else None


@rule("foreign_destination", uses=("location",), params={})
def foreign_destination(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """A place named in the ad lies in another country than the record's own."""
    region = inp.context.region
    if not region:
        return None
    from threadline.values.place import lookup

    hits = []
    for m in inp.mentions:
        if m.type == "location":
            place = lookup(m.normalized)
            if place is not None and place.country_code != region.upper():
                hits.append(m)
    return RuleHit(_mention_spans(hits), (f"record region {region}",)) if hits else None


def _network(inp: RuleInput, counts: Mapping[str, int], least: int) -> list[Mention]:
    if not counts:  # no linking counts (screen, or before linking): nothing to read
        return []
    return [
        m
        for m in inp.mentions
        if m.type in ("phone", "email", "handle", "payment_handle")
        and counts.get(m.normalized, 0) >= least
    ]


@rule(
    "identifier_many_cities",
    uses=("phone", "email", "handle", "payment_handle"),
    params={"min_cities": "int"},
)
def identifier_many_cities(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """A contact identifier of this ad was advertised in many cities (needs linking counts)."""
    hits = _network(inp, inp.context.identifier_cities, p["min_cities"])
    return RuleHit(_mention_spans(hits)) if hits else None


@rule(
    "identifier_many_personas",
    uses=("phone", "email", "handle", "payment_handle"),
    params={"min_personas": "int"},
)
def identifier_many_personas(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """A contact identifier of this ad was used under many persona names (needs linking counts)."""
    hits = _network(inp, inp.context.identifier_personas, p["min_personas"])
    return RuleHit(_mention_spans(hits)) if hits else None


@rule("image_on_hash_list")
def image_on_hash_list(inp: RuleInput, p: Mapping[str, Any]) -> RuleHit | None:
    """An image the record shows matches a hash list of known material (needs the image stage)."""
    matches = sorted(set(inp.context.image_matches))
    if not matches:
        return None
    return RuleHit((), tuple(m.note() for m in matches[:MAX_RULE_SPANS]))
