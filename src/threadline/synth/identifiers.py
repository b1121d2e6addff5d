"""Fictional e-mails, handles and crypto addresses.

E-mails use only RFC 2606 / RFC 6761 reserved domains. Handles and cashtags
carry a tag that is unique per issued identifier (a bijection of a counter),
so they never collide inside a corpus; they are invented and never looked up.
Crypto addresses are random but checksum-valid: Bitcoin base58check (P2PKH,
P2SH) and bech32 (P2WPKH) via hashlib's SHA-256, Ethereum EIP-55 via
the Keccak-256 in `threadline.values.crypto` (pycryptodome).
"""

from __future__ import annotations

import hashlib
import random

from threadline.values.crypto import bech32_polymod, hrp_expand, keccak256

# --- e-mail, handles, payment handles ---------------------------------------------------------

EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "inbox.test")
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


class Tagger:
    """Unique, random-looking tags: a letter plus a bijection of a counter modulo 36**5.

    Block k counts from its own offset (k * BLOCK_TAGS), so tags stay unique across
    blocks for corpora of up to 36**5 / BLOCK_TAGS blocks (12 million ads).
    """

    MOD = 36**5
    BLOCK_TAGS = 50_000

    def __init__(self, seed: int, block: int) -> None:
        self._n = random.Random(f"{seed}:tags").randrange(self.MOD) + block * self.BLOCK_TAGS
        self._mul = 2654435761  # odd and not divisible by 3: invertible modulo 2**10 * 3**10

    def next(self) -> str:
        self._n += 1
        v = (self._n * self._mul) % self.MOD
        out = [_B36[10 + self._n % 26]]  # a leading letter: a tag never reads as a number
        for _ in range(5):
            v, r = divmod(v, 36)
            out.append(_B36[r])
        return "".join(out)


def render_email(value: str, style: str | None, lang: str, rng: random.Random) -> str:
    local, domain = value.split("@")
    if style is None:
        return value
    if style == "at_dot":
        at, dot = ("at", "dot") if lang == "en" else ("arroba", "punto")
        return f"{local} {at} {domain.replace('.', f' {dot} ')}"
    if style == "brackets":
        if rng.random() < 0.5:
            return f"{local}[at]{domain.replace('.', '[dot]')}"
        return f"{local} (at) {domain.replace('.', ' (dot) ')}"
    if style == "spacing":
        return f"{local} @ {domain.replace('.', ' . ')}"
    raise ValueError(f"unknown e-mail style {style!r}")


# --- crypto addresses ---------------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _sha256d(b: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def base58check(payload: bytes) -> str:
    data = payload + _sha256d(payload)[:4]
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def base58check_valid(addr: str) -> bool:
    n = 0
    for ch in addr:
        n = n * 58 + _B58.index(ch)
    pad = len(addr) - len(addr.lstrip("1"))
    raw = b"\0" * pad + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return _sha256d(raw[:-4])[:4] == raw[-4:]


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_p2wpkh(program: bytes, hrp: str = "bc") -> str:
    acc, bits, data = 0, 0, [0]  # witness version 0
    for b in program:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    poly = bech32_polymod([*hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)


def bech32_valid(addr: str) -> bool:
    hrp, _, data = addr.rpartition("1")
    return bech32_polymod([*hrp_expand(hrp), *(_BECH32.index(c) for c in data)]) == 1


def eip55(addr20: bytes) -> str:
    hexaddr = addr20.hex()
    h = keccak256(hexaddr.encode()).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(h[i], 16) >= 8 else c for i, c in enumerate(hexaddr)
    )


def crypto_address(rng: random.Random) -> tuple[str, str]:
    """(platform, address): a random, checksum-valid BTC or ETH address."""
    r = rng.random()
    body = rng.randbytes(20)
    if r < 0.3:
        return "bitcoin", base58check(b"\x00" + body)
    if r < 0.45:
        return "bitcoin", base58check(b"\x05" + body)
    if r < 0.7:
        return "bitcoin", bech32_p2wpkh(body)
    return "ethereum", eip55(body)
