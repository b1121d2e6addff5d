"""Ads as saved web pages and as a WARC crawl, for the HTML and WARC readers.

Every byte is a function of the ad: record ids are UUIDv5 of the target URI,
WARC-Date is the ad's posted_at, PNG bytes derive from the image name, and
gzip members carry no timestamp, so the same ads give byte-identical files.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
import zlib
from collections.abc import Iterable
from datetime import datetime
from email.utils import format_datetime
from html import escape
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

IMAGE_EVERY = 4  # ads whose number is a multiple of this get their images archived too
_NS = uuid.UUID("6f1c3c1e-8d1a-4a53-9c39-5e2f4b1d7a10")
_INFO_DATE = "2026-01-01T00:00:00Z"


def page_html(ad: dict[str, Any]) -> str:
    """The page a crawler would have saved for one ad (text kept verbatim in .ad-body)."""
    title = escape(ad["title"])
    url = escape(ad["url"])
    ts = escape(ad["posted_at"])
    imgs = "".join(f'<img src="{escape(u)}" alt="">' for u in ad.get("images", ()))
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(ad["lang"])}"><head><meta charset="utf-8">'
        f"<title>{title}</title>\n"
        f'<link rel="canonical" href="{url}">\n'
        f'<meta property="article:published_time" content="{ts}">\n'
        f'</head><body><article class="ad">\n<h1>{title}</h1>\n'
        f'<p class="meta"><span class="location">{escape(ad["city"])}</span>, '
        f'<span class="region">{escape(ad.get("region", ""))}</span> · '
        f'<time datetime="{ts}">{ts}</time></p>\n'
        # <pre>: readers keep its white space, so every raw of the truth survives extraction
        f'<div class="ad-body"><pre>{escape(ad["text"])}</pre></div>\n'
        f'<div class="gallery">{imgs}</div>\n</article></body></html>\n'
    )


_PNG_CACHE: dict[str, bytes] = {}


def png_bytes(name: str) -> bytes:
    """A tiny valid 8x8 RGB PNG whose pixels derive from `name` (same name, same bytes)."""
    png = _PNG_CACHE.get(name)
    if png is not None:
        return png
    digest = hashlib.sha256(name.encode()).digest()
    twice = digest + digest
    rows = b"".join(b"\x00" + twice[y * 3 : y * 3 + 24] for y in range(8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )
    if len(_PNG_CACHE) >= 4096:  # operations reuse their photos; keep the cache bounded
        _PNG_CACHE.clear()
    _PNG_CACHE[name] = png
    return png


def _http_date(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")), usegmt=True)


def _ad_number(ad_id: str) -> int:
    digits = "".join(ch for ch in ad_id if ch.isdigit())
    return int(digits) if digits else 0


class WarcRecords:
    """Builds WARC records with warcio, each as its own gzip member (bytes, no file).

    Compressed exactly as warcio's gzip writer does (one level-9 member per
    record), but into bytes, so that worker processes can make the records of
    their blocks and the writer concatenate them: any sequence of members is a
    valid .warc.gz.
    """

    def __init__(self) -> None:
        self._buf = BytesIO()
        self._w = WARCWriter(self._buf, gzip=False, warc_version="1.1")
        self.pages = 0
        self.images = 0

    def _member(self, record: Any) -> bytes:
        buf = self._buf
        buf.seek(0)
        buf.truncate()
        self._w.write_record(record)
        z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip, mtime 0
        return z.compress(buf.getvalue()) + z.flush()

    def warcinfo(self, filename: str) -> bytes:
        info = (
            b"software: threadline-synth\r\nformat: WARC File Format 1.1\r\n"
            b"description: synthetic ads with planted ground truth; no real person's data\r\n"
        )
        headers = StatusAndHeaders(
            "",
            [
                ("WARC-Type", "warcinfo"),
                ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid5(_NS, 'warcinfo:' + filename)}>"),
                ("WARC-Filename", filename),
                ("WARC-Date", _INFO_DATE),
            ],
            protocol="WARC/1.1",
        )
        return self._member(
            self._w.create_warc_record(
                "",
                "warcinfo",
                payload=BytesIO(info),
                length=len(info),
                warc_headers=headers,
                warc_content_type="application/warc-fields",
            )
        )

    def _response(
        self, ad_id: str, uri: str, date: str, http_date: str, ctype: str, body: bytes
    ) -> bytes:
        http = StatusAndHeaders(
            "200 OK",
            [
                ("Content-Type", ctype),
                ("Content-Length", str(len(body))),
                ("Date", http_date),
            ],
            protocol="HTTP/1.1",
        )
        return self._member(
            self._w.create_warc_record(
                uri,
                "response",
                payload=BytesIO(body),
                length=len(body),
                http_headers=http,
                warc_headers_dict={
                    # an image shown by several ads is archived once per ad: ids must stay unique
                    "WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(_NS, ad_id + ' ' + uri)}>",
                    "WARC-Date": date,
                },
            )
        )

    def ad(self, ad: dict[str, Any]) -> bytes:
        """The page of one ad, and for every IMAGE_EVERY-th ad its images too."""
        date = ad["posted_at"]
        hdate = _http_date(date)
        out = [
            self._response(
                ad["id"],
                ad["url"],
                date,
                hdate,
                "text/html; charset=utf-8",
                page_html(ad).encode("utf-8"),
            )
        ]
        self.pages += 1
        if _ad_number(ad["id"]) % IMAGE_EVERY == 0:
            for u in ad.get("images", ()):
                out.append(
                    self._response(
                        ad["id"], u, date, hdate, "image/png", png_bytes(u.rsplit("/", 1)[-1])
                    )
                )
                self.images += 1
        return b"".join(out)


class WarcSink:
    """Streams ads into a gzipped WARC file: warcinfo first, then the ads' records."""

    def __init__(self, path: Path) -> None:
        self._f: BinaryIO = open(path, "wb", buffering=1 << 20)  # noqa: SIM115 (see close())
        self.records = WarcRecords()
        self._f.write(self.records.warcinfo(path.name))

    @property
    def file(self) -> BinaryIO:
        """The open .warc.gz file (to append records made elsewhere as a whole file)."""
        return self._f

    @property
    def pages(self) -> int:
        return self.records.pages

    @property
    def images(self) -> int:
        return self.records.images

    def add(self, ad: dict[str, Any]) -> None:
        self._f.write(self.records.ad(ad))

    def write(self, members: bytes) -> None:
        """Records made elsewhere (in a worker process) by `WarcRecords.ad`."""
        self._f.write(members)

    def count(self, pages: int, images: int) -> None:
        self.records.pages += pages
        self.records.images += images

    def close(self) -> None:
        self._f.close()


def write_warc(ads: Iterable[dict[str, Any]], path: Path) -> int:
    """Write ads to `path` (gzipped WARC). Returns the number of page (ad) records."""
    sink = WarcSink(Path(path))
    try:
        for ad in ads:
            sink.add(ad)
    finally:
        sink.close()
    return sink.pages


class HtmlSink:
    def __init__(self, out_dir: Path) -> None:
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.pages = 0

    def add(self, ad: dict[str, Any]) -> None:
        name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in ad["id"])
        (self.dir / f"{name}.html").write_bytes(page_html(ad).encode("utf-8"))
        self.pages += 1


def write_html_dir(ads: Iterable[dict[str, Any]], out_dir: Path) -> int:
    """One saved page per ad, `<out_dir>/<id>.html`. Returns the number of pages."""
    sink = HtmlSink(out_dir)
    for ad in ads:
        sink.add(ad)
    return sink.pages
