"""Prices and rates, canonical form "<amount> <CUR>/<unit>" ("200 USD/hour").

Parts the text does not give are left out: "150 roses" in a US record is
"150 USD"; a bare "120 hh" with no currency context is "120/half_hour". Units
and currency words are data (`data/prices.yaml`). Prices never link records.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

import regex

from threadline.values.base import (
    NO_CONTEXT,
    CleanContext,
    DataError,
    ValueType,
    load_yaml,
    timeout_for,
)


@dataclass(frozen=True, slots=True)
class PriceVocabulary:
    symbols: dict[str, str]  # "€" → "EUR"; "$" → "$" (resolved against the context)
    words: dict[str, str]
    dollar_family: frozenset[str]
    units: dict[str, str]  # surface form (lower, single-spaced) → unit name


@cache
def vocabulary() -> PriceVocabulary:
    data = load_yaml(
        "threadline.values",
        "data/prices.yaml",
        {"symbols": dict, "words": dict, "dollar_family": list, "units": dict},
    )
    units: dict[str, str] = {}
    for unit, forms in data["units"].items():
        if not isinstance(forms, list) or not forms:
            raise DataError(f"prices.yaml: unit {unit!r} needs a list of forms")
        for form in forms:
            units[" ".join(str(form).lower().split())] = unit
    return PriceVocabulary(
        symbols={str(k): str(v) for k, v in data["symbols"].items()},
        words={str(k).lower(): str(v) for k, v in data["words"].items()},
        dollar_family=frozenset(data["dollar_family"]),
        units=units,
    )


@dataclass(frozen=True, slots=True)
class Price:
    amount: Decimal
    currency: str | None  # ISO 4217
    unit: str | None  # hour, half_hour, quick_visit, two_hours, overnight, session

    def canonical(self) -> str:
        amount = (
            self.amount.quantize(Decimal(1))
            if self.amount == self.amount.to_integral()
            else self.amount.quantize(Decimal("0.01"))
        )
        out = f"{amount}"
        if self.currency:
            out += f" {self.currency}"
        if self.unit:
            out += f"/{self.unit}"
        return out


_AMOUNT = regex.compile(r"\d{1,3}(?:[,.]\d{3})+(?![\d])|\d{1,6}(?:[.,]\d{1,2})?")
_SEPARATORS = str.maketrans("/:=-", "    ")  # between amount, currency and unit
_THOUSANDS = regex.compile(r"\d{1,3}(?:[,.]\d{3})+")
# amount, then a currency and/or a unit: a bare number is no price
_CANON = regex.compile(r"\d{1,9}(?:\.\d{2})?(?: [A-Z]{3}(?:/[a-z_]{1,16})?|/[a-z_]{1,16})")


def resolve_currency(marker: str, context: CleanContext) -> str | None:
    """ISO code for a symbol or word as written; "$" follows the context's currency."""
    vocab = vocabulary()
    code = vocab.symbols.get(marker) or vocab.words.get(marker.lower())
    if code == "$":
        ctx = context.default_currency
        return ctx if ctx in vocab.dollar_family else "USD"
    return code


def parse_amount(text: str) -> Decimal | None:
    m = _AMOUNT.search(text, timeout=timeout_for(text), concurrent=False)
    if m is None:
        return None
    s = m.group()
    # "1,500" / "1.500": thousands separators; "80,50": a decimal comma
    s = (
        s.replace(",", "").replace(".", "")
        if _THOUSANDS.fullmatch(s, concurrent=False)
        else s.replace(",", ".")
    )
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


class PriceType(ValueType):
    name = "price"
    pivot = False

    def parse(
        self, amount: str, currency: str | None, unit: str | None, context: CleanContext
    ) -> Price | None:
        value = parse_amount(amount)
        if value is None or value <= 0:
            return None
        code = resolve_currency(currency, context) if currency else None
        unit_name = vocabulary().units.get(" ".join(unit.lower().split())) if unit else None
        if code is None and unit_name is None:
            return None  # a bare number is not a price
        return Price(value, code, unit_name)

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        """Parse a short price phrase: "$200/hr", "150 roses", "hh 120", "€80 media hora"."""
        if self.validate(raw):
            return raw  # already canonical
        vocab = vocabulary()
        text = " ".join(raw.split())
        amount_m = _AMOUNT.search(text, timeout=timeout_for(text), concurrent=False)
        if amount_m is None:
            return None
        rest = (text[: amount_m.start()] + " " + text[amount_m.end() :]).strip(" /:=-x")
        currency = None
        for sym in sorted(vocab.symbols, key=len, reverse=True):
            if sym in rest:
                currency, rest = sym, rest.replace(sym, " ", 1)
                break
        words = rest.translate(_SEPARATORS).lower().split()
        unit = None
        kept = []
        for w in words:
            if currency is None and w in vocab.words:
                currency = w
            else:
                kept.append(w)
        for n in range(len(kept), 0, -1):  # longest unit phrase first
            for i in range(len(kept) - n + 1):
                cand = " ".join(kept[i : i + n])
                if cand in vocab.units:
                    unit = cand
                    break
            if unit:
                break
        price = self.parse(amount_m.group(), currency, unit, context)
        return price.canonical() if price else None

    def validate(self, value: str) -> bool:
        return _CANON.fullmatch(value, timeout=timeout_for(value), concurrent=False) is not None


PRICE = PriceType()
