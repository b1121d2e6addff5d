"""threadline.synth: determinism, ground truth that matches the text, privacy, and the
patterns the rest of the pipeline is tested on (operations, circuits, hubs, obfuscation)."""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from itertools import islice, pairwise
from pathlib import Path
from typing import Any

import orjson
import phonenumbers
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from warcio.archiveiterator import ArchiveIterator

from threadline.synth import (
    CorpusStats,
    generate,
    is_fictional_phone,
    write_corpus,
    write_html_dir,
    write_warc,
)
from threadline.synth import corpus as corpus_mod
from threadline.synth.identifiers import (
    base58check,
    base58check_valid,
    bech32_p2wpkh,
    bech32_valid,
    crypto_address,
    eip55,
    keccak256,
)
from threadline.synth.phones import (
    EN_DIGITS,
    ES_DIGITS,
    QUOTA,
    PhoneBook,
    render_phone,
    reuse_period,
)
from threadline.synth.places import GB_RANGES, US_AREA_CODES

COUNT, SEED = 2000, 11


def _read(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CorpusStats, list[int]]:
    out = tmp_path_factory.mktemp("corpus")
    calls: list[int] = []
    stats = write_corpus(out, COUNT, SEED, progress=calls.append)
    return out, stats, calls


@pytest.fixture(scope="module")
def pairs(written: tuple[Path, CorpusStats, list[int]]) -> list[tuple[dict, dict]]:
    out = written[0]
    return list(zip(_read(out / "ads.jsonl"), _read(out / "truth.jsonl"), strict=True))


# --- determinism and shape ----------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_differs(written, tmp_path: Path) -> None:
    out = written[0]
    write_corpus(tmp_path / "a", COUNT, SEED)
    for name in ("ads.jsonl", "truth.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (out / name).read_bytes()
    first = [orjson.dumps(a) for a, _ in islice(generate(COUNT, SEED), 50)]
    other = [orjson.dumps(a) for a, _ in islice(generate(COUNT, SEED + 1), 50)]
    assert first == (out / "ads.jsonl").read_bytes().splitlines()[:50]
    assert not set(first) & set(other)


def test_generate_streams_what_write_corpus_writes(written) -> None:
    out = written[0]
    lines = (out / "ads.jsonl").read_bytes().splitlines()
    assert [orjson.dumps(ad) for ad, _ in generate(COUNT, SEED)] == lines
    gen = generate(10**9, 3)  # lazy: a billion-ad stream starts at once
    assert next(gen)[0]["id"] == "ad-0000001"


def test_blocks_in_parallel_write_the_same_files(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(corpus_mod, "BLOCK", 150)  # several blocks from a small corpus
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    write_corpus(serial, 400, 5, workers=1, warc=True)
    stats = write_corpus(parallel, 400, 5, workers=2, warc=True)
    for name in ("ads.jsonl", "truth.jsonl", "ads.warc.gz"):
        assert (serial / name).read_bytes() == (parallel / name).read_bytes(), name
    # the workers' part files were appended and removed, with their folder
    assert sorted(p.name for p in parallel.iterdir()) == ["ads.jsonl", "ads.warc.gz", "truth.jsonl"]
    ads = _read(serial / "ads.jsonl")
    assert [a["id"] for a in ads] == [f"ad-{i:07d}" for i in range(1, 401)]
    holders: dict[str, set[str]] = defaultdict(set)  # blocks never share a number
    for truth in _read(serial / "truth.jsonl"):
        for ident in truth["identifiers"]:
            if ident["value"] not in truth["hub"]:
                holders[ident["value"]].add(truth["entity"])
    assert all(len(v) == 1 for v in holders.values())
    again = tmp_path / "again" / "ads.warc.gz"
    again.parent.mkdir()
    assert write_warc(ads, again) == stats.warc_pages == 400
    assert again.read_bytes() == (serial / "ads.warc.gz").read_bytes()


def test_files_aligned_and_stats(written, pairs) -> None:
    _, stats, calls = written
    assert [a["id"] for a, _ in pairs] == [t["id"] for _, t in pairs]
    assert [a["id"] for a, _ in pairs] == [f"ad-{i:07d}" for i in range(1, COUNT + 1)]
    assert sum(calls) == COUNT and max(calls) <= 1000
    assert stats.count == COUNT and sum(stats.by_kind.values()) == COUNT
    assert sum(stats.by_role.values()) == COUNT and stats.operations > 10
    keys = {
        "id",
        "kind",
        "lang",
        "site",
        "title",
        "text",
        "city",
        "region",
        "country",
        "posted_at",
        "url",
        "images",
    }
    for ad, truth in pairs:
        assert set(ad) == keys
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z", ad["posted_at"])
        assert truth["role"] in {
            "trafficking_operation",
            "independent",
            "agency_hub_user",
            "legit_job",
            "deceptive_job",
        }
        assert (truth["operation"] is None) == (
            truth["role"] not in {"trafficking_operation", "deceptive_job"}
        )


def test_proportions(pairs) -> None:
    n = len(pairs)
    es = sum(a["lang"] == "es" for a, _ in pairs) / n
    jobs = sum(a["kind"] == "job_ad" for a, _ in pairs) / n
    ops = sum(t["role"] == "trafficking_operation" for _, t in pairs) / n
    assert 0.22 <= es <= 0.40
    assert 0.15 <= jobs <= 0.25
    assert 0.33 <= ops <= 0.47
    assert {t["role"] for _, t in pairs} >= {
        "trafficking_operation",
        "independent",
        "agency_hub_user",
        "legit_job",
        "deceptive_job",
    }


# --- truth matches the text -----------------------------------------------------------------------


def test_every_raw_is_in_the_text(pairs) -> None:
    for ad, truth in pairs:
        text = ad["text"]
        for ident in truth["identifiers"]:
            assert ident["raw"] in text, (ad["id"], ident)
        for decoy in truth["decoys"]:
            assert decoy["raw"] in text, (ad["id"], decoy)
        if truth["price"]:
            assert truth["price"]["raw"] in text
        assert set(truth["hub"]) <= {i["value"] for i in truth["identifiers"]}
        if truth["age"] is not None:
            assert truth["age"] >= 18 and str(truth["age"]) in text


_UNITS = {w: str(i) for i, w in enumerate(EN_DIGITS)}
_UNITS |= {w: str(i) for i, w in enumerate(ES_DIGITS)}
_EN_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
_ES_TEENS = "diez once doce trece catorce quince dieciséis diecisiete dieciocho diecinueve"
_ES_20S = (
    "veinte veintiuno veintidós veintitrés veinticuatro veinticinco veintiséis "
    "veintisiete veintiocho veintinueve"
)
_PAIRS = {w: f"1{i}" for i, w in enumerate(_EN_TEENS.split())}
_PAIRS |= {w: f"1{i}" for i, w in enumerate(_ES_TEENS.split())}
_PAIRS |= {w: f"2{i}" for i, w in enumerate(_ES_20S.split())}
_TENS = dict(
    zip(
        "twenty thirty forty fifty sixty seventy eighty ninety".split(),  # noqa: SIM905
        "23456789",
        strict=True,
    )
)
_TENS |= dict(
    zip(
        "treinta cuarenta cincuenta sesenta setenta ochenta noventa".split(),  # noqa: SIM905
        "3456789",
        strict=True,
    )
)
_SPELLED = sorted({**_UNITS, **_PAIRS, **_TENS, "oh": "0"}, key=len, reverse=True)
_LETTERS = {"O": "0", "o": "0", "I": "1", "l": "1", "S": "5", "B": "8"}


def _digit(ch: str) -> str | None:
    return str(unicodedata.digit(ch)) if ch.isdigit() else None


def _decode(raw: str, style: str | None) -> str:
    """The digits a reader recovers from a written phone (a test oracle, not an extractor)."""
    if style == "letter_swap":
        raw = "".join(_LETTERS.get(ch, ch) for ch in raw)
    if style not in ("spelled_en", "spelled_es", "mixed"):
        return "".join(d for d in map(_digit, raw) if d)
    s, out, i = raw, [], 0
    words = _SPELLED if style != "mixed" else sorted(_UNITS, key=len, reverse=True)
    while i < len(s):
        d = _digit(s[i])
        if d:
            out.append(d)
            i += 1
            continue
        if style == "mixed" and s[i] in "OI":
            out.append(_LETTERS[s[i]])
            i += 1
            continue
        w = next((w for w in words if s.startswith(w, i)), None)
        if w is None:
            i += 1
            continue
        i += len(w)
        if w in _TENS:  # "forty-two", "cuarenta y dos", or a bare "forty"
            m = re.match(r"(?:-|\s+y\s+)(" + "|".join(map(re.escape, _UNITS)) + r")\b", s[i:])
            if m:
                out.append(_TENS[w] + _UNITS[m.group(1)])
                i += m.end()
            else:
                out.append(_TENS[w] + "0")
        else:
            out.append(_UNITS.get(w) or _PAIRS.get(w) or "0")
    return "".join(out)


def test_phone_truth_matches_what_is_written(pairs) -> None:
    styles = set()
    for _, truth in pairs:
        for ident in truth["identifiers"]:
            if ident["type"] != "phone":
                continue
            styles.add(ident["obfuscation"])
            national = str(phonenumbers.parse(ident["value"]).national_number)
            digits = _decode(ident["raw"], ident["obfuscation"])
            assert digits.endswith(national), (ident, digits)
    assert styles >= {
        None,
        "spelled_en",
        "spelled_es",
        "letter_swap",
        "spacing",
        "emoji_digits",
        "fullwidth",
        "split",
        "mixed",
    }


def test_every_renderer_writes_the_number() -> None:
    rng = random.Random(3)
    book = PhoneBook(3, 0)
    styles = (
        None,
        "spelled_en",
        "spelled_es",
        "letter_swap",
        "spacing",
        "emoji_digits",
        "fullwidth",
        "circled",
        "split",
        "mixed",
    )
    for _ in range(60):
        phone = book.issue(rng.choice(("US", "GB")))
        for style in styles:
            for foreign in (False, True):
                for lang in ("en", "es"):
                    raw = render_phone(phone, style, lang, rng, foreign)
                    national = phone.e164[2:] if phone.e164.startswith("+1") else phone.e164[3:]
                    assert _decode(raw, style).endswith(national), (style, raw, phone.e164)


# --- privacy --------------------------------------------------------------------------------------


def test_phones_valid_and_fictional(pairs) -> None:
    seen = 0
    for _, truth in pairs:
        for ident in truth["identifiers"]:
            if ident["type"] == "phone":
                seen += 1
                assert phonenumbers.is_valid_number(phonenumbers.parse(ident["value"]))
                assert is_fictional_phone(ident["value"]), ident["value"]
                assert not ident.get("recycled")  # a small corpus never re-issues a number
    assert seen > COUNT // 2


def test_whole_fiction_space_is_valid() -> None:
    for area in US_AREA_CODES:
        for line in (100, 150, 199):
            n = phonenumbers.parse(f"+1{area}555{line:04d}")
            assert phonenumbers.is_valid_number(n), area
    for prefix, _ in GB_RANGES.values():
        for free in (0, 500, 999):
            nsn = f"{prefix}{free:0{10 - len(prefix)}d}"
            assert phonenumbers.is_valid_number(phonenumbers.parse(f"+44{nsn}")), nsn
    book = PhoneBook(1, 0)
    for k in range(6):
        for cc in ("US", "GB"):
            hub = book.hub(cc, k).e164
            assert phonenumbers.is_valid_number(phonenumbers.parse(hub)) and is_fictional_phone(hub)
    assert not is_fictional_phone("+12125551234") and not is_fictional_phone("+447911123456")


def test_hard_negatives_are_not_phones(pairs) -> None:
    """A validating phone matcher finds only the planted numbers, never a price or a zip."""
    region = {"US": "US", "GB": "GB", "ES": "ES", "MX": "MX"}
    for ad, truth in pairs[:800]:
        planted = {i["value"] for i in truth["identifiers"] if i["type"] == "phone"}
        for m in phonenumbers.PhoneNumberMatcher(ad["text"], region[ad["country"]]):
            e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
            assert e164 in planted, (ad["id"], m.raw_string)


def test_reserved_domains_only(pairs) -> None:
    for ad, truth in pairs:
        urls = [ad["url"], *ad["images"]]
        urls += re.findall(r"https?://[^\s/]+", ad["text"])
        for url in urls:
            host = re.match(r"https?://([^/]+)", url).group(1)
            assert host.endswith(".example"), url
        for ident in truth["identifiers"]:
            if ident["type"] == "email":
                domain = ident["value"].split("@")[1]
                assert domain in {"example.com", "example.net", "example.org"} or domain.endswith(
                    (".example", ".test")
                ), domain
        for email in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", ad["text"]):
            assert email.endswith(
                (".example", ".test", "example.com", "example.net", "example.org")
            ), email


def test_phone_quotas_of_blocks_are_disjoint() -> None:
    period = reuse_period("US")
    books = [PhoneBook(4, b) for b in range(period + 1)]
    firsts = [[book.issue("US").e164 for _ in range(50)] for book in books]
    assert len({n for nums in firsts[:period] for n in nums}) == 50 * period
    assert firsts[period] == firsts[0]  # numbers come back only a whole period later
    book = PhoneBook(4, 0)
    issued = [book.issue("GB") for _ in range(QUOTA["GB"] + 1)]
    assert not issued[0].recycled and issued[-1].recycled
    assert issued[-1].e164 == issued[0].e164


def test_crypto_addresses_checksum_valid() -> None:
    assert (
        eip55(bytes.fromhex("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"))
        == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    )  # EIP-55 test vector
    assert base58check(b"\x00" + bytes(20)) == "1111111111111111111114oLvT2"
    assert (
        bech32_p2wpkh(bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6"))
        == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    )  # BIP-173 test vector
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    rng = random.Random(9)
    for _ in range(200):
        platform, addr = crypto_address(rng)
        if addr.startswith("0x"):
            assert eip55(bytes.fromhex(addr[2:].lower())) == addr
        elif addr.startswith("bc1"):
            assert bech32_valid(addr)
        else:
            assert base58check_valid(addr)
        assert platform in {"bitcoin", "ethereum"}


# --- what the pipeline is tested on ------------------------------------------------------


def _by(pairs, key: str) -> dict[str, list[tuple[dict, dict]]]:
    groups: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for ad, truth in pairs:
        if truth[key]:
            groups[truth[key]].append((ad, truth))
    return groups


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / max(1, len(a | b))


def test_operations_share_identifiers_and_move(pairs) -> None:
    ops = {
        k: v
        for k, v in _by(pairs, "operation").items()
        if v[0][1]["role"] == "trafficking_operation"
    }
    assert len(ops) >= 20
    unlinked_pairs = shared = several = 0
    for op, ads in ops.items():
        times = [a["posted_at"] for a, _ in ads]
        assert times == sorted(times) and len(set(times)) == len(times), op
        values = [{i["value"] for i in t["identifiers"]} for _, t in ads]
        if len(ads) >= 3:
            counts: dict[str, int] = defaultdict(int)
            for vs in values:
                for v in vs:
                    counts[v] += 1
            shared += max(counts.values()) >= 2
            several += 1
        if len(ads) >= 5:
            assert len({a["city"] for a, _ in ads}) >= 2, op
        unlinked_pairs += sum(not (x & y) for x, y in pairwise(values))
    assert shared >= 0.9 * several  # identifiers are reused across an operation's ads ...
    assert unlinked_pairs > 0  # ... but not always: linking must use the text too


def test_operation_text_is_near_duplicate_not_copy(pairs) -> None:
    ops = [v for v in _by(pairs, "template").values() if len(v) >= 4]
    within, copies, total = [], 0, 0
    for ads in ops:
        sh = [_shingles(a["text"]) for a, _ in ads]
        for x, y in pairwise(sh):
            within.append(_jaccard(x, y))
            copies += x == y
            total += 1
    rng = random.Random(0)
    across = []
    for _ in range(400):
        a, b = rng.sample(ops, 2)
        across.append(
            _jaccard(_shingles(rng.choice(a)[0]["text"]), _shingles(rng.choice(b)[0]["text"]))
        )
    assert sum(within) / len(within) > 0.3  # 3-word shingles; measured ~0.34
    assert sum(across) / len(across) < 0.05  # measured ~0.01
    assert copies / total < 0.1


def test_hubs_join_unrelated_authors(pairs) -> None:
    authors: dict[str, set[str]] = defaultdict(set)
    for _, truth in pairs:
        for value in truth["hub"]:
            authors[value].add(truth["entity"])
    assert authors
    assert max(len(v) for v in authors.values()) >= 3
    shared = [v for v in authors.values() if len(v) >= 2]
    assert len(shared) >= 3


def _rate(pairs, role: str, indicator: str) -> float:
    sel = [t for _, t in pairs if t["role"] == role]
    return sum(indicator in t["indicators"] for t in sel) / len(sel)


def test_indicator_mix(pairs) -> None:
    op, ind = "trafficking_operation", "independent"
    # movement language is *not* a trafficking marker: at least as common among independents
    assert _rate(pairs, ind, "movement_language") >= _rate(pairs, op, "movement_language")
    for indicator in (
        "phone_obfuscated",
        "third_person",
        "multiple_persons",
        "youth_language",
        "ethnicity_stated",
        "trustworthy_language",
    ):
        assert _rate(pairs, op, indicator) > _rate(pairs, ind, indicator) > 0, indicator


def test_deceptive_jobs_vary_their_cues(pairs) -> None:
    cues = [set(t["indicators"]) for _, t in pairs if t["role"] == "deceptive_job"]
    assert len(cues) >= 50
    assert all(len(c) >= 2 for c in cues)
    assert not set.intersection(*cues)  # no single cue marks them all
    union = set.union(*cues)
    assert union >= {
        "recruitment_fee",
        "passport_requested",
        "high_pay_no_experience",
        "travel_paid",
        "messaging_app_only",
        "no_company_identity",
        "urgency",
        "job_abroad",
        "vague_duties",
    }
    legit = [set(t["indicators"]) for _, t in pairs if t["role"] == "legit_job"]
    assert 0 < sum(bool(c) for c in legit) < len(legit) / 2  # some innocent cues


# --- WARC and saved pages ----------------------------------------------------------------


def test_warc_readable_with_pages_and_images(pairs, tmp_path: Path) -> None:
    ads = [a for a, _ in pairs[:300]]
    path = tmp_path / "ads.warc.gz"
    assert write_warc(ads, path) == 300
    by_url = {a["url"]: a for a in ads}
    pages, images, referenced = 0, [], set()
    with path.open("rb") as fh:
        records = list(ArchiveIterator(fh))
    with path.open("rb") as fh:
        kinds = [r.rec_type for r in ArchiveIterator(fh)]
    assert kinds[0] == "warcinfo"
    with path.open("rb") as fh:
        ids = [r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(fh)]
    assert len(set(ids)) == len(ids)
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type != "response":
                continue
            uri = rec.rec_headers.get_header("WARC-Target-URI")
            ctype = rec.http_headers.get_header("Content-Type")
            body = rec.content_stream().read()
            if ctype.startswith("text/html"):
                pages += 1
                ad = by_url[uri]
                assert rec.rec_headers.get_header("WARC-Date") == ad["posted_at"]
                tree = HTMLParser(body.decode("utf-8"))
                assert tree.css_first("div.ad-body").text() == ad["text"]
                referenced |= {img.attributes["src"] for img in tree.css("img")}
            else:
                assert ctype == "image/png" and body.startswith(b"\x89PNG\r\n\x1a\n")
                assert body[12:16] == b"IHDR"
                images.append(uri)
    assert len(records) == 1 + pages + len(images)
    assert pages == 300 and len(images) >= 30
    assert set(images) <= referenced
    again = tmp_path / "again" / "ads.warc.gz"
    again.parent.mkdir()
    write_warc(ads, again)
    assert again.read_bytes() == path.read_bytes()


def test_html_pages_parse(pairs, tmp_path: Path) -> None:
    ads = [a for a, _ in pairs[:120]]
    assert write_html_dir(ads, tmp_path / "pages") == 120
    for ad in ads:
        tree = HTMLParser((tmp_path / "pages" / f"{ad['id']}.html").read_text("utf-8"))
        assert tree.css_first("title").text() == ad["title"]
        assert tree.css_first("link[rel=canonical]").attributes["href"] == ad["url"]
        meta = tree.css_first('meta[property="article:published_time"]')
        assert meta.attributes["content"] == ad["posted_at"]
        assert tree.css_first("div.ad-body").text() == ad["text"]
        assert tree.css_first("span.location").text() == ad["city"]


def test_write_corpus_with_warc_and_html(tmp_path: Path) -> None:
    stats = write_corpus(tmp_path, 200, 2, warc=True, html=True)
    assert stats.warc_pages == 200 and stats.html_pages == 200 and stats.warc_images > 0
    assert len(list((tmp_path / "pages").glob("*.html"))) == 200
    assert (tmp_path / "ads.warc.gz").stat().st_size > 0
