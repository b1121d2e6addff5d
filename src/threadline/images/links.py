"""Image links for the linking stage: records that show near-identical images.

Two image records of a case are linked when their PDQ hashes are within
``max_distance`` (default 31, PDQ's match threshold) and both have quality
≥ 50. ``image_pairs`` gives the pairs of image records; ``record_pairs``
carries them over to the records that show the images (an ad page and the
photo it embeds, through ``Attachment``), which is what links ads to one
operation. Each pair names its evidence: both image records and the distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from threadline.cases import resolve_case
from threadline.hashindex import CsrMultiIndex, hexes_to_codes
from threadline.hashindex.pdq import PDQ_MATCH_THRESHOLD, PDQ_MIN_QUALITY
from threadline.store.db import Store
from threadline.store.models import Attachment, ImageHash, Record


@dataclass(frozen=True, slots=True, order=True)
class ImagePair:
    image_a: int  # record ids, image_a < image_b
    image_b: int
    distance: int

    @property
    def reason(self) -> str:
        return f"image hash distance {self.distance}"


@dataclass(frozen=True, slots=True, order=True)
class RecordImageLink:
    record_a: int  # record ids of the records showing the images, record_a < record_b
    record_b: int
    image_a: int
    image_b: int
    distance: int

    @property
    def reason(self) -> str:
        return f"image hash distance {self.distance}"


def image_pairs(
    store: Store, case_name: str, *, max_distance: int = PDQ_MATCH_THRESHOLD
) -> list[ImagePair]:
    """Every pair of the case's image records with matchable PDQ hashes within max_distance."""
    with store.read() as session:
        case = resolve_case(session, case_name)
        rows = session.execute(
            select(ImageHash.record_id, ImageHash.pdq).where(
                ImageHash.case_id == case.id,
                ImageHash.pdq.is_not(None),
                ImageHash.quality >= PDQ_MIN_QUALITY,
            )
        ).all()
    if len(rows) < 2:
        return []
    ids = np.array([r.record_id for r in rows], dtype=np.int64)
    codes = hexes_to_codes([r.pdq for r in rows])
    index = CsrMultiIndex()
    index.add(ids, codes)
    result = index.search_arrays(codes, max_distance)
    pairs = set()
    for i, a in enumerate(ids.tolist()):
        lo, hi = result.lims[i], result.lims[i + 1]
        for b, d in zip(result.ids[lo:hi].tolist(), result.distances[lo:hi].tolist(), strict=True):
            if a < b:
                pairs.add(ImagePair(a, b, int(d)))
    return sorted(pairs)


def record_pairs(
    store: Store, case_name: str, *, max_distance: int = PDQ_MATCH_THRESHOLD
) -> list[RecordImageLink]:
    """``image_pairs`` carried to the records that show each image.

    Two records showing the very same image record are linked at distance 0.
    """
    pairs = image_pairs(store, case_name, max_distance=max_distance)
    shown_by: dict[int, list[int]] = {}
    with store.read() as session:
        case = resolve_case(session, case_name)
        for record_id, image_id in session.execute(
            select(Attachment.record_id, Attachment.attached_id)
            .join(Record, Record.id == Attachment.attached_id)
            .where(Record.case_id == case.id, Attachment.relation == "image")
        ):
            shown_by.setdefault(image_id, []).append(record_id)
    same = [ImagePair(i, i, 0) for i, shown in shown_by.items() if len(shown) > 1]
    links: dict[tuple[int, int], RecordImageLink] = {}
    for p in same + pairs:
        for ra in shown_by.get(p.image_a, []):
            for rb in shown_by.get(p.image_b, []):
                if ra == rb:
                    continue
                a, b, ia, ib = (
                    (ra, rb, p.image_a, p.image_b) if ra < rb else (rb, ra, p.image_b, p.image_a)
                )
                best = links.get((a, b))
                if best is None or p.distance < best.distance:
                    links[(a, b)] = RecordImageLink(a, b, ia, ib, p.distance)
    return sorted(links.values())
