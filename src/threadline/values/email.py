"""E-mail addresses, canonical form lower-cased `local@domain`.

Lower-casing the local part is a deliberate simplification: the large
providers ads use treat it case-insensitively, and a missed link costs more
than a spurious one that a reviewer sees explained. Provider-specific rewrites
(dots, "+tags") are *not* applied: they would merge distinct accounts at
providers that do not follow them.
"""

from __future__ import annotations

import regex

from threadline.values.base import NO_CONTEXT, CleanContext, ValueType, timeout_for

# RFC 5322 "dot-atom" subset that real mailboxes use; bounded lengths.
_EMAIL = regex.compile(
    r"[\p{Ll}\p{Lo}\p{N}!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"(?:\.[\p{Ll}\p{Lo}\p{N}!#$%&'*+/=?^_`{|}~-]{1,64}){0,8}"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,8}[a-z]{2,24}"
)


class EmailType(ValueType):
    name = "email"
    pivot = True

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        value = raw.strip().strip("<>").strip().lower()
        if value.startswith("mailto:"):
            value = value[len("mailto:") :]
        return value if self.validate(value) else None

    def validate(self, value: str) -> bool:
        if len(value) > 254 or value.count("@") != 1:
            return False
        return _EMAIL.fullmatch(value, timeout=timeout_for(value), concurrent=False) is not None


EMAIL = EmailType()
