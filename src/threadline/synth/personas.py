"""How a sex-ad author is set up: country, personas, a written template, hubs."""

from __future__ import annotations

import random
from typing import NamedTuple

from threadline.synth import vocab_ads as va
from threadline.synth import vocab_words as vw
from threadline.synth.contacts import Ident, phone_ident
from threadline.synth.core import Ctx, Slot, Template, make_slot, signature_slot, template
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


def new_persona(lang: str, rng: random.Random) -> Persona:
    names = vw.NAMES[lang] if rng.random() < 0.85 else vw.NAMES["es" if lang == "en" else "en"]
    return Persona(
        rng.choice(names),
        rng.randint(18, 34) if rng.random() < 0.7 else rng.randint(19, 26),
        rng.choice(vw.ETHNICITY[lang]),
        rng.choice(vw.HAIR[lang]),
        rng.choice(vw.EYES[lang]),
        rng.choice(vw.HEIGHT[lang]),
        rng.choice(vw.MEAS[lang]),
        rng.choice(vw.WEIGHT[lang]),
        tuple(f"{rng.getrandbits(64):016x}" for _ in range(rng.randint(2, 6))),
    )


def build_template(
    ctx: Ctx, tpl_id: str | None, lang: str, voice: str, rates: dict[str, float]
) -> Template:
    rng = ctx.rng
    vocab = va.EN if lang == "en" else va.ES
    adj, adj2 = rng.sample(vw.ADJ[lang], 2)
    fixed = {"adj": adj, "adj2": adj2}

    def slot(kind: str, optional: bool) -> Slot:
        pools = vocab[kind]
        pool = pools.get(voice) or pools.get("any") or pools["third"]
        return make_slot(kind, pool, lang, rng, fixed, optional, va.SLOT_INDICATOR.get(kind))

    middle = [
        slot(k, True)
        for k in _FEATURES
        if (k != "we_have" or voice == "third") and rng.random() < rates[k]
    ]
    middle.append(signature_slot(lang, rng, False))
    if rng.random() < 0.4:
        middle.append(signature_slot(lang, rng, True))
    rng.shuffle(middle)
    slots = [slot("intro", False), *middle]
    if rng.random() < 0.92:
        slots.append(slot("rates", True))
    slots.append(Slot("contact", None, ("{contact}",), False))
    if rng.random() < 0.7:
        slots.append(slot("closing", True))
    has_eth = any(s.kind == "ethnicity" for s in slots)
    titles = vocab["title"]["eth" if has_eth else "any"]
    title_frags = tuple(
        t.replace("{adj}", fixed["adj"]).replace("{adj2}", fixed["adj2"])
        for t in (rng.choice(titles), rng.choice(titles))
    )
    return template(
        tpl_id,
        lang,
        voice,
        title_frags,
        tuple(slots),
        rng.choice(("\n", " ", "\n\n", " • ", " ~ ")),
        rng.choice((" · ", "\n", " | ", " - ")),
        tuple(rng.sample(vw.EMOJI, 3)),
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
