"""Rates as ads write them: "$200/hr", "150 roses", "media hora 80€", "$1,500 la hora".

An author has a price style (units, wording, usual hourly rate); one ad in four
moves the rate a step or two. The truth records every rate with its raw text.
"""

from __future__ import annotations

import random
from typing import Any, NamedTuple

PRICE_FMT: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("USD", "en"): {
        "hour": (
            "${a}/hr",
            "${a} hr",
            "{a} roses/hr",
            "{a} roses",
            "hr ${a}",
            "1hr ${a}",
            "${a} per hour",
        ),
        "half_hour": ("${a}/hh", "hh {a}", "${a} half hour", "30min ${a}", "{a} hhr"),
        "quick_visit": ("qv ${a}", "${a} qv", "15min ${a}"),
    },
    ("USD", "es"): {
        "hour": ("{a} rosas la hora", "${a} la hora", "1 hora ${a}", "{a} rosas"),
        "half_hour": ("media hora ${a}", "${a} 30 min"),
        "quick_visit": ("rapidito ${a}", "15 min ${a}"),
    },
    ("GBP", "en"): {
        "hour": ("£{a}/hr", "£{a} per hour", "{a} roses", "1hr £{a}"),
        "half_hour": ("30 mins £{a}", "£{a} half hour"),
        "quick_visit": ("15 mins £{a}",),
    },
    ("EUR", "es"): {
        "hour": ("{a}€ la hora", "{a} € 1h", "{a} euros la hora", "1 hora {a}€"),
        "half_hour": ("media hora {a}€", "{a}€ 30 min"),
        "quick_visit": ("20 min {a}€", "rapidito {a}€"),
    },
    ("MXN", "es"): {
        "hour": ("${a} la hora", "{a} pesos la hora", "1 hora ${a}", "{a} MXN 1h"),
        "half_hour": ("media hora ${a}", "${a} 30 min"),
        "quick_visit": ("rapidito ${a}",),
    },
}
PRICE_RANGE = {
    "USD": (150, 400, 10),
    "GBP": (100, 250, 10),
    "EUR": (80, 200, 10),
    "MXN": (1200, 3500, 100),
}


_SEPS = (" · ", ", ", " / ", " | ")


class PriceStyle(NamedTuple):
    currency: str
    hour: int
    units: tuple[tuple[str, str, float], ...]  # (unit, pattern, share of the hourly rate)
    sep: str
    usual: tuple[str, dict[str, Any]]  # the rendering at the usual rate, made once


def _rates(
    currency: str, hour: int, units: tuple[tuple[str, str, float], ...], sep: str
) -> tuple[str, dict[str, Any]]:
    step = PRICE_RANGE[currency][2]
    rates = []
    for unit, pat, share in units:
        amount = max(step, round(hour * share / step) * step)
        shown = f"{amount:,}" if amount >= 1000 else str(amount)
        rates.append({"amount": amount, "unit": unit, "raw": pat.format(a=shown)})
    first = rates[0]
    truth = {
        "amount": first["amount"],
        "currency": currency,
        "unit": first["unit"],
        "raw": first["raw"],
        "rates": rates,
    }
    return sep.join(r["raw"] for r in rates), truth


_DECOYS: dict[int, tuple[dict[str, Any], list[dict[str, str]]]] = {}


def price_decoys(truth: dict[str, Any]) -> list[dict[str, str]]:
    """The price decoys of a price truth: one per rate, made once per truth object.

    An author's usual price is one shared dict, so its decoys are made once; the cache
    keeps the truth alive with its id and is emptied when it grows (ids are reused).
    """
    got = _DECOYS.get(id(truth))
    if got is not None and got[0] is truth:
        return got[1]
    out = [{"type": "price", "raw": r["raw"]} for r in truth["rates"]]
    if len(_DECOYS) >= 4096:
        _DECOYS.clear()
    _DECOYS[id(truth)] = (truth, out)
    return out


def price_style(currency: str, lang: str, rng: random.Random) -> PriceStyle:
    fmts = PRICE_FMT.get((currency, lang)) or PRICE_FMT[(currency, "es" if lang == "en" else "en")]
    lo, hi, step = PRICE_RANGE[currency]
    rnd = rng.random  # the draws of rng.choice / randrange, written out
    pats = fmts["hour"]
    units = [("hour", pats[int(rnd() * len(pats))], 1.0)]
    if rnd() < 0.6:
        pats = fmts["half_hour"]
        units.append(("half_hour", pats[int(rnd() * len(pats))], 0.65))
    if rnd() < 0.25:
        pats = fmts["quick_visit"]
        units.append(("quick_visit", pats[int(rnd() * len(pats))], 0.45))
    hour = lo + step * int(rnd() * ((hi + 1 - lo + step - 1) // step))
    sep = _SEPS[int(rnd() * 4)]
    return PriceStyle(currency, hour, tuple(units), sep, _rates(currency, hour, tuple(units), sep))


def render_price(ps: PriceStyle, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """The author's rates; one ad in four moves them a step or two (city, day)."""
    if rng.random() >= 0.25:
        return ps.usual
    step = PRICE_RANGE[ps.currency][2]
    return _rates(ps.currency, ps.hour + step * rng.randint(-2, 2), ps.units, ps.sep)
