"""Prices and rates ("$200/hr", "150 roses", "hh 120", "€80 media hora", "1500 pesos x hora").

One bounded pattern with four shapes, built from the vocabulary in
`values/data/prices.yaml`:
1. symbol then amount, optional unit ("$200/hr", "£150 per hour");
2. amount then a currency symbol or word, optional unit ("300$", "150 roses");
3. amount then a unit ("200/hr", "120hh", "200 la hora");
4. unit then amount ("hh 120", "1hr: $200").
A bare number is never a price; an amount with only a unit must be at least
`MIN_UNIT_ONLY_AMOUNT` (so "24hrs", "2h" availability is not a price).
Thousands are grouped with "," or, in European style, "." ("3.500 €" is
3500). A currency code written after the amount names the currency even
when a symbol comes before it ("$45,000 MXN" is pesos, whatever the region).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

import regex

from threadline.extract.base import Example, Explanation, ExtractContext, Extractor, Mention
from threadline.extract.bounded import BoundedPattern
from threadline.extract.scan import scan, trie_pattern
from threadline.values.base import CleanContext
from threadline.values.price import PRICE, vocabulary

MIN_UNIT_ONLY_AMOUNT = Decimal(30)
# No leading zero: "0139" is the tail of a phone number, not an amount.
_AMOUNT = (
    r"[1-9]\d{0,2}(?:,\d{3})+(?![\d])|[1-9]\d{0,2}(?:\.\d{3})+(?![\d])"
    r"|[1-9]\d{0,5}(?:[.,]\d{1,2})?"
)
# A symbol or unit directly followed by another amount belongs to that amount ("hh 80").
_NOT_NEXT = r"(?![ \t]{0,2}[:=\-]?[ \t]{0,2}[$€£]?\d)"


def _alt(words: list[str]) -> str:
    # a trie of the lower-cased words, any single space also matching none ("1 hr", "1hr")
    return trie_pattern(sorted({w.lower() for w in words})).replace(r"\ ", r"[ \t]?")


@dataclass(frozen=True, slots=True)
class _Patterns:
    unit_first: BoundedPattern  # "hh 120", "1hr: $200" — anchored at the unit
    symbol_first: BoundedPattern  # "$200/hr", "US$ 150" — anchored at the symbol
    amount_first: BoundedPattern  # "300$", "150 roses", "200/hr" — anchored at the amount
    triggers: frozenset[str]
    # first one or two letters of every unit and currency word (a set: tested for
    # every digit run of every ad, where `startswith` over a tuple tries each in turn)
    suffix_starts: frozenset[str]
    # first two characters of the units written with a leading digit ("1 hr",
    # "30min", "1/2 hora"): a digit after an amount can only start one of these
    digit_unit_starts: frozenset[str]
    # the same units' first two characters with their spaces left out ("1 hr" → "1h"):
    # a digit run can start `unit_first` ("1hr: $200") only as one of these
    digit_unit_keys: frozenset[str]


@cache
def _patterns() -> _Patterns:
    v = vocabulary()
    sym = _alt(list(v.symbols))
    word = _alt(list(v.words))
    unit = _alt(list(v.units))
    b, e = r"(?<![\p{L}\p{N}$€£])", r"(?![\p{L}\p{N}])"
    per = r"[ \t]?(?:/|per|an|a|x|por|la|each)?[ \t]?"  # patterns run on lower-cased text
    return _Patterns(
        unit_first=BoundedPattern(
            "price.unit_first",
            (
                rf"{b}(?P<u>{unit})[ \t]?[:=\-]?[ \t]?(?P<s>{sym})?[ \t]?(?P<a>{_AMOUNT})"
                rf"(?:[ \t]?(?P<w>{sym}|{word}))?{e}"
            ),
        ),
        symbol_first=BoundedPattern(
            "price.symbol_first",
            (
                rf"(?P<s>{sym})[ \t]?(?P<a>{_AMOUNT})(?:[ \t]?(?P<w>{word}))?"
                rf"(?:{per}(?P<u>{unit}){e})?"
            ),
        ),
        amount_first=BoundedPattern(
            "price.amount_first",
            (
                rf"{b}(?P<a>{_AMOUNT})(?:[ \t]?(?:(?P<s>{sym})|(?P<w>{word}){e}){_NOT_NEXT}"
                rf"(?:{per}(?P<u>{unit}){e}{_NOT_NEXT})?|{per}(?P<u2>{unit}){e}{_NOT_NEXT})"
            ),
        ),
        # unit words only: an amount glued to its unit ("30min") is found from its digits
        triggers=frozenset(w for u in v.units if (w := regex.split(r"[^\w]", u)[0]).isalpha()),
        suffix_starts=frozenset(
            {w.lower().lstrip("0123456789/ ")[:2] for w in [*v.units, *v.words, *v.symbols]}
            | {"x", "p", "a", *"0123456789"} - {""}
        ),
        digit_unit_starts=frozenset(u[:2] for u in v.units if u[:1].isdigit()),
        digit_unit_keys=frozenset(
            u.lower().replace(" ", "")[:2] for u in v.units if u[:1].isdigit()
        ),
    )


class PriceExtractor(Extractor):
    name = "price"
    version = "1.1"  # 1.1: "." thousands ("3.500 €"); a currency code after the amount wins
    types = ("price",)
    examples = (
        Example("$200/hr", (("price", "$200/hr", "200 USD/hour"),)),
        Example("150 roses", (("price", "150 roses", "150 USD"),)),
        Example(
            "hh 120, hr 200",
            (("price", "hh 120", "120/half_hour"), ("price", "hr 200", "200/hour")),
        ),
        Example("€80 media hora", (("price", "€80 media hora", "80 EUR/half_hour"),)),
        Example(
            "1500 pesos x hora", (("price", "1500 pesos x hora", "1500 MXN/hour"),), region="MX"
        ),
        Example("open 24hrs, 2h min", ()),
        Example(
            "3.500 € la noche",
            (("price", "3.500 € la noche", "3500 EUR/overnight"),),
            region="ES",
            note="European thousands separator",
        ),
        Example(
            "$45,000 MXN al mes",
            (("price", "$45,000 MXN", "45000 MXN"),),
            region="US",
            note="the currency code after the amount wins over the region's dollar",
        ),
    )

    def trigger_words(self) -> frozenset[str]:
        return _patterns().triggers

    def extract(self, text: str, ctx: ExtractContext) -> list[Mention]:
        p = _patterns()
        sc = scan(text, ctx)
        triggers = sorted(
            sc.words(p.triggers) + sc.symbols("$€£¥₹") + sc.by_kind.get("d", []),
            key=lambda t: t.start,
        )
        clean_ctx = ctx.clean_context()
        out: list[Mention] = []
        last_end = -1
        for tok in triggers:
            if tok.start < last_end:
                continue
            pos = tok.start
            if tok.kind == "s":
                if text[pos - 2 : pos].upper() == "US":  # "US$200"
                    pos -= 2
                elif text[pos - 1 : pos].upper() == "R":  # "R$200"
                    pos -= 1
                order: tuple[BoundedPattern, ...] = (p.symbol_first,)
            elif tok.kind == "d":
                # an amount needs a currency or a unit right after it: test that in C first
                end = tok.end
                while (  # thousands groups: "3.500 €", "45,000 MXN"
                    sc.low[end : end + 1] in (",", ".")
                    and sc.low[end + 1 : end + 4].isdigit()
                    and not sc.low[end + 4 : end + 5].isdigit()
                ):
                    end += 4
                tail = sc.low[end : end + 3].lstrip(" \t/")
                if not tail or not (
                    tail[0] in "$€£" or tail[:1] in p.suffix_starts or tail[:2] in p.suffix_starts
                ):
                    continue
                # digits next ("415 555 0123"): only a unit written with digits
                # ("200 1hr", "150 30min") can follow; the tail may be cut short
                if tail[0].isdigit() and len(tail) > 1 and tail[:2] not in p.digit_unit_starts:
                    continue
                order = (
                    (p.unit_first, p.amount_first)
                    if digit_unit_may_start(sc.low, pos, p.digit_unit_keys)
                    else (p.amount_first,)
                )
            else:
                order = (p.unit_first,)
            for pattern in order:
                m = pattern.match(sc.low, ctx, pos)
                if m is None or not m.group("a"):
                    continue
                mention = self._read(text, m, pattern.pattern_id, clean_ctx)
                if mention is not None:
                    out.append(mention)
                    last_end = mention.end
                    break
        return out

    def _read(
        self, text: str, m: regex.Match[str], pid: str, clean_ctx: CleanContext
    ) -> Mention | None:
        symbol, word = m.group("s") or None, m.group("w") or None  # every shape has both
        currency = symbol or word
        steps = ["amount"]
        if symbol and word and vocabulary().words.get(word.lower()) not in (None, "$"):
            currency = word  # "$45,000 MXN": the written code beats the symbol's reading
            steps.append("currency_code_after_amount")
        # only amount-first has a second unit group ("200/hr" with no currency)
        unit = m.group("u") or (m.group("u2") if pid == "price.amount_first" else None) or None
        price = _priced(m.group("a"), currency, unit, clean_ctx.default_currency)
        if price is None or (currency is None and price[0] < MIN_UNIT_ONLY_AMOUNT):
            return None
        return self.mention(
            text,
            "price",
            m.start(),
            m.end(),
            price[1],
            0.9 if currency else 0.8,
            Explanation(
                pattern_id=pid,
                steps=tuple(s for s in (*steps, currency and "currency", unit and "unit") if s),
            ),
        )


def digit_unit_may_start(low: str, pos: int, keys: frozenset[str]) -> bool:
    """Can a unit written with digits ("1 hr", "30min", "1/2 hora") start at `pos`?

    Its first two characters, the unit pattern's optional space skipped, must
    be one of `keys`; elsewhere the unit-first pattern cannot match at a digit.
    """
    return low[pos] + low[pos + 1 : pos + 3].lstrip(" \t")[:1] in keys


@lru_cache(maxsize=65536)
def _priced(
    amount: str, currency: str | None, unit: str | None, default_currency: str | None
) -> tuple[Decimal, str] | None:
    """(amount, canonical form) of a price as written, or None; ads repeat their
    prices ("$200", "1hr"), so most are read once per process (bounded LRU)."""
    price = PRICE.parse(amount, currency, unit, CleanContext(default_currency=default_currency))
    return None if price is None else (price.amount, price.canonical())


EXTRACTOR = PriceExtractor()
