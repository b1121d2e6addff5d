"""Graphs for people to look at: records, the identifiers they share, their places and times.

`record_graph` grows a bounded neighbourhood around one record through shared
pivot identifiers (phone, e-mail, handle, payment, crypto); `records_graph`
draws a given set of records (a network). Both return the same frozen shape,
which the web UI renders as an interactive graph, a map and a timeline of
movement. Values shared by more than `HUB_RECORDS` records are shown but not
expanded: a switchboard number would otherwise pull in half the case.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from threadline.errors import NotFound
from threadline.link.config import pivot_types
from threadline.safeguards.access import guard, masker
from threadline.store.db import Store
from threadline.store.models import Case, Mention, Record

HUB_RECORDS = 50
MAX_RECORDS = 300


@dataclass(frozen=True, slots=True)
class Node:
    id: str  # "r:<record id>" or "v:<type>:<normalized value>"
    kind: str  # "record" or the value type
    label: str
    hub: bool = False  # a value on more records than are expanded


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    reason: str  # the value type that joins the record to the identifier


@dataclass(frozen=True, slots=True)
class Stop:
    """One record on the timeline: when and where it was posted."""

    record_id: int
    at: datetime | None
    place: str | None
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class Graph:
    case: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    stops: tuple[Stop, ...]  # ordered by time: the movement
    truncated: bool  # more records were reachable than MAX_RECORDS


def _country(fields: dict) -> str | None:
    """The record's country code, when its source gave one (it disambiguates Valencia)."""
    from threadline.values.place import country_code

    country = fields.get("country")
    return country_code(country[:64]) if isinstance(country, str) and country.strip() else None


def _place_coordinates(place: str | None, region: str | None) -> tuple[float, float] | None:
    if not place:
        return None
    from threadline.values import place as places

    found = places.resolve(place, region)
    return None if found is None else (found.latitude, found.longitude)


def record_graph(
    store: Store, actor: str, case_name: str, record_id: int, *, hops: int = 2
) -> Graph:
    """The record, its pivot identifiers, and records sharing them, `hops` steps out.

    Access-checked and audited as a read of the case (`graph.viewed`).
    """
    case = guard(
        store, actor, case_name, "read", audit_as="graph.viewed", target=f"record:{record_id}"
    )
    pivots = tuple(pivot_types())
    with store.read() as session:
        start = session.get(Record, record_id)
        if start is None or start.case_id != case.id:
            raise NotFound(f"no record {record_id} in case {case_name!r}")
        case_id = start.case_id
        records, frontier, values, hubs = {record_id}, {record_id}, set(), set()
        truncated = False
        for _ in range(max(1, min(hops, 4))):
            found = session.execute(
                select(Mention.type, Mention.normalized)
                .where(Mention.record_id.in_(frontier), Mention.type.in_(pivots))
                .distinct()
            ).all()
            fresh = {(t, v) for t, v in found} - values
            values |= fresh
            next_records: set[int] = set()
            for kind, value in fresh:
                ids = session.scalars(
                    select(Mention.record_id)
                    .where(
                        Mention.case_id == case_id,
                        Mention.type == kind,
                        Mention.normalized == value,
                    )
                    .distinct()
                    .limit(HUB_RECORDS + 1)
                ).all()
                if len(ids) > HUB_RECORDS:
                    hubs.add((kind, value))
                    continue
                next_records.update(ids)
            frontier = next_records - records
            if len(records) + len(frontier) > MAX_RECORDS:
                frontier = set(sorted(frontier)[: MAX_RECORDS - len(records)])
                truncated = True
            records |= frontier
            if not frontier:
                break
    return _draw(store, actor, case, sorted(records), hubs=hubs, truncated=truncated)


def records_graph(
    store: Store, actor: str, case_name: str, record_ids: Iterable[int], *, target: str
) -> Graph:
    """A given set of records of one case (a network), access-checked and audited."""
    case = guard(store, actor, case_name, "read", audit_as="graph.viewed", target=target)
    return _draw(store, actor, case, record_ids)


def _draw(
    store: Store,
    actor: str,
    case: Case,
    record_ids: Iterable[int],
    *,
    hubs: set[tuple[str, str]] | None = None,
    truncated: bool = False,
) -> Graph:
    ids = sorted(set(record_ids))[:MAX_RECORDS]
    pivots = tuple(pivot_types())
    hubs = hubs or set()
    with store.read() as session:
        show = masker(session, actor, case)
        recs = session.scalars(
            select(Record).where(Record.id.in_(ids), Record.case_id == case.id)
        ).all()
        if not recs:
            raise NotFound(f"none of those records is in case {case.name!r}")
        mentions = session.execute(
            select(Mention.record_id, Mention.type, Mention.normalized)
            .where(Mention.record_id.in_(ids), Mention.type.in_(pivots))
            .distinct()
        ).all()
        counts = dict(
            session.execute(
                select(Mention.normalized, func.count(func.distinct(Mention.record_id)))
                .where(
                    Mention.case_id == case.id,
                    Mention.normalized.in_({m.normalized for m in mentions}),
                )
                .group_by(Mention.normalized)
            ).all()
        )
    nodes: dict[str, Node] = {}
    stops = []
    for rec in recs:
        label = f"#{rec.id}" + (f" {rec.place}" if rec.place else "")
        nodes[f"r:{rec.id}"] = Node(f"r:{rec.id}", "record", label[:80])
        coords = _place_coordinates(rec.place, _country(rec.fields or {}))
        stops.append(Stop(rec.id, rec.posted_at, rec.place, *(coords if coords else (None, None))))
    edges = []
    for record_id, kind, value in mentions:
        shown = show(kind, value)
        # a viewer who sees masked values gets an opaque node id, not the value inside it
        vid = (
            f"v:{kind}:{value}"
            if shown == value
            else f"v:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:16]}"
        )
        if vid not in nodes:
            hub = (kind, value) in hubs or counts.get(value, 0) > HUB_RECORDS
            nodes[vid] = Node(vid, kind, shown[:80], hub)
        edges.append(Edge(f"r:{record_id}", vid, kind))
    stops.sort(key=lambda s: (s.at is None, s.at or datetime.min, s.record_id))
    return Graph(case.name, tuple(nodes.values()), tuple(edges), tuple(stops), truncated)


def shown_summary(summary: dict, may_see_identifiers: bool) -> dict:
    """A network summary as a viewer may see it: identifiers masked, templates (whose slots
    hold names and numbers) and member labels withheld for roles without `see_identifiers`."""
    if may_see_identifiers:
        return summary
    from threadline.safeguards.access import mask_identifier

    out = dict(summary)
    out["identifiers"] = [
        {**i, "value": mask_identifier(str(i.get("value", "")))}
        for i in summary.get("identifiers") or []
    ]
    out["templates"] = []
    out["members"] = []
    return out
