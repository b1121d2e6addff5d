"""Authors of commercial-sex ads: trafficking operations, independents, agency-hub users.

An `Operation` writes for several personas from one or two templates, rotates a
small pool of burner phones and other identifiers, and walks a circuit of
cities. An `Independent` writes for herself with her own number, mostly in the
first person, and often uses movement language too (the outcome study found it
is *not* a trafficking predictor). Both sometimes route bookings through a
hub: a hotel switchboard or agency e-mail shared by unrelated authors.
"""

from __future__ import annotations

import random
from typing import Any

from threadline.synth import vocab_ads as va
from threadline.synth import vocab_words as vw
from threadline.synth.contacts import (
    Ident,
    contact_line,
    new_email,
    new_handle,
    new_payment,
    phone_ident,
    write_ident,
)
from threadline.synth.core import Ctx, Template, render, until_text
from threadline.synth.identifiers import crypto_address
from threadline.synth.personas import Hub, Persona, build_template, new_persona, pick_country
from threadline.synth.places import CIRCUITS, CITIES, CITIES_BY_COUNTRY, CURRENCY, City
from threadline.synth.prices import price_decoys, price_style, render_price

# circuits as City tuples, looked up once
CIRCUIT_CITIES = {
    cc: tuple(tuple(CITIES[n] for n in c) for c in circuits) for cc, circuits in CIRCUITS.items()
}

# Template features: chance an author's template carries the sentence kind.
OP_RATES = {
    "third": 0.6,
    "we_have": 0.5,
    "multi": 0.3,
    "ethnicity": 0.55,
    "youth": 0.35,
    "trust": 0.55,
    "movement": 0.3,
    "screening": 0.05,
    "allday": 0.4,
    "body": 0.6,
    "services": 0.8,
}
IND_RATES = {
    "third": 0.05,
    "we_have": 0.0,
    "multi": 0.06,
    "ethnicity": 0.25,
    "youth": 0.10,
    "trust": 0.2,
    "movement": 0.5,
    "screening": 0.45,
    "allday": 0.1,
    "body": 0.6,
    "services": 0.8,
}
P_HUB_MENTION = 0.03  # an ad also names a hub next to its own contact
P_HUB_ONLY = 0.06  # an independent books only through a hub (role agency_hub_user)
HOUR = 3600
# rng.randrange(a, b, 60) is a + 60 * int(random() * n) with n = (b - a + 59) // 60
_MINUTES_12_48H = (36 * HOUR + 59) // 60
_MINUTES_4_30H = (26 * HOUR + 59) // 60
_MINUTES_1_10D = (9 * 24 * HOUR + 59) // 60
_DECOY_KIND = va.DECOY_FIELDS
_HUB_LINES = {"en": va.EN["hub"]["any"], "es": va.ES["hub"]["any"]}


class AdValues(dict):
    """Slot values computed on first use, so an ad pays only for the slots it prints.

    Values that are never hard negatives are given at construction (a plain dict
    init); the rest are filled on demand, so the keys present afterwards tell which
    numbers the ad printed. `bind` sets what `__missing__` needs.
    """

    __slots__ = ("a", "c", "decoys", "p", "price", "rng", "ts")

    def bind(
        self, author: Author, persona: Persona, city: City, ts: int, rng: random.Random
    ) -> None:
        self.a, self.p, self.c, self.ts, self.rng = author, persona, city, ts, rng
        self.price: dict[str, Any] | None = None
        self.decoys: list[dict[str, str]] = []  # numbers printed that are not phones

    def __missing__(self, key: str) -> str:
        # branches in order of how often ads print the field
        if key == "price":  # never a hard negative: its rates are added as decoys
            v, self.price = render_price(self.a.prices, self.rng)
            self[key] = v
            return v
        a, p = self.a, self.p
        if key == "meas" or key == "height" or key == "weight":
            v = getattr(p, key)
        elif key == "hours":
            v = a.hours
        elif key == "age":
            v = a.age_fmt.format(p.age)
        elif key == "zip":
            zips = self.c.zips
            v = zips[int(self.rng.random() * len(zips))] if zips else self.c.name
        elif key == "name2" or key == "name3":  # the other persons of a multi-person ad
            taken = (p.name, self.get("name2"))
            others = [q.name for q in a.personas if q.name not in taken] or [
                n for n in vw.NAMES[a.lang] if n not in taken
            ]
            v = others[int(self.rng.random() * len(others))]
        elif key == "until":
            v = until_text(self.ts, a.lang, self.rng)
        else:  # other persona attributes
            v = getattr(p, key)
        self[key] = v
        kind = _DECOY_KIND.get(key)
        if kind is not None:
            self.decoys.append({"type": kind, "raw": v})
        return v


class Author:
    """What operations and independents share: a voice, a template, identifiers, a clock."""

    role = "independent"
    operation: str | None = None

    def __init__(self, ctx: Ctx, entity: str, country: str, lang: str, t0: int) -> None:
        rng = ctx.rng
        rnd = rng.random
        self.entity, self.country, self.lang = entity, country, lang
        self.is_foreign = country in ("ES", "MX")
        self.t = t0 + 60 * int(rnd() * 1440)  # rng.randrange(0, 86400, 60), written out
        self.first = True
        self.personas: list[Persona] = []
        self.idents: list[Ident] = []
        self.prices = price_style(CURRENCY[country], lang, rng)
        fmts, hours = vw.AGE_FMT[lang], vw.HOURS[lang]
        self.age_fmt = fmts[int(rnd() * len(fmts))]
        self.hours = hours[int(rnd() * len(hours))]
        self.sites = rng.sample(vw.SITES[lang], 1 + int(rnd() * 2))
        self.hub_only = False
        self.tpl: Template
        self.tpl2: Template | None = None
        self.city: City
        self.remaining = 1
        self.obf_rate = 0.0
        self.obf_pref: str | None = None

    def foreign(self) -> bool:
        return self.is_foreign

    def _add_phones(self, ctx: Ctx, n: int) -> None:
        home = (
            self.country
            if self.country in ("US", "GB")
            else ("GB" if self.country == "ES" else "US")
        )
        for _ in range(n):
            self.idents.append(phone_ident(ctx.phones.issue(home)))

    def _add_extras(
        self,
        ctx: Ctx,
        name: str,
        p_email: float,
        p_handle: float,
        p_pay: float,
        p_crypto: float,
        handle_platforms: tuple[str, ...],
    ) -> None:
        rng = ctx.rng
        if rng.random() < p_email:
            self.idents.append(new_email(ctx, (name, *vw.HANDLE_WORDS[:6])))
        if rng.random() < p_handle:
            self.idents.append(new_handle(ctx, name, rng.choice(handle_platforms)))
        if rng.random() < p_pay and self.country != "MX":
            plat = rng.choice(("cashapp", "venmo")) if self.country == "US" else "revolut"
            self.idents.append(new_payment(ctx, name, plat))
        if rng.random() < p_crypto:
            plat, addr = crypto_address(rng)
            self.idents.append(Ident("crypto_address", addr, plat, addr))
        if not self.idents:
            self.idents.append(new_email(ctx, (name,)))

    def pick_idents(self, rng: random.Random) -> list[Ident]:
        raise NotImplementedError

    def advance(self, rng: random.Random) -> None:
        raise NotImplementedError


class Operation(Author):
    role = "trafficking_operation"

    def __init__(self, ctx: Ctx, t0: int) -> None:
        rng = ctx.rng
        rnd = rng.random
        country = pick_country(rng)
        circuits = CIRCUIT_CITIES[country]
        self.circuit = circuits[int(rnd() * len(circuits))]
        self.pos = int(rnd() * len(self.circuit))
        self.dir = (1, -1)[int(rnd() * 2)]
        start = self.circuit[self.pos]
        lang = "es" if rnd() < start.es_share else "en"
        super().__init__(ctx, ctx.next_id("op"), country, lang, t0)
        self.operation = self.entity
        self.city = start
        voice = "third" if rnd() < OP_RATES["third"] else "first"
        self.personas = [new_persona(lang, rng) for _ in range(2 + int(rnd() * 6))]
        self.tpl = build_template(ctx, ctx.next_id("tpl"), lang, voice, OP_RATES)
        self.tpl2 = (
            build_template(ctx, ctx.next_id("tpl"), lang, voice, OP_RATES)
            if rng.random() < 0.25
            else None
        )
        self.remaining = min(80, 3 + int(rng.expovariate(1 / 12)))
        self.stay = rng.randint(1, 4)
        n_phones = rng.randint(1, 4) if not self.foreign() or rng.random() < 0.7 else 0
        self._add_phones(ctx, n_phones)
        self.n_phones, self.cur = n_phones, 0
        brand = self.personas[0].name
        self._add_extras(
            ctx, brand, 0.5, 0.55, 0.35, 0.15, ("instagram", "snapchat", "telegram", "kik")
        )
        if rng.random() < 0.3:
            self.idents.append(new_handle(ctx, self.personas[1].name, "telegram"))
        self.others = self.idents[n_phones:]  # identifiers other than phones
        self.obf_rate = rng.uniform(0.2, 0.8)
        self.obf_pref = rng.choice(
            (
                "spelled_en" if lang == "en" else "spelled_es",
                "letter_swap",
                "spacing",
                "emoji_digits",
                "split",
                "mixed",
                "fullwidth",
            )
        )

    def advance(self, rng: random.Random) -> None:
        if self.first:
            self.first = False
            return
        self.stay -= 1
        if self.stay <= 0:  # next stop on the circuit
            nxt = self.pos + self.dir
            if not 0 <= nxt < len(self.circuit):
                self.dir = -self.dir
                nxt = self.pos + self.dir
            self.pos = nxt
            self.city = self.circuit[nxt]
            self.stay = 1 + int(rng.random() * 4)  # rng.randint(1, 4)
            self.t += 12 * HOUR + 60 * int(rng.random() * _MINUTES_12_48H)
        else:
            self.t += 4 * HOUR + 60 * int(rng.random() * _MINUTES_4_30H)

    def pick_idents(self, rng: random.Random) -> list[Ident]:
        out: list[Ident] = []
        if self.n_phones:
            if rng.random() < 0.15:  # burner rotation
                self.cur = (self.cur + 1) % self.n_phones
            if rng.random() < 0.85:
                out.append(self.idents[self.cur])
        others = self.others
        if others and (not out or rng.random() < 0.35):
            out.append(others[int(rng.random() * len(others))])
            if rng.random() < 0.1:
                extra = others[int(rng.random() * len(others))]
                if extra not in out:
                    out.append(extra)
        if not out:
            out.append(self.idents[self.cur])
        return out


class Independent(Author):
    def __init__(self, ctx: Ctx, t0: int) -> None:
        rng = ctx.rng
        country = pick_country(rng)
        cities = CITIES_BY_COUNTRY[country]
        city = cities[int(rng.random() * len(cities))]
        lang = "es" if rng.random() < city.es_share else "en"
        super().__init__(ctx, ctx.next_id("ind", 6), country, lang, t0)
        self.city = city
        self.hub_only = rng.random() < P_HUB_ONLY
        if self.hub_only:
            self.role = "agency_hub_user"
        voice = "third" if rng.random() < IND_RATES["third"] else "first"
        self.personas = [new_persona(lang, rng)]
        self.tpl = build_template(ctx, None, lang, voice, IND_RATES)
        self.remaining = min(20, 1 + int(rng.expovariate(1 / 4)))  # independents re-post
        self.touring = rng.random() < 0.35
        if not self.hub_only:  # a hub user's own contacts never show: issue none
            if not self.foreign() or rng.random() < 0.5:
                self._add_phones(ctx, 1)
            name = self.personas[0].name
            self._add_extras(ctx, name, 0.35, 0.4, 0.2, 0.02, ("onlyfans", "instagram", "snapchat"))
        self.obf_rate = rng.uniform(0.05, 0.3) if rng.random() < 0.4 else 0.0
        self.obf_pref = None

    def advance(self, rng: random.Random) -> None:
        if self.first:
            self.first = False
            return
        self.t += 24 * HOUR + 60 * int(rng.random() * _MINUTES_1_10D)
        if self.touring and rng.random() < 0.5:
            cities = CITIES_BY_COUNTRY[self.country]
            self.city = cities[int(rng.random() * len(cities))]

    def pick_idents(self, rng: random.Random) -> list[Ident]:
        ids = self.idents
        if ids[0].kind == "phone" and rng.random() < 0.92:
            out = [ids[0]]
            for extra in ids[1:]:
                if rng.random() < 0.3:
                    out.append(extra)
            return out
        return [rng.choice(ids)]


def sex_ad(
    author: Author, ctx: Ctx, hubs: dict[str, tuple[Hub, ...]], ad_id: str, post_no: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    rng = ctx.rng
    rnd = rng.random
    author.advance(rng)
    author.remaining -= 1
    ps = author.personas
    persona = ps[0] if len(ps) == 1 else ps[int(rnd() * len(ps))]
    tpl = author.tpl
    if author.tpl2 is not None and rnd() < 0.3:
        tpl = author.tpl2
    lang, city = author.lang, author.city
    emoji = tpl.emoji
    values = AdValues(
        name=persona.name,
        city=city.name,
        eth=persona.eth,
        hair=persona.hair,
        eyes=persona.eyes,
        e=emoji[int(rnd() * len(emoji))],
        e2=emoji[int(rnd() * len(emoji))],
    )
    values.bind(author, persona, city, author.t, rng)
    foreign = author.is_foreign
    hub_ident: Ident | None = None
    hub_name = ""
    if author.hub_only or rnd() < P_HUB_MENTION:
        country_hubs = hubs[author.country]
        hub = country_hubs[int(rnd() * len(country_hubs))]
        hub_name = hub.name
        hub_ident = hub.idents[int(rnd() * len(hub.idents))]
    if author.hub_only:
        contact, id_truth = "", []
    else:
        contact, id_truth = contact_line(
            author.pick_idents(rng), lang, foreign, author.obf_rate, author.obf_pref, tpl, rng
        )
    if hub_ident is not None:
        raw, entry = write_ident(hub_ident, lang, foreign, 0.0, None, rng)
        pats = _HUB_LINES[lang]
        line = pats[int(rnd() * len(pats))].replace("{agency}", hub_name).replace("{hub}", raw)
        contact = f"{contact}{tpl.contact_sep}{line}" if contact else line
        id_truth.append(entry)
    values["contact"] = contact
    text, planted = render(tpl, values, rng)
    decoys = values.decoys
    values.decoys = []  # the title's numbers are not in the text
    if values.price is not None:
        decoys += price_decoys(values.price)
    if rnd() < 0.5:
        fmts = vw.POST_ID_FMT[lang]
        pid = fmts[int(rnd() * len(fmts))].format(post_no)
        text += "\n" + pid
        decoys.append({"type": "post_id", "raw": pid})
    age = persona.age if "age" in values else None
    titles = tpl.titles
    title = titles[int(rnd() * len(titles))].format_map(values)
    if rnd() < 0.1:
        title = title.upper()
    if tpl.voice == "third":
        planted.append("third_person")
    for e in id_truth:
        if e["obfuscation"] and e["type"] == "phone":
            planted.append("phone_obfuscated")
            break
    personas = [persona.name]
    if "name2" in values:
        personas.append(values["name2"])
    if "name3" in values:
        personas.append(values["name3"])
    sites = author.sites
    site = sites[0] if len(sites) == 1 else sites[int(rnd() * len(sites))]
    imgs = persona.images
    n = len(imgs)
    k = 1 + int(rnd() * (3 if n > 3 else n))
    start = int(rnd() * n)
    images = [f"https://{site}/img/{h}.png" for h in (imgs + imgs)[start : start + k]]
    ad = {
        "id": ad_id,
        "kind": "ad",
        "lang": lang,
        "site": site,
        "title": title,
        "text": text,
        "city": city.name,
        "region": city.region,
        "country": city.country,
        "posted_at": ctx.iso(author.t),
        "url": f"https://{site}/{city.slug}/{post_no}",
        "images": images,
    }
    truth = {
        "id": ad_id,
        "operation": author.operation,
        "entity": author.entity,
        "role": author.role,
        "template": tpl.id,
        "identifiers": id_truth,
        "hub": [] if hub_ident is None else [hub_ident.value],
        "indicators": sorted(set(planted)),
        "price": values.price,
        "age": age,
        "personas": personas,
        "decoys": decoys,
    }
    return ad, truth
