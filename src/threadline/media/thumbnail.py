"""Thumbnails that spare the analyst: greyscale and strongly blurred by default.

Analysts triaging suspected abuse material must not be exposed to it more than
the task needs (secondary trauma). A default thumbnail keeps layout, rough
shapes and brightness — enough to tell a screenshot from a photo, or to see
that two images are alike — and removes faces, skin detail and colour. The
unblurred variant exists (``blur=False``); deciding who may ask for it, and
auditing that they did, is the caller's job (the service layer), not this
module's.

Output is a PNG with no metadata (no EXIF, no text chunks), upright (EXIF
orientation applied) and no larger than ``size`` on either side. Transparent
areas are shown over flat grey, not as whatever colour hides beneath them.
"""

from __future__ import annotations

import io

from PIL import ImageFilter

from threadline.media.decode import DEFAULT_MAX_PIXELS, decode_image

DEFAULT_SIZE = 256
# Gaussian radius as a fraction of the longer side: 1/24 is ≈ 11 px at 256 px,
# far past the scale of facial features, while large shapes stay readable.
BLUR_FRACTION = 1 / 24
MIN_BLUR_RADIUS = 2.0


def safe_thumbnail(
    data: bytes,
    *,
    size: int = DEFAULT_SIZE,
    blur: bool = True,
    grey: bool = True,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> bytes:
    """A PNG thumbnail of an image file's first frame; raises ``ImageDecodeError``."""
    if not 8 <= size <= 2048:
        raise ValueError(f"thumbnail size must be in 8..2048, got {size}")
    decoded = decode_image(
        data, max_pixels=max_pixels, reduce_to=size, apply_orientation=True, flatten_alpha=True
    )
    image = decoded.image.convert("L") if grey else decoded.image
    if blur:
        radius = max(MIN_BLUR_RADIUS, max(image.size) * BLUR_FRACTION)
        image = image.filter(ImageFilter.GaussianBlur(radius))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
