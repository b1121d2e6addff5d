"""The value-type layer: clean, validate and pivot, as tables."""

from __future__ import annotations

import hashlib
import random

import pytest

from threadline.values import VALUE_TYPES, get_type
from threadline.values.base import CleanContext, _Yaml12Loader
from threadline.values.crypto import (
    B58_ALPHABET,
    BECH32_ALPHABET,
    bech32_polymod,
    eip55,
    hrp_expand,
    keccak256,
)
from threadline.values.place import country_code, currency_of, lookup, resolve

US, GB, MX = CleanContext("US", "USD"), CleanContext("GB", "GBP"), CleanContext("MX", "MXN")

# type, raw, context, canonical value (None: not a value of that type)
CLEAN = [
    ("phone", "415-555-0123", US, "+14155550123"),
    ("phone", "(312) 555-0142", US, "+13125550142"),
    ("phone", "+44 20 7946 0123", US, "+442079460123"),
    ("phone", "020 7946 0123", GB, "+442079460123"),
    ("phone", "020 7946 0123", US, None),  # a UK number read as a US one is invalid
    ("phone", "555-0123", US, None),  # no area code
    ("phone", "3102024", US, None),  # NANP numbers have ten digits
    ("phone", "88213409", US, None),
    ("email", "Jane.Doe@Example.COM", US, "jane.doe@example.com"),
    ("email", "<mailto:luna@example.org>", US, "luna@example.org"),
    ("email", "luna@@example.org", US, None),
    ("email", "luna@example", US, None),
    ("handle", "sc:@Jane_Doe", US, "snapchat:jane_doe"),
    ("handle", "insta:mia.bella", US, "instagram:mia.bella"),
    ("handle", "telegram:ab", US, None),  # Telegram names have 5+ characters
    ("handle", "whatsapp:4155550123", US, None),  # a number is a phone, not a handle
    ("handle", "myspace:jane", US, None),
    ("url", "https://www.Example.com/Jane/", US, "example.com/Jane"),
    ("url", "example.org/vip?ref=ad#top", US, "example.org/vip"),
    ("url", "jane.doe", US, None),
    ("payment_handle", "cashapp:$LunaRose22", US, "cashapp:$lunarose22"),
    ("payment_handle", "venmo:@Jade-X99", US, "venmo:jade-x99"),
    ("payment_handle", "zelle:415-555-0123", US, "zelle:+14155550123"),
    ("payment_handle", "paypal:Jane@Example.com", US, "paypal:jane@example.com"),
    ("payment_handle", "cashapp:$200", US, None),  # a cashtag needs a letter
    ("payment_handle", "bitpay:jane", US, None),
    ("price", "$200/hr", US, "200 USD/hour"),
    ("price", "150 roses", US, "150 USD"),
    ("price", "hh 120", US, "120/half_hour"),
    ("price", "€80 media hora", US, "80 EUR/half_hour"),
    ("price", "$500", MX, "500 MXN"),  # "$" is the record's own dollar-family currency
    ("price", "£1,200 overnight", GB, "1200 GBP/overnight"),
    ("price", "200", US, None),  # a bare number is not a price
    ("age", "22yo", US, "22"),
    ("age", "16", US, "16"),  # kept: a stated minor age is a red flag
    ("age", "150", US, None),
    ("location", "Houston, TX", US, "Houston, TX, US"),
    ("location", "Paris", US, "Paris, TX, US"),  # the record's region wins
    ("location", "Paris", CleanContext("FR"), "Paris, FR"),
    ("location", "Ciudad de México", US, "Mexico City, MX"),
    ("location", "Zzyzxville", US, None),
    ("name", "jade", US, "Jade"),
    ("name", "luna rose", US, "Luna Rose"),
    ("name", "x", US, None),
]


@pytest.mark.parametrize(
    ("type_", "raw", "ctx", "canonical"), CLEAN, ids=[f"{c[0]}:{c[1]}" for c in CLEAN]
)
def test_clean(type_: str, raw: str, ctx: CleanContext, canonical: str | None) -> None:
    value_type = get_type(type_)
    assert value_type.clean(raw, ctx) == canonical
    if canonical is not None:
        assert value_type.validate(canonical)
        assert value_type.clean(canonical, ctx) == canonical  # cleaning is idempotent


def test_pivot_flags() -> None:
    pivots = {name for name, t in VALUE_TYPES.items() if t.pivot}
    assert pivots == {"phone", "email", "handle", "url", "payment_handle", "crypto_address"}


# --- crypto: checksums, with random addresses made here -----------------------------


def _b58check(version: int, payload: bytes) -> str:
    raw = bytes([version]) + payload
    raw += hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
    n, out = int.from_bytes(raw, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = B58_ALPHABET[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def _bech32(version: int, program: bytes, m: bool) -> str:
    acc = bits = 0
    data = [version]
    for b in program:
        acc, bits = (acc << 8) | b, bits + 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    pm = bech32_polymod(hrp_expand("bc") + data + [0] * 6) ^ (0x2BC830A3 if m else 1)
    check = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(BECH32_ALPHABET[d] for d in data + check)


def test_random_checksum_valid_addresses_round_trip() -> None:
    rng = random.Random(11)
    crypto = get_type("crypto_address")
    for _ in range(20):
        p2pkh = _b58check(0, rng.randbytes(20))
        p2sh = _b58check(5, rng.randbytes(20))
        v0 = _bech32(0, rng.randbytes(20), m=False)
        taproot = _bech32(1, rng.randbytes(32), m=True)
        eth = "0x" + eip55(rng.randbytes(20).hex())
        for addr in (p2pkh, p2sh, v0, taproot):
            assert crypto.clean(addr) == f"btc:{addr}"
        assert crypto.clean(eth) == f"eth:{eth.lower()}"
        assert crypto.clean(p2pkh[:-1] + ("2" if p2pkh[-1] != "2" else "3")) is None
        assert crypto.clean(_bech32(0, rng.randbytes(20), m=True)) is None  # v0 needs bech32
        flipped = eth[:2] + eth[2:].swapcase()
        assert flipped == eth or crypto.clean(flipped) is None  # EIP-55 case is checked


def test_keccak_matches_reference_digest() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert keccak256(b"").hex() != hashlib.sha3_256(b"").hexdigest()


# --- places --------------------------------------------------------------------------


def test_place_lookup_carries_coordinates() -> None:
    place = lookup(resolve("Houston, TX").canonical)
    assert place is not None and place.kind == "city" and place.country_code == "US"
    assert abs(place.latitude - 29.76) < 0.1 and abs(place.longitude + 95.36) < 0.1
    state = lookup("Texas, US")
    assert state is not None and state.kind == "region" and 25 < state.latitude < 37


def test_country_helpers() -> None:
    assert country_code("México") == "MX"
    assert country_code("gb") == "GB"
    assert currency_of("MX") == "MXN"
    assert country_code("Narnia") is None


def test_yaml_loader_keeps_no_and_yes_as_strings() -> None:
    import yaml

    data = yaml.load("a: [no, yes, on, off, y]\nb: true", Loader=_Yaml12Loader)
    assert data == {"a": ["no", "yes", "on", "off", "y"], "b": True}


def test_phone_parse_shortcut_equals_phonenumbers_parse() -> None:
    """The ten-digit +1 shortcut gives what `phonenumbers.parse` gives, and only applies there."""
    import phonenumbers

    from threadline.values.phone import parse

    rng = random.Random(5)
    regions = [*sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]), "GB", "MX", "ES", "DE"]
    raws = ["".join(rng.choice("0123456789") for _ in range(10)) for _ in range(3000)]
    raws += ["4155550123", "0155550123", "1415555012", "٤١٥٥٥٥٠١٢٣", "²¹⁵⁵⁵⁵⁰¹²³", "+14155550123"]
    checked = 0
    for raw in raws:
        for region in (rng.choice(regions), "US"):
            try:
                expected = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                with pytest.raises(phonenumbers.NumberParseException):
                    parse(raw, region)
                continue
            assert parse(raw, region) == expected, (raw, region)
            checked += 1
    assert checked > 5000
