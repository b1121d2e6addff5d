"""What the indicator stage knows about a record from the rest of its case.

Three case-level facts feed the catalogue's case rules (see
`threadline.indicators.rules`):

- ``cities``: for a contact identifier (phone, e-mail, handle, payment
  handle; its normalized value), the number of distinct places of the case's
  records that show it (`identifier_many_cities`);
- ``personas``: the number of distinct persona names on those records
  (`identifier_many_personas`);
- ``images``: the hash-list matches of the images each record shows, through
  its image attachments (`image_on_hash_list`).

Only values seen in two or more places or under two or more names are kept,
so the maps stay small at a million records. ``fingerprint`` digests all
three: it is part of the indicator stage's version, so when new records,
new names or new hash matches change what a record's rules would read, the
next `analyze` re-assesses the case instead of keeping stale signals.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from threadline.extract.base import Mention
from threadline.indicators.rules import DetectContext, ImageMatch
from threadline.store.models import Attachment, HashList, HashMatch, Record
from threadline.store.models import Mention as MentionRow

CONTACT_TYPES = ("phone", "email", "handle", "payment_handle")


@dataclass(frozen=True, slots=True)
class CaseContext:
    cities: dict[str, int] = field(default_factory=dict)
    personas: dict[str, int] = field(default_factory=dict)
    images: dict[int, tuple[ImageMatch, ...]] = field(default_factory=dict)
    fingerprint: str = "none"

    def for_record(
        self, record_id: int, region: str | None, mentions: Iterable[Mention]
    ) -> DetectContext:
        """The record's `DetectContext`: its region and the counts of its own identifiers."""
        values = {m.normalized for m in mentions if m.type in CONTACT_TYPES}
        return DetectContext(
            region=region,
            identifier_cities={v: self.cities[v] for v in values if v in self.cities},
            identifier_personas={v: self.personas[v] for v in values if v in self.personas},
            image_matches=self.images.get(record_id, ()),
        )


def load_case_context(session: Session, case_id: int) -> CaseContext:
    """The case's identifier counts and image matches, read in three grouped queries."""
    place = func.lower(func.trim(Record.place))
    cities = {
        value: int(n)
        for value, n in session.execute(
            select(MentionRow.normalized, func.count(func.distinct(place)))
            .join(Record, Record.id == MentionRow.record_id)
            .where(
                MentionRow.case_id == case_id,
                MentionRow.type.in_(CONTACT_TYPES),
                Record.place.is_not(None),
                func.trim(Record.place) != "",
            )
            .group_by(MentionRow.normalized)
            .having(func.count(func.distinct(place)) >= 2)
        )
    }
    name = aliased(MentionRow)
    personas = {
        value: int(n)
        for value, n in session.execute(
            select(MentionRow.normalized, func.count(func.distinct(name.normalized)))
            .join(name, and_(name.record_id == MentionRow.record_id, name.type == "name"))
            .where(MentionRow.case_id == case_id, MentionRow.type.in_(CONTACT_TYPES))
            .group_by(MentionRow.normalized)
            .having(func.count(func.distinct(name.normalized)) >= 2)
        )
    }
    images: dict[int, set[ImageMatch]] = {}
    for record_id, list_name, hash_type, distance, quality in session.execute(
        select(
            Attachment.record_id,
            HashList.name,
            HashMatch.hash_type,
            HashMatch.distance,
            HashMatch.quality,
        )
        .join(HashMatch, HashMatch.record_id == Attachment.attached_id)
        .join(HashList, HashList.id == HashMatch.list_id)
        .where(HashMatch.case_id == case_id, Attachment.relation == "image")
    ):
        images.setdefault(record_id, set()).add(
            ImageMatch(list_name, hash_type, int(distance), quality)
        )
    by_record = {r: tuple(sorted(ms)) for r, ms in images.items()}
    digest = hashlib.sha256()
    for table in (cities, personas):
        for value in sorted(table):
            digest.update(f"{value}\x1f{table[value]}\x1e".encode())
        digest.update(b"\x1d")
    for record_id in sorted(by_record):
        for m in by_record[record_id]:
            digest.update(f"{record_id}\x1f{m.note()}\x1e".encode())
    return CaseContext(cities, personas, by_record, digest.hexdigest()[:16])
