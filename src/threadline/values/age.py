"""A stated age, canonical form the integer as a string ("22").

Ages 10–99 are values: an ad stating an age under 18 is itself a red flag,
so those must survive cleaning. Ages never link records.
"""

from __future__ import annotations

from threadline.values.base import NO_CONTEXT, CleanContext, ValueType

MIN_AGE, MAX_AGE = 10, 99


class AgeType(ValueType):
    name = "age"
    pivot = False

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        digits = "".join(ch for ch in raw if ch.isdecimal())
        if not digits or len(digits) > 2:
            return None
        value = str(int(digits))
        return value if self.validate(value) else None

    def validate(self, value: str) -> bool:
        return value.isdecimal() and value == str(int(value)) and MIN_AGE <= int(value) <= MAX_AGE


AGE = AgeType()
