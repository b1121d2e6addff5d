"""Social-media and messenger handles with their platform ("snap: xyz", "IG @jane").

Three forms, most specific first:
* a profile URL ("instagram.com/jane", "t.me/jane");
* a platform name or alias, a separator, a username ("sc: jane", "kik me - jane").
  Weak aliases ("sc", "ig", "of", "x") need an explicit ":", "=", "-" or "@";
* a bare "@username" (platform "unknown", lower confidence).
Usernames must satisfy the platform's rules (`values/data/platforms.yaml`) and
not be a word of ordinary prose (`rules/handles.yaml`). A numeric "username"
(WhatsApp, Signal) is a phone number and is left to the phone extractor.
A platform name written with digits or symbols for letters ("sn4p",
"0nlyfans") is recorded as obfuscation ("obfuscated_service_name").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from threadline.extract.base import Example, Explanation, ExtractContext, Extractor, Mention
from threadline.extract.bounded import BoundedPattern
from threadline.extract.numbers import number_rules
from threadline.extract.scan import scan, trie_pattern
from threadline.values.base import load_yaml, str_list
from threadline.values.handle import HANDLE, UNKNOWN_PLATFORM, platform_for, platforms

_USER = r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}"


@cache
def _not_user() -> frozenset[str]:
    data = load_yaml("threadline.extract.rules", "handles.yaml", {"not_user": list})
    return frozenset(w.lower() for w in str_list(data, "not_user", "handles.yaml"))


def _alt(words: list[str]) -> str:
    return "|".join(
        regex.escape(w).replace(r"\ ", r"[ \t]?") for w in sorted(set(words), key=len, reverse=True)
    )


@dataclass(frozen=True, slots=True)
class _Patterns:
    url: BoundedPattern  # anchored at the host
    keyword: BoundedPattern  # anchored at the alias
    bare: BoundedPattern  # anchored at "@"
    weak: frozenset[str]
    triggers: frozenset[str]


@cache
def _patterns() -> _Patterns:
    strong: list[str] = []
    weak: list[str] = []
    hosts: list[str] = []
    for p in platforms().values():
        strong.extend(p.aliases)
        strong.append(p.name)
        weak.extend(p.weak)
        hosts.extend(p.hosts)
    first_words = {regex.split(r"[^\w]", w.lower())[0] for w in strong + weak + hosts}
    return _Patterns(
        url=BoundedPattern("handle.url", rf"(?i)(?P<host>{_alt(hosts)})@?(?P<user>{_USER})"),
        keyword=BoundedPattern(
            "handle.keyword",
            (
                rf"(?i)(?<![\p{{L}}\p{{N}}@./$])(?P<alias>{_alt(strong + weak)})"
                rf"(?![\p{{L}}\p{{N}}])"
                rf"[ \t]{{0,2}}(?:me|at|on|id|add|user)?[ \t]{{0,2}}"
                rf"(?P<sep>[:=\-–—>»]{{0,2}}|👻|📷|✈️?)[ \t]{{0,2}}(?P<at>@?)(?P<user>{_USER})"
            ),
        ),
        bare=BoundedPattern("handle.bare", r"(?<![\w@.$/])@(?P<user>[A-Za-z][A-Za-z0-9._]{1,29})"),
        weak=frozenset(w.lower() for w in weak),
        triggers=frozenset(first_words),
    )


@cache
def _digitish() -> regex.Pattern[str]:
    """Digits, number words and look-alike letters only ("tres", "4six9"): an
    obfuscated phone number after "WhatsApp", not a username."""
    return regex.compile(r"(?:\d|" + trie_pattern(sorted(number_rules().words)) + r"|[oils])+")


@cache
def _digit_unit() -> regex.Pattern[str]:
    return regex.compile(r"\d|" + trie_pattern(sorted(number_rules().words)) + r"|[oils]")


MIN_PHONE_UNITS = 7  # digits a phone number has at least (deobfuscate.MIN_DIGITS)


def _phone_like(user: str, text: str, end: int) -> bool:
    """Is this "username" the start of an obfuscated phone number ("whatsapp tres uno…")?

    Only digits, number words and look-alike letters, and either long enough
    for a number or followed by more of them. "luna22" ("l", "una", "2",
    "2") is too short and stands alone: a username.
    """
    low = user.lower()
    if _digitish().fullmatch(low, concurrent=False) is None:
        return False
    if len(_digit_unit().findall(low, concurrent=False)) >= MIN_PHONE_UNITS:
        return True
    nxt = text[end : end + 24].lstrip(" \t-.,()").split(None, 1)
    return bool(nxt) and _digitish().match(nxt[0].lower(), concurrent=False) is not None


_SCHEME = regex.compile(r"(?i)(?:https?://)?(?:www\.)?\Z")


class HandleExtractor(Extractor):
    name = "handle"
    version = "1.1"  # 1.1: obfuscated platform names recorded; "luna22" is a username
    types = ("handle",)
    examples = (
        Example("snap: luna_rose22", (("handle", "snap: luna_rose22", "snapchat:luna_rose22"),)),
        Example("IG @Mia.Bella", (("handle", "IG @Mia.Bella", "instagram:mia.bella"),)),
        Example("kik me - sweetmia", (("handle", "kik me - sweetmia", "kik:sweetmia"),)),
        Example("telegram: @rosie_rx", (("handle", "telegram: @rosie_rx", "telegram:rosie_rx"),)),
        Example("onlyfans.com/luna.x", (("handle", "onlyfans.com/luna.x", "onlyfans:luna.x"),)),
        Example("DM @velvet_vee", (("handle", "@velvet_vee", "unknown:velvet_vee"),)),
        Example("sn4p: luna_rose22", (("handle", "sn4p: luna_rose22", "snapchat:luna_rose22"),)),
        Example(
            "snap: luna22 • whatsapp tres uno cinco",
            (("handle", "snap: luna22", "snapchat:luna22"),),
            note="luna22 spells l-una-2-2, too short for a phone; tres… starts one",
        ),
        Example("snap me only, no kik", ()),
        Example("of course sc is fine", ()),
    )

    def trigger_words(self) -> frozenset[str]:
        return _patterns().triggers

    def extract(self, text: str, ctx: ExtractContext) -> list[Mention]:
        p = _patterns()
        sc = scan(text, ctx)
        out: list[Mention] = []
        last_end = -1
        for tok in sorted(sc.words(p.triggers) + sc.symbols("@"), key=lambda t: t.start):
            if tok.start < last_end:
                continue
            mention = self._at(text, tok.start, tok.low == "@", p, ctx)
            if mention is not None:
                out.append(mention)
                last_end = mention.end
        return out

    def _at(
        self, text: str, pos: int, is_at: bool, p: _Patterns, ctx: ExtractContext
    ) -> Mention | None:
        start = pos
        obfuscation: tuple[str, ...] = ()
        platform: str | None
        if is_at:
            m = p.bare.match(text, ctx, pos)
            if m is None:
                return None
            platform, pid, conf = UNKNOWN_PLATFORM, "handle.bare", 0.5
        elif (m := p.url.match(text, ctx, pos)) is not None:
            platform, pid, conf = platform_for_host(m.group("host")), "handle.url", 0.95
            prefix = _SCHEME.search(text[max(0, pos - 12) : pos], concurrent=False)
            start = pos - len(prefix.group()) if prefix else pos
        elif (m := p.keyword.match(text, ctx, pos)) is not None:
            alias = m.group("alias")
            if alias.lower() in p.weak and not (m.group("sep") or m.group("at")):
                return None
            platform, pid, conf = platform_for(alias), "handle.keyword", 0.9
            if not alias.replace(" ", "").isalpha():
                obfuscation = ("obfuscated_service_name",)  # "sn4p", "0nlyfans"
        else:
            return None
        user = m.group("user")
        stripped = user.rstrip("._-")
        user_end = m.end("user") - (len(user) - len(stripped))
        if (
            not stripped
            or stripped.lower() in _not_user()
            or text[user_end : user_end + 1] == "@"
            or platform is None
            or _phone_like(stripped, text, user_end)
        ):  # "whatsapp tres…"
            return None
        normalized = HANDLE.clean(f"{platform}:{stripped}")
        if normalized is None:
            return None
        return self.mention(
            text,
            "handle",
            start,
            user_end,
            normalized,
            conf,
            Explanation(
                pattern_id=pid, steps=("platform_alias", "lowercase"), obfuscation=obfuscation
            ),
        )


def platform_for_host(host: str) -> str | None:
    low = host.lower().replace(" ", "")
    for p in platforms().values():
        if low in p.hosts:
            return p.name
    return None


EXTRACTOR = HandleExtractor()
