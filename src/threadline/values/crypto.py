"""Cryptocurrency addresses, validated by their checksums.

Canonical forms: "btc:<address>" (base58 kept as written — it is
case-sensitive; bech32 lower-cased) and "eth:0x<40 lower-case hex>".

* BTC legacy/P2SH: base58check, version byte 0x00 ("1…") or 0x05 ("3…").
* BTC segwit: bech32 (witness v0, BIP 173) or bech32m (v1+, BIP 350), "bc1…".
* ETH: 20 bytes hex; a mixed-case address must carry a valid EIP-55 checksum
  (all-lower or all-upper addresses carry none and are accepted as written).
"""

from __future__ import annotations

import hashlib

from Crypto.Hash import keccak

from threadline.values.base import NO_CONTEXT, CleanContext, ValueType

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHABET)}
BECH32_ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(BECH32_ALPHABET)}
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum uses it (hashlib's sha3_256 pads differently)."""
    return keccak.new(data=data, digest_bits=256).digest()


def b58decode(s: str) -> bytes | None:
    n = 0
    for ch in s:
        i = _B58_INDEX.get(ch)
        if i is None:
            return None
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\x00" * (len(s) - len(s.lstrip("1"))) + body


def valid_base58check(addr: str) -> bool:
    if not 26 <= len(addr) <= 35:
        return False
    raw = b58decode(addr)
    if raw is None or len(raw) != 25 or raw[0] not in (0x00, 0x05):
        return False
    check = hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4]
    return check == raw[-4:]


def bech32_polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _convertbits(data: list[int], frombits: int, tobits: int) -> list[int] | None:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for v in data:
        acc = (acc << frombits) | v
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return out


def valid_segwit(addr: str, hrp: str = "bc") -> bool:
    if addr.lower() != addr and addr.upper() != addr:
        return False  # BIP 173 forbids mixed case
    addr = addr.lower()
    pos = addr.rfind("1")
    if addr[:pos] != hrp or not 14 <= len(addr) <= 90 or len(addr) - pos < 7:
        return False
    data = [_BECH32_INDEX.get(c, -1) for c in addr[pos + 1 :]]
    if -1 in data:
        return False
    const = bech32_polymod(hrp_expand(hrp) + data)
    if const not in (_BECH32_CONST, _BECH32M_CONST) or not data:
        return False
    version = data[0]
    program = _convertbits(data[1:-6], 5, 8)
    if program is None or version > 16 or not 2 <= len(program) <= 40:
        return False
    if version == 0:
        return const == _BECH32_CONST and len(program) in (20, 32)
    return const == _BECH32M_CONST


def eip55(hex40: str) -> str:
    """The EIP-55 mixed-case form of a 40-hex-digit address (without "0x")."""
    low = hex40.lower()
    digest = keccak256(low.encode("ascii")).hex()
    return "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(low)
    )


def valid_eth(addr: str) -> bool:
    if len(addr) != 42 or not addr.startswith(("0x", "0X")):
        return False
    body = addr[2:]
    if any(c not in "0123456789abcdefABCDEF" for c in body):
        return False
    if body.lower() == body or body.upper() == body:
        return body.strip("0") != ""  # the zero address is a burn sink, not an identity
    return eip55(body) == body


class CryptoAddressType(ValueType):
    name = "crypto_address"
    pivot = True

    def clean(self, raw: str, context: CleanContext = NO_CONTEXT) -> str | None:
        addr = raw.strip()
        if ":" in addr:  # already "btc:…"/"eth:…", or a "bitcoin:" payment URI
            addr = addr.split(":", 1)[1].split("?", 1)[0]
        if addr[:2] in ("0x", "0X"):
            return f"eth:0x{addr[2:].lower()}" if valid_eth(addr) else None
        if addr[:3].lower() == "bc1":
            return f"btc:{addr.lower()}" if valid_segwit(addr) else None
        return f"btc:{addr}" if valid_base58check(addr) else None

    def validate(self, value: str) -> bool:
        chain, _, addr = value.partition(":")
        if chain == "eth":
            return valid_eth(addr) and addr == addr.lower()
        if chain == "btc":
            if addr.startswith("bc1"):
                return valid_segwit(addr)
            return valid_base58check(addr)
        return False


CRYPTO_ADDRESS = CryptoAddressType()
