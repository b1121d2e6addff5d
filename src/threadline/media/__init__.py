"""Images as evidence: safe decoding, hashes (SHA-256, MD5, PDQ), EXIF facts, safe thumbnails.

- ``hash_bytes`` / ``hash_file`` → ``ImageHashes`` (PDQ as in Meta's reference).
- ``exif_from_bytes`` → ``ExifFacts`` (camera, time, GPS; absence recorded).
- ``safe_thumbnail`` → PNG bytes, greyscale and blurred unless asked otherwise.
- Every function raises ``ImageDecodeError`` (with a ``reason``) for inputs
  that are not images, are truncated or corrupt, or exceed the pixel bound.

Matching PDQ hashes against lists lives in ``threadline.hashindex``.
"""

from threadline.media.decode import (
    ALLOWED_FORMATS,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PIXELS,
    DecodedImage,
    ImageDecodeError,
    decode_image,
    open_image,
)
from threadline.media.exif import ExifFacts, exif_from_bytes, exif_from_image
from threadline.media.hashing import (
    PDQ_REDUCE_TO,
    ImageHashes,
    hash_bytes,
    hash_file,
    pdq_from_pixels,
    read_bounded,
)
from threadline.media.thumbnail import safe_thumbnail

__all__ = [
    "ALLOWED_FORMATS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "PDQ_REDUCE_TO",
    "DecodedImage",
    "ExifFacts",
    "ImageDecodeError",
    "ImageHashes",
    "decode_image",
    "exif_from_bytes",
    "exif_from_image",
    "hash_bytes",
    "hash_file",
    "open_image",
    "pdq_from_pixels",
    "read_bounded",
    "safe_thumbnail",
]
