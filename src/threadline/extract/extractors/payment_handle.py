"""Payment handles: Cash App "$cashtag", Venmo, PayPal.me, Zelle, Apple Pay, Chime, Revolut.

Forms, most specific first:
* a profile URL ("cash.app/$jane", "paypal.me/jane", "venmo.com/u/jane");
* a service name, a separator and an identifier ("venmo: @jane-doe",
  "Zelle: 415-555-0123", "paypal jane@example.com"); the span runs from the
  service name to the end of the identifier, and a phone or e-mail inside it
  is also reported on its own (see the engine's overlap rule);
* a bare "$cashtag" ("$LunaRose") — a "$" directly followed by a letter, so
  "$200" is a price, and not a currency code ("$USD", `rules/payments.yaml`).

A service name written with digits or symbols for letters ("venm0", "ca$h
app") is recorded as obfuscation ("obfuscated_service_name"). A handle after
a service name ("Revolut @jade") is a payment handle, which wins over the
plain social handle the same "@name" also reads as (engine overlap rule).
"""

from __future__ import annotations

from functools import cache

import regex

from threadline.extract.base import Example, Explanation, ExtractContext, Extractor, Mention
from threadline.extract.bounded import BoundedPattern
from threadline.extract.scan import scan
from threadline.values.base import DataError, load_yaml, str_list
from threadline.values.payment import PAYMENT_HANDLE

_EMAIL = r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}"
_PHONE = r"\+?\(?\d[\d \t().-]{5,18}\d"
_NAME = r"[@$]?[A-Za-z0-9][A-Za-z0-9_-]{0,29}"


@cache
def _rules() -> tuple[dict[str, str], dict[str, str], frozenset[str], frozenset[str]]:
    data = load_yaml(
        "threadline.extract.rules",
        "payments.yaml",
        {"services": dict, "urls": dict, "not_cashtag": list, "not_ident": list},
    )
    aliases: dict[str, str] = {}  # alias without spaces → service
    for service, names in data["services"].items():
        if not isinstance(names, list):
            raise DataError(f"payments.yaml: services.{service} must be a list")
        for n in names:
            aliases[_squash(str(n))] = service
    urls = {str(u).lower(): s for s, us in data["urls"].items() for u in us}
    return (
        aliases,
        urls,
        frozenset(str_list(data, "not_cashtag", "payments.yaml")),
        frozenset(str_list(data, "not_ident", "payments.yaml")),
    )


def _alt(words: list[str]) -> str:
    return "|".join(
        regex.escape(w).replace(r"\ ", r"[ \t]?") for w in sorted(set(words), key=len, reverse=True)
    )


@cache
def _patterns() -> tuple[BoundedPattern, BoundedPattern, BoundedPattern, frozenset[str]]:
    data = load_yaml("threadline.extract.rules", "payments.yaml", {"services": dict})
    names = [str(n) for ns in data["services"].values() for n in ns]
    _, urls, _, _ = _rules()
    url = BoundedPattern(
        "payment.url", rf"(?i)(?P<url>{_alt(list(urls))})(?P<id>\$?[A-Za-z0-9_-]{{1,30}})"
    )
    keyword = BoundedPattern(
        "payment.keyword",
        (
            rf"(?i)(?<![\p{{L}}\p{{N}}])(?P<svc>{_alt(names)})(?![\p{{L}}\p{{N}}])"
            rf"[ \t]{{0,2}}(?:me|at|to|id|tag)?[ \t]{{0,2}}[:=\-–>]{{0,2}}[ \t]{{0,2}}"
            rf"(?P<id>{_EMAIL}|{_PHONE}|{_NAME})"
        ),
    )
    cashtag = BoundedPattern(
        "payment.cashtag", r"(?<![\w$])\$(?P<id>[A-Za-z][A-Za-z0-9_]{1,19})(?![\w$])"
    )
    firsts = frozenset(regex.split(r"[^\w]", n.lower())[0] for n in [*names, *urls])
    return url, keyword, cashtag, firsts - {""}


_SCHEME = regex.compile(r"(?i)(?:https?://)?(?:www\.)?\Z")


class PaymentHandleExtractor(Extractor):
    name = "payment_handle"
    version = "1.1"  # 1.1: Revolut; obfuscated service names recorded
    types = ("payment_handle",)
    examples = (
        Example(
            "cashapp $LunaRose22",
            (("payment_handle", "cashapp $LunaRose22", "cashapp:$lunarose22"),),
        ),
        Example("deposit to $mia_b first", (("payment_handle", "$mia_b", "cashapp:$mia_b"),)),
        Example("Venmo: @jade-x99", (("payment_handle", "Venmo: @jade-x99", "venmo:jade-x99"),)),
        Example("paypal.me/rosiex", (("payment_handle", "paypal.me/rosiex", "paypal:rosiex"),)),
        Example(
            "Zelle: 415-555-0123",
            (("payment_handle", "Zelle: 415-555-0123", "zelle:+14155550123"),),
        ),
        Example("$200/hr, $USD only, cashapp only", ()),
        Example(
            "Revolut @jade_x99 for deposits",
            (("payment_handle", "Revolut @jade_x99", "revolut:jade_x99"),),
            note="a handle after a payment service is a payment handle, not a social one",
        ),
        Example("revolut.me/rosiex", (("payment_handle", "revolut.me/rosiex", "revolut:rosiex"),)),
        Example("venm0: @jade-x99", (("payment_handle", "venm0: @jade-x99", "venmo:jade-x99"),)),
    )

    def trigger_words(self) -> frozenset[str]:
        return _patterns()[3]

    def extract(self, text: str, ctx: ExtractContext) -> list[Mention]:
        firsts = _patterns()[3]
        sc = scan(text, ctx)
        triggers = sorted(sc.words(firsts) + sc.symbols("$"), key=lambda t: t.start)
        out: list[Mention] = []
        last_end = -1
        for tok in triggers:
            if tok.start < last_end:
                continue
            mention = self._at(text, tok.start, tok.low == "$", ctx)
            if mention is not None:
                out.append(mention)
                last_end = mention.end
        return out

    def _at(self, text: str, pos: int, is_dollar: bool, ctx: ExtractContext) -> Mention | None:
        url, keyword, cashtag, _ = _patterns()
        aliases, urls, not_tag, not_ident = _rules()
        start = pos
        obfuscation: tuple[str, ...] = ()
        if is_dollar:
            m = cashtag.match(text, ctx, pos)
            if m is None or m.group("id").lower() in not_tag:
                return None
            service, ident, pid = "cashapp", "$" + m.group("id"), "payment.cashtag"
        elif (m := url.match(text, ctx, pos)) is not None:
            service, ident, pid = urls[m.group("url").lower()], m.group("id"), "payment.url"
            prefix = _SCHEME.search(text[max(0, pos - 12) : pos], concurrent=False)
            start = pos - len(prefix.group()) if prefix else pos
        elif (m := keyword.match(text, ctx, pos)) is not None:
            service, ident, pid = aliases[_squash(m.group("svc"))], m.group("id"), "payment.keyword"
            if ident.lower().lstrip("@$") in not_ident:
                return None
            if service in ("cashapp", "chime") and ident[:1].isdigit():
                return None  # "cashapp 200" is a price paid by Cash App
            if not _squash(m.group("svc")).isalpha():
                obfuscation = ("obfuscated_service_name",)  # "venm0", "ca$h app"
        else:
            return None
        normalized = PAYMENT_HANDLE.clean(f"{service}:{ident}", ctx.clean_context())
        if normalized is None:
            return None
        return self.mention(
            text,
            "payment_handle",
            start,
            m.end("id"),
            normalized,
            0.95 if pid != "payment.cashtag" else 0.85,
            Explanation(
                pattern_id=pid, steps=(f"service:{service}", "lowercase"), obfuscation=obfuscation
            ),
        )


def _squash(alias: str) -> str:
    return "".join(alias.lower().split())


EXTRACTOR = PaymentHandleExtractor()
