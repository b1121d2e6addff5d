"""Social-media and messenger handles, canonical form "platform:username".

The platform is part of the value: "jane" on Snapchat and "jane" on Kik are
different people. Aliases ("sc", "insta", "tg") resolve to one platform name
from `data/platforms.yaml`. Usernames are lower-cased (every listed platform
treats them case-insensitively) and lose a leading "@".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from threadline.values.base import (
    NO_CONTEXT,
    CleanContext,
    DataError,
    ValueType,
    load_yaml,
    str_list,
    timeout_for,
)

UNKNOWN_PLATFORM = "unknown"  # a bare "@name" whose platform the ad does not say


@dataclass(frozen=True, slots=True)
class Platform:
    name: str
    aliases: tuple[str, ...]
    weak: tuple[str, ...]  # aliases that need an explicit ":"/"@"/"-" after them
    hosts: tuple[str, ...]
    chars: str
    min_len: int
    max_len: int

    def username_pattern(self) -> str:
        return f"[{self.chars}]{{{self.min_len},{self.max_len}}}"


@cache
def platforms() -> dict[str, Platform]:
    data = load_yaml("threadline.values", "data/platforms.yaml", {"platforms": dict})
    out: dict[str, Platform] = {}
    for name, spec in data["platforms"].items():
        where = f"platforms.yaml:{name}"
        if not isinstance(spec, dict):
            raise DataError(f"{where}: must be a mapping")
        lo, hi = spec.get("min"), spec.get("max")
        if not (isinstance(lo, int) and isinstance(hi, int) and 0 < lo <= hi <= 64):
            raise DataError(f"{where}: min/max must be integers with 0 < min <= max <= 64")
        chars = spec.get("chars")
        if not isinstance(chars, str) or not chars:
            raise DataError(f"{where}: chars must be a character-class body")
        out[name] = Platform(
            name=name,
            aliases=str_list(spec, "aliases", where),
            weak=tuple(spec.get("weak") or ()),
            hosts=tuple(spec.get("hosts") or ()),
            chars=chars,
            min_len=lo,
            max_len=hi,
        )
    return out


@cache
def alias_index() -> dict[str, str]:
    """Every alias (lower-case, single-spaced) → platform name."""
    index: dict[str, str] = {}
    for p in platforms().values():
        for alias in (p.name, *p.aliases, *p.weak):
            index[" ".join(alias.lower().split())] = p.name
    return index


def platform_for(alias: str) -> str | None:
    return alias_index().get(" ".join(alias.lower().split()))


class HandleType(ValueType):
    name = "handle"
    pivot = True

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        """`raw` is "platform-or-alias:username" (e.g. "sc:@Jane_Doe")."""
        alias, sep, user = raw.partition(":")
        if not sep:
            return None
        platform = (
            UNKNOWN_PLATFORM if alias.strip().lower() == UNKNOWN_PLATFORM else (platform_for(alias))
        )
        if platform is None:
            return None
        value = f"{platform}:{user.strip().lstrip('@').lower()}"
        return value if self.validate(value) else None

    def validate(self, value: str) -> bool:
        platform, sep, user = value.partition(":")
        if not sep or not user:
            return False
        pattern = _username_patterns().get(platform)
        if pattern is None:
            return False
        if not any(c.isalpha() for c in user):  # "4155550123", "6_2_6": a phone, not a handle
            return False
        return pattern.fullmatch(user, timeout=timeout_for(user), concurrent=False) is not None


@cache
def _username_patterns() -> dict[str, regex.Pattern[str]]:
    """Each listed platform's username pattern, compiled once."""
    out = {name: regex.compile(p.username_pattern()) for name, p in platforms().items()}
    out[UNKNOWN_PLATFORM] = regex.compile("[a-z0-9._]{2,30}")
    return out


HANDLE = HandleType()
