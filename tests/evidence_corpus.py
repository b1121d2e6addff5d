"""A small synthetic case for the evidence tests: three ads (JSON Lines) and a WARC crawl
with a page and a JPEG that carries EXIF (camera and GPS). All names and numbers are made up."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from PIL.TiffImagePlugin import IFDRational
from sqlalchemy import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from threadline.analyze import analyze_case
from threadline.cases import create_case
from threadline.ingest.service import ingest_paths
from threadline.store import Store
from threadline.store.models import Record

PHONE = "+14155550123"
EMAIL = "lina@example.com"
ADS = [
    {
        "id": "a1",
        "title": "Call 415-555-0123",
        "text": "Sweet Lina, text me at 4I5 555 OI23 or lina@example.com. IG @Mia.Bella",
        "city": "San Francisco",
    },
    {
        "id": "a2",
        "text": "New girls, call 415 555 0123, $200/hr, deposit to $mia_b first",
        "city": "Dallas",
    },
    {"id": "a3", "text": "No contact details here, just $150", "city": "Denver"},
]


@dataclass(frozen=True)
class Corpus:
    case: str
    ads: dict[str, int]  # external id → record id
    page: int  # the crawled page (stored as an ad: the default kind)
    image: int


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS 5D"
    exif[0x8769] = {0x9003: "2024:05:06 07:08:09"}
    exif[0x8825] = {
        1: "N",
        2: (IFDRational(29, 1), IFDRational(45, 1), IFDRational(0, 1)),
        3: "W",
        4: (IFDRational(95, 1), IFDRational(22, 1), IFDRational(0, 1)),
    }
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 80, 40)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def write_warc(path: Path) -> None:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    page = (
        b"<html><head><title>Rosa</title></head><body><p>New in town, call 415-555-0123</p>"
        b'<img src="/img/1.jpg"></body></html>'
    )
    for uri, body, ctype in [
        ("https://ads.example/p/1", page, "text/html; charset=utf-8"),
        ("https://ads.example/img/1.jpg", jpeg_with_exif(), "image/jpeg"),
    ]:
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=headers
            )
        )
    path.write_bytes(buf.getvalue())


def build(store: Store, tmp_path: Path, name: str = "river") -> Corpus:
    """A case opened by `lead`, ingested by `collector`, analysed by `analyst`; `cli-lead`
    (the CLI tests' actor) supervises it too. Every record is reviewed and confirmed."""
    from conftest import add_user
    from threadline.safeguards.access import add_member

    for user, roles in (
        ("lead", ("supervisor",)),
        ("cli-lead", ("supervisor",)),
        ("collector", ("analyst",)),
        ("analyst", ("analyst",)),
    ):
        add_user(store, user, *roles)
    create_case(
        store, "lead", name, "Identify operations behind ads", "Court order 2026/114 (synthetic)"
    )
    add_member(store, "lead", name, "cli-lead", "supervisor")
    add_member(store, "lead", name, "collector", "analyst")
    add_member(store, "lead", name, "analyst", "analyst")
    ads = tmp_path / f"{name}-ads.jsonl"
    ads.write_text("\n".join(json.dumps(a) for a in ADS), "utf-8")
    warc = tmp_path / f"{name}-crawl.warc.gz"
    write_warc(warc)
    ingest_paths(store, "collector", name, [ads, warc])
    analyze_case(store, "analyst", name)
    with store.read() as session:
        rows = session.execute(
            select(Record.id, Record.external_id, Record.kind, Record.case_id)
        ).all()
    from threadline.cases import get_case
    from threadline.safeguards.review import record_review

    case_id = get_case(store, "lead", name).id
    mine = [r for r in rows if r.case_id == case_id]
    for r in mine:
        record_review(
            store, "lead", name, "record", str(r.id), "confirmed",
            "Checked against the source pages: relevant to the investigation",
        )  # fmt: skip
    return Corpus(
        case=name,
        ads={r.external_id: r.id for r in mine if r.kind == "ad" and r.external_id},
        page=next(r.id for r in mine if r.kind == "ad" and not r.external_id),
        image=next(r.id for r in mine if r.kind == "image"),
    )
