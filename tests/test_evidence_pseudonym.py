"""Pseudonymization in exports: keyed, stable within a case, different across cases, never
reversible from the export, lifted only when the caller asks."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from conftest import add_user
from evidence_corpus import EMAIL, PHONE, Corpus, build
from threadline.cases import create_case
from threadline.evidence import Selection, export_bundle, export_case, export_ftm
from threadline.evidence.pseudonym import OffsetMap, Pseudonymizer, TextRewriter, case_key
from threadline.safeguards.retention import purge_case
from threadline.store import Store
from threadline.store.db import utcnow
from threadline.store.models import AuditEvent, Case, PseudonymKey

KEY = Ed25519PrivateKey.generate()
# identifiers of the synthetic ads, in the forms they take in text, fields and raw bytes
CLEAR = [
    PHONE,
    EMAIL,
    "415-555-0123",
    "4I5 555 OI23",
    "415 555 0123",
    "Mia.Bella",
    "mia.bella",
    "$mia_b",
    "mia_b",
]


def _ids(c: Corpus) -> list[int]:
    return [*c.ads.values(), c.page, c.image]


def _everything(folder: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _mentions(folder: Path) -> list[dict]:
    return [json.loads(x) for x in (folder / "facts/mentions.jsonl").read_text().splitlines()]


def test_pseudonymized_exports_show_no_identifier_and_no_key(store: Store, tmp_path: Path) -> None:
    c = build(store, tmp_path)
    sel = Selection.of_network("net-7", _ids(c), {"shared": [PHONE, EMAIL], "city": "Dallas"})
    export_bundle(store, "lead", c.case, sel, tmp_path / "b", signing_key=KEY)
    export_case(store, "lead", c.case, sel, tmp_path / "c")
    export_ftm(store, "lead", c.case, sel, tmp_path / "f")
    with store.read() as session:
        key_hex = session.scalar(select(PseudonymKey.key_hex))
    assert key_hex
    for folder in ("b", "c", "f"):
        blob = _everything(tmp_path / folder)
        for clear in CLEAR:
            assert clear.encode() not in blob, f"{clear!r} leaked into the {folder} export"
        assert key_hex.encode() not in blob
    manifest = json.loads((tmp_path / "b/manifest.json").read_bytes())
    assert manifest["pseudonymized"] is True
    assert not (tmp_path / "b/raw").exists()  # raw bytes show identifiers in clear: withheld
    assert all(r["path"] is None and r["sha256"] for r in manifest["raw"])
    network = json.loads((tmp_path / "b/facts/network.json").read_bytes())
    assert network["summary"]["city"] == "Dallas"
    assert network["summary"]["shared"][0].startswith("phone-")


def test_same_identifier_same_pseudonym_everywhere_in_a_case(store: Store, tmp_path: Path) -> None:
    c = build(store, tmp_path)
    export_bundle(
        store, "lead", c.case, Selection.of_records(_ids(c)), tmp_path / "b", signing_key=KEY
    )
    phones = {m["value"] for m in _mentions(tmp_path / "b") if m["type"] == "phone"}
    assert len(phones) == 1  # three spellings in three records: one phone, one pseudonym
    (alias,) = phones
    assert alias.startswith("phone-") and len(alias) == len("phone-") + 20
    # a later export of another selection in the same case agrees
    export_ftm(store, "lead", c.case, Selection.of_records([c.ads["a2"]]), tmp_path / "f")
    assert alias in (tmp_path / "f/entities.ftm.json").read_text()
    # the exported text still satisfies text[start:end] == raw
    records = {
        json.loads(x)["id"]: json.loads(x)
        for x in (tmp_path / "b/facts/records.jsonl").read_text().splitlines()
    }
    for m in _mentions(tmp_path / "b"):
        if m["field"] in ("title", "text"):  # EXIF facts describe a file, not a span
            assert records[m["record_id"]][m["field"]][m["start"] : m["end"]] == m["raw"]
        if m["pseudonymized"]:
            assert m["raw"].split("-")[0] in (
                "phone",
                "email",
                "handle",
                "payment",
                "crypto",
                "name",
            )


def test_other_cases_get_other_pseudonyms(sqlite_store: Store, tmp_path: Path) -> None:
    a = build(sqlite_store, tmp_path, "alpha")
    b = build(sqlite_store, tmp_path, "beta")
    for c in (a, b):
        export_bundle(
            sqlite_store,
            "lead",
            c.case,
            Selection.of_records(_ids(c)),
            tmp_path / c.case,
            signing_key=KEY,
        )
    alias = {
        c.case: {m["value"] for m in _mentions(tmp_path / c.case) if m["type"] == "phone"}
        for c in (a, b)
    }
    assert len(alias["alpha"]) == len(alias["beta"]) == 1
    assert alias["alpha"] != alias["beta"]


def test_lifting_pseudonymization_shows_the_identifiers(store: Store, tmp_path: Path) -> None:
    c = build(store, tmp_path)
    export_ftm(
        store, "lead", c.case, Selection.of_records(_ids(c)), tmp_path / "f", pseudonymize=False
    )
    text = (tmp_path / "f/entities.ftm.json").read_text()
    assert PHONE in text and EMAIL in text


def test_the_key_is_made_once_audited_and_goes_with_its_case(store: Store) -> None:
    add_user(store, "lead")
    info = create_case(
        store, "lead", "empty", "A purpose long enough", "A legal basis long enough", 1
    )
    first = case_key(store, "lead", info.id)
    assert case_key(store, "lead", info.id) == first and len(first) == 32
    with store.read() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("pseudonym_key.created") == 1
    # past its retention deadline, the case's purge takes the key with it
    with store.write() as session:
        session.get(Case, info.id).retain_until = utcnow() - timedelta(days=1)
    with store.read() as session:
        case = session.get(Case, info.id)
    purge_case(store, "admin", case, dry_run=False)
    with store.read() as session:
        assert session.scalar(select(PseudonymKey).where(PseudonymKey.case_id == info.id)) is None


def test_pseudonyms_are_keyed_not_plain_hashes() -> None:
    one, two = Pseudonymizer(True, b"k" * 32), Pseudonymizer(True, b"j" * 32)
    assert one.pseudonym("phone", PHONE) == one.pseudonym("phone", PHONE)
    assert one.pseudonym("phone", PHONE) != two.pseudonym("phone", PHONE)
    assert one.pseudonym("email", PHONE) != one.pseudonym("phone", PHONE)
    assert one.pseudonym("price", "200 USD") == "200 USD"  # not a personal identifier
    assert Pseudonymizer(False).pseudonym("phone", PHONE) == PHONE


class _M:
    def __init__(self, type_: str, raw: str, normalized: str) -> None:
        self.type, self.raw, self.normalized = type_, raw, normalized


P = Pseudonymizer(True, b"k" * 32)
ALIAS = P.pseudonym("phone", "555")


@pytest.mark.parametrize(
    ("text", "spans", "expected", "moved"),
    [
        # a span after a replacement moves by the difference in length
        ("call 555 now", [(5, 8)], "call {A} now", {(9, 12): "now"}),
        # overlapping spans: the first replacement covers both, nothing half-shown
        ("pay 555555 ok", [(4, 7), (5, 10)], "pay {A} ok", {(5, 10): "{A}", (11, 13): "ok"}),
        # the same identifier outside any span is replaced too
        ("555 and 555", [(0, 3)], "{A} and {A}", {(4, 7): "and", (8, 11): "{A}"}),
    ],
)
def test_text_rewriting_moves_spans(
    text: str, spans: list[tuple[int, int]], expected: str, moved: dict
) -> None:
    rw = TextRewriter(P, [_M("phone", "555", "555")])
    out, offsets = rw.text(text, [(s, e, ALIAS) for s, e in spans])
    assert out == expected.format(A=ALIAS)
    assert isinstance(offsets, OffsetMap)
    for (start, end), shown in moved.items():
        new_start, new_end = offsets.span(start, end)
        assert out[new_start:new_end] == shown.format(A=ALIAS)


def test_trie_pattern_matches_like_a_longest_first_alternation() -> None:
    import random
    import re

    from threadline.evidence.pseudonym import trie_pattern

    rng = random.Random(7)
    alphabet = "ab1.@+ -"
    literals = {"".join(rng.choices(alphabet, k=rng.randint(3, 9))) for _ in range(400)}
    trie = re.compile(trie_pattern(literals))
    flat = re.compile("|".join(re.escape(v) for v in sorted(literals, key=len, reverse=True)))
    for _ in range(200):
        text = "".join(rng.choices(alphabet + "xyz", k=80))
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in flat.finditer(text)]


def test_identifiers_inside_longer_words_are_left_alone() -> None:
    rw = TextRewriter(P, [_M("name", "Mia", "Mia")])
    alias = P.pseudonym("name", "Mia")
    out = rw.substitute("Mia is in Miami, ask for Mia.")
    assert out == f"{alias} is in Miami, ask for {alias}."
