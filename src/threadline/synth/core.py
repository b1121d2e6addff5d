"""Shared machinery: the seeded RNG, the per-block context, timestamps, text templates.

A `Template` is written once per author (an operation, an independent, a
recruiter) and rendered for every ad of that author with per-ad slot values,
optional sentences dropped, synonym variants chosen and sentences swapped, so
that an author's ads are near-duplicates but not copies.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, NamedTuple

from threadline.synth import vocab_words as vw
from threadline.synth.identifiers import Tagger
from threadline.synth.phones import PhoneBook

BASE_DATE = date(2026, 1, 1)  # fixed: no wall-clock time anywhere


# One sentence of a template: (variants, optional, indicator). The variants are
# str.format patterns, [0] the author's usual wording; an optional sentence is now
# and then left out; indicator is what the sentence plants, if anything. Plain
# tuples: a template is made for every author, and rendered for every ad.
Slot = tuple[tuple[str, ...], bool, str | None]


class Template(NamedTuple):
    id: str | None
    lang: str
    voice: str
    titles: tuple[str, ...]
    plan: tuple[Slot, ...]
    sep: str
    contact_sep: str
    emoji: tuple[str, ...]
    contact_phrases: dict[str, str]  # the author's usual "Call or text {p}" per contact kind


class Rng(random.Random):
    """`random.Random` with float-based choice/randint/randrange/sample/shuffle.

    The stdlib versions draw rejection-sampled integers (several calls each);
    these use one `random()` per draw, a third of the cost on the hot path.
    Deterministic for a given seed like the base class, but a different stream.
    """

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            start, stop = 0, start
        return start + step * int(self.random() * ((stop - start + step - 1) // step))

    def sample(self, population, k):  # type: ignore[no-untyped-def, override]
        pool = list(population)
        n = len(pool)
        rnd = self.random
        for i in range(k):
            j = i + int(rnd() * (n - i))
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]

    def shuffle(self, x):  # type: ignore[no-untyped-def, override]
        rnd = self.random
        for i in range(len(x) - 1, 0, -1):
            j = int(rnd() * (i + 1))
            x[i], x[j] = x[j], x[i]


ID_STRIDE = 100_000  # block k numbers its authors from k * ID_STRIDE


class Ctx:
    """Everything an author of one block needs: a seeded RNG, identifier sources, counters."""

    def __init__(self, seed: int, block: int = 0) -> None:
        self.rng = Rng(f"{seed}:{block}")
        self.phones = PhoneBook(seed, block)
        self.tags = Tagger(seed, block)
        self.base = block * ID_STRIDE
        self.counters: dict[str, int] = {}
        self._days: dict[int, str] = {}

    def next_id(self, prefix: str, width: int = 5) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}-{self.base + n:0{width}d}"

    def iso(self, ts: int) -> str:
        """Seconds since BASE_DATE -> '2026-03-01T12:34:00Z' (date strings cached)."""
        day, sec = divmod(ts, 86400)
        d = self._days.get(day)
        if d is None:
            d = (BASE_DATE + timedelta(days=day)).isoformat()
            self._days[day] = d
        return d + _HHMM[sec // 60]


_HHMM = tuple(f"T{m // 60:02d}:{m % 60:02d}:00Z" for m in range(1440))


def until_text(ts: int, lang: str, rng: random.Random) -> str:
    d = BASE_DATE + timedelta(days=ts // 86400 + rng.randint(2, 5))
    r = rng.randrange(3)
    if r == 0:
        return vw.WEEKDAYS[lang][d.weekday()]
    if lang == "en":
        return f"{d.month}/{d.day}" if r == 1 else f"{vw.MONTHS['en'][d.month - 1]} {d.day}"
    return f"{d.day}/{d.month}" if r == 1 else f"{d.day} de {vw.MONTHS['es'][d.month - 1]}"


# --- templates ------------------------------------------------------------------------------------


_ALTS: dict[str, dict[str, tuple[str, ...]]] = {"en": {}, "es": {}}


def _synonym_variants(text: str, lang: str) -> tuple[str, ...]:
    """Every one-word-swap variant of a vocabulary fragment (computed once per fragment)."""
    cache = _ALTS[lang]
    alts = cache.get(text)
    if alts is None:
        out = []
        for a, b in vw.SYNONYMS[lang]:
            pat = rf"\b{re.escape(a)}\b"
            if re.search(pat, text):
                out.append(re.sub(pat, b, text, count=1))
        alts = cache[text] = tuple(out)
    return alts


def make_slot(
    pool: tuple[str, ...],
    lang: str,
    rnd: Callable[[], float],
    adj: str,
    adj2: str,
    optional: bool,
    indicator: str | None,
) -> Slot:
    """Pick a sentence for an author, with a synonym variant and sometimes a second sentence."""
    n = len(pool)
    raw = pool[int(rnd() * n)]
    alts = _ALTS[lang].get(raw)
    if alts is None:
        alts = _synonym_variants(raw, lang)
    if alts:
        alt = alts[int(rnd() * len(alts))]
        if n > 1 and rnd() < 0.5:
            variants: tuple[str, ...] = (raw, alt, pool[int(rnd() * n)])
        else:
            variants = (raw, alt)
    elif n > 1 and rnd() < 0.5:
        variants = (raw, pool[int(rnd() * n)])
    else:
        variants = (raw,)
    for v in variants:
        if "{adj" in v:
            variants = tuple([w.replace("{adj}", adj).replace("{adj2}", adj2) for w in variants])
            break
    return variants, optional, indicator


def signature_slot(lang: str, rng: random.Random, optional: bool) -> Slot:
    """A distinctive sentence from a large combinatorial space (an author's fingerprint),
    with a variant that re-picks one of its parts."""
    rnd = rng.random
    parts_pool = vw.SIGNATURE[lang]
    parts = [p[int(rnd() * len(p))] for p in parts_pool]
    alt = list(parts)
    k = int(rnd() * len(parts))
    pk = parts_pool[k]
    alt[k] = pk[int(rnd() * len(pk))]
    texts = (" ".join(parts), " ".join(alt))
    return tuple([t.replace(" de el ", " del ") for t in texts]), optional, None


def render(tpl: Template, values: dict[str, Any], rng: random.Random) -> tuple[str, list[str]]:
    """Body text of one ad, and the indicators its sentences plant."""
    chosen: list[str] = []
    planted: list[str] = []
    rnd = rng.random
    add = chosen.append
    for vs, optional, indicator in tpl.plan:
        r = rnd()  # one draw decides both: drop an optional sentence (8%), else which wording
        if r < 0.08:
            if optional:
                continue
            r += 0.08
        if r < 0.8 or len(vs) == 1:  # the author's usual wording
            add(vs[0])
        else:
            add(vs[1 + int((r - 0.8) / 0.2 * (len(vs) - 1))])
        if indicator:
            planted.append(indicator)
    n = len(chosen)
    if n > 4 and rnd() < 0.35:  # swap two middle sentences: order is no fingerprint
        i = 1 + int(rnd() * (n - 3))
        j = 1 + int(rnd() * (n - 3))
        chosen[i], chosen[j] = chosen[j], chosen[i]
    return tpl.sep.join(chosen).format_map(values), planted
