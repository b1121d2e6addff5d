"""URLs and bare domains, canonical form "host/path" without scheme or "www.".

Scheme, "www." and a trailing "/" do not tell two records apart, so they are
dropped; the host is lower-cased, the path kept as written (paths are often
case-sensitive). Query strings and fragments are dropped: they carry tracking
noise, not identity.
"""

from __future__ import annotations

from functools import cache

import regex

from threadline.values.base import (
    NO_CONTEXT,
    CleanContext,
    ValueType,
    load_yaml,
    str_list,
    timeout_for,
)

_HOST_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_CANON = regex.compile(
    rf"(?:{_HOST_LABEL}\.){{1,8}}[a-z]{{2,24}}(?::\d{{1,5}})?(?:/[^\s?#]{{0,512}})?"
)


@cache
def tlds() -> dict[str, frozenset[str]]:
    data = load_yaml("threadline.values", "data/tlds.yaml", {"bare": list, "guarded": list})
    where = "tlds.yaml"
    return {
        key: frozenset(t.lower() for t in str_list(data, key, where))
        for key in ("bare", "guarded", "reserved", "second_level")
    }


def known_tld(tld: str) -> bool:
    t = tlds()
    tld = tld.lower()
    return tld in t["bare"] or tld in t["guarded"] or tld in t["reserved"]


class UrlType(ValueType):
    name = "url"
    pivot = True

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        value = raw.strip().rstrip(".,;:!?)]}'\"")
        low = value.lower()
        for scheme in ("https://", "http://"):
            if low.startswith(scheme):
                value = value[len(scheme) :]
                break
        value = value.split("#", 1)[0].split("?", 1)[0]
        host, slash, path = value.partition("/")
        host = host.lower().rstrip(".")
        if host.startswith("www."):
            host = host[4:]
        path = path.rstrip("/")
        canon = f"{host}/{path}" if slash and path else host
        return canon if self.validate(canon) else None

    def validate(self, value: str) -> bool:
        if _CANON.fullmatch(value, timeout=timeout_for(value), concurrent=False) is None:
            return False
        host = value.split("/", 1)[0].split(":", 1)[0]
        return known_tld(host.rsplit(".", 1)[-1])


URL = UrlType()
