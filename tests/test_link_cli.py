"""`threadline link` and `threadline networks`, run as the real command (a subprocess),
including the degenerate inputs the issue names: empty texts, one-word ads, many
copies of one ad, a value shared by every record."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import orjson

from test_cli import BASIS, PURPOSE, tl
from test_link_case import _ads, hub_ads


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def _read(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_link_writes_one_assignment_per_record_and_network_summaries(tmp_path: Path) -> None:
    ads = _ads()
    src = _write(tmp_path / "ads.jsonl", ads)
    r = tl(tmp_path, "link", str(src), "--out", str(tmp_path / "a.jsonl"),
           "--networks", str(tmp_path / "n.json"), "--workers", "1")  # fmt: skip
    assert r.returncode == 0, r.stderr
    rows = _read(tmp_path / "a.jsonl")
    assert [x["id"] for x in rows] == [a["id"] for a in ads]
    assert all(set(x) == {"id", "network"} for x in rows)
    net = {x["id"]: x["network"] for x in rows}
    assert len({net[f"op0-{k}"] for k in range(4)}) == 1
    assert net["op0-0"] != net["op1-0"]
    singles = [net[f"single-{s}"] for s in range(3)]
    assert len(set(singles)) == 3 and not set(singles) & {net["op0-0"], net["op1-0"]}
    assert "linked 11 records: 2 networks" in r.stderr
    doc = json.loads((tmp_path / "n.json").read_text())
    assert [n["size"] for n in doc["networks"]] == [4, 4]
    first = doc["networks"][0]
    assert first["movement"] and first["identifiers"][0]["type"] == "phone"
    assert first["templates"] and "[[1]]" in first["templates"][0]["template"]
    assert "hubs" in doc and "config" in doc


def test_link_warns_on_empty_input_and_empty_texts(tmp_path: Path) -> None:
    empty = _write(tmp_path / "empty.jsonl", [])
    r = tl(tmp_path, "link", str(empty), "--out", str(tmp_path / "a.jsonl"), "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert "warning: no records in the input" in r.stderr
    assert (tmp_path / "a.jsonl").read_bytes() == b""
    blank = _write(
        tmp_path / "blank.jsonl",
        [{"id": f"e{i}", "text": ""} for i in range(20)] + [{"id": "x"}, {"id": "y", "text": 5}],
    )
    r = tl(tmp_path, "link", str(blank), "--out", str(tmp_path / "b.jsonl"), "--workers", "1")
    assert r.returncode == 0, r.stderr
    rows = _read(tmp_path / "b.jsonl")
    assert len(rows) == 22 and len({x["network"] for x in rows}) == 22  # all singletons
    assert "unusable" in r.stderr  # the records without text are named in a warning


def test_link_one_word_ads_and_copies(tmp_path: Path) -> None:
    words = _write(tmp_path / "w.jsonl", [{"id": f"w{i}", "text": "hello"} for i in range(300)])
    r = tl(tmp_path, "link", str(words), "--out", str(tmp_path / "w-out.jsonl"), "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert len({x["network"] for x in _read(tmp_path / "w-out.jsonl")}) == 300
    text = "New in town, sweet and discreet, outcalls only, ask for Lily, available all week."
    copies = _write(tmp_path / "c.jsonl", [{"id": f"c{i}", "text": text} for i in range(2000)])
    r = tl(tmp_path, "link", str(copies), "--out", str(tmp_path / "c-out.jsonl"))
    assert r.returncode == 0, r.stderr
    assert len({x["network"] for x in _read(tmp_path / "c-out.jsonl")}) == 1
    assert "exact copies" in r.stderr and "largest network" in r.stderr


def test_link_holds_back_a_value_on_every_record(tmp_path: Path) -> None:
    ads = hub_ads()
    src = _write(tmp_path / "ads.jsonl", ads)
    r = tl(tmp_path, "link", str(src), "--out", str(tmp_path / "a.jsonl"),
           "--networks", str(tmp_path / "n.json"), "--workers", "1")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "held back as hubs" in r.stderr and "+18325550199" in r.stderr
    nets = [x["network"] for x in _read(tmp_path / "a.jsonl")]
    assert max(nets.count(n) for n in nets) == 4
    hubs = json.loads((tmp_path / "n.json").read_text())["hubs"]
    assert hubs[0]["value"] == "+18325550199" and hubs[0]["hub"] and hubs[0]["reason"]


def test_link_rejects_a_missing_file_and_bad_settings(tmp_path: Path) -> None:
    r = tl(tmp_path, "link", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "a.jsonl"))
    assert r.returncode == 1 and "no such file" in r.stderr
    src = _write(tmp_path / "ads.jsonl", _ads())
    r = tl(tmp_path, "link", str(src), "--out", str(tmp_path / "a.jsonl"), "--evidence", "magic")
    assert r.returncode == 1 and "unknown evidence kinds" in r.stderr


def test_networks_of_an_analysed_case(tmp_path: Path) -> None:
    src = _write(tmp_path / "ads.jsonl", _ads())
    data = tmp_path / "data"
    admin = ("user", "create", "cli-tester", "--role", "admin", "--role", "supervisor")
    assert tl(data, *admin).returncode == 0
    assert (
        tl(data, "case", "create", "river", "--purpose", PURPOSE, "--legal-basis", BASIS).returncode
        == 0
    )
    r = tl(data, "networks", "--case", "river")
    assert r.returncode == 1 and "has not been linked" in r.stderr
    assert tl(data, "ingest", str(src), "--case", "river").returncode == 0
    r = tl(data, "analyze", "--case", "river")
    assert r.returncode == 0, r.stderr
    assert "linking (run" in r.stdout and "2 networks" in r.stdout
    rows = [
        json.loads(x)
        for x in tl(data, "networks", "--case", "river", "--format", "json").stdout.splitlines()
    ]
    assert [x["records"] for x in rows] == [4, 4]
    assert all(x["network"].startswith("net-") and x["summary"]["movement"] for x in rows)
    table = list(
        csv.reader(io.StringIO(tl(data, "networks", "--case", "river", "--format", "csv").stdout))
    )
    assert table[0][:3] == ["network", "records", "score"] and len(table) == 3
    assert "Houston" in table[1][7] and "→" in table[1][7]
    shown = tl(data, "networks", "--case", "river")
    assert rows[0]["network"] in shown.stdout
    again = tl(data, "analyze", "--case", "river", "--output", "json")
    assert json.loads(again.stdout)["linking"]["unchanged"] is True
