"""A person's name as an ad states it ("my name is Jade"), canonical form title-cased.

Names in ads are mostly working names, shared by many unrelated people, so
they never link records on their own.
"""

from __future__ import annotations

import regex

from threadline.values.base import NO_CONTEXT, CleanContext, ValueType, timeout_for

_NAME = regex.compile(r"\p{Lu}[\p{Ll}'’-]{1,20}(?: \p{Lu}[\p{Ll}'’-]{1,20}){0,2}")


class PersonNameType(ValueType):
    name = "name"
    pivot = False

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        words = raw.split()
        if not 1 <= len(words) <= 3:
            return None
        value = " ".join(w[:1].upper() + w[1:].lower() for w in words)
        return value if self.validate(value) else None

    def validate(self, value: str) -> bool:
        return _NAME.fullmatch(value, timeout=timeout_for(value), concurrent=False) is not None


PERSON_NAME = PersonNameType()
