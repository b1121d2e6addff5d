"""Near-identical images as pivot values for linking a stored case (see docs/linking.md)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sqlalchemy import select

from threadline.cases import resolve_case
from threadline.store.db import Store
from threadline.store.models import Attachment, Record

IMAGE_PIVOT = "image"


def image_pivots(store: Store, case_name: str) -> dict[int, set[str]]:
    """Per record, the near-identical-image groups of the images it shows, as pivot values.

    Images within PDQ distance 31 (quality ≥ 50), or the very same image record, form
    one group (`threadline.images.links`); a record showing an image of group G gets the
    value ``pdq:G``. Linking then treats it like a shared phone: two ads with the same
    photo are linked, with the value as the reason, and a stock photo used by unrelated
    authors is held back by the hub rule like a switchboard number.
    """
    from threadline.images.links import image_pairs
    from threadline.link.components import connected_components

    with store.read() as session:
        case_id = resolve_case(session, case_name).id
        shown = session.execute(
            select(Attachment.record_id, Attachment.attached_id)
            .join(Record, Record.id == Attachment.attached_id)
            .where(Record.case_id == case_id, Attachment.relation == "image")
        ).all()
    if not shown:
        return {}
    image_ids = sorted({image for _, image in shown})
    index = {image: i for i, image in enumerate(image_ids)}
    pairs = [
        (index[p.image_a], index[p.image_b])
        for p in image_pairs(store, case_name)
        if p.image_a in index and p.image_b in index
    ]
    labels = connected_components(len(image_ids), np.asarray(pairs, dtype=np.int64).reshape(-1, 2))
    by_value: dict[str, set[int]] = defaultdict(set)
    for record_id, image in shown:
        by_value[f"pdq:{image_ids[int(labels[index[image]])]}"].add(record_id)
    out: dict[int, set[str]] = defaultdict(set)
    for value, records in by_value.items():
        if len(records) >= 2:  # a photo on one record links nothing: leave it out
            for record_id in records:
                out[record_id].add(value)
    return dict(out)
