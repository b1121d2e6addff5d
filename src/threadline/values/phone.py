"""Phone numbers, canonical form E.164 ("+14155550123"), via `phonenumbers`.

A number written without a country code is read in the context's
`default_region` (the record's country or place, else the case's, else US).
Only numbers that `phonenumbers.is_valid_number` accepts are values: merely
"possible" numbers are too often prices, ids or dates.
"""

from __future__ import annotations

import phonenumbers

from threadline.values.base import NO_CONTEXT, CleanContext, ValueType

FALLBACK_REGION = "US"


class PhoneType(ValueType):
    name = "phone"
    pivot = True

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        region = (context.default_region or FALLBACK_REGION).upper()
        digits = "".join(ch for ch in raw if ch.isdigit() or ch == "+")
        if not 7 <= len(digits.lstrip("+")) <= 15:
            return None
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            return None
        # the region's own check first: is_valid_number alone tries every region sharing
        # the country code (25 for +1), which is most of the cost of cleaning
        if not (
            phonenumbers.is_valid_number_for_region(number, region)
            or phonenumbers.is_valid_number(number)
        ):
            return None
        if number.country_code == 1 and len(str(number.national_number)) != 10:
            return None  # NANP numbers are ten digits; the metadata accepts a few 7-digit forms
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def validate(self, value: str) -> bool:
        if not value.startswith("+"):
            return False
        return self.clean(value) == value

    def region_of(self, value: str) -> str | None:
        """The ISO region of a canonical number ("+14155550123" → "US")."""
        try:
            return phonenumbers.region_code_for_number(phonenumbers.parse(value, None))
        except phonenumbers.NumberParseException:
            return None


PHONE = PhoneType()
