"""Authors of job ads: legitimate employers and deceptive recruiters.

A legitimate `Employer` names itself, gives an address, realistic pay, duties
and a way to apply, and sometimes carries one cue innocently ("visa
sponsorship available"). A deceptive `Recruiter` is an operation too: it
posts across a circuit of source cities with a small pool of WhatsApp numbers,
Telegram handles and e-mails, and each of its ads draws its own subset of
red-flag cues, so no single cue marks them all.
"""

from __future__ import annotations

import random
from typing import Any

from threadline.synth import vocab_jobs as vj
from threadline.synth.contacts import Ident, new_email, new_handle, phone_ident, write_ident
from threadline.synth.core import Ctx
from threadline.synth.personas import pick_country
from threadline.synth.places import (
    CIRCUITS,
    CITIES,
    CITIES_BY_COUNTRY,
    CURRENCY,
    DESTINATIONS,
    City,
)

CUES = (
    "recruitment_fee",
    "passport_requested",
    "high_pay_no_experience",
    "travel_paid",
    "messaging_app_only",
    "vague_duties",
    "urgency",
)
P_LEGIT_CUE = 0.25  # legitimate ad carrying one cue innocently
DAY = 86400
_EMOJI = ("✈️", "🌍", "💰", "⭐", "🔥", "✅")
_HIGH_PAY = {
    "USD": (3500, 6000, 250, "${:,}/month", "${:,} al mes"),
    "GBP": (3000, 5000, 250, "£{:,} a month", "£{:,} al mes"),
    "EUR": (2500, 4500, 250, "€{:,} per month", "{:,} € al mes"),
    "MXN": (35000, 60000, 5000, "${:,} MXN a month", "${:,} al mes"),
}
_FEE = {
    "USD": ("$350", "$500", "$275"),
    "GBP": ("£250", "£400"),
    "EUR": ("300 €", "450 €"),
    "MXN": ("$3,500", "$5,000"),
}


def _home_phone_country(country: str) -> str:
    return country if country in ("US", "GB") else ("GB" if country == "ES" else "US")


def _base(
    ad_id: str,
    lang: str,
    site: str,
    title: str,
    text: str,
    city: City,
    ts: str,
    post_no: int,
    images: list[str],
) -> dict[str, Any]:
    return {
        "id": ad_id,
        "kind": "job_ad",
        "lang": lang,
        "site": site,
        "title": title,
        "text": text,
        "city": city.name,
        "region": city.region,
        "country": city.country,
        "posted_at": ts,
        "url": f"https://{site}/{city.slug}/{post_no}",
        "images": images,
    }


class Employer:
    role = "legit_job"

    def __init__(self, ctx: Ctx, t0: int) -> None:
        rng = ctx.rng
        self.country = pick_country(rng)
        self.cities = rng.sample(CITIES_BY_COUNTRY[self.country], rng.randint(1, 3))
        self.lang = "es" if rng.random() < self.cities[0].es_share else "en"
        self.entity = ctx.next_id("emp")
        self.sector = rng.choice(tuple(vj.SECTORS))
        suffix, self.titles, self.duties = vj.SECTORS[self.sector][self.lang]
        brand = rng.choice(vj.BRANDS)
        self.company = f"{brand} {suffix}"
        self.domain = (
            f"{brand}-{self.sector}-{ctx.tags.next()}".lower().replace(" ", "-") + ".example"
        )
        local = rng.choice(("jobs", "careers", "hr") if self.lang == "en" else ("empleo", "rrhh"))
        email = f"{local}@{self.domain}"
        self.email = Ident("email", email, None, email)
        self.phone = (
            phone_ident(ctx.phones.issue(self.country)) if self.country in ("US", "GB") else None
        )
        self.street = f"{rng.randint(100, 9899)} {rng.choice(vj.STREETS)}"
        self.t = t0 + rng.randrange(0, DAY, 60)
        self.remaining = min(30, 1 + int(rng.expovariate(1 / 4)))
        self.site = rng.choice(vj.JOB_SITES[self.lang][:3])
        self.logo = f"{rng.getrandbits(64):016x}" if rng.random() < 0.4 else None

    def _pay(self, rng: random.Random) -> tuple[str, dict[str, Any]]:
        cur = CURRENCY[self.country]
        if cur in ("USD", "GBP"):
            lo = rng.randint(30, 56) / 2 if cur == "USD" else rng.randint(23, 30) / 2
            hi = lo + rng.choice((1.0, 1.5, 2.0))
            sym = "$" if cur == "USD" else "£"
            if self.lang == "es":
                raw = f"{sym}{lo:.2f} a {sym}{hi:.2f} por hora"
            else:
                raw = f"{sym}{lo:.2f} - {sym}{hi:.2f} per hour"
            return raw, {"amount": lo, "max": hi, "currency": cur, "unit": "hour", "raw": raw}
        if cur == "EUR":
            amount = rng.randrange(1200, 1950, 50)
            raw = f"{amount // 1000}.{amount % 1000:03d} € brutos al mes"
        else:
            amount = rng.randrange(8000, 16500, 500)
            raw = f"${amount:,} mensuales"
        return raw, {"amount": amount, "currency": cur, "unit": "month", "raw": raw}

    def ad(self, ctx: Ctx, ad_id: str, post_no: int) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = ctx.rng
        self.remaining -= 1
        self.t += rng.randrange(DAY, 14 * DAY, 60)
        city = rng.choice(self.cities)
        lang, company = self.lang, self.company
        title = rng.choice(self.titles)
        d = rng.sample(self.duties, 2)
        r = rng.sample(vj.REQS[lang], 2)
        b = rng.sample(vj.BENEFITS[lang], 2)
        pay_raw, price = self._pay(rng)
        sched = rng.choice(vj.SCHEDULES[lang])
        idents: list[dict[str, Any]] = []
        email_raw, e = write_ident(self.email, lang, False, 0.0, None, rng)
        idents.append(e)
        zip_code = rng.choice(city.zips) if city.zips else ""
        decoys = [{"type": "price", "raw": pay_raw}]
        if zip_code:
            decoys.append({"type": "zip", "raw": zip_code})
        if lang == "en":
            parts = [
                rng.choice(
                    (
                        f"{company} is hiring a {title} at our {city.name} location.",
                        f"Join the {company} team in {city.name} as a {title}!",
                        f"We are looking for a reliable {title} to join {company} in {city.name}.",
                    )
                ),
                f"Responsibilities: {d[0]}; {d[1]}.",
                f"Requirements: {r[0]}. {r[1]}.",
                f"Pay: {pay_raw}.",
                f"Benefits: {b[0]}, {b[1]}.",
                f"Schedule: {sched}.",
            ]
            apply = (
                f"Apply online at https://{self.domain}/careers or email your resume to "
                f"{email_raw}."
            )
            where = f"Location: {self.street}, {city.name}, {city.region} {zip_code}".rstrip()
            decoys.append({"type": "address", "raw": self.street})
            eeo = f"{company} is an equal opportunity employer."
        else:
            parts = [
                rng.choice(
                    (
                        f"{company} busca {title} para su centro de {city.name}.",
                        f"Únete al equipo de {company} en {city.name} como {title}.",
                        f"Se necesita {title} en {company} ({city.name}).",
                    )
                ),
                f"Funciones: {d[0]}; {d[1]}.",
                f"Requisitos: {r[0]}. {r[1]}.",
                f"Salario: {pay_raw}.",
                f"Ofrecemos: {b[0]}, {b[1]}.",
                f"Horario: {sched}.",
            ]
            apply = f"Envía tu CV a {email_raw} o inscríbete en https://{self.domain}/empleo."
            street = rng.choice(vj.STREETS_ES) + f" {rng.randint(1, 180)}"
            where = f"Dirección: {street}, {zip_code} {city.name}".replace(",  ", ", ")
            decoys.append({"type": "address", "raw": street})
            eeo = f"{company} promueve la igualdad de oportunidades."
        if rng.random() < 0.4:  # employers list the same facts in different orders
            mid = parts[1:]
            rng.shuffle(mid)
            parts = parts[:1] + mid
        indicators: list[str] = []
        if rng.random() < P_LEGIT_CUE:
            cue, sentence = rng.choice(vj.LEGIT_CUES[lang])
            parts.append(sentence)
            indicators.append(cue)
        parts.append(apply)
        if self.phone is not None and rng.random() < 0.7:
            raw, e = write_ident(self.phone, lang, False, 0.0, None, rng)
            parts.append(f"Questions? Call {raw}." if lang == "en" else f"Dudas: {raw}.")
            idents.append(e)
        parts.append(where)
        if rng.random() < 0.6:
            parts.append(eeo)
        text = rng.choice(("\n", " ", "\n\n")).join(parts)
        site_title = rng.choice((f"{title} - {company} - {city.name}", f"{title} ({city.name})"))
        images = [f"https://{self.site}/img/{self.logo}.png"] if self.logo else []
        ad = _base(ad_id, lang, self.site, site_title, text, city, ctx.iso(self.t), post_no, images)
        truth = {
            "id": ad_id,
            "operation": None,
            "entity": self.entity,
            "role": self.role,
            "template": None,
            "identifiers": idents,
            "hub": [],
            "indicators": sorted(indicators),
            "price": price,
            "age": None,
            "personas": [],
            "decoys": decoys,
        }
        return ad, truth


class Recruiter:
    """A deceptive recruitment scheme: an operation whose ads lure workers abroad."""

    role = "deceptive_job"

    def __init__(self, ctx: Ctx, t0: int) -> None:
        rng = ctx.rng
        self.country = pick_country(rng)
        self.circuit = tuple(CITIES[n] for n in rng.choice(CIRCUITS[self.country]))
        self.pos = rng.randrange(len(self.circuit))
        self.lang = "es" if rng.random() < self.circuit[self.pos].es_share else "en"
        self.entity = ctx.next_id("op")
        self.tpl = ctx.next_id("tpl")
        self.company = rng.choice(vj.BRANDS) if rng.random() < 0.35 else None
        self.dests = rng.sample(DESTINATIONS, 2)
        self.jobs = rng.sample(vj.DEST_JOBS[self.lang], 2)
        self.cue_p = {c: min(0.9, max(0.1, 0.45 + rng.uniform(-0.3, 0.3))) for c in CUES}
        frags = vj.DECEPTIVE[self.lang]
        # the scheme's own wording: one sentence per kind, a second one used now and then
        self.words = {k: (rng.choice(v), rng.choice(v)) for k, v in frags.items()}
        home = _home_phone_country(self.country)
        self.phones = [phone_ident(ctx.phones.issue(home)) for _ in range(rng.randint(1, 2))]
        self.handle = new_handle(ctx, rng.choice(vj.RECRUITER_WORDS), "telegram")
        self.email = new_email(ctx, vj.RECRUITER_WORDS)
        cur = CURRENCY[self.country]
        lo, hi, step, en_fmt, es_fmt = _HIGH_PAY[cur]
        self.pay_amount = rng.randrange(lo, hi + 1, step)
        self.pay_raw = (en_fmt if self.lang == "en" else es_fmt).format(self.pay_amount)
        if cur == "EUR" and self.lang == "es":  # Spanish thousands separator
            self.pay_raw = self.pay_raw.replace(",", ".")
        self.currency = cur
        self.fee = rng.choice(_FEE[cur])
        self.sep = rng.choice((" ", "\n", " ✅ "))
        self.site = rng.choice(vj.JOB_SITES[self.lang])
        self.t = t0 + rng.randrange(0, DAY, 60)
        self.stay = rng.randint(1, 3)
        self.first = True
        self.remaining = min(50, 3 + int(rng.expovariate(1 / 8)))
        self.image = f"{rng.getrandbits(64):016x}"

    def _move(self, rng: random.Random) -> City:
        if self.first:
            self.first = False
        else:
            self.stay -= 1
            self.t += rng.randrange(DAY // 2, 4 * DAY, 60)
            if self.stay <= 0:
                self.pos = (self.pos + 1) % len(self.circuit)
                self.stay = rng.randint(1, 3)
        return self.circuit[self.pos]

    def ad(self, ctx: Ctx, ad_id: str, post_no: int) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = ctx.rng
        self.remaining -= 1
        city = self._move(rng)
        lang = self.lang
        w = self.words
        cues = [c for c in CUES if rng.random() < self.cue_p[c]]
        while len(cues) < 2:
            c = rng.choice(CUES)
            if c not in cues:
                cues.append(c)
        dest, dest_cc = self.dests[0] if rng.random() < 0.7 else self.dests[1]
        idents: list[dict[str, Any]] = []
        used: dict[str, str] = {}
        foreign = self.country in ("ES", "MX")

        def ident_raw(key: str) -> str:
            if key not in used:
                ident = (
                    rng.choice(self.phones)
                    if key == "phone"
                    else self.handle
                    if key == "handle"
                    else self.email
                )
                raw, entry = write_ident(ident, lang, foreign, 0.1, "spacing", rng)
                used[key] = raw
                idents.append(entry)
            return used[key]

        def say(kind: str) -> str:
            a, b = w[kind]
            return a if rng.random() < 0.75 else b

        job = self.jobs[0] if rng.random() < 0.7 else self.jobs[1]
        vals = {
            "job": job,
            "dest": dest,
            "pay": self.pay_raw,
            "fee": self.fee,
            "company": self.company or "",
            "n": str(rng.randint(3, 9)),
            "e": rng.choice(_EMOJI),
        }
        parts = [say("intro_named" if self.company else "intro_anon")]
        parts.append(
            say("high_pay_no_experience" if "high_pay_no_experience" in cues else "pay_plain")
        )
        parts.append(say("vague_duties" if "vague_duties" in cues else "duties_plain"))
        rest = [
            say(c)
            for c in ("travel_paid", "recruitment_fee", "passport_requested", "urgency")
            if c in cues
        ]
        rng.shuffle(rest)
        parts += rest
        decoys: list[dict[str, str]] = []
        if rng.random() < 0.4:
            ages = say("ages")
            parts.append(ages)
            decoys.append({"type": "age", "raw": ages})
        parts.append(say("messaging_app_only" if "messaging_app_only" in cues else "contact"))
        body = self.sep.join(parts)
        for key in ("phone", "handle", "email"):  # render only the identifiers the text names
            if "{" + key + "}" in body:
                body = body.replace("{" + key + "}", ident_raw(key))
        text = body.format_map(vals)
        title = say("title").format_map(vals)
        indicators = set(cues)
        if self.company is None:
            indicators.add("no_company_identity")
        if dest_cc != self.country:
            indicators.add("job_abroad")
        price = None
        if self.pay_raw in text:
            price = {
                "amount": self.pay_amount,
                "currency": self.currency,
                "unit": "month",
                "raw": self.pay_raw,
            }
            decoys.append({"type": "price", "raw": self.pay_raw})
        if self.fee in text:
            decoys.append({"type": "price", "raw": self.fee})
        images = [f"https://{self.site}/img/{self.image}.png"] if rng.random() < 0.4 else []
        ad = _base(ad_id, lang, self.site, title, text, city, ctx.iso(self.t), post_no, images)
        truth = {
            "id": ad_id,
            "operation": self.entity,
            "entity": self.entity,
            "role": self.role,
            "template": self.tpl,
            "identifiers": idents,
            "hub": [],
            "indicators": sorted(indicators),
            "price": price,
            "age": None,
            "personas": [],
            "decoys": decoys,
        }
        return ad, truth
