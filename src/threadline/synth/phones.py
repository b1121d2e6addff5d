"""Fictional phone numbers and the ways ads write them down.

Numbers come from the fiction ranges listed in `places` and are handed out by
a `PhoneBook` per block of the corpus. The fiction space is small (27,600 US
and 13,000 GB numbers), so a corpus of more than 150,000 ads issues numbers
again to new authors, weeks later, as carriers recycle numbers (see
`PhoneBook`). Hub numbers are reserved and never issued to an author.

`render_phone` writes a number plainly or obfuscated: spelled out in English
or Spanish (digit by digit or in pairs, "seven thirteen"), letters for digits
("7I3-555-OI42"), spaced digits, emoji keycaps, full-width or circled digits,
split by filler words or emoji, or a mix.
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import NamedTuple

from threadline.synth.places import GB_HUB_RANGES, GB_RANGES, US_AREA_CODES, US_FICTION_LINES


class Phone(NamedTuple):
    e164: str
    national: tuple[str, ...]  # digit groups as written at home: ("713", "555", "0142")
    intl: tuple[str, ...]  # ("+1", "713", "555", "0142")
    recycled: bool


def _us_phone(area: str, line: int, recycled: bool) -> Phone:
    last = f"{line:04d}"
    return Phone(f"+1{area}555{last}", (area, "555", last), ("+1", area, "555", last), recycled)


def _gb_phone(prefix: str, groups: tuple[int, ...], free: int, recycled: bool) -> Phone:
    nsn = f"{prefix}{free:0{10 - len(prefix)}d}"
    national = "0" + nsn
    out, i = [], 0
    for g in groups:
        out.append(national[i : i + g])
        i += g
    intl = ("+44", out[0][1:], *out[1:])
    return Phone(f"+44{nsn}", tuple(out), intl, recycled)


HUBS_US = 6  # US numbers reserved for hub switchboards, never issued to an author
# Numbers one block of 10,000 ads may issue per country (it needs ~1,400 US, ~450 GB).
QUOTA = {"US": 1800, "GB": 600}


@lru_cache(maxsize=4)
def _shuffled(seed: int) -> dict[str, tuple[tuple[str, int], ...]]:
    rng = random.Random(f"{seed}:phones")
    us = [(a, n) for a in US_AREA_CODES for n in US_FICTION_LINES]
    gb = [(k, n) for k in GB_RANGES for n in range(1000)]
    rng.shuffle(us)
    rng.shuffle(gb)
    return {"US": tuple(us), "GB": tuple(gb)}


def reuse_period(country: str) -> int:
    """Blocks after which the same numbers are issued again (US 15, GB 21)."""
    if country == "US":
        usable = len(US_AREA_CODES) * len(US_FICTION_LINES) - HUBS_US
    else:
        usable = len(GB_RANGES) * 1000
    return usable // QUOTA[country]


class PhoneBook:
    """Issues fictional numbers for one block of the corpus.

    The seeded, shuffled fiction space of each country is cut into disjoint
    quotas; block k issues from quota k mod `reuse_period`, so blocks made in
    parallel never give one number to two authors, and a number is issued to
    another author only `reuse_period` blocks later (150,000 US / 210,000 GB
    ads on, some 50-70 days later on the posting clock). A block that used up
    its quota would start it again: those numbers carry ``recycled: true``.
    """

    def __init__(self, seed: int, block: int) -> None:
        pools = _shuffled(seed)
        self._hubs_us = pools["US"][:HUBS_US]
        self._quota: dict[str, tuple[tuple[str, int], ...]] = {}
        for cc, pool in pools.items():
            usable = pool[HUBS_US:] if cc == "US" else pool
            size = QUOTA[cc]
            k = block % reuse_period(cc)
            self._quota[cc] = usable[k * size : (k + 1) * size]
        self._issued = {"US": 0, "GB": 0}

    def issue(self, country: str) -> Phone:
        quota = self._quota[country]
        n = self._issued[country]
        self._issued[country] = n + 1
        key, line = quota[n % len(quota)]
        recycled = n >= len(quota)  # this block already gave the number to another author
        if country == "US":
            return _us_phone(key, line, recycled)
        prefix, groups = GB_RANGES[key]
        return _gb_phone(prefix, groups, line, recycled)

    def hub(self, country: str, k: int) -> Phone:
        """The k-th reserved switchboard number of a country (the same in every block)."""
        if country == "US":
            area, n = self._hubs_us[k % len(self._hubs_us)]
            return _us_phone(area, n, False)
        prefix, groups = GB_HUB_RANGES["ukwide" if k % 2 == 0 else "freephone"]
        return _gb_phone(prefix, groups, 100 + k, False)


def is_fictional_phone(e164: str) -> bool:
    """True when an E.164 number lies in one of the fiction ranges this corpus uses."""
    if e164.startswith("+1") and len(e164) == 12:
        return e164[2:5] in _US_SET and e164[5:9] == "5550" and e164[9] == "1"
    if e164.startswith("+44"):
        nsn = e164[3:]
        ranges = (*GB_RANGES.values(), *GB_HUB_RANGES.values())
        return len(nsn) == 10 and any(nsn.startswith(p) for p, _ in ranges)
    return False


_US_SET = frozenset(US_AREA_CODES)

# --- phone renderings -----------------------------------------------------------------------

EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ES_DIGITS = ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
_EN_TEENS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ES_UNDER_30 = (
    "diez",
    "once",
    "doce",
    "trece",
    "catorce",
    "quince",
    "dieciséis",
    "diecisiete",
    "dieciocho",
    "diecinueve",
    "veinte",
    "veintiuno",
    "veintidós",
    "veintitrés",
    "veinticuatro",
    "veinticinco",
    "veintiséis",
    "veintisiete",
    "veintiocho",
    "veintinueve",
)
_ES_TENS = (
    "",
    "",
    "",
    "treinta",
    "cuarenta",
    "cincuenta",
    "sesenta",
    "setenta",
    "ochenta",
    "noventa",
)
_KEYCAP = tuple(f"{d}\ufe0f\u20e3" for d in "0123456789")
_FULLWIDTH = str.maketrans("0123456789+-() ", "０１２３４５６７８９＋－（）　")
_CIRCLED = ("⓪", "①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨")
_SWAP = {"0": ("O", "o"), "1": ("I", "l"), "5": ("S",), "8": ("B",)}


def _en_pair(p: str) -> str:
    a, b = int(p[0]), int(p[1])
    if a == 0:
        return "oh " + EN_DIGITS[b]
    if a == 1:
        return _EN_TEENS[b]
    return _EN_TENS[a] + ("" if b == 0 else "-" + EN_DIGITS[b])


def _es_pair(p: str) -> str:
    a, b = int(p[0]), int(p[1])
    if a == 0:
        return "cero " + ES_DIGITS[b]
    if a < 3:
        return _ES_UNDER_30[int(p) - 10]
    return _ES_TENS[a] + ("" if b == 0 else " y " + ES_DIGITS[b])


def _spell_group(g: str, lang: str, rng: random.Random, paired: bool) -> str:
    if g.startswith("+"):
        word = "plus" if lang == "en" else "más"
        digits = EN_DIGITS if lang == "en" else ES_DIGITS
        return word + " " + " ".join(digits[int(d)] for d in g[1:])
    if paired and len(g) in (3, 4):
        pair = _en_pair if lang == "en" else _es_pair
        if len(g) == 3:
            digits = EN_DIGITS if lang == "en" else ES_DIGITS
            return digits[int(g[0])] + " " + pair(g[1:])
        return pair(g[:2]) + " " + pair(g[2:])
    digits = EN_DIGITS if lang == "en" else ES_DIGITS
    return " ".join(digits[int(d)] for d in g)


def render_phone(
    phone: Phone, style: str | None, lang: str, rng: random.Random, foreign: bool
) -> str:
    """Write a phone number as an ad would; `style` None is a plain format."""
    groups = phone.intl if foreign else phone.national
    if style is None:
        return _plain(phone, groups, foreign, rng)
    if style in ("spelled_en", "spelled_es"):
        spell_lang = "en" if style == "spelled_en" else "es"
        paired = rng.random() < 0.3  # "seven thirteen, five fifty-five, ..."
        words = [_spell_group(g, spell_lang, rng, paired) for g in groups]
        if spell_lang == "en" and rng.random() < 0.2:  # "sevenonethree" / "fourfifteen"
            return " ".join(w.replace(" ", "") for w in words)
        return rng.choice((" ", ", ", " - ")).join(words)
    if style == "letter_swap":
        text = _plain(phone, groups, foreign, rng)
        out, swapped = [], False
        for ch in text:
            opts = _SWAP.get(ch)
            if opts and (ch in "01" or rng.random() < 0.3) and rng.random() < 0.8:
                out.append(rng.choice(opts))
                swapped = True
            else:
                out.append(ch)
        if not swapped:  # every fiction number here holds a 0, 1, 5 or 8
            i = next(i for i, ch in enumerate(out) if ch in _SWAP)
            out[i] = _SWAP[out[i]][0]
        return "".join(out)
    if style == "spacing":
        sep = rng.choice((" ", ".", "-", "_", " . "))
        gsep = rng.choice(("  ", " - ", " / ", "   "))
        return gsep.join("+" + sep.join(g[1:]) if g[0] == "+" else sep.join(g) for g in groups)
    if style == "emoji_digits":
        gsep = rng.choice(("", " ", "➖"))
        return gsep.join(
            g if g.startswith("+") else "".join(_KEYCAP[int(d)] for d in g) for g in groups
        )
    if style == "fullwidth":
        return _plain(phone, groups, foreign, rng).translate(_FULLWIDTH)
    if style == "circled":
        return " ".join(
            g if g.startswith("+") else "".join(_CIRCLED[int(d)] for d in g) for g in groups
        )
    if style == "split":
        fill = rng.choice(_SPLIT_FILL_EN if lang == "en" else _SPLIT_FILL_ES)
        return f" {fill} ".join(groups)
    if style == "mixed":
        digits = EN_DIGITS if lang == "en" else ES_DIGITS
        parts = []
        for g in groups:
            chars = []
            for d in g:
                r = rng.random()
                if d.isdigit() and r < 0.35:
                    chars.append(digits[int(d)])
                elif d in "01" and r < 0.6:
                    chars.append(_SWAP[d][0])
                else:
                    chars.append(d)
            parts.append("".join(chars))
        if not any(c.isalpha() for p in parts for c in p):  # nothing changed: spell one digit
            last = groups[-1]
            parts[-1] = digits[int(last[0])] + last[1:]
        return " ".join(parts)
    raise ValueError(f"unknown phone style {style!r}")


_SPLIT_FILL_EN = ("💋", "✨", "call", "text me", "...", "xo", "🌹")
_SPLIT_FILL_ES = ("💋", "✨", "llama", "amor", "...", "besos", "🌹")


def _plain(phone: Phone, groups: tuple[str, ...], foreign: bool, rng: random.Random) -> str:
    return plain_formats(phone, foreign)[int(rng.random() * 7)]


# (national, international) -> E.164 -> the seven plain formats: an author prints the
# same few numbers in ad after ad
_PLAIN: tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]] = ({}, {})


def plain_formats(phone: Phone, foreign: bool) -> tuple[str, ...]:
    """The seven plain formats of a number ("(713) 555-0142", "+44 20 7946 0123", ...),
    national or (foreign) international."""
    cache = _PLAIN[foreign]
    got = cache.get(phone.e164)
    if got is None:
        groups = phone.intl if foreign else phone.national
        got = tuple([_plain_format(phone, groups, fmt) for fmt in range(7)])
        if len(cache) >= 50_000:
            cache.clear()
        cache[phone.e164] = got
    return got


def _plain_format(phone: Phone, groups: tuple[str, ...], fmt: int) -> str:
    if groups[0].startswith("+"):
        cc, a, b, c = groups
        if fmt < 2:
            return f"{cc} {a} {b} {c}"
        if fmt < 4:
            return f"{cc}-{a}-{b}-{c}"
        if fmt == 4:
            return f"{cc}{a}{b}{c}"
        return f"+1 ({a}) {b}-{c}" if cc == "+1" else f"+44 (0){a} {b} {c}"
    a, b, c = groups
    if phone.e164[1] == "1":  # NANP
        if fmt == 0:
            return f"({a}) {b}-{c}"
        if fmt == 1:
            return f"{a}-{b}-{c}"
        if fmt == 2:
            return f"{a}.{b}.{c}"
        if fmt == 3:
            return f"{a} {b} {c}"
        if fmt == 4:
            return f"{a}{b}{c}"
        return f"+1 {a}-{b}-{c}" if fmt == 5 else f"1-{a}-{b}-{c}"
    if fmt < 3:
        return f"{a} {b} {c}"
    if fmt == 3:
        return f"{a}{b}{c}"
    if fmt < 6:
        return f"({a}) {b} {c}"
    return f"+44 {a[1:]} {b} {c}"
