"""URLs and bare domains ("https://example.com/jane", "www.example.org", "example.net/x").

A bare host needs a top-level domain from `values/data/tlds.yaml`'s `bare`
list, a second-level label ("example.com.mx"), or one of the short hosts that
platforms use ("t.me", "wa.me"); "guarded" TLDs that are also words ("call.me",
"log.in") count only with a scheme or "www.". Trailing punctuation is not part
of the URL. Profile URLs of social or payment platforms are also read as
handles or payment handles, which win the overlap (see the engine).
"""

from __future__ import annotations

from threadline.extract.base import Example, Explanation, ExtractContext, Extractor, Mention
from threadline.extract.bounded import BoundedPattern
from threadline.extract.scan import scan
from threadline.values.url import URL, tlds

_TRAIL = ".,;:!?)]}'\"»”’"
_PATTERN = BoundedPattern(
    "url",
    r"(?i)(?P<scheme>https?://[^\s<>\"'`]{1,2048})"
    r"|(?<![\w@./-])(?P<www>www\.[^\s<>\"'`]{1,2048})"
    r"|(?<![\w@./$-])(?P<bare>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,4}"
    r"(?P<tld>[a-z]{2,24})(?![\w@-])(?:/[^\s<>\"'`]{0,512})?)",
)
SHORT_HOSTS = frozenset(
    {
        "t.me",
        "wa.me",
        "kik.me",
        "paypal.me",
        "cash.app",
        "linktr.ee",
        "bit.ly",
        "tinyurl.com",
        "fans.ly",
        "onlyfans.com",
    }
)


class UrlExtractor(Extractor):
    name = "url"
    version = "1.0"
    types = ("url",)
    examples = (
        Example(
            "pics at https://www.example.com/luna/?ref=ad.",
            (("url", "https://www.example.com/luna/?ref=ad", "example.com/luna"),),
        ),
        Example(
            "visit example.org/vip or www.example.net",
            (
                ("url", "example.org/vip", "example.org/vip"),
                ("url", "www.example.net", "example.net"),
            ),
        ),
        Example("call.me later, e.g. at 5.30", ()),
    )

    def trigger_words(self) -> frozenset[str]:
        return frozenset({"http", "https", "www"})

    def extract(self, text: str, ctx: ExtractContext) -> list[Mention]:
        sc = scan(text, ctx)
        starts = [t.start for t in sc.words(frozenset({"http", "https", "www"}))]
        for dot in sc.by_kind.get("dot", ()):
            k = dot.start  # walk back to the start of the host name
            while k > 0 and dot.start - k < 253 and (text[k - 1].isalnum() or text[k - 1] in ".-"):
                k -= 1
            starts.append(k)
        t = tlds()
        out: list[Mention] = []
        last_end = -1
        for start in sorted(set(starts)):
            if start < last_end:
                continue
            m = _PATTERN.match(text, ctx, start)
            if m is None:
                continue
            raw = m.group()
            kind = m.lastgroup if m.lastgroup != "tld" else "bare"
            if m.group("bare"):
                kind = "bare"
                host = m.group("bare").split("/", 1)[0].lower()
                labels = host.split(".")
                tld = labels[-1]
                ok = (
                    tld in t["bare"]
                    or tld in t["reserved"]
                    or host in SHORT_HOSTS
                    or (len(labels) > 2 and labels[-2] in t["second_level"])
                )
                if not ok or labels[0].isdigit():
                    continue
            stripped = raw.rstrip(_TRAIL)
            if stripped.count("(") < stripped.count(")"):
                stripped = stripped[: stripped.rfind(")")].rstrip(_TRAIL)
            normalized = URL.clean(stripped)
            if normalized is None:
                continue
            last_end = m.start() + len(stripped)
            out.append(
                self.mention(
                    text,
                    "url",
                    m.start(),
                    m.start() + len(stripped),
                    normalized,
                    0.95 if kind != "bare" else 0.85,
                    Explanation(
                        pattern_id=f"url.{kind}", steps=("strip_scheme_www", "lowercase_host")
                    ),
                )
            )
        return out


EXTRACTOR = UrlExtractor()
