"""`threadline screen`: the JSON Lines contract and hostile input."""

from __future__ import annotations

import io
import math
import time

import orjson
import pytest

from threadline.extract.base import ExtractContext
from threadline.screen import (
    MAX_LINE_BYTES,
    bounded_lines,
    region_for_record,
    screen_lines,
    screen_record,
)

MENTION_KEYS = {
    "type",
    "raw",
    "normalized",
    "start",
    "end",
    "confidence",
    "extractor",
    "obfuscation",
}
SIGNAL_KEYS = {"indicator", "spans", "weight", "grade", "citation"}
SAFETY_NET_S = 20.0  # generous: the benchmark is the real evidence of speed


def run(*lines: bytes, **kwargs: object) -> list[dict]:
    return [orjson.loads(out) for out in screen_lines(list(lines), **kwargs)]


def test_contract() -> None:
    text = "Call 4one5 - 5five5 - 01 2 3, $200/hr, jade_x22 at example dot com"
    (out,) = run(orjson.dumps({"id": "ad-1", "text": text, "site": "x"}))
    assert set(out) == {"id", "mentions", "signals", "score"}
    assert out["id"] == "ad-1"
    (signal,) = out["signals"]  # the spelled-out phone number, an outcome-validated indicator
    assert set(signal) == SIGNAL_KEYS
    assert signal["indicator"] == "phone_obfuscated" and signal["grade"] == "outcome-validated"
    assert signal["citation"] and signal["weight"] > 0
    assert [text[a:b] for a, b in signal["spans"]] == [out["mentions"][0]["raw"]]
    assert set(out["score"]) == {"value", "for_review", "contributions", "calibration"}
    assert [m["type"] for m in out["mentions"]] == ["phone", "price", "email"]
    for m in out["mentions"]:
        assert set(m) == MENTION_KEYS
        assert text[m["start"] : m["end"]] == m["raw"]
    phone = out["mentions"][0]
    assert phone["normalized"] == "+14155550123"
    assert "spelled_digits:en" in phone["obfuscation"]


def test_offsets_are_code_points() -> None:
    text = "😘🌹 ñ 𝟒𝟏𝟓 𝟓𝟓𝟓 𝟎𝟏𝟐𝟑 call"
    (out,) = run(orjson.dumps({"id": 7, "text": text}))
    (m,) = out["mentions"]
    assert text[m["start"] : m["end"]] == m["raw"] == "𝟒𝟏𝟓 𝟓𝟓𝟓 𝟎𝟏𝟐𝟑"
    assert m["start"] == 5  # code points, not UTF-8 bytes or UTF-16 units


@pytest.mark.parametrize(
    ("record", "region"),
    [
        ({"country": "GB"}, "GB"),
        ({"country": "Mexico"}, "MX"),
        ({"place": "Houston, TX"}, "US"),
        ({"city": "Leeds"}, "GB"),
        ({}, "US"),
        ({"country": "Narnia"}, "US"),
    ],
)
def test_region_for_record(record: dict, region: str) -> None:
    assert region_for_record(record) == region


def test_region_reads_local_numbers() -> None:
    rec = {"id": 1, "text": "ring 020 7946 0123", "country": "GB"}
    assert screen_record(rec)["mentions"][0]["normalized"] == "+442079460123"
    assert screen_record({**rec, "country": None})["mentions"] == []  # read as US: invalid
    ctx = ExtractContext(default_region="GB")
    assert screen_record({"id": 1, "text": rec["text"]}, ctx)["mentions"]


BAD = [
    (b"not json", None, "invalid JSON"),
    (b"[1, 2]", None, "JSON object"),
    (b'"a string"', None, "JSON object"),
    (b'{"id": "a"}', "a", "missing text"),
    (b'{"id": "b", "text": 5}', "b", "must be a string"),
    (b'{"id": {"x": 1}, "text": "x"}', None, "id must be"),
    (b'{"id": "c", "text": "\\ud800 lone"}', "c", "surrogate"),
    (b'{"id": "d", "text": "\xff\xfe"}', None, "UTF-8"),
]


@pytest.mark.parametrize(("line", "rid", "reason"), BAD, ids=[b[2] for b in BAD])
def test_bad_lines_give_an_error_object(line: bytes, rid: object, reason: str) -> None:
    (out,) = run(b'{"id": 0, "text": "ok"}', line)[1:]
    assert out["id"] == rid and reason in out["error"] and out["line"] == 2


def test_stream_goes_on_after_errors_and_skips_blank_lines() -> None:
    outs = run(b"nope", b"", b"  \r\n", b'{"id": 2, "text": "415-555-0123"}\n')
    assert [o.get("error") is not None for o in outs] == [True, False]
    assert outs[1]["mentions"][0]["normalized"] == "+14155550123"


def test_control_characters_and_mixed_scripts() -> None:
    text = "\x00\x07Звони\u202e 415\x0b555\x1f0123 ☎ اتصل 𝟒𝟏𝟓-𝟓𝟓𝟓-𝟎𝟏𝟗𝟗 电话"
    (out,) = run(orjson.dumps({"id": "cc", "text": text}))
    for m in out["mentions"]:
        assert text[m["start"] : m["end"]] == m["raw"]
    assert {m["normalized"] for m in out["mentions"]} >= {"+14155550199"}


@pytest.mark.slow
def test_oversized_line_is_rejected_without_reading_it_all() -> None:
    big = b'{"id": "big", "text": "' + b"a" * (MAX_LINE_BYTES + 10) + b'"}\n'
    stream = io.BytesIO(big + b'{"id": "next", "text": "415-555-0123"}\n')
    outs = [orjson.loads(o) for o in screen_lines(bounded_lines(stream))]
    assert "exceeds" in outs[0]["error"] and outs[0]["line"] == 1
    assert outs[1]["id"] == "next" and outs[1]["mentions"]


@pytest.mark.slow
def test_one_mebibyte_line_finishes() -> None:
    text = ("Call 415-555-0123 $200/hr snap: luna_x " * 30_000)[: MAX_LINE_BYTES - 64]
    t0 = time.monotonic()
    (out,) = run(orjson.dumps({"id": "1mb", "text": text}), time_budget_s=1.0)
    assert time.monotonic() - t0 < SAFETY_NET_S
    assert out["id"] == "1mb" and ("mentions" in out)
    for m in out["mentions"][:50]:
        assert text[m["start"] : m["end"]] == m["raw"]


PATHOLOGICAL = [
    "1 " * 100_000,
    "a@" * 50_000,
    "four " * 50_000,
    "$a" * 50_000,
    "x" * 200_000 + "@example.com",
    "Houston " * 50_000,
]


@pytest.mark.slow
@pytest.mark.parametrize("text", PATHOLOGICAL, ids=[p[:12] for p in PATHOLOGICAL])
def test_pathological_input_is_bounded(text: str) -> None:
    t0 = time.monotonic()
    out = screen_record({"id": "p", "text": text}, time_budget_s=0.5)
    elapsed = time.monotonic() - t0
    assert elapsed < SAFETY_NET_S
    assert "mentions" in out  # an exhausted budget is reported in "errors", never raised
    for m in out["mentions"][:50]:
        assert text[m["start"] : m["end"]] == m["raw"]


def test_exhausted_budget_is_a_per_record_error() -> None:
    out = screen_record({"id": "t", "text": "415-555-0123 " * 2000}, time_budget_s=0.0)
    assert out["mentions"] == [] and out["errors"]
    assert all("time budget" in e for e in out["errors"])


def _sum(score: dict) -> float:
    return math.fsum(c["contribution"] for c in score["contributions"])


def test_signals_and_score_with_contributions_that_sum_to_it() -> None:
    text = "New in town! Sweet young girl, 100% real, text 4I5 555 OI23"
    (out,) = run(orjson.dumps({"id": "a", "text": text, "lang": "en"}))
    fired = {s["indicator"]: s for s in out["signals"]}
    assert {"youth_language", "trustworthy_language", "phone_obfuscated"} <= set(fired)
    for s in out["signals"]:
        assert set(s) == SIGNAL_KEYS and s["spans"]
        for a, b in s["spans"]:
            assert 0 <= a < b <= len(text)
    assert text[slice(*fired["trustworthy_language"]["spans"][0])].lower() == "100% real"
    # movement language is contradicted by the outcome study: shown, but it adds nothing
    assert fired["movement_language"]["weight"] == 0
    score = out["score"]
    assert score["value"] == _sum(score) and 0 < score["value"] < 1
    assert score["for_review"] is (score["value"] >= 0.5)
    by_id = {c["indicator"]: c for c in score["contributions"]}
    assert by_id["movement_language"]["contribution"] == 0
    assert set(by_id) == {"baseline", *fired}
    assert "not" not in score["calibration"] and score["calibration"].startswith("platt:ad:")
    assert "job_model" not in out


def test_a_plain_ad_scores_its_baseline() -> None:
    (out,) = run(orjson.dumps({"id": "p", "text": "Hello, nice weather today."}))
    assert out["signals"] == []
    (base,) = out["score"]["contributions"]
    assert base["indicator"] == "baseline" and base["contribution"] == out["score"]["value"]
    assert out["score"]["for_review"] is False


def test_job_ad_gets_the_job_model_with_versions_and_top_features() -> None:
    text = (
        "Urgent! No experience needed, earn $5000/month in Dubai. Visa and flight paid, "
        "send passport copy on WhatsApp. Small registration fee $300."
    )
    rec = {"id": "j", "kind": "job-ad", "title": "Work abroad", "text": text, "lang": "en"}
    (out,) = run(orjson.dumps(rec))
    fired = {s["indicator"] for s in out["signals"]}
    assert {"recruitment_fee", "passport_requested", "travel_paid"} <= fired
    assert out["score"]["calibration"].startswith("platt:job_ad:")
    assert out["score"]["value"] == _sum(out["score"])
    job = out["job_model"]
    assert job["probability"] > job["threshold"] and job["for_review"] is True
    assert job["model"].startswith("jobmodel-") and job["training_data"]
    assert job["synthetic"] is True
    assert job["top_features"] and {"feature", "value", "weight", "contribution"} == set(
        job["top_features"][0]
    )
    assert "ind:recruitment_fee" in {f["feature"] for f in job["top_features"]}
    # a legitimate posting of the same kind: lower risk on both measures
    plain = {
        "id": "k",
        "kind": "job_ad",
        "text": "Acme Logistics Ltd, 12 High Street, Leeds, is hiring a warehouse operative. "
        "Apply at https://acme-logistics.example/careers. Two years of experience required.",
        "lang": "en",
    }
    (legit,) = run(orjson.dumps(plain))
    assert legit["job_model"]["probability"] < job["probability"]
    assert legit["score"]["value"] < out["score"]["value"]


def test_spanish_phrases_and_unscored_kinds() -> None:
    text = "Trabajo en el extranjero sin experiencia, viaje pagado, envia copia de tu pasaporte"
    (es,) = run(orjson.dumps({"id": "e", "kind": "job_ad", "text": text, "lang": "es"}))
    assert {"passport_requested", "travel_paid"} <= {s["indicator"] for s in es["signals"]}
    (page,) = run(orjson.dumps({"id": "x", "kind": "report", "text": "100% real, call me"}))
    assert page["signals"] == [] and page["score"] is None and "job_model" not in page
