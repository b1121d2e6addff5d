"""Image records in a case: the image stage, image links, and safe rendering.

- ``analyze_images`` — hash (SHA-256, MD5, PDQ + quality), EXIF as mentions,
  matches against hash lists as signals for review (``stage``, ``matcher``);
- ``image_pairs`` / ``record_pairs`` — near-identical images for linking (``links``);
- ``thumbnail`` / ``reveal_image`` — blurred by default, unblurred only with a
  reason and permission, never for match-only matches; all audited (``safety``).

The pure image functions (decoding, hashing, EXIF, thumbnails) are ``threadline.media``.
"""

from threadline.images.links import ImagePair, RecordImageLink, image_pairs, record_pairs
from threadline.images.safety import (
    RenderRefused,
    authorize_reveal,
    reveal_image,
    thumbnail,
)
from threadline.images.stage import ImageStageSummary, analyze_images

__all__ = [
    "ImagePair",
    "ImageStageSummary",
    "RecordImageLink",
    "RenderRefused",
    "analyze_images",
    "authorize_reveal",
    "image_pairs",
    "record_pairs",
    "reveal_image",
    "thumbnail",
]
