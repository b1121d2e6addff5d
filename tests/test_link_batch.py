"""`link_jsonl`: the assignments file, stable network ids, and hostile input."""

from __future__ import annotations

import random
import time
from pathlib import Path

import orjson
import pytest

from threadline.link import LinkConfig, link_jsonl, link_records
from threadline.link.components import network_id

OPS = (
    ("713-555-0101", "New girl in town, sweet and discreet, ask for room {k}. Call {p} any time."),
    ("214-555-0102", "Exotic beauty visiting this week only, private apartment {k}, text {p}."),
    ("512-555-0103", "Relaxing massage by a friendly latina, spa suite {k}, appointments {p}."),
)


def _records() -> list[dict]:
    """Three small operations (each its own phone and wording) and some singletons."""
    out = []
    for op, (phone, wording) in enumerate(OPS):
        for k in range(4):
            out.append(
                {
                    "id": f"op{op}-{k}",
                    "text": wording.format(k=k, p=phone),
                    "city": "Houston",
                    "posted_at": f"2026-01-0{k + 1}T12:00:00Z",
                }
            )
    rng = random.Random(5)
    for s in range(5):
        words = " ".join(rng.choice(["alpha", "beta", "gamma", "delta", "omega"]) for _ in range(9))
        out.append({"id": f"single-{s}", "text": f"{words} {s}"})
    return out


def _write(path: Path, rows: list) -> Path:
    with open(path, "wb") as fh:
        for r in rows:
            fh.write(r if isinstance(r, bytes) else orjson.dumps(r))
            fh.write(b"\n")
    return path


def _read(path: Path) -> list[dict]:
    with open(path, "rb") as fh:
        return [orjson.loads(line) for line in fh]


def test_one_line_per_record_in_input_order(tmp_path: Path) -> None:
    records = _records()
    src = _write(tmp_path / "ads.jsonl", records)
    summary = link_jsonl(src, tmp_path / "out.jsonl", workers=1)
    rows = _read(tmp_path / "out.jsonl")
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert all(set(r) == {"id", "network"} for r in rows)
    by_id = {r["id"]: r["network"] for r in rows}
    for op in range(3):
        assert len({by_id[f"op{op}-{k}"] for k in range(4)}) == 1
    assert len({by_id[f"op{op}-0"] for op in range(3)}) == 3
    for s in range(5):  # a singleton has a network of its own, named by its id
        assert by_id[f"single-{s}"] == network_id([f"single-{s}"])
    assert summary.records == len(records) and summary.networks == 3
    assert summary.singletons == 5 and summary.errors == 0


def test_same_input_same_ids_whatever_the_order_or_workers(tmp_path: Path) -> None:
    records = _records()
    a = _write(tmp_path / "a.jsonl", records)
    shuffled = list(records)
    random.Random(1).shuffle(shuffled)
    b = _write(tmp_path / "b.jsonl", shuffled)
    link_jsonl(a, tmp_path / "a.out", workers=1)
    link_jsonl(a, tmp_path / "a2.out", workers=2)
    link_jsonl(b, tmp_path / "b.out", workers=1)
    first = {r["id"]: r["network"] for r in _read(tmp_path / "a.out")}
    assert first == {r["id"]: r["network"] for r in _read(tmp_path / "a2.out")}
    assert first == {r["id"]: r["network"] for r in _read(tmp_path / "b.out")}
    assert (tmp_path / "a.out").read_bytes() == (tmp_path / "a2.out").read_bytes()


def test_bad_lines_become_error_lines_not_a_crash(tmp_path: Path) -> None:
    rows = [
        {"id": "ok-1", "text": "Call 713-555-0101 for a good time tonight in town, sweet girl"},
        b"{not json",
        b"[1, 2, 3]",
        {"id": "no-text"},
        {"id": "bad-text", "text": 42},
        {"id": "empty", "text": ""},
        b"",  # blank lines are skipped, not records
        {"id": 7, "text": "an integer id is fine"},
    ]
    src = _write(tmp_path / "ads.jsonl", rows)
    summary = link_jsonl(src, tmp_path / "out.jsonl", workers=1)
    out = _read(tmp_path / "out.jsonl")
    assert len(out) == 7
    assert out[1]["id"] is None and out[1]["network"] is None
    assert out[1]["line"] == 2 and "invalid JSON" in out[1]["error"]
    assert out[2]["network"] is None and "not a JSON object" in out[2]["error"]
    assert out[3]["id"] == "no-text" and out[3]["network"] and out[3]["error"] == "missing text"
    assert out[4]["error"] == "text must be a string"
    assert out[5]["id"] == "empty" and "error" not in out[5]
    assert out[6]["id"] == "7"
    assert summary.errors == 4
    assert any("unusable" in w for w in summary.warnings)
    assert summary.error_samples[0].startswith("line 2:")


def test_one_word_ads_are_not_one_network() -> None:
    records = [{"id": f"w{i}", "text": "hello"} for i in range(50)]
    records += [{"id": f"v{i}", "text": "hi there"} for i in range(50)]
    res = link_records(records)
    assert len(set(res.network)) == 100  # too little text to be evidence


@pytest.mark.slow
def test_ten_thousand_copies_of_one_ad_finish_quickly(tmp_path: Path) -> None:
    ad = {
        "text": "Sweet new girl in town, call 713-555-0101 for a relaxing visit, "
        "available all day, incall and outcall, serious gentlemen only.",
        "city": "Houston",
        "country": "US",
    }
    rows = [{"id": f"c{i}", **ad} for i in range(10_000)]
    rows += [{"id": f"o{i}", "text": f"Unrelated post number {i} about selling a red bicycle cheap"}
             for i in range(10)]  # fmt: skip
    src = _write(tmp_path / "ads.jsonl", rows)
    start = time.perf_counter()
    summary = link_jsonl(src, tmp_path / "out.jsonl", workers=2)
    elapsed = time.perf_counter() - start
    assert elapsed < 30, elapsed
    out = _read(tmp_path / "out.jsonl")
    assert len(out) == 10_010
    copies = {r["network"] for r in out[:10_000]}
    assert len(copies) == 1  # the copies are one network: one text, one number
    assert summary.largest == 10_000
    assert any("exact copies" in w for w in summary.warnings)
    assert any("largest network" in w for w in summary.warnings)
    hubs = [h["value"] for h in summary.hubs]
    assert "+17135550101" in hubs  # on every copy: an outlier, kept as evidence


def test_config_is_validated() -> None:
    with pytest.raises(ValueError):
        LinkConfig(jaccard_threshold=1.5)
    with pytest.raises(ValueError):
        LinkConfig(evidence=("gossip",))
    with pytest.raises(ValueError):
        LinkConfig(pivot_types=("phone", "shoe_size"))
    assert LinkConfig().to_dict()["version"]


def test_network_summary_has_circuit_and_scores() -> None:
    records = _records()
    cities = ["Houston", "Houston", "Dallas", "Austin"]
    for k, city in enumerate(cities):
        records[k]["city"] = city
        records[k]["signals"] = [{"indicator": "third_person", "weight": 0.5}]
    res = link_records(records, signals={"op0-3": [("youth_language", 1.0)]})
    net = res.network_of("op0-0")
    assert net is not None and net.size == 4
    assert [s.place for s in net.movement] == ["Houston", "Dallas", "Austin"]
    assert net.movement[0].records == 2
    assert net.first_seen == "2026-01-01T12:00:00Z" and net.last_seen == "2026-01-04T12:00:00Z"
    totals = {t.indicator: (t.records, t.weight) for t in net.indicators}
    assert totals == {"third_person": (3, 1.5), "youth_language": (1, 1.0)}
    assert net.score == 2.5
    d = net.to_dict()
    assert d["contributions"] == {"third_person": 1.5, "youth_language": 1.0}
    assert d["identifiers"][0]["value"] == "+17135550101"
    assert d["identifiers"][0]["first_seen"] == "2026-01-01T12:00:00Z"
    assert [n.size for n in res.networks()] == [4, 4, 4]
