"""Shared set-up for the safeguards tests: two cases, their supervisor and members."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from conftest import add_user
from threadline.analyze import analyze_case
from threadline.cases import create_case
from threadline.ingest.service import ingest_paths
from threadline.safeguards.access import add_member
from threadline.store import Store
from threadline.store.models import Record

PURPOSE = "Identify operations behind escort ads in the region"
BASIS = "Court order 2026/114 under national anti-trafficking law"
PHONE = "+14155550134"

ADS = {
    "A": [
        {"id": "a1", "text": "New in town, call +1 415 555 0134 or mail ann@example.org"},
        {"id": "a2", "text": "Sweet and young, text +1 415 555 0134 tonight"},
        {"id": "a3", "text": "Massage studio, appointments at +1 212 555 0199"},
    ],
    "B": [
        {"id": "b1", "text": "Other region, call +1 415 555 0134 now"},
        {"id": "b2", "text": "Other region again, +1 305 555 0177"},
    ],
}


@dataclass(frozen=True)
class World:
    store: Store
    sup: str  # supervises both cases
    sup2: str  # a second supervisor of A
    ana: str  # analyst of A only
    rev: str  # reviewer of A
    res: str  # researcher of A
    aud: str  # auditor (global role, member of nothing)
    records: dict[str, list[int]]  # case → record ids


def build_world(store: Store, tmp_path: Path) -> World:
    sup = add_user(store, "sue", "supervisor")
    sup2 = add_user(store, "sam", "supervisor", "analyst")
    ana = add_user(store, "ana", "analyst")
    rev = add_user(store, "rev", "reviewer")
    res = add_user(store, "res", "researcher")
    aud = add_user(store, "aud", "auditor")
    records: dict[str, list[int]] = {}
    for name, ads in ADS.items():
        create_case(store, sup, name, PURPOSE, BASIS)
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(json.dumps(a) for a in ads) + "\n", "utf-8")
        ingest_paths(store, sup, name, [path])
        analyze_case(store, sup, name)
        with store.read() as session:
            records[name] = list(
                session.scalars(
                    select(Record.id)
                    .where(Record.external_id.in_([a["id"] for a in ads]))
                    .order_by(Record.id)
                )
            )
    add_member(store, sup, "A", sup2, "supervisor")
    add_member(store, sup, "A", ana, "analyst")
    add_member(store, sup, "A", rev, "reviewer")
    add_member(store, sup, "A", res, "researcher")
    return World(store, sup, sup2, ana, rev, res, aud, records)
