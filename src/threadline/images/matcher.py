"""The enabled entries of every hash list, ready to match: an exact PDQ index and hash maps.

Built once per stage run from the store. ``fingerprint`` names the exact set of
enabled entries (and the threshold): the matching stage stores it per record,
so adding, disabling or removing an entry re-matches every image once, without
decoding it again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from threadline.hashindex import CsrMultiIndex, hexes_to_codes, is_matchable
from threadline.hashindex.pdq import PDQ_MATCH_THRESHOLD
from threadline.store.models import HashList, HashListEntry

MATCHER_VERSION = "1"
_BATCH = 50_000


@dataclass(frozen=True, slots=True)
class EntryRef:
    entry_id: int
    list_id: int
    hash_type: str
    match_only: bool


@dataclass(frozen=True, slots=True)
class Match:
    entry: EntryRef
    distance: int
    quality: int | None


@dataclass
class Matcher:
    max_distance: int = PDQ_MATCH_THRESHOLD
    fingerprint: str = ""
    entries: dict[int, EntryRef] = field(default_factory=dict)
    exact: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    pdq: CsrMultiIndex = field(default_factory=CsrMultiIndex)

    def match(
        self, sha256: str, md5: str | None, pdq: str | None, quality: int | None
    ) -> list[Match]:
        """Every enabled entry this image matches; a PDQ hash of quality < 50 never matches."""
        found: list[Match] = []
        for hash_type, value in (("sha256", sha256), ("md5", md5)):
            for entry_id in self.exact.get((hash_type, value or ""), ()):
                found.append(Match(self.entries[entry_id], 0, None))
        if pdq is not None and quality is not None and is_matchable(quality) and len(self.pdq):
            for entry_id, distance in self.pdq.search(hexes_to_codes([pdq]), self.max_distance)[0]:
                found.append(Match(self.entries[entry_id], distance, quality))
        return found


def build_matcher(session: Session, max_distance: int = PDQ_MATCH_THRESHOLD) -> Matcher:
    """Load the enabled entries of every list (streamed in id order)."""
    matcher = Matcher(max_distance=max_distance)
    digest = hashlib.sha256(f"matcher {MATCHER_VERSION} d={max_distance}".encode())
    match_only: dict[int, bool] = {
        i: flag for i, flag in session.execute(select(HashList.id, HashList.match_only))
    }
    for list_id, flag in sorted(match_only.items()):
        digest.update(f"|list {list_id} {int(flag)}".encode())
    pdq_ids: list[int] = []
    pdq_values: list[str] = []
    last = 0
    while True:
        rows = session.execute(
            select(
                HashListEntry.id,
                HashListEntry.list_id,
                HashListEntry.hash_type,
                HashListEntry.value,
            )
            .where(HashListEntry.enabled.is_(True), HashListEntry.id > last)
            .order_by(HashListEntry.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        for entry_id, list_id, hash_type, value in rows:
            digest.update(f"|{entry_id} {list_id} {hash_type} {value}".encode())
            matcher.entries[entry_id] = EntryRef(entry_id, list_id, hash_type, match_only[list_id])
            if hash_type == "pdq":
                pdq_ids.append(entry_id)
                pdq_values.append(value)
            else:
                matcher.exact.setdefault((hash_type, value), []).append(entry_id)
    if pdq_ids:
        matcher.pdq.add(np.array(pdq_ids, dtype=np.int64), hexes_to_codes(pdq_values))
        matcher.pdq.build()
    matcher.fingerprint = digest.hexdigest()[:32]
    return matcher
