"""The image stage on ingested image records: hashes, EXIF mentions, matches, links, safe views."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter
from PIL.TiffImagePlugin import IFDRational
from sqlalchemy import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import add_user
from threadline.cases import create_case
from threadline.errors import ValidationError
from threadline.hashindex import hamming
from threadline.hashlists import add_entry, create_list, set_enabled
from threadline.images import (
    RenderRefused,
    analyze_images,
    image_pairs,
    record_pairs,
    reveal_image,
    thumbnail,
)
from threadline.ingest.service import ingest_paths
from threadline.media import hash_bytes
from threadline.safeguards.access import add_member
from threadline.store import Store
from threadline.store.models import AuditEvent, HashMatch, ImageHash, Mention, Record

PURPOSE = "Identify operations behind escort ads in the region"
BASIS = "Court order 2026/114 under national anti-trafficking law"
RECEIVED = datetime(2026, 11, 20, tzinfo=UTC)


def synth(width: int, height: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    im = Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    draw = ImageDraw.Draw(im)
    for _ in range(25):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(width // 40 + 1, width // 6 + 2))
        draw.ellipse(
            [x - r, y - r, x + r, y + r], fill=tuple(int(c) for c in rng.integers(0, 256, 3))
        )
    return im.filter(ImageFilter.GaussianBlur(1))


def encode(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def with_exif(im: Image.Image) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS 5D"
    exif[0x0131] = "Firmware 1.1"
    exif[0x8769] = {0x9003: "2024:05:06 07:08:09"}
    exif[0x8825] = {
        1: "N",
        2: (IFDRational(52, 1), IFDRational(22, 1), IFDRational(30, 1)),
        3: "E",
        4: (IFDRational(4, 1), IFDRational(54, 1), IFDRational(0, 1)),
    }
    return encode(im, "JPEG", exif=exif, quality=90)


@pytest.fixture
def images() -> dict[str, bytes]:
    base = synth(320, 240, 1)
    return {
        "photo": with_exif(base),
        # the same photo, brighter and re-encoded: a near duplicate
        "edited": encode(ImageEnhance.Brightness(base).enhance(1.15), "JPEG", quality=70),
        "other": encode(synth(320, 240, 2), "PNG"),
        "flat": encode(Image.new("RGB", (200, 200), (90, 90, 90)), "PNG"),
        "broken": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    }


def warc(path: Path, images: dict[str, bytes]) -> None:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    items = [
        (
            f"https://ads.example/p/{i}",
            f'<html><title>Ad {i}</title><img src="/img/{name}"></html>'.encode(),
            "text/html",
        )
        for i, name in enumerate(["photo", "edited", "other", "photo"])
    ]
    items += [
        (
            f"https://ads.example/img/{name}",
            data,
            "image/jpeg" if data[:2] == b"\xff\xd8" else "image/png",
        )
        for name, data in images.items()
    ]
    for uri, body, ctype in items:
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=headers
            )
        )
    path.write_bytes(buf.getvalue())


@pytest.fixture
def loaded(store: Store, tmp_path: Path, images: dict[str, bytes]) -> dict[str, int]:
    add_user(store, "owner")  # a supervisor: opens the case, may reveal images
    add_user(store, "analyst", "analyst")
    add_user(store, "curator")  # a supervisor: curates hash lists
    create_case(store, "owner", "river", PURPOSE, BASIS)
    add_member(store, "owner", "river", "analyst", "analyst")
    warc(tmp_path / "crawl.warc.gz", images)
    ingest_paths(store, "owner", "river", [tmp_path / "crawl.warc.gz"])
    with store.read() as s:
        recs = list(s.scalars(select(Record).order_by(Record.id)))
    ids = {r.url.rsplit("/", 1)[-1]: r.id for r in recs if r.kind == "image"}
    ids.update({f"page{r.url.rsplit('/', 1)[-1]}": r.id for r in recs if r.kind != "image"})
    return ids


def lists(store: Store, images: dict[str, bytes]) -> None:
    provenance = dict(
        supplied_by="Partner NGO", received_at=RECEIVED, terms="MoU 7", purpose="triage"
    )
    create_list(store, "curator", "partner", **provenance)
    create_list(store, "curator", "sealed", match_only=True, **provenance)
    add_entry(store, "curator", "partner", "pdq", hash_bytes(images["photo"]).pdq_hex)
    add_entry(store, "curator", "partner", "pdq", hash_bytes(images["flat"]).pdq_hex)  # low quality
    add_entry(store, "curator", "sealed", "sha256", hash_bytes(images["other"]).sha256)


def test_stage_hashes_records_exif_and_matches(store: Store, loaded: dict, images: dict) -> None:
    lists(store, images)
    summary = analyze_images(store, "owner", "river")
    assert (summary.images, summary.hashed, summary.failed, summary.low_quality) == (5, 4, 1, 1)
    assert (summary.exif_present, summary.with_gps) == (1, 1)
    with store.read() as s:
        hashes = {h.record_id: h for h in s.scalars(select(ImageHash))}
        matches = {
            (m.record_id, m.hash_type, m.distance, m.match_only)
            for m in s.scalars(select(HashMatch))
        }
        mentions = [
            (m.record_id, m.type, m.normalized)
            for m in s.scalars(select(Mention).where(Mention.extractor == "exif"))
        ]
    photo = hashes[loaded["photo"]]
    assert photo.pdq == hash_bytes(images["photo"]).pdq_hex and photo.quality >= 50
    assert (photo.width, photo.height) == (320, 240)
    broken = hashes[loaded["broken"]]
    assert broken.pdq is None and broken.error.startswith("unsupported: not an image")
    edited_distance = hamming(photo.pdq, hashes[loaded["edited"]].pdq)
    assert 0 < edited_distance <= 31
    # the flat image's hash is on the list but quality < 50 never matches
    assert matches == {
        (loaded["photo"], "pdq", 0, False),
        (loaded["edited"], "pdq", edited_distance, False),
        (loaded["other"], "sha256", 0, True),
    }
    assert (loaded["photo"], "camera_make", "canon") in mentions
    assert (loaded["photo"], "taken_at", "2024-05-06T07:08:09") in mentions
    assert (loaded["photo"], "gps", "52.375000,4.900000") in mentions
    assert (loaded["other"], "exif_absent", "absent") in mentions
    assert summary.matches == 3

    # nothing to do the second time; a list change re-matches without re-hashing
    again = analyze_images(store, "owner", "river")
    assert (again.hashed, again.failed, again.matched_records) == (0, 0, 0)
    set_enabled(store, "curator", "partner", "pdq", photo.pdq, enabled=False)
    after = analyze_images(store, "owner", "river")
    assert (after.hashed, after.matched_records, after.matches) == (0, 5, 1)
    with store.read() as s:
        audit_actions = [e.action for e in s.scalars(select(AuditEvent))]
    assert "images.hashed" in audit_actions and "images.matched" in audit_actions


def test_image_links_between_records(store: Store, loaded: dict) -> None:
    analyze_images(store, "owner", "river")
    pairs = image_pairs(store, "river")
    assert [(p.image_a, p.image_b) for p in pairs] == [
        tuple(sorted((loaded["photo"], loaded["edited"])))
    ]
    links = {(link.record_a, link.record_b, link.distance) for link in record_pairs(store, "river")}
    d = pairs[0].distance
    # pages 0 and 3 show the same photo; page 1 shows its edited copy
    assert links == {
        (loaded["page0"], loaded["page3"], 0),
        (loaded["page0"], loaded["page1"], d),
        (loaded["page1"], loaded["page3"], d),
    }


def test_safe_views(store: Store, loaded: dict, images: dict) -> None:
    with pytest.raises(RenderRefused, match="not yet checked"):
        thumbnail(store, "analyst", loaded["photo"])
    lists(store, images)
    analyze_images(store, "owner", "river")
    png = thumbnail(store, "analyst", loaded["photo"])
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.mode == "L" and max(im.size) == 256
        assert not im.info.get("exif")
    with pytest.raises(RenderRefused, match="match-only"):
        thumbnail(store, "analyst", loaded["other"])
    with pytest.raises(RenderRefused, match="match-only"):
        reveal_image(store, "owner", loaded["other"], "checking the match by hand")
    with pytest.raises(ValidationError, match="reason"):
        reveal_image(store, "owner", loaded["photo"], "because")
    with pytest.raises(RenderRefused, match="not permitted"):
        reveal_image(store, "analyst", loaded["photo"], "confirm the identity of the venue")
    clear = reveal_image(store, "owner", loaded["photo"], "confirm the identity of the venue")
    with Image.open(io.BytesIO(clear)) as im:
        assert im.mode == "RGB" and im.size == (320, 240)
    with store.read() as s:
        events = [(e.action, json.loads(e.details)) for e in s.scalars(select(AuditEvent))]
    refused = [d for a, d in events if a == "image.render_refused"]
    assert [d["refused_because"] for d in refused] == [
        "not yet checked against hash lists",
        "matches a match-only hash list",
        "matches a match-only hash list",
        "not permitted",
    ]
    revealed = [d for a, d in events if a == "image.revealed"]
    assert len(revealed) == 1 and revealed[0]["reason"] == "confirm the identity of the venue"


def test_hash_command(tmp_path: Path, images: dict) -> None:
    for name, data in images.items():
        (tmp_path / name).write_bytes(data)
    files = [str(tmp_path / n) for n in ("photo", "broken", "other")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADLINE_")}
    env["THREADLINE_DATA_DIR"] = str(tmp_path / "data")
    r = subprocess.run(
        [sys.executable, "-m", "threadline", "hash", "--format", "json", *files],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert r.returncode == 1
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["path"] for o in out] == files
    want = hash_bytes(images["photo"])
    assert out[0] == {"path": files[0], **want.as_json()} and len(out[0]["pdq"]) == 64
    assert out[1]["reason"] == "unsupported" and "error" in out[1]
    assert out[2]["sha256"] == hash_bytes(images["other"]).sha256
    text = subprocess.run(
        [sys.executable, "-m", "threadline", "hash", files[0]],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert text.returncode == 0 and want.pdq_hex in text.stdout


def test_analyze_runs_the_image_stage(store: Store, loaded: dict) -> None:
    from threadline.analyze import analyze_case

    analyze_case(store, "owner", "river")
    with store.read() as s:
        assert len(list(s.scalars(select(ImageHash)))) == 5
    assert analyze_images(store, "owner", "river").hashed == 0  # already done


def test_ads_showing_near_identical_photos_are_linked_through_the_image(
    store: Store, tmp_path: Path
) -> None:
    """Image hashes feed linking: the same photo, re-encoded, joins two otherwise unlike ads."""
    from threadline.analyze import analyze_case
    from threadline.link.networks import list_networks

    base = synth(320, 240, 5)
    photo = encode(base, "JPEG", quality=90)
    edited = encode(ImageEnhance.Brightness(base).enhance(1.1), "JPEG", quality=70)
    other = encode(synth(320, 240, 6), "PNG")
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    pages = [
        ("p/1", "Sweet and discreet companion, new photos this week", "img/a"),
        ("p/2", "Moving sale, everything must go before the weekend", "img/b"),
        ("p/3", "Garden furniture and tools, good condition, cheap", "img/c"),
    ]
    html = '<html><title>{t}</title><p>{t}</p><img src="/{i}"></html>'
    items = [
        (f"https://ads.example/{u}", html.format(t=t, i=i).encode(), "text/html")
        for u, t, i in pages
    ] + [
        ("https://ads.example/img/a", photo, "image/jpeg"),
        ("https://ads.example/img/b", edited, "image/jpeg"),
        ("https://ads.example/img/c", other, "image/png"),
    ]  # fmt: skip
    for uri, body, ctype in items:
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=headers
            )
        )
    (tmp_path / "crawl.warc.gz").write_bytes(buf.getvalue())
    add_user(store, "owner")
    create_case(store, "owner", "river", PURPOSE, BASIS)
    ingest_paths(store, "owner", "river", [tmp_path / "crawl.warc.gz"])
    analyze_case(store, "owner", "river")
    (net,) = list_networks(store, "owner", "river")
    assert net["records"] == 2
    assert [i["type"] for i in net["summary"]["identifiers"]] == ["image"]


def _signals(store: Store, indicator: str) -> dict[int, list[str]]:
    from threadline.store.models import SignalRow

    with store.read() as s:
        return {
            row.record_id: row.explanation["notes"]
            for row in s.scalars(select(SignalRow).where(SignalRow.indicator == indicator))
        }


def test_hash_list_matches_become_signals_on_the_ads_that_show_the_images(
    store: Store, loaded: dict, images: dict
) -> None:
    """A match is a scored, explained signal on each ad showing the image; list changes re-score."""
    from threadline.analyze import analyze_case
    from threadline.store.models import ScoreRow

    lists(store, images)
    analyze_case(store, "owner", "river")
    fired = _signals(store, "image_on_hash_list")
    edited = hamming(hash_bytes(images["photo"]).pdq_hex, hash_bytes(images["edited"]).pdq_hex)
    q = hash_bytes(images["photo"]).quality
    assert fired[loaded["page0"]] == [f"list 'partner': pdq distance 0, quality {q}"]
    assert fired[loaded["page3"]] == fired[loaded["page0"]]  # the same photo
    assert fired[loaded["page1"]][0].startswith(f"list 'partner': pdq distance {edited},")
    assert fired[loaded["page2"]] == ["list 'sealed': sha256 distance 0"]
    with store.read() as s:
        score = s.scalars(select(ScoreRow).where(ScoreRow.record_id == loaded["page0"])).one()
    assert "image_on_hash_list" in {c["indicator"] for c in score.contributions}

    # the entry is disabled: the next analyze re-matches and re-scores, the signal goes
    set_enabled(
        store, "curator", "partner", "pdq", hash_bytes(images["photo"]).pdq_hex, enabled=False
    )
    analyze_case(store, "owner", "river")
    assert set(_signals(store, "image_on_hash_list")) == {loaded["page2"]}
