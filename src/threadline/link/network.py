"""Links and networks as frozen records with their evidence, and the network summary.

A `Link` is a record ↔ record relation with its reason (a shared value, a
text similarity), its strength and whether it merges networks (`counts`); a
hub's links are kept with ``counts=False``. A `Network` is a connected
component over the links that count, summarised for an analyst: its records,
identifiers (with counts and first/last seen), places, time span, movement
(the ordered stops over time — the circuit), indicator totals and a score
with its contributions. Links that touch a network but did not merge it with
another (a hub's, or a kind not counted) are listed as `held_back`.

The score here is only the sum of the signal weights that the indicator stage
gave the member records, per indicator: the linker adds no weights of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MAX_STOPS = 500  # movement entries per network; a longer circuit is cut and says so
MAX_LISTED_LINKS = 5_000  # links listed per network summary
MAX_HELD_BACK = 200  # links to other networks (hubs, uncounted kinds) listed per summary


def iso(ts: int | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Link:
    a: str  # record id
    b: str
    reason: str  # "identifier" | "text"
    value: str | None  # "phone:+14155550123" for identifier links
    similarity: float | None  # exact Jaccard for text links
    strength: float  # 0..1
    counts: bool  # does it merge networks?
    note: str = ""  # "hub: …", "exact copy", "evidence kind not counted"

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "reason": self.reason,
            "value": self.value,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "strength": round(self.strength, 4),
            "counts": self.counts,
            "note": self.note,
        }


@dataclass(frozen=True)
class IdentifierUse:
    type: str
    value: str
    records: int  # member records carrying it
    first_seen: str | None
    last_seen: str | None
    hub: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "value": self.value,
            "records": self.records,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "hub": self.hub,
        }


@dataclass(frozen=True)
class Stop:
    """Consecutive records (by posting time) in one place: a stop of the circuit."""

    place: str
    first_seen: str | None
    last_seen: str | None
    records: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "records": self.records,
        }


@dataclass(frozen=True)
class IndicatorTotal:
    indicator: str
    records: int  # member records on which it fired
    weight: float  # summed weight: this indicator's contribution to the score

    def to_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "records": self.records, "weight": self.weight}


@dataclass(frozen=True)
class Network:
    id: str
    members: tuple[str, ...]
    links: tuple[Link, ...]
    identifiers: tuple[IdentifierUse, ...]
    places: tuple[tuple[str, int], ...]  # (place, records), most records first
    first_seen: str | None
    last_seen: str | None
    movement: tuple[Stop, ...]
    indicators: tuple[IndicatorTotal, ...]
    score: float
    warnings: tuple[str, ...] = ()
    held_back: tuple[Link, ...] = ()  # links to records of other networks that did not merge

    @property
    def size(self) -> int:
        return len(self.members)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "size": self.size,
            "members": list(self.members),
            "links": [x.to_dict() for x in self.links],
            "identifiers": [x.to_dict() for x in self.identifiers],
            "places": [{"place": p, "records": n} for p, n in self.places],
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "movement": [s.to_dict() for s in self.movement],
            "indicators": [x.to_dict() for x in self.indicators],
            "score": self.score,
            "contributions": {x.indicator: x.weight for x in self.indicators},
            "warnings": list(self.warnings),
            "held_back": [x.to_dict() for x in self.held_back],
        }


def movement(places: Sequence[str | None], times: Sequence[int | None]) -> tuple[Stop, ...]:
    """The circuit: records ordered by time, consecutive records in one place as one stop.

    Records without a time or a place are left out (they cannot be placed on it).
    """
    seq = sorted((t, p) for p, t in zip(places, times, strict=True) if t is not None and p)
    stops: list[list[Any]] = []
    for t, p in seq:
        if stops and stops[-1][0] == p:
            stops[-1][2] = t
            stops[-1][3] += 1
        else:
            stops.append([p, t, t, 1])
    return tuple(Stop(p, iso(a), iso(b), n) for p, a, b, n in stops[:MAX_STOPS])


def summarize(
    nid: str,
    member_ids: Sequence[str],
    links: Sequence[Link],
    identifiers: Sequence[tuple[str, str, bool, Sequence[int | None]]],
    places: Sequence[str | None],
    times: Sequence[int | None],
    signals: Sequence[Sequence[tuple[str, float]]],
    warnings: Sequence[str] = (),
    held_back: Sequence[Link] = (),
) -> Network:
    """A `Network` from its members' facts (all sequences are per member, in member order).

    `identifiers` holds (type, value, hub, posting times of the members carrying it).
    """
    ids = tuple(
        sorted(
            (
                IdentifierUse(
                    t,
                    v,
                    len(ts),
                    iso(min((x for x in ts if x is not None), default=None)),
                    iso(max((x for x in ts if x is not None), default=None)),
                    hub,
                )
                for t, v, hub, ts in identifiers
            ),
            key=lambda u: (-u.records, u.type, u.value),
        )
    )
    place_counts = Counter(p for p in places if p)
    known = [t for t in times if t is not None]
    per_ind: dict[str, list[float]] = {}
    for sig in signals:
        for name, w in sig:
            per_ind.setdefault(name, []).append(w)
    totals = tuple(
        sorted(
            (IndicatorTotal(k, len(ws), round(sum(ws), 6)) for k, ws in per_ind.items()),
            key=lambda x: (-x.weight, x.indicator),
        )
    )
    notes = list(warnings)
    stops = movement(places, times)
    if len(stops) == MAX_STOPS:
        notes.append(f"movement cut at {MAX_STOPS} stops")
    listed = tuple(links[:MAX_LISTED_LINKS])
    if len(links) > MAX_LISTED_LINKS:
        notes.append(f"{len(links)} links, the first {MAX_LISTED_LINKS} listed")
    if len(held_back) > MAX_HELD_BACK:
        notes.append(
            f"{len(held_back)} links to other networks held back, the first {MAX_HELD_BACK} listed"
        )
    return Network(
        id=nid,
        members=tuple(member_ids),
        links=listed,
        identifiers=ids,
        places=tuple(sorted(place_counts.items(), key=lambda x: (-x[1], x[0]))),
        first_seen=iso(min(known)) if known else None,
        last_seen=iso(max(known)) if known else None,
        movement=stops,
        indicators=totals,
        score=round(sum(x.weight for x in totals), 6),
        warnings=tuple(notes),
        held_back=tuple(held_back[:MAX_HELD_BACK]),
    )
