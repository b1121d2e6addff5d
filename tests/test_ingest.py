from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import add_user
from threadline import audit
from threadline.cases import create_case
from threadline.errors import NotFound, ValidationError
from threadline.ingest.readers.mapping import FieldMapping
from threadline.ingest.service import ingest_paths
from threadline.store import Store
from threadline.store.models import Attachment, AuditEvent, QuarantinedItem, Record, Source

PURPOSE = "Identify operations behind escort ads in the region"
BASIS = "Court order 2026/114 under national anti-trafficking law"


def ad(i: int, **extra: object) -> bytes:
    obj = {"id": f"ad-{i}", "text": f"Sweet girl {i}, call 555-01{i % 100:02d}", "city": "Houston"}
    obj.update(extra)
    return json.dumps(obj).encode()


@pytest.fixture
def case(store: Store) -> str:
    create_case(store, add_user(store, "tester"), "river", PURPOSE, BASIS)
    return "river"


def records(store: Store) -> list[Record]:
    with store.read() as session:
        return list(session.scalars(select(Record).order_by(Record.id)))


def quarantined(store: Store) -> list[QuarantinedItem]:
    with store.read() as session:
        return list(session.scalars(select(QuarantinedItem).order_by(QuarantinedItem.raw_offset)))


def test_jsonl_records_point_to_their_raw_bytes(store: Store, case: str, tmp_path: Path) -> None:
    lines = [ad(1), ad(2, posted_at="2026-03-01T10:00:00Z", extra_field=[1, 2]), ad(3)]
    path = tmp_path / "ads.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    summary = ingest_paths(store, "tester", case, [path])
    (src,) = summary.sources
    assert (src.read, src.stored, src.duplicate, src.quarantined) == (3, 3, 0, 0)
    assert src.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    recs = records(store)
    assert [r.external_id for r in recs] == ["ad-1", "ad-2", "ad-3"]
    preserved = store.blobs.path(src.sha256).read_bytes()
    for line, rec in zip(lines, recs, strict=True):
        raw = preserved[rec.raw_offset : rec.raw_offset + rec.raw_length]
        assert raw == line
        assert rec.content_sha256 == hashlib.sha256(line).hexdigest()
        assert rec.text == json.loads(line)["text"]
    assert recs[1].fields["extra_field"] == [1, 2]
    assert (
        recs[1].posted_at is not None
        and recs[1].posted_at.isoformat() == "2026-03-01T10:00:00+00:00"
    )
    with store.read() as session:
        source = session.scalars(select(Source)).one()
    assert (source.size, source.acquired_by, source.status) == (
        path.stat().st_size,
        "tester",
        "complete",
    )
    assert source.tool_version.startswith("threadline ")


def test_ingesting_the_same_file_twice_adds_nothing(
    store: Store, case: str, tmp_path: Path
) -> None:
    path = tmp_path / "ads.jsonl"
    path.write_bytes(b"\n".join(ad(i) for i in range(50)))
    ingest_paths(store, "tester", case, [path])
    with store.read() as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    copy = tmp_path / "renamed.jsonl"
    copy.write_bytes(path.read_bytes())
    summary = ingest_paths(store, "tester", case, [path, copy])
    assert all(s.already_ingested and s.stored == 0 for s in summary.sources)
    assert len(records(store)) == 50
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Source)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before


def test_records_seen_before_count_as_duplicates(store: Store, case: str, tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(b"\n".join([ad(1), ad(2), ad(1)]))
    (tmp_path / "b.jsonl").write_bytes(b"\n".join([ad(2), ad(3)]))
    summary = ingest_paths(store, "tester", case, [tmp_path / "a.jsonl", tmp_path / "b.jsonl"])
    a, b = summary.sources
    assert (a.read, a.stored, a.duplicate) == (3, 2, 1)
    assert (b.read, b.stored, b.duplicate) == (2, 1, 1)
    assert len(records(store)) == 3


def test_bad_lines_are_quarantined_with_reason_and_bytes(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    store = make_store(max_record_bytes=300)
    create_case(store, add_user(store, "tester"), "river", PURPOSE, BASIS)
    bad = {
        "malformed": b'{"id": "x", "text": "unterminated',
        "not_utf8": b'{"id": "y", "text": "caf\xe9 \xff"}',
        "oversized": json.dumps({"id": "z", "text": "x" * 1000}).encode(),
        "not_object": b'["an", "array"]',
    }
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([ad(1), *bad.values(), ad(2)]) + b"\n")
    summary = ingest_paths(store, "tester", "river", [path])
    (src,) = summary.sources
    assert (src.read, src.stored, src.duplicate, src.quarantined) == (6, 2, 0, 4)
    assert src.read == src.stored + src.duplicate + src.quarantined
    items = quarantined(store)
    assert len(items) == 4
    for item, raw in zip(items, bad.values(), strict=True):
        kept = store.blobs.path(item.blob_sha256).read_bytes()
        if len(raw) <= 300:
            assert kept == raw
        assert item.reason and item.locator
    reasons = " | ".join(i.reason for i in items).lower()
    for word in ("json", "utf-8", "exceeds", "object"):
        assert word in reasons
    with store.read() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
        assert actions.count("record.quarantined") == 4
        assert audit.verify(
            session, store.settings.audit_checkpoint, store.settings.database_url
        ).ok


def test_csv_with_a_field_mapping_keeps_unknown_fields(
    store: Store, case: str, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        b"ad_id,body,city,phone_seen\r\n"
        b'77,"Line one\r\nline two, with ""quotes""",Dallas,yes\r\n'
        b"78,Plain ad,Austin,no\r\n"
    )
    mapping = FieldMapping.parse(["id=ad_id", "text=body"])
    summary = ingest_paths(store, "tester", case, [path], mapping=mapping)
    assert summary.sources[0].stored == 2
    first, second = records(store)
    assert first.external_id == "77" and first.text == 'Line one\r\nline two, with "quotes"'
    assert first.fields["phone_seen"] == "yes"
    assert second.place == "Austin"
    preserved = store.blobs.path(summary.sources[0].sha256).read_bytes()
    assert preserved[first.raw_offset : first.raw_offset + first.raw_length].startswith(b"77,")


def test_html_folder_one_record_per_page_and_bad_files_quarantined(
    store: Store, case: str, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_bytes(
        b"<html><head><title>Ad A</title><script>alert(1)</script></head>"
        b"<body><div>Call me tonight</div></body></html>"
    )
    (pages / "b.htm").write_bytes(b"<html><body><p>Second ad</p></body></html>")
    (pages / "c.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    summary = ingest_paths(store, "tester", case, [pages])
    assert sum(s.stored for s in summary.sources) == 2
    assert sum(s.quarantined for s in summary.sources) == 1
    recs = records(store)
    assert {r.title for r in recs} == {"Ad A", None}
    assert all("alert" not in r.text for r in recs)
    page_a = next(r for r in recs if r.title == "Ad A")
    assert page_a.blob_sha256 is not None
    assert store.blobs.path(page_a.blob_sha256).read_bytes() == (pages / "a.html").read_bytes()


def _warc(path: Path, *, truncate: bool = False) -> None:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    page = (
        b"<html><head><title>Rosa</title></head><body><p>New in town, call me</p>"
        b'<img src="/img/1.png"></body></html>'
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    for uri, body, ctype in [
        ("https://ads.example/p/1", page, "text/html; charset=utf-8"),
        ("https://ads.example/img/1.png", png, "image/png"),
        ("https://ads.example/p/2", page.replace(b"Rosa", b"Lina"), "text/html"),
    ]:
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=headers
            )
        )
    writer.write_record(
        writer.create_warc_record(
            "https://ads.example/p/1", "request", payload=io.BytesIO(b"GET /p/1 HTTP/1.1\r\n\r\n")
        )
    )
    data = buf.getvalue()
    path.write_bytes(data[: len(data) - 40] if truncate else data)


def test_warc_pages_become_records_and_images_are_attached(
    store: Store, case: str, tmp_path: Path
) -> None:
    path = tmp_path / "crawl.warc.gz"
    _warc(path)
    summary = ingest_paths(store, "tester", case, [path])
    (src,) = summary.sources
    assert (src.format, src.stored, src.quarantined) == ("warc", 3, 0)
    assert sum(src.skipped.values()) == 1 and "request" in next(iter(src.skipped))
    recs = records(store)
    pages = [r for r in recs if r.kind != "image"]
    (image,) = [r for r in recs if r.kind == "image"]
    assert {p.url for p in pages} == {"https://ads.example/p/1", "https://ads.example/p/2"}
    assert all("New in town" in p.text for p in pages)
    assert store.blobs.path(image.blob_sha256).read_bytes().startswith(b"\x89PNG")
    with store.read() as session:
        links = session.scalars(select(Attachment)).all()
    assert {(a.attached_id, a.relation) for a in links} == {(image.id, "image")}
    assert len(links) == 2  # both pages show the same image
    preserved = store.blobs.path(src.sha256).read_bytes()
    member = preserved[pages[0].raw_offset : pages[0].raw_offset + pages[0].raw_length]
    assert b"WARC/1" in gzip.decompress(member)


def test_truncated_warc_keeps_what_was_read_and_quarantines_the_rest(
    store: Store, case: str, tmp_path: Path
) -> None:
    path = tmp_path / "cut.warc.gz"
    _warc(path, truncate=True)
    summary = ingest_paths(store, "tester", case, [path])
    (src,) = summary.sources
    assert src.stored == 3 and src.quarantined == 1  # the cut falls in the last (request) record
    assert src.read == src.stored + src.duplicate + src.quarantined
    (item,) = quarantined(store)
    assert item.raw_offset + item.raw_length == path.stat().st_size


def test_unknown_files_in_a_folder_are_quarantined_not_skipped(
    store: Store, case: str, tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.bin").write_bytes(b"\x00\x01\x02 not an ad format")
    (tmp_path / "in" / "ads.jsonl").write_bytes(ad(1))
    summary = ingest_paths(store, "tester", case, [tmp_path / "in"])
    assert sum(s.stored for s in summary.sources) == 1
    (item,) = quarantined(store)
    assert "unrecognised format" in item.reason


def test_ingest_refuses_unknown_case_format_and_path(
    store: Store, case: str, tmp_path: Path
) -> None:
    f = tmp_path / "a.jsonl"
    f.write_bytes(ad(1))
    with pytest.raises(NotFound, match="no case"):
        ingest_paths(store, "tester", "other", [f])
    with pytest.raises(ValidationError, match="unknown format"):
        ingest_paths(store, "tester", case, [f], fmt="xml")
    with pytest.raises(NotFound, match="no such file"):
        ingest_paths(store, "tester", case, [tmp_path / "missing.jsonl"])
