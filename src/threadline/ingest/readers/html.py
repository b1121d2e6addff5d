"""Saved HTML pages: one page per file, one record per page.

`extract_page` is shared with the WARC reader. The text is what a reader of
the page sees: script, style, noscript, template, svg and iframe content is
dropped, block elements start new lines, whitespace is collapsed as a browser
does (except inside <pre>), and U+00A0 becomes a plain space. Text hidden by
CSS is kept: it is on the page as served.

Decoding: a byte order mark, else the charset the caller got from HTTP, else
a <meta charset> or http-equiv declaration in the first 4 KB, as the HTML
standard does it (a declared latin-1 or ASCII is read as windows-1252, a
declared UTF-16 in an ASCII page as UTF-8). Bytes invalid in the declared
charset reject the page. With nothing declared: UTF-8, and when that fails,
windows-1252 with a warning (what browsers fall back to).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from threadline.ingest.items import Item, Limits, ParsedRecord, Rejected
from threadline.ingest.readers.mapping import (
    MAX_IMAGE_REFS,
    FieldMapping,
    ReadStats,
    bounded_raw,
    clean_text,
    parse_datetime,
)

SNIFF_BYTES = 4096
_DROP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object"})
_PRE = frozenset({"pre", "textarea", "listing", "plaintext"})
_CELL = frozenset({"td", "th"})
_BLOCK_TAGS = (
    "address article aside blockquote body caption center dd details dialog dir div dl dt"
    " fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li"
    " main menu nav ol optgroup option p pre section summary table tbody tfoot thead tr ul"
    " textarea listing plaintext"
)
_BLOCK = frozenset(_BLOCK_TAGS.split())
_WS = re.compile(r"[ \t\n\r\f]+")
_URL_NOISE = re.compile(r"[\t\n\r]")
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]{1,40})", re.I)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
IMAGE_MAGIC = ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"))
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP image, WAV …)"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x00\x00\x00", "binary data (MP4, ICO …)"),
)
# C0 controls that have no business in a text page (TAB, LF, FF, CR and ESC excluded)
_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_WHATWG = {  # declared name → what browsers actually decode with
    "iso-8859-1": "windows-1252",
    "latin-1": "windows-1252",
    "latin1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
}
# Python codecs no browser has: they would turn bytes into text no one saw (or surrogates)
_NOT_CHARSETS = frozenset(
    {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "utf-7", "undefined"}
)
_PLACE_SELECTORS = (
    '[itemprop="addressLocality"]',
    '[itemprop="location"]',
    '[itemprop="city"]',
    ".location",
    ".city",
)
MAX_PLACE_CHARS = 500
# Parsing time grows with the square of how deep block elements nest (each start tag
# searches the open elements); browsers stop nesting at 512, so deeper is hostile.
MAX_BLOCK_DEPTH = 1024
_BLOCK_TAG = re.compile(
    r"<(/?)(?:div|ul|ol|dl|section|article|aside|nav|header|footer|main|blockquote|center"
    r"|details|dialog|dir|fieldset|figcaption|figure|hgroup|menu|address|summary|search)[\s/>]",
    re.I,
)
_OWN_FIELDS = 8  # encoding, lang and the WARC reader's fields beside the meta tags


@dataclass(frozen=True, slots=True)
class Page:
    """What was extracted from one HTML document."""

    text: str
    title: str | None = None
    canonical_url: str | None = None
    posted_at: datetime | None = None
    place: str | None = None
    image_refs: tuple[str, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)  # meta, lang, encoding
    warnings: tuple[str, ...] = ()


def read_html(
    path: Path, mapping: FieldMapping, limits: Limits, stats: ReadStats | None = None
) -> Iterator[Item]:
    """One ParsedRecord (or Rejected) for the whole file. `mapping` does not apply to pages."""
    limit = limits.max_record_bytes
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
        size = path.stat().st_size
    if size > limit or len(data) > limit:
        size = max(size, len(data))
        raw, note = bounded_raw(data, size, limits)
        yield Rejected(
            "page", 0, size, raw, f"page: {size:,} bytes exceeds the limit of {limit:,}{note}"
        )
        return
    page = extract_page(data, limits=limits)
    if isinstance(page, str):
        yield Rejected("page", 0, len(data), data, f"page: {page}")
        return
    yield ParsedRecord(
        locator="page",
        offset=0,
        length=len(data),
        raw=data,
        text=page.text,
        url=page.canonical_url,
        title=page.title,
        posted_at=page.posted_at,
        place=page.place,
        image_refs=page.image_refs,
        fields=page.fields,
        warnings=page.warnings,
    )


def extract_page(
    data: bytes, *, limits: Limits, base_url: str | None = None, http_charset: str | None = None
) -> Page | str:
    """The page's text and metadata, or why there is none (a reason without a locator).

    Relative image URLs are resolved against <base href>, else `base_url`,
    else the page's canonical URL.
    """
    decoded = decode_html(data, http_charset)
    if isinstance(decoded, str):
        return decoded
    html, encoding, warnings = decoded
    if _block_depth(html) > MAX_BLOCK_DEPTH:
        return f"block elements nested more than {MAX_BLOCK_DEPTH:,} deep (browsers stop at 512)"
    tree = LexborHTMLParser(html)
    meta = _meta(tree, limits)
    fields: dict[str, Any] = {"encoding": encoding, **meta}
    root = tree.root
    if root is not None and (lang := (root.attributes.get("lang") or "").strip()):
        fields["lang"] = lang[:64]
    title = _first_text(tree, "title") or meta.get("og:title")
    canonical = _attr(tree, 'link[rel~="canonical"]', "href") or meta.get("og:url")
    base = base_url or canonical
    if base_href := _attr(tree, "base[href]", "href"):
        resolved = _resolve(base, base_href) or ""
        base = resolved if "://" in resolved else base  # a relative <base> needs a base itself
    posted_at = _posted_at(tree, meta, warnings)
    place = None
    for selector in _PLACE_SELECTORS:
        if place := _first_text(tree, selector, MAX_PLACE_CHARS):
            break
    place = place or meta.get("geo.placename")
    images = _images(tree, base, warnings)
    body = tree.body
    text = _visible_text(body) if body is not None else ""
    if not text:
        if not title:
            return "no text could be extracted"
        warnings.append("page has no body text; the title is used as text")
        text = title
    return Page(
        text=clean_text(text, limits, warnings, "text"),
        title=clean_text(title, limits, warnings, "title") if title else None,
        canonical_url=canonical,
        posted_at=posted_at,
        place=place,
        image_refs=images,
        fields=fields,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def looks_like_html(head: bytes) -> bool:
    """Whether bytes start (after a BOM and white space) with a doctype or <html> tag."""
    start = head[:1024].removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\f").lower()
    return start.startswith((b"<!doctype html", b"<html"))


def image_type(data: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP image, by its first bytes."""
    for magic, media in IMAGE_MAGIC:
        if data.startswith(magic):
            return media
    return "image/webp" if data[:4] == b"RIFF" and data[8:12] == b"WEBP" else None


def sniff_binary(data: bytes) -> str | None:
    """'not an HTML document: …' for images and other binary files, else None."""
    head = data[:SNIFF_BYTES]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"not an HTML document: it starts like {what}"
    controls = len(head) - len(head.translate(None, _CONTROLS))
    if b"\x00" in head or controls * 100 > len(head):
        return (
            f"not an HTML document: {controls:,} control bytes in the first"
            f" {len(head):,} (binary data?)"
        )
    return None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str, list[str]] | str:
    """(text, encoding used, warnings), or why the bytes are not a readable page."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-8" and (binary := sniff_binary(data)):
                return binary
            return _decode(data[len(bom) :], encoding, "a byte order mark", [])
    if binary := sniff_binary(data):
        return binary
    if http_charset:
        return _decode(data, http_charset, "the HTTP Content-Type", [])
    if found := _META_CHARSET.search(data[:SNIFF_BYTES]):
        name = found.group(1).decode("ascii")
        if name.lower().startswith("utf-16"):  # a <meta> that can be read is not UTF-16
            name = "utf-8"
        return _decode(data, name, "a <meta> charset", [])
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        note = (
            f"no charset declared and not valid UTF-8 (byte offset {exc.start});"
            " decoded as windows-1252"
        )
        return _decode(data, "windows-1252", "the fallback", [note])


def _decode(
    data: bytes, name: str, source: str, warnings: list[str]
) -> tuple[str, str, list[str]] | str:
    name = name.strip().strip("\"'").lower()
    try:
        encoding = codecs.lookup(_WHATWG.get(name, name)).name
    except LookupError:
        return f"unknown charset {name[:40]!r} declared in {source}"
    if encoding in _NOT_CHARSETS:
        return f"unsupported charset {name[:40]!r} declared in {source}"
    try:
        return data.decode(encoding), encoding, warnings
    except LookupError:  # a codec that is not a text encoding (rot13, base64 …)
        return f"unknown charset {name[:40]!r} declared in {source}"
    except UnicodeDecodeError as exc:
        if encoding == "cp1252":  # bytes cp1252 leaves undefined are C1 controls in browsers
            return data.decode("latin-1").translate(_CP1252_TABLE), encoding, warnings
        return (
            f"not valid {encoding} at byte offset {exc.start} (0x{data[exc.start]:02x});"
            f" charset declared in {source}"
        )
    except UnicodeError as exc:
        return f"cannot decode as {encoding} ({exc}); charset declared in {source}"


# latin-1 code points → windows-1252 characters, for bytes 0x80–0x9F that cp1252 defines
_CP1252_TABLE = {
    b: bytes([b]).decode("cp1252")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _block_depth(html: str) -> int:
    """How deep block elements nest, counting tags (an upper bound: optional ends are open)."""
    depth = deepest = 0
    for tag in _BLOCK_TAG.finditer(html):
        depth = max(depth - 1, 0) if tag.group(1) else depth + 1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_BLOCK_DEPTH:
                break
    return deepest


def _visible_text(root: LexborNode) -> str:
    """Text as displayed: one line per block, whitespace collapsed, empty lines dropped."""
    out: list[str] = []
    stack: list[Any] = [(root, False)]  # (node, inside <pre>) or a str to emit
    while stack:
        item = stack.pop()
        if type(item) is str:
            out.append(item)
            continue
        node, pre = item
        if node.is_text_node:
            text = node.text_content or ""
            out.append(text if pre else _WS.sub(" ", text))
            continue
        if not node.is_element_node:
            continue  # comments
        tag = node.tag
        if tag in _DROP:
            continue
        if tag == "br":
            out.append("\n")
            continue
        if tag in _BLOCK:
            out.append("\n")
            stack.append("\n")
        elif tag in _CELL:
            stack.append(" ")
        inner = pre or tag in _PRE
        stack.extend((child, inner) for child in reversed(list(node.iter(include_text=True))))
    lines = "".join(out).replace("\xa0", " ").split("\n")
    return "\n".join(s for line in lines if (s := line.strip(" \t\r\f")))


def _first_text(tree: LexborHTMLParser, selector: str, cap: int = 0) -> str | None:
    node = tree.css_first(selector)
    if node is None:
        return None
    text = _WS.sub(" ", node.text(deep=True)).strip()
    return (text[:cap] if cap else text) or None


def _attr(tree: LexborHTMLParser, selector: str, name: str) -> str | None:
    node = tree.css_first(selector)
    value = node.attributes.get(name) if node is not None else None
    return value.strip() or None if value else None


def _meta(tree: LexborHTMLParser, limits: Limits) -> dict[str, str]:
    """description, keywords, author, geo.*, og:*, article:*, twitter:* → their content."""
    meta: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        name = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip()
        name = name.lower()[:100]
        wanted = name in ("description", "keywords", "author") or name.startswith(
            ("og:", "article:", "twitter:", "geo.")
        )
        if wanted and name not in meta and len(meta) < limits.max_fields - _OWN_FIELDS:
            meta[name] = (attrs.get("content") or "").strip()[: limits.max_text_chars]
    return meta


def _posted_at(
    tree: LexborHTMLParser, meta: dict[str, str], warnings: list[str]
) -> datetime | None:
    candidates = [("article:published_time", meta.get("article:published_time"))]
    node = tree.css_first('[itemprop="datePublished"]')
    if node is not None:
        attrs = node.attributes
        candidates.append(("datePublished", attrs.get("content") or attrs.get("datetime")))
    candidates.append(("<time datetime>", _attr(tree, "time[datetime]", "datetime")))
    for source, value in candidates:
        if value:
            when, problem = parse_datetime(value)
            if problem:
                warnings.append(f"{source}: {problem}")
            if when is not None:
                return when
    return None


def _images(tree: LexborHTMLParser, base: str | None, warnings: list[str]) -> tuple[str, ...]:
    refs: dict[str, None] = {}
    inline = 0
    for node in tree.css("img"):
        attrs = node.attributes
        first = (attrs.get("srcset") or "").split(",")[0].split()
        for value in (attrs.get("src"), attrs.get("data-src"), first[0] if first else None):
            ref = _URL_NOISE.sub("", (value or "").strip(" \t\n\r\f"))  # as browsers do
            if not ref:
                continue
            if ref[:5].lower() == "data:":
                inline += 1
                continue
            refs.setdefault(_resolve(base, ref) or ref, None)
    if inline:
        warnings.append(f"{inline:,} inline data: images not listed in image_refs (raw intact)")
    if len(refs) > MAX_IMAGE_REFS:
        warnings.append(f"{len(refs):,} images on the page, first {MAX_IMAGE_REFS:,} kept")
    return tuple(refs)[:MAX_IMAGE_REFS]


def _resolve(base: str | None, ref: str | None) -> str | None:
    if not ref or not base:
        return ref
    try:
        return urljoin(base, ref)
    except ValueError:  # e.g. a malformed IPv6 host
        return ref
