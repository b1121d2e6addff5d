"""Cryptographic and perceptual hashes of one image: SHA-256, MD5, PDQ with quality.

PDQ pipeline (the pure-Python PDQ reference's, which uses Pillow like us):
decode the first frame, ignore EXIF orientation (every PDQ reference hashes
the stored pixel grid), ``convert("RGB")``, shrink to at most 512 × 512 with
``Image.thumbnail``'s method, then ``pdqhash.compute`` (Meta's C++ PDQ: luma
0.299 R + 0.587 G + 0.114 B, Jarosz filter, 64 × 64, DCT, median threshold).

Differences from the references, all within the PDQ project's own tolerance:
the C++ tool squashes large images to 512 × 512 with CImg, and Java and HMA's
``pdq_hasher`` hash them at full size, a few bits apart (ThreatExchange #929).
We convert to RGB *before* shrinking, where the pure-Python reference shrinks
first, which makes Pillow resample palette and bilevel images by nearest
neighbour; so every mode of an image hashes alike. HMA's ``pdq_hasher`` feeds
palette indices (mode P) and C, M, Y ink planes (mode CMYK) to PDQ as if they
were RGB; we convert them. Low-quality hashes (< 50) are kept; they never match.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pdqhash
from PIL import Image

from threadline.hashindex.pdq import bits_to_hex, is_matchable
from threadline.media.decode import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PIXELS,
    ImageDecodeError,
    decode_image,
    thumbnail_size,
)

# Both the C++ and the pure-Python reference reduce to 512 before the Jarosz
# filter ("prohibitively expensive for larger images").
PDQ_REDUCE_TO = 512


@dataclass(frozen=True)
class ImageHashes:
    """Hashes of one file. ``width``/``height`` are the stored pixel grid's."""

    sha256: str
    md5: str
    pdq_hex: str
    quality: int
    width: int
    height: int

    @property
    def matchable(self) -> bool:
        """Whether the PDQ hash is good enough to match (quality ≥ 50)."""
        return is_matchable(self.quality)

    def as_json(self) -> dict[str, Any]:
        """The documented JSON shape (``threadline hash --format json`` adds ``path``)."""
        return {
            "sha256": self.sha256,
            "md5": self.md5,
            "pdq": self.pdq_hex,
            "quality": self.quality,
            "width": self.width,
            "height": self.height,
        }


def pdq_from_rgb(rgb: Image.Image) -> tuple[str, int]:
    """PDQ hex and quality of an RGB image already at hashing size (≤ 512 px a side)."""
    if rgb.mode != "RGB":
        raise ValueError(f"pdq_from_rgb needs an RGB image, got {rgb.mode}")
    bits, quality = pdqhash.compute(np.asarray(rgb))
    return bits_to_hex(bits), int(quality)


def pdq_from_pixels(image: Image.Image) -> tuple[str, int]:
    """PDQ of decoded pixels: convert to RGB, shrink, hash (no file decoding involved).

    For JPEGs above 1024 px ``hash_bytes`` decodes at reduced scale first, so
    its result can differ from this one by a bit or two; ``hash_bytes`` is the
    reference path.
    """
    rgb = image.convert("RGB")
    final = thumbnail_size(rgb.size, PDQ_REDUCE_TO)
    if final is not None:
        rgb = rgb.resize(final, Image.Resampling.BICUBIC, reducing_gap=2.0)
    return pdq_from_rgb(rgb)


def hash_bytes(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageHashes:
    """All hashes of an image file's bytes; raises ``ImageDecodeError`` with a reason."""
    decoded = decode_image(data, max_pixels=max_pixels, reduce_to=PDQ_REDUCE_TO)
    pdq_hex, quality = pdq_from_rgb(decoded.image)
    return ImageHashes(
        sha256=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        pdq_hex=pdq_hex,
        quality=quality,
        width=decoded.width,
        height=decoded.height,
    )


def hash_file(
    path: str | Path,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImageHashes:
    """``hash_bytes`` of a file, refusing files larger than ``max_bytes``."""
    return hash_bytes(read_bounded(path, max_bytes=max_bytes), max_pixels=max_pixels)


def read_bounded(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A file's bytes, or ``ImageDecodeError("too_large")`` beyond ``max_bytes``."""
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageDecodeError(
            "too_large", f"{path}: file exceeds the limit of {max_bytes:,} bytes"
        )
    return data
