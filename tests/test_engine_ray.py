"""The Ray engine on a local two-worker cluster gives the local engine's results, exactly.

One Ray session serves the module (starting Ray is most of the cost). Checked:
the same links, hub decisions, network ids, summary and assignments file; that
the shuffles receive numeric arrays and no identifier value or text; that a
worker killed mid-run is retried with no change to the result; that a failed
run writes nothing (link) or only whole batches that a re-run completes
without duplicates (analyze, on SQLite and PostgreSQL).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import orjson
import pytest
from sqlalchemy import func, select

from conftest import add_user
from threadline.analyze import analyze_case
from threadline.cases import create_case
from threadline.engine import (
    EngineError,
    RayOptions,
    analyze_case_on,
    analyze_partitioned,
    link_facts,
    link_file,
    run_link,
)
from threadline.engine.runtime import ray_session
from threadline.ingest.service import ingest_paths
from threadline.link import LinkConfig
from threadline.store import Store
from threadline.store.models import Case, Mention, Record, RecordStage
from threadline.synth import write_corpus

pytestmark = pytest.mark.slow

OPTIONS = RayOptions(partition_records=120, reducers=3)


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with ray_session(num_workers=2, data_dir=Path("/tmp")) as ray:
        assert ray.cluster_resources()["CPU"] == 2
        yield ray


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic ads plus a switchboard number (a hub), an exact copy, a blank line, bad
    JSON, no text, no id."""
    d = tmp_path_factory.mktemp("corpus")
    write_corpus(d, 360, 11, workers=1)
    path = d / "ads.jsonl"
    lines = path.read_bytes().splitlines()
    desk = []
    # ads of unrelated authors that also print one hotel's number: enough of them that the
    # hub rule samples its pairs (seeded by the value's number in the index)
    for i in range(0, 360, 14):
        obj = orjson.loads(lines[i])
        obj["id"] = f"{obj['id']}-desk"
        obj["text"] += " Front desk 832-555-0147."
        desk.append(orjson.dumps(obj))
    extra = [
        *desk,
        lines[3],
        b"",
        b"{not json",
        orjson.dumps({"id": "no-text", "city": "Houston"}),
        orjson.dumps({"text": "no id here but enough words to be text evidence of its own"}),
    ]
    path.write_bytes(b"\n".join(lines + extra) + b"\n")
    return path


@pytest.fixture(scope="module")
def local_default(corpus: Path):  # type: ignore[no-untyped-def]
    return link_file(corpus, engine="local", num_workers=1)


def _summary(summary) -> dict:  # type: ignore[no-untyped-def]
    d = summary.to_dict()
    d.pop("timings")
    return d


def test_ray_gives_the_local_links_networks_and_file(
    ray_cluster: object, corpus: Path, local_default, tmp_path: Path
) -> None:
    tap = tmp_path / "shuffle"
    options = dataclasses.replace(OPTIONS, tap_dir=str(tap))
    ray_result = link_file(corpus, engine="ray", options=options)
    local_facts, ray_facts = link_facts(local_default), link_facts(ray_result)
    assert local_facts["links"], "the corpus must have links for the test to mean anything"
    assert any(d["hub"] for d in local_facts["decisions"])
    for key in local_facts:
        assert ray_facts[key] == local_facts[key], key
    assert ray_result.id_value.tolist() == local_default.id_value.tolist()
    assert ray_result.timings["ray_partitions"] >= 3

    local_sum = run_link(corpus, engine="local", out_path=tmp_path / "local.jsonl")
    ray_sum = run_link(corpus, engine="ray", options=OPTIONS, out_path=tmp_path / "ray.jsonl")
    assert _summary(ray_sum) == _summary(local_sum)
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()

    # what the shuffles received: numeric arrays only, no identifier value, no text
    files = sorted(tap.glob("*.npy"))
    stages = {f.name.split("-")[0] for f in files}
    assert stages == {"copies", "bands", "identifiers"}
    blob = bytearray()
    for f in files:
        col = np.load(f, allow_pickle=False)
        assert col.dtype.kind in "biuf", f.name
        blob += col.tobytes()
    values = set(local_default.values.values)
    assert len(values) > 100
    words = set()
    for line in corpus.read_bytes().splitlines()[:200]:
        if line.startswith(b'{"id"') or line.startswith(b"{"):
            try:
                text = orjson.loads(line).get("text", "")
            except orjson.JSONDecodeError:
                continue
            words.update(w for w in text.split() if len(w) >= 7)
    for needle in sorted(values | words):
        for enc in ("utf-8", "utf-32-le"):
            assert needle.encode(enc) not in blob, needle


def test_ray_matches_local_with_other_settings(
    ray_cluster: object, corpus: Path, local_default
) -> None:
    shared = [d for d in local_default.decisions.values() if not d.hub]
    config = LinkConfig(
        identifier_gap_days=None,
        hub_min_records=2,
        hub_values=(f"{shared[0].type}:{shared[0].value}",),
        not_hub_values=(local_default.hubs()[0].value,),
        evidence=("identifier",),
        jaccard_threshold=0.6,
    )
    local = link_facts(link_file(corpus, config, engine="local", num_workers=1))
    ray = link_facts(link_file(corpus, config, engine="ray", options=OPTIONS))
    assert any(d["reason"] == "listed in hub_values" for d in local["decisions"])
    assert ray == local


def test_a_worker_killed_mid_run_is_retried_and_changes_nothing(
    ray_cluster: object, corpus: Path, local_default, tmp_path: Path
) -> None:
    marker = tmp_path / "killed"
    options = dataclasses.replace(OPTIONS, kill_once=str(marker))
    result = link_file(corpus, engine="ray", options=options)
    assert marker.exists()  # a worker did die
    assert link_facts(result) == link_facts(local_default)


def test_a_failed_run_writes_no_file(ray_cluster: object, corpus: Path, tmp_path: Path) -> None:
    options = dataclasses.replace(OPTIONS, kill_once=str(tmp_path / "killed"), max_retries=0)
    out = tmp_path / "networks.jsonl"
    with pytest.raises(EngineError, match="nothing was written"):
        run_link(corpus, engine="ray", options=options, out_path=out)
    assert not out.exists()
    assert list(tmp_path.glob(".networks.jsonl*")) == []


def _stored(corpus: Path) -> list[tuple]:
    out = []
    for i, line in enumerate(corpus.read_bytes().splitlines()[:300]):
        obj = orjson.loads(line)
        fields = {k: v for k, v in obj.items() if k in ("city", "region", "country")}
        out.append((i + 1, obj.get("title"), obj["text"], obj.get("city"), fields, obj["kind"]))
    return out


def test_analyze_partitioned_rows_are_the_local_rows(ray_cluster: object, corpus: Path) -> None:
    records = _stored(corpus)
    local = analyze_partitioned(records, engine="local")
    ray = analyze_partitioned(records, engine="ray", partition_records=70)
    assert [r.record_id for r in ray] == [r[0] for r in records]
    assert ray == local
    assert sum(len(r.mentions) for r in local) > 300
    assert sum(len(r.signals) for r in local) > 10


def _mentions(store: Store, case: str) -> list[tuple]:
    with store.read() as s:
        rows = s.execute(
            select(
                Record.external_id,
                Mention.field,
                Mention.type,
                Mention.normalized,
                Mention.start,
                Mention.end,
                Mention.extractor_version,
            )
            .join(Record, Record.id == Mention.record_id)
            .join(Case, Case.id == Record.case_id)
            .where(Case.name == case)
        ).all()
    return sorted(tuple(r) for r in rows)


def test_analyze_on_ray_after_a_failure_resumes_to_the_local_result(
    ray_cluster: object, store: Store, corpus: Path, tmp_path: Path
) -> None:
    src = tmp_path / "ads.jsonl"
    src.write_bytes(b"\n".join(corpus.read_bytes().splitlines()[:300]) + b"\n")
    add_user(store, "tester")
    for name in ("here", "there"):
        create_case(store, "tester", name, "Identify operations in ads", "Court order 2026/114")
        ingest_paths(store, "tester", name, [src])
    analyze_case(store, "tester", "here", batch_size=50)

    with pytest.raises(EngineError):
        analyze_case_on(
            store, "tester", "there", engine="ray", batch_size=50, max_retries=0,
            kill_once=str(tmp_path / "killed"),
        )  # fmt: skip
    with store.read() as s:
        extracted = select(RecordStage.record_id).where(RecordStage.stage == "extract")
        done = s.scalar(select(func.count()).select_from(extracted.subquery())) or 0
        orphans = s.scalar(
            select(func.count(func.distinct(Mention.record_id))).where(
                ~Mention.record_id.in_(extracted)
            )
        )
    assert done % 50 == 0 and done < 600  # whole batches only: the local case's 300 and
    assert orphans == 0  # no mention without its stage row

    summary = analyze_case_on(store, "tester", "there", engine="ray", batch_size=50)
    assert summary.processed == 300 - (done - 300)
    assert _mentions(store, "there") == _mentions(store, "here")
    again = analyze_case_on(store, "tester", "there", engine="ray", batch_size=50)
    assert again.processed == 0
    assert _mentions(store, "there") == _mentions(store, "here")


def test_cli_analyze_with_the_ray_engine(ray_cluster: object, corpus: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from threadline.cli import app, commands  # noqa: F401  (registers the commands)

    src = tmp_path / "ads.jsonl"
    src.write_bytes(b"\n".join(corpus.read_bytes().splitlines()[:60]) + b"\n")
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data"), "--actor", "tester"]
    first = ["user", "create", "tester", "--role", "admin", "--role", "supervisor"]
    assert runner.invoke(app, [*base, *first]).exit_code == 0
    ok = runner.invoke(
        app, [*base, "case", "create", "river", "--purpose", "Identify operations in ads",
              "--legal-basis", "Court order 2026/114"],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(app, [*base, "ingest", "--case", "river", str(src)]).exit_code == 0
    bad = runner.invoke(app, [*base, "analyze", "--case", "river", "--address", "auto"])
    assert bad.exit_code == 1 and "--engine ray" in bad.output
    res = runner.invoke(
        app, [*base, "analyze", "--case", "river", "--engine", "ray", "--output", "json"]
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output.strip().splitlines()[-1])
    assert summary["processed"] == 60 and summary["mentions"] > 60

    # the stages after extraction ran as on the local engine
    assert summary["risk"] is not None and summary["linking"] is not None


def test_cli_link_with_the_ray_engine_writes_the_local_assignments(
    ray_cluster: object, corpus: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from threadline.cli import app, commands  # noqa: F401  (registers the commands)

    runner = CliRunner()
    local, on_ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert runner.invoke(app, ["link", str(corpus), "--out", str(local)]).exit_code == 0
    res = runner.invoke(app, ["link", str(corpus), "--out", str(on_ray), "--engine", "ray"])
    assert res.exit_code == 0, res.output
    assert on_ray.read_bytes() == local.read_bytes()
