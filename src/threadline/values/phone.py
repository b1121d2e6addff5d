"""Phone numbers, canonical form E.164 ("+14155550123"), via `phonenumbers`.

A number written without a country code is read in the context's
`default_region` (the record's country or place, else the case's, else US).
Only numbers that `phonenumbers.is_valid_number` accepts are values: merely
"possible" numbers are too often prices, ids or dates. The one exception is
data: ranges reserved for fiction that libphonenumber rejects (Ofcom's
07700 900xxx, `data/phone_fiction.yaml`) are numbers too, because ads and
synthetic corpora print them exactly like real ones.
"""

from __future__ import annotations

from functools import cache

import phonenumbers

from threadline.values.base import NO_CONTEXT, CleanContext, DataError, ValueType, load_yaml

FALLBACK_REGION = "US"
_NANP = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])  # regions of +1


@cache
def fiction_ranges() -> tuple[tuple[str, int], ...]:
    """(E.164 digit prefix, E.164 digit count) of the fiction ranges libphonenumber rejects."""
    data = load_yaml("threadline.values", "data/phone_fiction.yaml", {"ranges": list})
    out = []
    for r in data["ranges"]:
        if not (
            isinstance(r, dict)
            and isinstance(r.get("prefix"), str)
            and r["prefix"].isdigit()
            and isinstance(r.get("digits"), int)
        ):
            raise DataError("phone_fiction.yaml: each range needs a digit prefix and digits")
        out.append((r["prefix"], r["digits"]))
    return tuple(out)


def _fiction(number: phonenumbers.PhoneNumber) -> bool:
    digits = f"{number.country_code}{number.national_number}"
    return any(digits.startswith(p) and len(digits) == n for p, n in fiction_ranges())


def parse(raw: str, region: str) -> phonenumbers.PhoneNumber:
    """`phonenumbers.parse(raw, region)`, with a shortcut for its commonest input here.

    Ten ASCII digits starting 2–9 read in a +1 region are that national number
    under country code 1: what `parse` returns (tests/test_values.py holds the
    two equal over every +1 region), without the general parse, which is most
    of the cost of cleaning a number not seen before.
    """
    if (
        region in _NANP
        and len(raw) == 10
        and raw.isascii()
        and raw.isdigit()
        and raw[0] in "23456789"
    ):
        return phonenumbers.PhoneNumber(country_code=1, national_number=int(raw))
    return phonenumbers.parse(raw, region)


class PhoneType(ValueType):
    name = "phone"
    pivot = True

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        region = (context.default_region or FALLBACK_REGION).upper()
        digits = "".join(ch for ch in raw if ch.isdigit() or ch == "+")
        if not 7 <= len(digits.lstrip("+")) <= 15:
            return None
        try:
            number = parse(raw, region)
        except phonenumbers.NumberParseException:
            return None
        # the region's own check first: is_valid_number alone tries every region sharing
        # the country code (25 for +1), which is most of the cost of cleaning
        if not (
            phonenumbers.is_valid_number_for_region(number, region)
            or phonenumbers.is_valid_number(number)
            or _fiction(number)
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
