"""Identifiers as authors own them (`Ident`) and the contact sentence of an ad."""

from __future__ import annotations

import random
from typing import Any, NamedTuple

from threadline.synth import vocab_words as vw
from threadline.synth.core import Ctx, Template
from threadline.synth.identifiers import EMAIL_DOMAINS, render_email
from threadline.synth.phones import Phone, plain_formats, render_phone

PHONE_STYLES = {
    "en": (
        "spelled_en",
        "letter_swap",
        "spacing",
        "emoji_digits",
        "fullwidth",
        "circled",
        "split",
        "mixed",
    ),
    "es": (
        "spelled_es",
        "letter_swap",
        "spacing",
        "emoji_digits",
        "fullwidth",
        "circled",
        "split",
        "mixed",
    ),
}
EMAIL_STYLES = ("at_dot", "brackets", "spacing")


class Ident(NamedTuple):
    """One identifier an author owns: kind is phone/email/handle/payment_handle/crypto_address."""

    kind: str
    value: str  # normalized
    platform: str | None
    shown: str  # as the author writes it when not obfuscating (handles keep their case/sigil)
    phone: Phone | None = None

    @property
    def contact_key(self) -> str:
        if self.kind in ("handle", "payment_handle"):
            return self.platform or self.kind
        return "crypto" if self.kind == "crypto_address" else self.kind


def phone_ident(p: Phone) -> Ident:
    return Ident("phone", p.e164, None, p.e164, p)


def write_ident(
    ident: Ident, lang: str, foreign: bool, obf_rate: float, pref: str | None, rng: random.Random
) -> tuple[str, dict[str, Any]]:
    """(raw text, truth entry) for one identifier in one ad."""
    style: str | None = None
    kind = ident.kind
    if kind == "phone":
        phone = ident.phone
        assert phone is not None
        rnd = rng.random
        if rnd() < obf_rate:
            if pref and rnd() < 0.7:
                style = pref
            else:
                styles = PHONE_STYLES[lang]
                style = styles[int(rnd() * len(styles))]
            raw = render_phone(phone, style, lang, rng, foreign)
        else:  # one of the plain formats, made once per number
            raw = plain_formats(phone, foreign)[int(rnd() * 7)]
        if phone.recycled:
            return raw, {
                "type": kind,
                "value": ident.value,
                "obfuscation": style,
                "raw": raw,
                "recycled": True,
            }
        return raw, {"type": kind, "value": ident.value, "obfuscation": style, "raw": raw}
    if kind == "email":
        if rng.random() < obf_rate * 0.6:
            style = EMAIL_STYLES[int(rng.random() * 3)]
            raw = render_email(ident.value, style, lang, rng)
        else:
            raw = ident.value
    else:
        raw = ident.shown
    if ident.platform:
        return raw, {
            "type": kind,
            "value": ident.value,
            "platform": ident.platform,
            "obfuscation": style,
            "raw": raw,
        }
    return raw, {"type": kind, "value": ident.value, "obfuscation": style, "raw": raw}


def contact_line(
    idents: list[Ident],
    lang: str,
    foreign: bool,
    obf_rate: float,
    pref: str | None,
    tpl: Template,
    rng: random.Random,
) -> tuple[str, list[dict[str, Any]]]:
    """The contact sentence of one ad: the author's usual phrases, now and then another."""
    pieces, truth = [], []
    rnd = rng.random
    phrases = tpl.contact_phrases
    for ident in idents:
        raw, entry = write_ident(ident, lang, foreign, obf_rate, pref, rng)
        kind = ident.kind
        if kind == "phone" or kind == "email":
            key = kind
        elif kind == "crypto_address":
            key = "crypto"
        else:
            key = ident.platform or kind
        if rnd() < 0.85:
            phrase = phrases.get(key)
            if phrase is None:  # the author settles on a wording the first time
                pool = vw.CONTACT[lang][key]
                phrase = phrases[key] = pool[int(rnd() * len(pool))]
        else:
            pool = vw.CONTACT[lang][key]
            phrase = pool[int(rnd() * len(pool))]
        pieces.append(phrase.replace("{p}", raw))
        truth.append(entry)
    return tpl.contact_sep.join(pieces), truth


def new_email(ctx: Ctx, words: tuple[str, ...]) -> Ident:
    rng = ctx.rng
    w = rng.choice(words).lower().replace(" ", "")
    local = f"{w}{rng.choice(('.', '_', ''))}{ctx.tags.next()}"
    value = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
    return Ident("email", value, None, value)


def new_handle(ctx: Ctx, name: str, platform: str) -> Ident:
    rng = ctx.rng
    base = _ascii(name).lower()
    w = rng.choice(vw.HANDLE_WORDS)
    h = f"{w}{rng.choice(('.', '_', ''))}{base}{rng.choice(('_', '.', ''))}{ctx.tags.next()}"
    shown = "@" + h if platform in ("instagram", "telegram") else h
    return Ident("handle", h, platform, shown)


def new_payment(ctx: Ctx, name: str, platform: str) -> Ident:
    rng = ctx.rng
    base = _ascii(name)
    w = rng.choice(vw.HANDLE_WORDS).capitalize()
    tag = ctx.tags.next()
    if platform == "cashapp":
        shown = f"${w}{base}{tag.capitalize()}"
    elif platform == "venmo":
        shown = f"@{w}-{base}-{tag}"
    else:  # revolut
        shown = f"@{w.lower()}{base.lower()}{tag}"
    return Ident("payment_handle", shown[1:].lower(), platform, shown)


_ASCII = str.maketrans("áéíóúñÁÉÍÓÚÑ", "aeiounAEIOUN")


def _ascii(s: str) -> str:
    return s.translate(_ASCII).replace(" ", "")
