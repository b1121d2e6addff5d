"""Safe image decoding with Pillow: bounded, allow-listed, and errors that say why.

Images come from adversaries. Before any pixel is decoded we check the format
against an allow-list (Pillow would otherwise also try EPS, which runs
Ghostscript, and dozens of rarely used parsers) and the declared pixel count
against ``max_pixels``, passed per call. We never change Pillow's globals
(``Image.MAX_IMAGE_PIXELS``, ``ImageFile.LOAD_TRUNCATED_IMAGES``): Pillow's own
bomb check (warning above 89.5 M pixels, error above twice that) stays on
underneath ours, so ``max_pixels`` above 178 M has no effect. Truncated files
fail instead of being padded with grey.

Only the first frame of animated or multi-page files is decoded.

Orientation: the PDQ reference implementations (C++, Java, pure Python,
ThreatExchange's ``pdq_hasher`` used by HMA) hash the stored pixel grid and
ignore the EXIF Orientation tag, so hashing decodes with
``apply_orientation=False`` and its hashes match theirs. Thumbnails for people
pass ``apply_orientation=True`` so they appear upright (the transposition
table of ``ImageOps.exif_transpose``).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Literal

from PIL import Image

from threadline.errors import ValidationError

# 8192 × 8192 and a little more: covers 50 MP phone cameras; a decoded RGB frame
# of this size is ~200 MB.
DEFAULT_MAX_PIXELS = 70_000_000
# Bytes read by hash_file and friends before giving up.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
# Pillow plugin names; multi-picture JPEGs (MPO, from phones) open through "JPEG".
ALLOWED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF")
# JPEG decoding at 1/2, 1/4 or 1/8 scale is allowed down to this multiple of the
# target size; the same rule as Image.thumbnail's default reducing_gap.
_DRAFT_GAP = 2
_FLATTEN_BACKGROUND = (128, 128, 128)
_ORIENTATION_TAG = 0x0112
# EXIF Orientation → the transposition that makes the image upright (the same
# table as ImageOps.exif_transpose, applied after resizing so that JPEG draft
# decoding keeps its exact crop box).
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

Reason = Literal["empty", "too_large", "unsupported", "truncated", "corrupt"]


class ImageDecodeError(ValidationError):
    """An input could not be decoded as an image; ``reason`` is one of ``Reason``."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason


@dataclass(frozen=True)
class DecodedImage:
    """A decoded, loaded first frame and facts about the stored image.

    ``width``/``height``/``mode`` describe the file as stored (before any
    reduction, conversion or rotation); ``image`` is what the caller asked for.
    """

    image: Image.Image
    format: str
    width: int
    height: int
    mode: str


def open_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Identify ``data`` and check its declared size; no pixels are decoded yet."""
    if not data:
        raise ImageDecodeError("empty", "empty input: no image data")
    try:
        im = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise ImageDecodeError("too_large", f"decompression bomb rejected: {exc}") from exc
    except Image.UnidentifiedImageError as exc:
        raise ImageDecodeError(
            "unsupported",
            f"not an image in an accepted format ({', '.join(ALLOWED_FORMATS)})",
        ) from exc
    except Exception as exc:  # hostile headers raise many types
        raise _load_error(exc, "unreadable image header") from exc
    width, height = im.size
    if width < 1 or height < 1:
        raise ImageDecodeError("corrupt", f"image declares an empty size {width}×{height}")
    if width * height > max_pixels:
        raise ImageDecodeError(
            "too_large",
            f"decompression bomb rejected: {width}×{height} = {width * height:,} pixels "
            f"exceeds the limit of {max_pixels:,}",
        )
    return im


def decode_image(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    reduce_to: int | None = None,
    apply_orientation: bool = False,
    to_rgb: bool = True,
    flatten_alpha: bool = False,
) -> DecodedImage:
    """Decode the first frame of ``data``.

    ``reduce_to``: shrink (aspect kept) so neither side exceeds it exactly as
    ``Image.thumbnail`` does — same size, JPEG draft decoding with its crop
    box, bicubic with reducing_gap 2 — but after the RGB conversion, so
    palette and bilevel images are resampled in colour, not nearest neighbour.
    ``to_rgb``: convert with ``Image.convert("RGB")`` like the PDQ references:
    alpha is dropped (or, with ``flatten_alpha``, composited over mid-grey),
    16-bit grey is clipped to 0..255 as Pillow does.
    """
    im = open_image(data, max_pixels=max_pixels)
    fmt, (width, height), mode = im.format or "?", im.size, im.mode
    final = None if reduce_to is None else thumbnail_size((width, height), reduce_to)
    try:
        im.seek(0)  # before draft: seeking an MPO re-reads the frame and drops the draft
        box = None
        if final is not None and reduce_to is not None:
            drafted = im.draft(None, (reduce_to * _DRAFT_GAP, reduce_to * _DRAFT_GAP))
            box = None if drafted is None else drafted[1]
        im.load()
        orientation = _orientation(im) if apply_orientation else 1
        out: Image.Image = im
        if to_rgb:
            out = _flatten(out) if flatten_alpha else out.convert("RGB")
        if final is not None:
            out = out.resize(final, Image.Resampling.BICUBIC, box=box, reducing_gap=_DRAFT_GAP)
        if orientation in _TRANSPOSE:
            out = out.transpose(_TRANSPOSE[orientation])
    except ImageDecodeError:
        raise
    except Exception as exc:  # decoders for hostile input raise many types
        raise _load_error(exc) from exc
    return DecodedImage(out, fmt, width, height, mode)


def thumbnail_size(size: tuple[int, int], target: int) -> tuple[int, int] | None:
    """The size ``Image.thumbnail((target, target))`` gives, or None when it fits already.

    Same rounding as Pillow: the side that is scaled is rounded to whichever
    neighbouring integer keeps the aspect ratio closest.
    """
    width, height = size
    if target >= width and target >= height:
        return None
    aspect = width / height
    if aspect <= 1:
        x = min(
            math.floor(target * aspect),
            math.ceil(target * aspect),
            key=lambda n: abs(aspect - n / target),
        )
        return max(x, 1), target
    y = min(
        math.floor(target / aspect),
        math.ceil(target / aspect),
        key=lambda n: 0 if n == 0 else abs(aspect - target / n),
    )
    return target, max(y, 1)


def _orientation(im: Image.Image) -> int:
    value = im.getexif().get(_ORIENTATION_TAG, 1)
    return value if isinstance(value, int) else 1


def _flatten(im: Image.Image) -> Image.Image:
    """RGB with any transparency composited over a flat grey."""
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*_FLATTEN_BACKGROUND, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return im.convert("RGB")


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]


def _load_error(exc: BaseException, what: str = "corrupt image data") -> ImageDecodeError:
    text = _describe(exc)
    if isinstance(exc, Image.DecompressionBombError):
        return ImageDecodeError("too_large", f"decompression bomb rejected: {text}")
    if isinstance(exc, OSError | EOFError) and "truncated" in text.lower():  # Pillow's wording
        return ImageDecodeError("truncated", f"truncated image: {text}")
    if isinstance(exc, MemoryError):
        return ImageDecodeError("too_large", "image needs more memory than is available")
    if isinstance(exc, ValueError) and "conversion" in text:
        return ImageDecodeError("unsupported", f"unsupported pixel format: {text}")
    return ImageDecodeError("corrupt", f"{what}: {text}")
