"""Throughput of the format readers on synthetic ads (run by hand, not a test).

    .venv/bin/python benchmarks/bench_readers.py [--lines 200000] [--pages 5000]

Prints lines/s for JSONL and CSV (~600-byte ads) and records/s for a
.warc.gz of HTML pages with an image per page, each the best of three runs,
measured as CPU time of this process.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from threadline.ingest.items import Limits, ParsedRecord
from threadline.ingest.readers import read
from threadline.ingest.readers.mapping import FieldMapping

VOCABULARY = (
    "sweet new in town call text me now incall outcall young fresh girl 24/7 available"
    " special discreet friendly upscale massage relax visiting only few days hotel"
)
WORDS = VOCABULARY.split()
CITIES = ("Houston", "Dallas", "Austin", "El Paso", "San Antonio")


def ad(rnd: random.Random, i: int) -> dict[str, object]:
    text = " ".join(rnd.choice(WORDS) for _ in range(90))[:460]
    return {
        "id": f"ad-{i}",
        "title": f"New girl {rnd.choice(CITIES)}",
        "text": f"{text} call 555-01{i % 100:02d}",
        "posted_at": f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
        "city": rnd.choice(CITIES),
        "phone": f"555-01{i % 100:02d}",
        "images": [f"https://img.example/{i}.jpg"],
    }


def write_jsonl(path: Path, n: int) -> None:
    rnd = random.Random(1)
    with path.open("wb") as fh:
        for i in range(n):
            fh.write(orjson.dumps(ad(rnd, i)) + b"\n")


def write_csv(path: Path, n: int) -> None:
    rnd = random.Random(2)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "title", "text", "posted_at", "city", "phone", "images"])
        for i in range(n):
            row = ad(rnd, i)
            row["images"] = ",".join(row["images"])  # type: ignore[arg-type]
            if i % 10 == 0:  # some quoted fields with line breaks and quotes
                row["text"] = f'{row["text"]}\r\n"incall" only'
            writer.writerow(row.values())


def write_warc(path: Path, pages: int) -> None:
    rnd = random.Random(3)
    png = b"\x89PNG\r\n\x1a\n" + rnd.randbytes(4000)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(pages):
            a = ad(rnd, i)
            body = (
                f"<!doctype html><html><head><title>{a['title']}</title>"
                f'<meta name="description" content="{a["title"]}"></head><body>'
                f"<header><nav><a href='/'>Home</a> | <a href='/ads'>Ads</a></nav></header>"
                f"<main><h1>{a['title']}</h1><p>{a['text']}</p><p>{a['city']}</p>"
                f"<img src='/img/{i}.png'><script>var t={i};</script></main></body></html>"
            ).encode()
            for uri, payload, ctype in (
                (f"https://ads.example/p/{i}", body, "text/html; charset=utf-8"),
                (f"https://ads.example/img/{i}.png", png, "image/png"),
            ):
                headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
                writer.write_record(
                    writer.create_warc_record(
                        uri, "response", payload=io.BytesIO(payload), http_headers=headers
                    )
                )


def measure(label: str, unit: str, fn: Callable[[], int]) -> None:
    best = float("inf")
    count = 0
    for _ in range(3):
        start = time.process_time()
        count = fn()
        best = min(best, time.process_time() - start)
    print(f"{label:6} {count:>9,} {unit:8} {best:6.2f} s  {count / best:>10,.0f} {unit}/s")


def count(path: Path, fmt: str) -> Callable[[], int]:
    def run() -> int:
        n = 0
        for item in read(path, fmt, FieldMapping(), Limits()):  # streamed, as ingest does
            assert fmt == "warc" or isinstance(item, ParsedRecord), item
            n += 1
        return n

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--pages", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        jsonl, table, warc = folder / "ads.jsonl", folder / "ads.csv", folder / "crawl.warc.gz"
        write_jsonl(jsonl, args.lines)
        write_csv(table, args.lines)
        write_warc(warc, args.pages)
        print(f"jsonl: {jsonl.stat().st_size / args.lines:,.0f} bytes per line")
        measure("jsonl", "lines", count(jsonl, "jsonl"))
        measure("csv", "rows", count(table, "csv"))
        measure("warc", "records", count(warc, "warc"))


if __name__ == "__main__":
    main()
