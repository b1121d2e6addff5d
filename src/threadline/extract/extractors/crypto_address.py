"""Bitcoin and Ethereum addresses, kept only when their checksum is valid.

Candidates come from three bounded patterns (base58 "1…"/"3…", bech32
"bc1…", hex "0x…"); `values.crypto` checks base58check, bech32/bech32m and
EIP-55. A random string that merely looks like an address almost never
passes, so confidence is high.
"""

from __future__ import annotations

from threadline.extract.base import Example, Explanation, ExtractContext, Extractor, Mention
from threadline.extract.bounded import BoundedPattern
from threadline.values.crypto import CRYPTO_ADDRESS

_PATTERN = BoundedPattern(
    "crypto_address",
    r"(?<![A-Za-z0-9])(?:"
    r"(?P<b58>[13][1-9A-HJ-NP-Za-km-z]{25,34})"
    r"|(?P<bech>(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87})"
    r"|(?P<eth>0[xX][0-9a-fA-F]{40})"
    r")(?![A-Za-z0-9])",
)
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
