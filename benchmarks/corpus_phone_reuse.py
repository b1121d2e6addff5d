"""How a synthetic corpus reissues phone numbers: overlapping holders and short gaps.

    .venv/bin/python benchmarks/corpus_phone_reuse.py DIR [--gap-days 45]

DIR holds `ads.jsonl` and `truth.jsonl` from `threadline synth`. For each phone
number of an author, its holders (the planted operation, else the author) are
ordered by their first ad; consecutive holders either overlap in time (the next
starts posting while the previous one still does) or start within the gap after
the previous holder's last ad. Both break the assumption behind the linker's
`identifier_gap_days` (a number is reassigned only after it has been silent).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import orjson


def _day(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() / 86400


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--gap-days", type=float, default=45.0)
    args = ap.parse_args()
    posted: dict[str, str] = {}
    with open(args.dir / "ads.jsonl", "rb") as f:
        for line in f:
            ad = orjson.loads(line)
            if ad.get("posted_at"):
                posted[ad["id"]] = ad["posted_at"]
    held: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    with open(args.dir / "truth.jsonl", "rb") as f:
        for line in f:
            t = orjson.loads(line)
            if t["id"] not in posted:
                continue
            holder = t["operation"] or t["entity"]
            for ident in t["identifiers"]:
                if ident["type"] == "phone":
                    held[ident["value"]][holder].append(_day(posted[t["id"]]))
    shared = overlap = close = 0
    involved: set[str] = set()
    for holders in held.values():
        if len(holders) < 2:
            continue
        shared += 1
        spans = sorted((min(ts), max(ts), h) for h, ts in holders.items())
        for (_, end, a), (start, _, b) in pairwise(spans):
            if start <= end:
                overlap += 1
            elif start - end < args.gap_days:
                close += 1
            else:
                continue
            involved |= {a, b}
    print(f"phone numbers of authors: {len(held):,}; held by two or more: {shared:,}")
    print(f"consecutive holders overlapping in time: {overlap:,}")
    print(f"next holder starting < {args.gap_days:g} days after the last ad: {close:,}")
    print(f"holders involved: {len(involved):,}")


if __name__ == "__main__":
    main()
