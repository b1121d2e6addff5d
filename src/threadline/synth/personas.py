"""How a sex-ad author is set up: country, personas, a written template, hubs."""

from __future__ import annotations

import random
from typing import NamedTuple

from threadline.synth import vocab_ads as va
from threadline.synth import vocab_words as vw
from threadline.synth.contacts import Ident, phone_ident
from threadline.synth.core import Ctx, Slot, Template, make_slot, signature_slot
from threadline.synth.places import COUNTRY_WEIGHTS

_FEATURES = (
    "multi",
    "ethnicity",
    "youth",
    "body",
    "services",
    "allday",
    "movement",
    "trust",
    "screening",
    "we_have",
)


def pick_country(rng: random.Random) -> str:
    r = rng.random()
    for cc, w in COUNTRY_WEIGHTS:
        r -= w
        if r < 0:
            return cc
    return COUNTRY_WEIGHTS[-1][0]


class Persona(NamedTuple):
    name: str
    age: int
    eth: str
    hair: str
    eyes: str
    height: str
    meas: str
    weight: str
    images: tuple[str, ...]


_OTHER_LANG = {"en": "es", "es": "en"}


def new_persona(lang: str, rng: random.Random) -> Persona:
    # `Rng.choice` / `randint` written out: the same draws, without a call each
    rnd = rng.random
    names = vw.NAMES[lang] if rnd() < 0.85 else vw.NAMES[_OTHER_LANG[lang]]
    name = names[int(rnd() * len(names))]
    age = 18 + int(rnd() * 17) if rnd() < 0.7 else 19 + int(rnd() * 8)
    attrs = [pool[int(rnd() * len(pool))] for pool in _PERSONA_POOLS[lang]]
    grb = rng.getrandbits
    images = tuple([f"{grb(64):016x}" for _ in range(2 + int(rnd() * 5))])
    return Persona(name, age, *attrs, images)


_PERSONA_POOLS = {
    lang: (
        vw.ETHNICITY[lang],
        vw.HAIR[lang],
        vw.EYES[lang],
        vw.HEIGHT[lang],
        vw.MEAS[lang],
        vw.WEIGHT[lang],
    )
    for lang in ("en", "es")
}
# (lang, voice, slot kind) -> (sentence pool, indicator it plants)
_POOLS: dict[tuple[str, str, str], tuple[tuple[str, ...], str | None]] = {}


def _pool(lang: str, voice: str, kind: str) -> tuple[tuple[str, ...], str | None]:
    key = (lang, voice, kind)
    got = _POOLS.get(key)
    if got is None:
        pools = (va.EN if lang == "en" else va.ES)[kind]
        pool = pools.get(voice) or pools.get("any") or pools["third"]
        got = _POOLS[key] = (pool, va.SLOT_INDICATOR.get(kind))
    return got


_CONTACT_SLOT: Slot = (("{contact}",), False, None)
_SEPS = ("\n", " ", "\n\n", " • ", " ~ ")
_CONTACT_SEPS = (" · ", "\n", " | ", " - ")


def build_template(
    ctx: Ctx, tpl_id: str | None, lang: str, voice: str, rates: dict[str, float]
) -> Template:
    rng = ctx.rng
    rnd = rng.random
    adj, adj2 = rng.sample(vw.ADJ[lang], 2)

    def slot(kind: str, optional: bool) -> Slot:
        pool, indicator = _pool(lang, voice, kind)
        return make_slot(pool, lang, rnd, adj, adj2, optional, indicator)

    third = voice == "third"
    middle = []
    has_eth = False
    for k in _FEATURES:
        if (third or k != "we_have") and rnd() < rates[k]:
            middle.append(slot(k, True))
            if k == "ethnicity":
                has_eth = True
    middle.append(signature_slot(lang, rng, False))
    if rnd() < 0.4:
        middle.append(signature_slot(lang, rng, True))
    rng.shuffle(middle)
    slots = [slot("intro", False), *middle]
    if rnd() < 0.92:
        slots.append(slot("rates", True))
    slots.append(_CONTACT_SLOT)
    if rnd() < 0.7:
        slots.append(slot("closing", True))
    titles = (va.EN if lang == "en" else va.ES)["title"]["eth" if has_eth else "any"]
    n = len(titles)
    title_frags = tuple(
        [
            t.replace("{adj}", adj).replace("{adj2}", adj2)
            for t in (titles[int(rnd() * n)], titles[int(rnd() * n)])
        ]
    )
    return Template(
        tpl_id,
        lang,
        voice,
        title_frags,
        tuple(slots),
        _SEPS[int(rnd() * 5)],
        _CONTACT_SEPS[int(rnd() * 4)],
        tuple(rng.sample(vw.EMOJI, 3)),
        {},
    )


class Hub(NamedTuple):
    name: str
    country: str
    idents: tuple[Ident, ...]


def make_hubs(ctx: Ctx) -> dict[str, tuple[Hub, ...]]:
    out: dict[str, tuple[Hub, ...]] = {}
    for cc, n in (("US", 5), ("GB", 4), ("ES", 3), ("MX", 3)):
        hubs = []
        for k in range(n):
            name = vw.HUB_NAMES[(k * 3 + len(cc)) % len(vw.HUB_NAMES)]
            slug = name.lower().replace(" ", "-") + "-" + cc.lower()
            local = "bookings" if cc in ("US", "GB") else "reservas"
            email = f"{local}@{slug}.example"
            ids = [Ident("email", email, None, email)]
            if cc in ("US", "GB"):
                ids.insert(0, phone_ident(ctx.phones.hub(cc, k)))
            hubs.append(Hub(name, cc, tuple(ids)))
        out[cc] = tuple(hubs)
    return out
