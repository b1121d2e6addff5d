"""Format readers: tables of input bytes → expected items, adversarial input, invariants.

Every read goes through `run`, which checks the contract on every item: byte
ranges inside the file, in order and disjoint, `raw == file[offset:offset+length]`
(or, for an oversize Rejected, the first max_record_bytes bytes and a reason
saying so), and a reason on every Rejected.
"""

from __future__ import annotations

import gzip
import io
import random
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from threadline.ingest.items import Artifact, Item, Limits, ParsedRecord, Rejected
from threadline.ingest.readers import READERS, detect_format, read
from threadline.ingest.readers.mapping import FieldMapping, ReadStats, parse_datetime

SMALL = Limits(max_record_bytes=200, max_text_chars=50, max_fields=3)
BOM = b"\xef\xbb\xbf"


def run(
    tmp_path: Path,
    fmt: str,
    data: bytes,
    *,
    name: str | None = None,
    limits: Limits = Limits(),
    mapping: FieldMapping = FieldMapping(),
    stats: ReadStats | None = None,
) -> list[Item]:
    path = tmp_path / (name or f"input.{fmt}")
    path.write_bytes(data)
    items = list(read(path, fmt, mapping, limits, stats=stats))
    check_contract(items, data, limits)
    return items


def check_contract(items: list[Item], data: bytes, limits: Limits) -> None:
    end = 0
    for item in items:
        assert end <= item.offset and item.offset + item.length <= len(data), item
        end = item.offset + item.length
        if isinstance(item, Artifact):
            continue
        whole = data[item.offset : item.offset + item.length]
        if item.raw != whole:
            assert isinstance(item, Rejected), item
            assert item.length > limits.max_record_bytes, item
            assert item.raw == whole[: limits.max_record_bytes]
            assert "raw holds only the first" in item.reason
        if isinstance(item, Rejected):
            assert item.reason and item.locator
        else:
            assert "\x00" not in item.text


def summary(items: list[Item]) -> list[tuple[Any, ...]]:
    """(R, offset, text) / (X, offset, reason) / (A, offset, uri) per item."""
    out: list[tuple[Any, ...]] = []
    for i in items:
        if isinstance(i, ParsedRecord):
            out.append(("R", i.offset, i.text))
        elif isinstance(i, Rejected):
            out.append(("X", i.offset, i.reason))
        else:
            out.append(("A", i.offset, i.uri))
    return out


def matches(items: list[Item], expected: list[tuple[Any, ...]]) -> None:
    """Rejected reasons are matched by substring, everything else exactly."""
    got = summary(items)
    assert len(got) == len(expected), got
    for g, e in zip(got, expected, strict=True):
        assert g[:2] == e[:2], (g, e)
        assert e[2] in g[2] if g[0] == "X" else g[2] == e[2], (g, e)


# -- JSON Lines ------------------------------------------------------------------------

JSONL_CASES = [
    (
        "basic",
        b'{"id":"a","text":"hi"}\n{"id":"b","text":"yo"}\n',
        [("R", 0, "hi"), ("R", 23, "yo")],
    ),
    (
        "crlf_blank_bom",
        BOM + b'{"text":"a"}\r\n\r\n  \t\r\n{"text":"b"}',
        [("R", 3, "a"), ("R", 24, "b")],
    ),
    (
        "invalid_json",
        b'{"text": "a" "b"}\n{"text":"ok"}',
        [("X", 0, "line 1: invalid JSON: unexpected character"), ("R", 18, "ok")],
    ),
    ("invalid_json_column", b'{"text": "a",, }', [("X", 0, "at column 14")]),
    (
        "array_line",
        b'["an", "array"]\n',
        [("X", 0, "line 1: JSON value is an array, not an object")],
    ),
    ("string_line", b'"text"\n', [("X", 0, "a string, not an object")]),
    (
        "not_utf8",
        b'{"text":"caf\xe9"}\n',
        [("X", 0, "line 1: not valid UTF-8 at byte offset 12 (0xe9)")],
    ),
    ("bad_surrogate", b'{"text":"\\ud800"}', [("X", 0, "invalid JSON")]),
    ("no_text", b'{"id": 1, "city": "X"}', [("X", 0, "no text field; looked for: text, body")]),
    ("title_only", b'{"title": "Call me"}', [("R", 0, "Call me")]),
    ("raw_tab_in_string", b'{"text":"a\tb"}', [("R", 0, "a\tb")]),
    ("nul_escape", b'{"text":"a\\u0000b"}', [("R", 0, "a\ufffdb")]),
    (
        "deep_nesting",
        b'{"text":"x","n":' + b"[" * 5000 + b"]" * 5000 + b"}",
        [("X", 0, "invalid JSON")],
    ),
    ("empty_file", b"", []),
]


@pytest.mark.parametrize(
    ("data", "expected"), [c[1:] for c in JSONL_CASES], ids=[c[0] for c in JSONL_CASES]
)
def test_jsonl(tmp_path: Path, data: bytes, expected: list[tuple[Any, ...]]) -> None:
    matches(run(tmp_path, "jsonl", data), expected)


def test_jsonl_skips_blank_lines_and_counts_them(tmp_path: Path) -> None:
    stats = ReadStats()
    items = run(tmp_path, "jsonl", b'\n\n{"text":"a"}\n \n', stats=stats)
    assert [i.locator for i in items] == ["line 3"]
    assert stats.skipped["blank line"] == 3


def test_jsonl_keeps_unknown_fields_with_their_types(tmp_path: Path) -> None:
    line = b'{"ad_id": 7, "body": "hi", "price": 80.5, "tags": ["a"], "meta": {"x": null}}'
    (rec,) = run(tmp_path, "jsonl", line, mapping=FieldMapping.parse(["id=ad_id", "text=body"]))
    assert isinstance(rec, ParsedRecord)
    assert (rec.external_id, rec.text) == ("7", "hi")
    assert rec.fields == {"price": 80.5, "tags": ["a"], "meta": {"x": None}}


def test_jsonl_line_limit_is_exact(tmp_path: Path) -> None:
    fits = b'{"text":"' + b"x" * 189 + b'"}'  # 200 bytes
    items = run(tmp_path, "jsonl", fits + b"\r\n" + fits[:-2] + b'x"}\n', limits=SMALL)
    assert [type(i) for i in items] == [ParsedRecord, Rejected]
    assert (items[0].length, items[1].length) == (200, 201)


def test_jsonl_oversized_line_is_rejected_with_its_length(tmp_path: Path) -> None:
    big = b'{"text":"' + b"x" * 500 + b'"}'
    items = run(tmp_path, "jsonl", b'{"text":"a"}\n' + big + b'\r\n{"text":"b"}\n', limits=SMALL)
    matches(
        items,
        [
            ("R", 0, "a"),
            ("X", 13, "line 2: record of 511 bytes exceeds the limit of 200"),
            ("R", 526, "b"),
        ],
    )
    assert items[1].length == 511 and len(items[1].raw) == 200


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_huge_line_is_read_in_bounded_memory(tmp_path: Path, fmt: str) -> None:
    size = 12 << 20
    head = b"id,text\n" if fmt == "csv" else b""
    body = b'1,"' + b"y" * size + b'"' if fmt == "csv" else b'{"text":"' + b"y" * size + b'"}'
    path = tmp_path / f"huge.{fmt}"
    path.write_bytes(head + body + b"\n" + (b"2,ok\n" if fmt == "csv" else b'{"text":"ok"}\n'))
    limits = Limits(max_record_bytes=64 << 10)
    tracemalloc.start()
    try:
        items = list(read(path, fmt, FieldMapping(), limits))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6 << 20, f"peak {peak:,} bytes for a {size:,}-byte line"
    assert [type(i) for i in items] == [Rejected, ParsedRecord]
    assert items[0].length == len(body) and "exceeds the limit of 65,536" in items[0].reason


# -- CSV -------------------------------------------------------------------------------

CSV_CASES = [
    (
        "quoted_newlines_and_escapes",
        b'ad_id,body,city\r\n77,"Line one\r\nline two, with ""quotes""",Dallas\r\n'
        b"78,Plain,Austin\r\n",
        [("R", 17, 'Line one\r\nline two, with "quotes"'), ("R", 66, "Plain")],
    ),
    ("bom_and_blank_lines", BOM + b"text\n\nhello\n\n\nbye", [("R", 9, "hello"), ("R", 17, "bye")]),
    ("semicolons", b"id;text;city\n1;a, b;X\n", [("R", 13, "a, b")]),
    ("pipes", b"id|text\n1|a;b,c\n", [("R", 8, "a;b,c")]),
    ("tabs", b"id\ttext\n1\ta, b; c\n", [("R", 8, "a, b; c")]),
    (
        "stray_quote_inside_a_field",
        b'text,h\n5\'6" tall,x\n"a""b"c,y\n',
        [("R", 7, "5'6\" tall"), ("R", 19, 'a"bc')],
    ),
    (
        "non_utf8_row",
        b"text\nok\ncaf\xe9\nok2\n",
        [
            ("R", 5, "ok"),
            ("X", 8, "row 3 (line 3): not valid UTF-8 at byte offset 3"),
            ("R", 13, "ok2"),
        ],
    ),
    (
        "non_utf8_header",
        b"te\xffxt\nok\n",
        [
            (
                "X",
                0,
                "header row 1 (line 1): not valid UTF-8 at byte offset 2 (0xff); whole file",
            )
        ],
    ),
    (
        "unclosed_quote_mid_file",
        b'id,text\n1,"never closed\n2,second\n3,third\n',
        [
            ("X", 8, "row 2 (line 2): a quoted field opened on this line is never closed"),
            ("R", 24, "second"),
            ("R", 33, "third"),
        ],
    ),
    (
        "unclosed_quote_at_end",
        b'text\nok\n"open',
        [("R", 5, "ok"), ("X", 8, "quoted field never closed before the end of the file")],
    ),
    ("bare_cr", b"text\na\rb\nc\n", [("X", 5, "bare carriage return"), ("R", 9, "c")]),
    ("header_unclosed", b'id,"text\n1,a\n', [("X", 0, "header row 1 (line 1): a quoted field")]),
    ("only_header", b"id,text\n", []),
    ("empty_file", b"", []),
]


@pytest.mark.parametrize(
    ("data", "expected"), [c[1:] for c in CSV_CASES], ids=[c[0] for c in CSV_CASES]
)
def test_csv(tmp_path: Path, data: bytes, expected: list[tuple[Any, ...]]) -> None:
    matches(run(tmp_path, "csv", data), expected)


def test_csv_row_length_mismatch_keeps_extra_cells(tmp_path: Path) -> None:
    data = b"id,text,city\n1,a,X,extra1,extra2\n2,b\n"
    more, fewer = run(tmp_path, "csv", data)
    assert isinstance(more, ParsedRecord) and isinstance(fewer, ParsedRecord)
    assert more.fields == {"_extra": ["extra1", "extra2"]} and more.place == "X"
    assert "row has 5 cells, the header 3 columns" in more.warnings
    assert fewer.place is None and "row has 2 cells, the header 3 columns" in fewer.warnings


def test_csv_tsv_by_name_and_duplicate_header_names(tmp_path: Path) -> None:
    (rec,) = run(tmp_path, "csv", b"text\tphone\tphone\t\nhi, there\t1\t2\t3\n", name="ads.tsv")
    assert isinstance(rec, ParsedRecord) and rec.text == "hi, there"
    assert rec.fields == {"phone": "1", "phone.2": "2", "_column_4": "3"}


def test_csv_oversized_multiline_row(tmp_path: Path) -> None:
    data = b'text\n"' + b"line\n" * 100 + b'"\nok\n'
    items = run(tmp_path, "csv", data, limits=SMALL)
    matches(
        items,
        [
            ("X", 5, "row 2 (line 2): record of 502 bytes exceeds the limit of 200"),
            ("R", 508, "ok"),
        ],
    )


# -- HTML ------------------------------------------------------------------------------

PAGE_1252 = """<!DOCTYPE html><html lang="es"><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title> Señorita   Ñ </title><link rel="canonical" href="https://ads.example/p/9">
<meta property="og:image" content="https://ads.example/og.jpg">
<meta name="description" content="Nueva">
<meta property="article:published_time" content="2024-05-01T12:00:00+02:00">
<script>document.write("SCRIPT_PAYLOAD")</script><style>.x{content:"STYLE_PAYLOAD"}</style>
</head><body onload="alert('ATTR_PAYLOAD')"><span class="city"> Madrid </span>
<h1>Nueva en la   ciudad</h1><p>Llámame al 555&nbsp;0100<br>24 horas €</p>
<ul><li>uno</li><li>dos</li></ul><table><tr><td>a</td><td>b</td></tr></table>
<img src="/img/1.jpg" srcset="/img/1-2x.jpg 2x, /img/1-3x.jpg 3x">
<img src="data:image/png;base64,AAAA">
<noscript>NOSCRIPT_PAYLOAD</noscript><template>TEMPLATE_PAYLOAD</template>
<svg><text>SVG_PAYLOAD</text></svg><iframe>IFRAME_PAYLOAD</iframe><!-- COMMENT_PAYLOAD -->
</body></html>""".encode("cp1252")


def test_html_page_in_windows_1252_with_scripts(tmp_path: Path) -> None:
    (rec,) = run(tmp_path, "html", PAGE_1252)
    assert isinstance(rec, ParsedRecord)
    assert (rec.offset, rec.length, rec.locator, rec.kind) == (0, len(PAGE_1252), "page", None)
    assert rec.text == "Madrid\nNueva en la ciudad\nLlámame al 555 0100\n24 horas €\nuno\ndos\na b"
    assert "PAYLOAD" not in rec.text
    assert rec.title == "Señorita Ñ" and rec.url == "https://ads.example/p/9"
    assert rec.posted_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert rec.place == "Madrid"
    assert rec.image_refs == ("https://ads.example/img/1.jpg", "https://ads.example/img/1-2x.jpg")
    assert rec.fields == {
        "encoding": "cp1252",
        "og:image": "https://ads.example/og.jpg",
        "description": "Nueva",
        "article:published_time": "2024-05-01T12:00:00+02:00",
        "lang": "es",
    }
    assert rec.warnings == ("1 inline data: images not listed in image_refs (raw intact)",)


HTML_CASES = [
    ("utf8_no_decl", "<p>café</p>".encode(), [("R", 0, "café")]),
    ("utf16_bom", b"\xff\xfe" + "<p>ä ü</p>".encode("utf-16-le"), [("R", 0, "ä ü")]),
    ("undeclared_1252", b"<p>caf\xe9</p>", [("R", 0, "café")]),
    (
        "png_renamed",
        b"\x89PNG\r\n\x1a\n" + bytes(range(100)),
        [("X", 0, "page: not an HTML document: it starts like a PNG image")],
    ),
    ("binary_noise", bytes(range(1, 32)) * 5, [("X", 0, "page: not an HTML document: ")]),
    ("nul_bytes", b"<html><p>a\x00b</p>", [("X", 0, "not an HTML document")]),
    (
        "unknown_charset",
        b'<meta charset="x-klingon"><p>hi</p>',
        [("X", 0, "page: unknown charset 'x-klingon'")],
    ),
    ("utf7_refused", b'<meta charset="UTF-7"><p>hi</p>', [("X", 0, "unsupported charset 'utf-7'")]),
    ("meta_utf16_is_utf8", b'<meta charset="utf-16"><p>\xc3\xa4</p>', [("R", 0, "\xe4")]),
    ("non_text_codec", b'<meta charset="rot13"><p>hi</p>', [("X", 0, "unknown charset 'rot13'")]),
    (
        "invalid_in_declared",
        b'<meta charset="utf-8"><p>caf\xe9</p>',
        [("X", 0, "page: not valid utf-8 at byte offset 28")],
    ),
    (
        "no_text",
        b"<html><body><script>x()</script>  </body></html>",
        [("X", 0, "page: no text could be extracted")],
    ),
    ("title_only", b"<title>Anna 555 0100</title>", [("R", 0, "Anna 555 0100")]),
    ("deep_nesting", b"<ul>" * 30 + b"<div>" * 1000 + b"x", [("X", 0, "nested more than 1,024")]),
    (
        "oversize",
        b"<p>" + b"x" * 300 + b"</p>",
        [("X", 0, "page: 307 bytes exceeds the limit of 200")],
    ),
]


@pytest.mark.parametrize(
    ("data", "expected"), [c[1:] for c in HTML_CASES], ids=[c[0] for c in HTML_CASES]
)
def test_html(tmp_path: Path, data: bytes, expected: list[tuple[Any, ...]]) -> None:
    limits = Limits(max_record_bytes=200 if b"x" * 300 in data else 100_000)
    matches(run(tmp_path, "html", data, limits=limits), expected)


def test_html_dates_places_and_relative_images_without_base(tmp_path: Path) -> None:
    page = (
        b'<html><head><meta property="og:url" content="https://x.example/a/b">'
        b'<meta property="og:title" content="OG title"><base href="/static/"></head><body>'
        b'<p itemprop="location">Lyon</p><time datetime="2024-02-03 04:05">Feb</time>'
        b'<img data-src="p.jpg"><img src="//cdn.example/q.jpg"></body></html>'
    )
    (rec,) = run(tmp_path, "html", page)
    assert isinstance(rec, ParsedRecord)
    assert (rec.title, rec.url, rec.place) == ("OG title", "https://x.example/a/b", "Lyon")
    assert rec.posted_at == datetime(2024, 2, 3, 4, 5, tzinfo=UTC)
    assert any("no time zone" in w for w in rec.warnings)
    assert rec.image_refs == ("https://x.example/static/p.jpg", "https://cdn.example/q.jpg")


# -- WARC ------------------------------------------------------------------------------

PAGE = (
    b'<html><head><title>Rosa</title><link rel="canonical" href="https://ads.example/c/1">'
    b'</head><body><p>New in town</p><img src="/img/1.png"></body></html>'
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def http(ctype: str | None, status: str = "200 OK", **extra: str) -> StatusAndHeaders:
    headers = [("Content-Type", ctype)] if ctype else []
    headers += [(k.replace("_", "-"), v) for k, v in extra.items()]
    return StatusAndHeaders(status, headers, protocol="HTTP/1.1")


def make_warc(
    gz: bool, records: list[tuple[str, str, bytes, StatusAndHeaders | None]] | None = None
) -> bytes:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    w.write_record(w.create_warcinfo_record("t.warc", {"software": "threadline tests"}))
    request = StatusAndHeaders("GET /p/1 HTTP/1.1", [("Host", "ads.example")], is_http_request=True)
    chunked = gzip.compress(PAGE.replace(b"Rosa", b"Mia"))
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunked), chunked)
    for uri, kind, body, headers in records or [
        ("https://ads.example/p/1", "request", b"", request),
        ("https://ads.example/p/1", "response", PAGE, http("text/html; charset=utf-8")),
        ("https://ads.example/img/1.png", "response", PNG, http("image/png")),
        (
            "https://ads.example/p/2",
            "response",
            chunked,
            http("text/html", Transfer_Encoding="chunked", Content_Encoding="gzip"),
        ),
        ("https://ads.example/app.js", "response", b"var SCRIPT=1", http("application/javascript")),
        (
            "https://ads.example/gone",
            "response",
            b"<html>Not found</html>",
            http("text/html", "404 Not Found"),
        ),
        ("https://ads.example/p/3", "response", PAGE.replace(b"Rosa", b"Lina"), http(None)),
        ("file:///saved/p4.html", "resource", PAGE.replace(b"Rosa", b"Kim"), None),
    ]:
        kw: dict[str, Any] = (
            {"http_headers": headers} if headers is not None else {"warc_content_type": "text/html"}
        )
        w.write_record(w.create_warc_record(uri, kind, payload=io.BytesIO(body), **kw))
    return buf.getvalue()


def starts(data: bytes, marker: bytes) -> list[int]:
    return [i for i in range(len(data)) if data.startswith(marker, i)]


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_warc_pages_images_and_skipped_records(tmp_path: Path, gz: bool) -> None:
    stats = ReadStats()
    data = make_warc(gz)
    items = run(tmp_path, "warc", data, name="crawl.warc.gz" if gz else "crawl.warc", stats=stats)
    kinds = [(type(i).__name__, getattr(i, "url", None) or getattr(i, "uri", None)) for i in items]
    assert kinds == [
        ("ParsedRecord", "https://ads.example/p/1"),
        ("Artifact", "https://ads.example/img/1.png"),
        ("ParsedRecord", "https://ads.example/p/2"),
        ("ParsedRecord", "https://ads.example/p/3"),
        ("ParsedRecord", "file:///saved/p4.html"),
    ]
    p1, png, p2, p3, p4 = items
    assert isinstance(p1, ParsedRecord) and isinstance(png, Artifact)
    assert (p1.text, p1.title, p1.image_refs) == (
        "New in town",
        "Rosa",
        ("https://ads.example/img/1.png",),
    )
    assert (
        p1.fields["canonical_url"] == "https://ads.example/c/1"
        and p1.fields["http_status"] == "200"
    )
    assert datetime.fromisoformat(p1.fields["captured_at"]).tzinfo is not None
    assert p1.posted_at is None and p1.warnings == ()
    assert (png.content_type, png.data) == ("image/png", PNG)
    assert png.captured_at is not None and png.captured_at.tzinfo is not None
    assert [p.title for p in (p2, p3, p4)] == [
        "Mia",
        "Lina",
        "Kim",
    ]  # chunked+gzip decoded; sniffed
    member = data[p1.offset : p1.offset + p1.length]
    assert (gzip.decompress(member) if gz else member).startswith(b"WARC/1.")
    assert dict(stats.skipped) == {
        "warc warcinfo record": 1,
        "warc request record": 1,
        "warc response (not HTML or an image)": 1,
        "warc response with HTTP status 4xx": 1,
    }


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_truncated_warc_keeps_what_was_read(tmp_path: Path, gz: bool) -> None:
    data = make_warc(gz)[:-40]
    items = run(tmp_path, "warc", data)
    assert [type(i) for i in items] == [
        ParsedRecord,
        Artifact,
        ParsedRecord,
        ParsedRecord,
        Rejected,
    ]
    last = items[-1]
    assert last.offset + last.length == len(data)
    assert isinstance(last, Rejected) and last.reason.startswith("warc: ")
    assert "cut short" in last.reason or "truncated" in last.reason


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_garbage_in_the_middle_is_rejected_and_reading_resumes(tmp_path: Path, gz: bool) -> None:
    clean = make_warc(gz)
    at = starts(clean, b"\x1f\x8b\x08" if gz else b"WARC/1.")[4]  # before the chunked page
    garbage = b"GARBAGE \x00\xff LINE\n" * 3
    items = run(tmp_path, "warc", clean[:at] + garbage + clean[at:])
    assert [type(i) for i in items] == [
        ParsedRecord,
        Artifact,
        Rejected,
        ParsedRecord,
        ParsedRecord,
        ParsedRecord,
    ]
    bad = items[2]
    assert isinstance(bad, Rejected) and (bad.offset, bad.length) == (at, len(garbage))
    assert "Invalid WARC record" in bad.reason


def test_corrupt_gzip_member_costs_only_itself(tmp_path: Path) -> None:
    clean = make_warc(True)
    members = starts(clean, b"\x1f\x8b\x08")
    data = bytearray(clean)
    for k in range(20, 60, 7):
        data[members[4] + k] ^= 0xA5
    items = run(tmp_path, "warc", bytes(data))
    assert [type(i) for i in items] == [
        ParsedRecord,
        Artifact,
        Rejected,
        ParsedRecord,
        ParsedRecord,
    ]
    assert (items[2].offset, items[2].length) == (members[4], members[5] - members[4])


def test_whole_file_gzip_warc_is_rejected_with_the_reason(tmp_path: Path) -> None:
    data = gzip.compress(make_warc(False))
    (item,) = run(tmp_path, "warc", data)
    assert isinstance(item, Rejected) and (item.offset, item.length) == (0, len(data))
    assert "not compressed per record" in item.reason


def test_warc_digest_mismatch_warns_on_pages_and_rejects_images(tmp_path: Path) -> None:
    data = make_warc(False)
    data = data.replace(b"New in town", b"New in t0wn", 1).replace(PNG, PNG[:-1] + b"\x01")
    page, image = run(tmp_path, "warc", data)[:2]
    assert isinstance(page, ParsedRecord) and page.text == "New in t0wn"
    assert any("digest failed" in w for w in page.warnings)
    assert isinstance(image, Rejected) and "digest failed" in image.reason


def test_warc_oversized_image_is_rejected(tmp_path: Path) -> None:
    big = b"\x89PNG\r\n\x1a\n" + bytes(5000)
    data = make_warc(True, [("https://x.example/big.png", "response", big, http("image/png"))])
    (item,) = run(tmp_path, "warc", data, limits=Limits(max_record_bytes=1000))
    assert isinstance(item, Rejected) and "exceeds the limit of 1,000" in item.reason


def test_warc_payload_encoding_problems_cost_only_their_record(tmp_path: Path) -> None:
    body = b"<html><body><p>" + random.Random(5).randbytes(60_000).hex().encode() + b"</p>"
    broken = bytearray(gzip.compress(body))
    for k in range(30_000, 30_050):
        broken[k] ^= 0x5A
    records = [
        (
            "https://x.example/br",
            "response",
            b"\x1b\x00\x00",
            http("text/html", Content_Encoding="br"),
        ),
        (
            "https://x.example/bad",
            "response",
            bytes(broken),
            http("text/html", Content_Encoding="gzip"),
        ),
        ("https://x.example/ok", "response", PAGE, http("text/html")),
    ]
    items = run(tmp_path, "warc", make_warc(True, records))
    assert [type(i) for i in items] == [Rejected, Rejected, ParsedRecord]
    assert "Content-Encoding 'br' is not supported" in items[0].reason
    assert "corrupt Content-Encoding data" in items[1].reason


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_a_huge_warc_record_is_read_in_bounded_memory(tmp_path: Path, gz: bool) -> None:
    huge = b"\x89PNG\r\n\x1a\n" + bytes(12 << 20)
    records = [
        ("https://x.example/huge.png", "response", huge, http("image/png")),
        ("https://x.example/ok", "response", PAGE, http("text/html")),
    ]
    path = tmp_path / "huge.warc"
    path.write_bytes(make_warc(gz, records))
    tracemalloc.start()
    try:
        items = list(read(path, "warc", FieldMapping(), Limits(max_record_bytes=64 << 10)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6 << 20, f"peak {peak:,} bytes"
    assert [type(i) for i in items] == [Rejected, ParsedRecord]
    assert "exceeds the limit of 65,536" in items[0].reason and len(items[0].raw) <= 64 << 10


# -- the same promises for every reader -----------------------------------------------

SAMPLES = {
    "jsonl": b'{"id":1,"text":"a"}\n{"text":"caf\xc3\xa9","posted_at":"2024-01-01"}\r\n[1]\n',
    "csv": b'id,text,city\n1,"multi\nline",X\n2,plain,Y\n',
    "html": PAGE_1252,
    "warc": make_warc(True),
}


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_raw_is_the_exact_byte_slice_for_every_reader(tmp_path: Path, fmt: str) -> None:
    data = SAMPLES[fmt]
    items = run(tmp_path, fmt, data)
    assert any(isinstance(i, ParsedRecord) for i in items)
    for item in items:
        if not isinstance(item, Artifact):
            assert item.raw == data[item.offset : item.offset + item.length]


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_mutated_input_never_raises_and_keeps_the_contract(tmp_path: Path, fmt: str) -> None:
    rnd = random.Random(fmt)
    sample = SAMPLES[fmt]
    for _ in range(40):
        data = bytearray(sample)
        for _ in range(rnd.randint(1, 6)):
            action = rnd.random()
            pos = rnd.randrange(len(data) + 1)
            if action < 0.4:
                data[pos : pos + 1] = bytes([rnd.randrange(256)])
            elif action < 0.7:
                data[pos:pos] = rnd.choice(
                    [b'"', b"\n", b"\r", b"\x00", b"\xff", b"{", b"<", b"WARC/1.0\r\n"]
                )
            else:
                del data[pos : pos + rnd.randint(1, 50)]
        for limits in (Limits(), SMALL):
            items = run(tmp_path, fmt, bytes(data), limits=limits)
            if fmt == "jsonl":  # nothing lost: only line breaks and blank lines are left out
                left, at = bytearray(), 3 if data.startswith(BOM) else 0
                for item in items:
                    left += data[at : item.offset]
                    at = item.offset + item.length
                assert not (left + data[at:]).strip(), left + data[at:]
        run(tmp_path, fmt, bytes(data[: rnd.randrange(len(data) + 1)]))


# -- format detection, mapping, dates -------------------------------------------------

DETECT_CASES = [
    ("a.jsonl", b"", "jsonl"),
    ("a.NDJSON", b"", "jsonl"),
    ("a.json-lines", b"", "jsonl"),
    ("a.csv", b"", "csv"),
    ("a.tsv", b"", "csv"),
    ("a.HTM", b"", "html"),
    ("a.html", b"", "html"),
    ("a.warc", b"", "warc"),
    ("a.warc.gz", b"", "warc"),
    ("blob", BOM + b'  {"id": 1}', "jsonl"),
    ("blob", b"WARC/1.1\r\nWARC-Type: warcinfo\r\n", "warc"),
    ("blob", gzip.compress(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n"), "warc"),
    ("blob", gzip.compress(b"id,text\n1,a\n"), None),
    ("blob", b"\n<!DOCTYPE HTML><html>", "html"),
    ("blob", b"<html><body>", "html"),
    ("blob", b"id,text\n1,a\n", None),
    ("a.arc", b"", None),
    ("blob", b"", None),
]


@pytest.mark.parametrize(("name", "head", "fmt"), DETECT_CASES)
def test_detect_format(name: str, head: bytes, fmt: str | None) -> None:
    assert detect_format(Path(name), head) == fmt


def test_read_refuses_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        read(tmp_path / "x", "xml", FieldMapping(), Limits())


def test_field_mapping_parse() -> None:
    m = FieldMapping.parse(["text=body", "id = ad_id, post_id", "place="])
    assert (m.text, m.external_id, m.place, m.title) == (
        ("body",),
        ("ad_id", "post_id"),
        (),
        FieldMapping().title,
    )
    assert m == FieldMapping.parse(["text=body", "id=ad_id,post_id", "place="])
    with pytest.raises(ValueError, match="unknown record attribute 'phone'"):
        FieldMapping.parse(["phone=tel"])
    with pytest.raises(ValueError, match="not ATTRIBUTE=FIELD"):
        FieldMapping.parse(["text"])
    with pytest.raises(ValueError, match="mapped twice"):
        FieldMapping.parse(["text=a", "text=b"])


MAPPING_CASES: list[tuple[str, dict[str, Any], dict[str, Any], str | None]] = [
    (
        "case_insensitive",
        {"ID": "a1", "Text": "t", "City": "Oslo"},
        {"external_id": "a1", "place": "Oslo"},
        None,
    ),
    ("numbers_become_text", {"id": 12, "text": 3.5}, {"external_id": "12", "text": "3.5"}, None),
    (
        "object_text_kept",
        {"text": {"en": "x"}, "body": "y"},
        {"text": "y", "fields": {"text": {"en": "x"}}},
        "'text' is an object",
    ),
    ("empty_falls_through", {"text": "", "description": "d"}, {"text": "d", "fields": {}}, None),
    ("kind_known", {"text": "t", "type": "Job Ad"}, {"kind": "job_ad", "fields": {}}, None),
    (
        "kind_unknown_kept",
        {"text": "t", "category": "escort"},
        {"kind": None, "fields": {"category": "escort"}},
        None,
    ),
    (
        "images_string",
        {"text": "t", "photos": " a.jpg, b.jpg ,a.jpg"},
        {"image_refs": ("a.jpg", "b.jpg")},
        None,
    ),
    ("images_json_string", {"text": "t", "images": '["a.jpg"]'}, {"image_refs": ("a.jpg",)}, None),
    (
        "images_bad",
        {"text": "t", "images": [{"u": 1}]},
        {"image_refs": (), "fields": {"images": [{"u": 1}]}},
        "not a list of URLs",
    ),
    (
        "bad_date_kept",
        {"text": "t", "date": "yesterday"},
        {"posted_at": None, "fields": {"date": "yesterday"}},
        "kept in fields",
    ),
    ("truncated", {"text": "x" * 60}, {"text": "x" * 50}, "text truncated from 60 to 50"),
    (
        "max_fields",
        {"text": "t", "a": 1, "b": 2, "c": 3, "d": 4},
        {"fields": {"a": 1, "b": 2, "c": 3}},
        "1 fields beyond the limit",
    ),
    (
        "nul_everywhere",
        {"text": "a\x00", "x\x00": ["\x00"]},
        {"text": "a\ufffd", "fields": {"x\ufffd": ["\ufffd"]}},
        "NUL",
    ),
]


@pytest.mark.parametrize(
    ("obj", "expected", "warning"),
    [c[1:] for c in MAPPING_CASES],
    ids=[c[0] for c in MAPPING_CASES],
)
def test_field_mapping_make_item(
    obj: dict[str, Any], expected: dict[str, Any], warning: str | None
) -> None:
    raw = rb'"\u0000"' if "\\x00" in repr(obj) else b"{}"  # a NUL reaches JSON only escaped
    rec = FieldMapping().make_item(obj, locator="line 1", offset=0, raw=raw, limits=SMALL)
    assert isinstance(rec, ParsedRecord)
    for attr, value in expected.items():
        assert getattr(rec, attr) == value, attr
    assert any(warning in w for w in rec.warnings) if warning else not rec.warnings


DATE_CASES: list[tuple[Any, datetime | None, str | None]] = [
    ("2024-03-01T10:00:00Z", datetime(2024, 3, 1, 10, tzinfo=UTC), None),
    ("2024-03-01T12:00:00+02:00", datetime(2024, 3, 1, 10, tzinfo=UTC), None),
    ("2024-03-01 10:00", datetime(2024, 3, 1, 10, tzinfo=UTC), "assumed UTC"),
    ("20240301", datetime(2024, 3, 1, tzinfo=UTC), "assumed UTC"),
    (20240301, datetime(2024, 3, 1, tzinfo=UTC), "assumed UTC"),
    ("Fri, 01 Mar 2024 10:00:00 GMT", datetime(2024, 3, 1, 10, tzinfo=UTC), None),
    (1709287200, datetime(2024, 3, 1, 10, tzinfo=UTC), None),
    ("1709287200000", datetime(2024, 3, 1, 10, tzinfo=UTC), None),
    (1709287200.5, datetime(2024, 3, 1, 10, 0, 0, 500000, tzinfo=UTC), None),
    ("2024", None, "not ISO 8601"),
    ("yesterday", None, "not ISO 8601"),
    (10**30, None, "out of range"),
    (True, None, "a boolean"),
    ("", None, None),
]


@pytest.mark.parametrize(("value", "when", "problem"), DATE_CASES)
def test_parse_datetime(value: Any, when: datetime | None, problem: str | None) -> None:
    got, why = parse_datetime(value)
    assert got == when
    assert (why is None) if problem is None else (why is not None and problem in why)
