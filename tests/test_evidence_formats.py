"""CASE/UCO JSON-LD checked by the real `case_validate`; FtM entities loaded by `followthemoney`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from followthemoney import model

from evidence_corpus import EMAIL, PHONE, Corpus, build
from threadline.evidence import Selection, export_case, export_ftm
from threadline.store import Store

CASE_VALIDATE = shutil.which("case_validate") or str(Path(sys.executable).parent / "case_validate")


def _ids(c: Corpus) -> list[int]:
    return [*c.ads.values(), c.page, c.image]


def _nodes(graph: list[dict], cls: str) -> list[dict]:
    found: list[dict] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if value.get("@type") == cls:
                found.append(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(graph)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("pseudonymize", [True, False], ids=["pseudonymized", "clear"])
def test_case_export_passes_case_validate_with_zero_violations(
    sqlite_store: Store, tmp_path: Path, pseudonymize: bool
) -> None:
    c = build(sqlite_store, tmp_path)
    out = tmp_path / "case"
    export_case(
        sqlite_store, "lead", c.case, Selection.of_records(_ids(c)), out, pseudonymize=pseudonymize
    )
    result = subprocess.run(
        [CASE_VALIDATE, "--built-version", "case-1.4.0", str(out / "case.jsonld")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Conforms: True" in result.stdout
    assert "Results (" not in result.stdout  # no violations, warnings or infos at all

    graph = json.loads((out / "case.jsonld").read_bytes())["@graph"]
    (investigation,) = _nodes(graph, "investigation:Investigation")
    (auth,) = _nodes(graph, "investigation:Authorization")
    assert investigation["investigation:relevantAuthorization"]["@id"] == auth["@id"]
    assert auth["core:description"] == "Court order 2026/114 (synthetic)"
    hashes = {h["types:hashMethod"] for h in _nodes(graph, "types:Hash")}
    assert hashes == {"SHA256", "MD5"}
    (exif,) = _nodes(graph, "observable:EXIFFacet")
    entries = {e["types:key"]: e["types:value"] for e in exif["observable:exifData"]["types:entry"]}
    assert entries["Make"] == "Canon" and entries["GPSLatitude"].startswith("29.75")
    actions = _nodes(graph, "investigation:InvestigativeAction")
    stages = {a["core:name"] for a in actions}
    assert {"acquired", "ingested", "analysed"} <= stages
    records = {p["@id"] for p in _nodes(graph, "investigation:ProvenanceRecord")}
    assert all(a["action:result"][0]["@id"] in records for a in actions)
    phones = [f["observable:phoneNumber"] for f in _nodes(graph, "observable:PhoneAccountFacet")]
    assert phones == ([p for p in phones if p.startswith("phone-")] if pseudonymize else [PHONE])


@pytest.mark.parametrize("pseudonymize", [True, False], ids=["pseudonymized", "clear"])
def test_ftm_entities_load_strictly_with_followthemoney(
    store: Store, tmp_path: Path, pseudonymize: bool
) -> None:
    c = build(store, tmp_path)
    out = tmp_path / "ftm"
    export_ftm(
        store, "lead", c.case, Selection.of_network("n9", _ids(c)), out, pseudonymize=pseudonymize
    )
    lines = [json.loads(x) for x in (out / "entities.ftm.json").read_text().splitlines()]
    entities = {e["id"]: e for e in lines}
    assert len(entities) == len(lines)
    for data in lines:
        # cleaned=False re-validates every value; a value FtM rejects would be dropped
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.to_dict()["properties"] == data["properties"], data["schema"]
        assert not proxy.schema.abstract
        for prop in proxy.schema.required:
            assert proxy.get(prop), f"{proxy.schema.name} lacks required {prop}"
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in entities, f"{proxy.schema.name}.{prop.name} → unknown {value}"
    schemas = {e["schema"] for e in lines}
    assert {"Document", "Image", "UserAccount", "Mention", "Address", "UnknownLink"} <= schemas
    docs = [e for e in lines if e["schema"] in ("Document", "Image")]
    assert len(docs) == 5
    for doc in docs:
        notes = doc["properties"]["notes"]
        assert any(n.startswith("sha256:") and len(n) == 71 for n in notes)
        assert len(doc["properties"]["contentHash"][0]) == 40  # FtM's own SHA-1
        assert "network:n9" in doc["properties"]["keywords"]
    link = next(e for e in lines if e["schema"] == "UnknownLink")
    assert entities[link["properties"]["object"][0]]["schema"] == "Image"
    text = (out / "entities.ftm.json").read_text()
    assert (PHONE in text) is (not pseudonymize) and (EMAIL in text) is (not pseudonymize)
    if not pseudonymize:
        phones = [e for e in lines if e["properties"].get("phone")]
        assert phones and phones[0]["properties"]["phone"] == [PHONE]
