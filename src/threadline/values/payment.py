"""Payment handles, canonical form "service:identifier".

* cashapp — "$cashtag", lower-cased, with its "$" ("cashapp:$jane99")
* venmo — username without "@" ("venmo:jane-doe")
* paypal — paypal.me name or the account e-mail ("paypal:janedoe")
* zelle, applepay — the enrolled phone (E.164) or e-mail ("zelle:+14155550123")
* chime — "$ChimeSign" like Cash App ("chime:$jane")
* revolut — the "@revtag" username without "@" ("revolut:jane_x"), or the
  enrolled phone or e-mail

Service rules follow the providers' public help pages: cashtags 1–20
letters/digits/underscore with at least one letter; Venmo 5–30 letters,
digits, "-" and "_"; PayPal.me names up to 20 letters and digits; Revolut
revtags (revolut.me/name) 3–30 letters, digits, "_" and ".".
"""

from __future__ import annotations

import regex

from threadline.values.base import NO_CONTEXT, CleanContext, ValueType, timeout_for
from threadline.values.email import EMAIL
from threadline.values.phone import PHONE

SERVICES = ("cashapp", "venmo", "paypal", "zelle", "applepay", "chime", "revolut")

_RULES = {
    "cashapp": regex.compile(r"\$(?=[a-z0-9_]*[a-z])[a-z0-9_]{1,20}"),
    "chime": regex.compile(r"\$(?=[a-z0-9_]*[a-z])[a-z0-9_]{1,20}"),
    "venmo": regex.compile(r"[a-z0-9_-]{5,30}"),
    "paypal": regex.compile(r"[a-z0-9]{1,20}"),
    "revolut": regex.compile(r"[a-z0-9][a-z0-9_.]{2,29}"),
}
_BY_IDENT = ("paypal", "revolut")  # a username, or an e-mail or phone the account is enrolled with


class PaymentHandleType(ValueType):
    name = "payment_handle"
    pivot = True

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        service, sep, ident = raw.partition(":")
        service = service.strip().lower()
        ident = ident.strip()
        if not sep or service not in SERVICES or not ident:
            return None
        if service in ("cashapp", "chime"):
            value = "$" + ident.lstrip("$").lower()
        elif service == "venmo":
            value = ident.lstrip("@").lower()
        elif service == "paypal" and "@" not in ident:
            value = ident.lower()
        elif service == "revolut" and "@" not in ident[1:] and ident[:1] not in "+(0123456789":
            value = ident.lstrip("@").lower()  # a revtag, not an enrolled phone or e-mail
        else:  # zelle / applepay / paypal by e-mail or phone
            cleaned = EMAIL.clean(ident) if "@" in ident else PHONE.clean(ident, context)
            if cleaned is None:
                return None
            value = cleaned
        canon = f"{service}:{value}"
        return canon if self.validate(canon) else None

    def validate(self, value: str) -> bool:
        service, sep, ident = value.partition(":")
        if not sep or service not in SERVICES:
            return False
        rule = _RULES.get(service)
        by_ident = service in _BY_IDENT and ("@" in ident or ident.startswith("+"))
        if rule is not None and not by_ident:
            return rule.fullmatch(ident, timeout=timeout_for(ident), concurrent=False) is not None
        if "@" in ident:
            return EMAIL.validate(ident)
        return PHONE.validate(ident)


PAYMENT_HANDLE = PaymentHandleType()
