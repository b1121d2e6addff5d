"""Bitcoin and Ethereum addresses, kept only when their checksum is valid.

Candidates come from three bounded patterns (base58 "1…"/"3…", bech32
"bc1…", hex "0x…"); `values.crypto` checks base58check, bech32/bech32m and
EIP-55. A random string that merely looks like an address almost never
passes, so confidence is high.
"""

from __future__ import annotations

import re

from threadline.extract.base import Example, Explanation, ExtractContext, Extractor, Mention
from threadline.extract.bounded import BoundedPattern
from threadline.extract.scan import Scan, scan
from threadline.values.crypto import CRYPTO_ADDRESS

_PATTERN = BoundedPattern(
    "crypto_address",
    r"(?<![A-Za-z0-9])(?:"
    r"(?P<b58>[13][1-9A-HJ-NP-Za-km-z]{25,34})"
    r"|(?P<bech>(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87})"
    r"|(?P<eth>0[xX][0-9a-fA-F]{40})"
    r")(?![A-Za-z0-9])",
)
# What every match holds, on the lower-cased text: "bc1" (bech32) or 26 letters
# or digits in a row (base58 "1…" takes 26 at least, hex "0x…" 42). No
# whitespace falls inside such a run, so it lies in one whitespace-separated
# piece of 26 characters or more: the scan's distinct pieces are tested, and
# the whole-text pattern runs only when one of them could hold an address
# (about one ad in five of the synthetic corpus has a piece that long, mostly
# URLs; few of those pass the test).
MIN_PIECE = 26
_LONG_RUN = re.compile(r"[a-z0-9]{26}")


def may_hold_address(sc: Scan) -> bool:
    """False only when no address can be in the scanned text."""
    return "bc1" in sc.low or any(len(p) >= MIN_PIECE and _LONG_RUN.search(p) for p in sc.pieces)


_CHECKS = {"b58": "base58check", "bech": "bech32", "eth": "eip55"}


class CryptoAddressExtractor(Extractor):
    name = "crypto_address"
    version = "1.0"
    types = ("crypto_address",)
    examples = (
        Example(
            "BTC only: 16AqYshidxibjiKXJMFCg2GyZ1mci68cL1",
            (
                (
                    "crypto_address",
                    "16AqYshidxibjiKXJMFCg2GyZ1mci68cL1",
                    "btc:16AqYshidxibjiKXJMFCg2GyZ1mci68cL1",
                ),
            ),
        ),
        Example(
            "send to bc1qlrye6h2anqce2agymy8fgh0zar65aeup3y7pf8",
            (
                (
                    "crypto_address",
                    "bc1qlrye6h2anqce2agymy8fgh0zar65aeup3y7pf8",
                    "btc:bc1qlrye6h2anqce2agymy8fgh0zar65aeup3y7pf8",
                ),
            ),
        ),
        Example(
            "eth 0xCE6e118d264AaD6cB6Dd210fAF94acd3cf92C190",
            (
                (
                    "crypto_address",
                    "0xCE6e118d264AaD6cB6Dd210fAF94acd3cf92C190",
                    "eth:0xce6e118d264aad6cb6dd210faf94acd3cf92c190",
                ),
            ),
        ),
        Example(
            "taproot bc1pe36lvdkc2zvsjk4rqqt95ecrd7d4grtt3u97yyfyz7wrmk0h8qtsx0ltfx",
            (
                (
                    "crypto_address",
                    "bc1pe36lvdkc2zvsjk4rqqt95ecrd7d4grtt3u97yyfyz7wrmk0h8qtsx0ltfx",
                    "btc:bc1pe36lvdkc2zvsjk4rqqt95ecrd7d4grtt3u97yyfyz7wrmk0h8qtsx0ltfx",
                ),
            ),
        ),
        Example("bad checksum 16AqYshidxibjiKXJMFCg2GyZ1mci68cL2", ()),
        Example("bad case 0xCe6e118d264AaD6cB6Dd210fAF94acd3cf92C190", ()),
    )

    def extract(self, text: str, ctx: ExtractContext) -> list[Mention]:
        return self.read_all(text, ctx) if may_hold_address(scan(text, ctx)) else []

    def read_all(self, text: str, ctx: ExtractContext) -> list[Mention]:
        """The addresses found by the pattern over the whole text (no gate)."""
        out: list[Mention] = []
        for m in _PATTERN.all_matches(text, ctx):
            normalized = CRYPTO_ADDRESS.clean(m.group())
            if normalized is None:
                continue
            check = _CHECKS[m.lastgroup or "b58"]
            out.append(
                self.mention(
                    text,
                    "crypto_address",
                    m.start(),
                    m.end(),
                    normalized,
                    0.99,
                    Explanation(pattern_id=f"crypto.{m.lastgroup}", steps=(f"checksum:{check}",)),
                )
            )
        return out


EXTRACTOR = CryptoAddressExtractor()
