"""The job-ad model: learns, explains with real features, persists as data, verifies EMSCAD."""

from __future__ import annotations

import ast
import csv
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from threadline.jobmodel import JobAd, ModelError, load, load_default
from threadline.jobmodel.data import Dataset, emscad_ad, synthetic_dataset
from threadline.jobmodel.emscad import COLUMNS, EXPECTED_SIZE, EmscadError, verify
from threadline.jobmodel.features import Prepared, char_analyzer, word_analyzer
from threadline.jobmodel.model import MODEL_FILE, from_json_dict
from threadline.jobmodel.train import TrainConfig, cross_validate, fit, top_coefficients

SMALL = TrainConfig(word_max_features=2000, char_max_features=3000, cs=(4.0,), inner_folds=2)
PACKAGE = Path(__file__).resolve().parents[1] / "src" / "threadline" / "jobmodel"


@pytest.fixture(scope="module")
def train_data() -> Dataset:
    return synthetic_dataset(1800, 31)


@pytest.fixture(scope="module")
def test_data() -> Dataset:
    return synthetic_dataset(900, 32)


@pytest.fixture(scope="module")
def fitted(train_data: Dataset):  # type: ignore[no-untyped-def]
    return fit(train_data.examples, SMALL)


@pytest.fixture(scope="module")
def model(fitted, train_data: Dataset):  # type: ignore[no-untyped-def]
    return fitted.to_model({"training_data": train_data.info()})


def test_heldout_f1_above_floor(model, test_data: Dataset) -> None:  # type: ignore[no-untyped-def]
    assert test_data.positives and len(test_data.examples) > test_data.positives
    tp = fp = fn = 0
    for e in test_data.examples:
        pred = model.predict_prepared(e.prepared).for_review
        tp += pred and e.label == 1
        fp += pred and e.label == 0
        fn += (not pred) and e.label == 1
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 > 0.8, (tp, fp, fn)


def test_explanations_name_real_features_of_the_ad(model, test_data: Dataset) -> None:  # type: ignore[no-untyped-def]
    for e in test_data.examples[:40]:
        p = model.predict_prepared(e.prepared)
        assert p.top_features and p.model_version == model.version
        assert p.training_data.startswith("synth-sha256:") and p.synthetic
        grams = set(char_analyzer(e.prepared.norm))
        words = set(word_analyzer(e.prepared.norm))
        for f in p.top_features:
            kind, _, term = f.feature.partition(":")
            if kind == "word":
                assert term in words
            elif kind == "char":
                assert ast.literal_eval(term) in grams
            elif kind == "ind":
                assert f.feature in e.prepared.indicators
            else:
                assert f.feature in e.prepared.meta
            assert f.contribution == pytest.approx(f.value * f.weight)
        mags = [abs(f.contribution) for f in p.top_features]
        assert mags == sorted(mags, reverse=True)


def test_inference_reproduces_scikit_learn(fitted, model, test_data: Dataset) -> None:  # type: ignore[no-untyped-def]
    sample = test_data.examples[:60]
    sk = fitted.decision(sample)
    mine = [model.decision(e.prepared) for e in sample]
    assert max(abs(a - b) for a, b in zip(sk, mine, strict=True)) < 1e-3


def test_round_trip_persistence_without_pickle(model, test_data: Dataset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "model.json"
    model.save(path)
    doc = json.loads(path.read_text(encoding="utf-8"))  # plain JSON
    assert doc["version"] == model.version
    again = load(path)
    assert again.version == model.version
    for e in test_data.examples[:30]:
        assert again.predict_prepared(e.prepared) == model.predict_prepared(e.prepared)
    for source in PACKAGE.glob("*.py"):
        assert not re.search(
            r"^\s*(import|from)\s+(pickle|joblib|cloudpickle)", source.read_text(), re.M
        )


def test_tampered_or_foreign_model_files_are_refused(model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = model.to_json_dict()
    doc["intercept"] = doc["intercept"] + 1
    with pytest.raises(ModelError, match="does not match its version"):
        from_json_dict(doc)
    with pytest.raises(ModelError, match=r"not a threadline\.jobmodel/1 file"):
        from_json_dict({"format": "sklearn-pickle"})
    with pytest.raises(ModelError, match="no model file"):
        load(tmp_path / "absent.json")


def test_marker_audit_excludes_a_generator_marker(train_data: Dataset) -> None:
    marked = [
        replace(e, prepared=replace(e.prepared, norm=e.prepared.norm + " zzmarker"))
        if e.label
        else e
        for e in train_data.examples
    ]
    fitted = fit(marked, SMALL)
    assert "word:zzmarker" in {m.feature for m in fitted.markers}
    model = fitted.to_model({})
    names = {model.feature_name(j) for j in range(len(model.coef))}
    assert "word:zzmarker" not in names
    assert model.info["excluded_markers"]


def test_cross_validation_reports_against_baseline(train_data: Dataset) -> None:
    report = cross_validate(train_data, SMALL, folds=2)
    assert report.grouped  # authors never straddle a split
    rate = train_data.positives / len(train_data.examples)
    assert report.baseline_accuracy == pytest.approx(1 - rate, abs=1e-4)
    assert 0 <= report.precision <= 1 and 0 <= report.recall <= 1
    assert sum(report.confusion.values()) == len(train_data.examples)


def test_shipped_model_is_small_synthetic_and_explained() -> None:
    assert MODEL_FILE.stat().st_size < 2_000_000
    m = load_default()
    assert m.info["training_data"]["synthetic"] is True
    assert m.training_data.startswith("synth-sha256:")
    ad = JobAd(
        "Earn $4,500/month, no experience required. Send a copy of your passport. "
        "Registration fee of $350. Contact ONLY via WhatsApp +1 415 555 0123.",
        title="Hostesses needed in Dubai",
        lang="en",
        region="US",
    )
    p = m.predict(ad)
    assert 0 <= p.probability <= 1 and p.top_features
    assert p.to_dict()["model"] == m.version
    tops = top_coefficients(m, 5)
    assert len(tops["toward_review"]) == 5


def test_fast_features_equal_the_term_by_term_reference(model, test_data: Dataset) -> None:  # type: ignore[no-untyped-def]
    """`sparse` (cached word n-grams, numpy) gives `vector`'s features bit for bit,
    and the predictions built on it equal the plain sort-everything reference."""
    shipped = load_default()
    hostile = Prepared(
        "aaaa " * 1500 + "ééé 0000 __phone__ " + "x" * 300 + " a b",  # counts past the tf table
        ("ind:recruitment_fee", "ind:not_in_model"),
        ("meta:has_company_logo",),
    )
    cases = [e.prepared for e in test_data.examples[:150]] + [hostile, Prepared("", (), ())]
    for m in (model, shipped):
        for p in cases:
            idx, val = m.sparse(p)
            assert idx.tolist() == sorted(m.vector(p))
            assert dict(zip(idx.tolist(), val.tolist(), strict=True)) == m.vector(p)
            assert m.predict_prepared(p) == m.predict_reference(p)
            assert m.predict_prepared(p, top_k=50) == m.predict_reference(p, top_k=50)
        # the second pass reads the per-word cache the first one filled
        assert all(m.predict_prepared(p) == m.predict_reference(p) for p in cases)


def test_word_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hostile text full of distinct or long words cannot grow the per-word cache past its caps."""
    import threadline.jobmodel.model as model_module

    monkeypatch.setattr(model_module, "MAX_CACHED_WORDS", 50)
    fresh = load(MODEL_FILE)  # its own, empty caches
    words = [f"w{i:04d}x" for i in range(400)] + ["y" * 40]
    p = Prepared(" ".join(words), (), ())
    assert fresh.predict_prepared(p) == fresh.predict_reference(p)
    assert all(len(c) <= 50 for c in fresh._word_ids)
    assert all("y" * 40 not in c for c in fresh._word_ids)


# --- EMSCAD verification ---------------------------------------------------------------------


def _csv(path: Path, rows: list[dict[str, str]], header: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(header))
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})
    return path


def _row(i: int, fraud: bool, description: str) -> dict[str, str]:
    return {
        "job_id": str(i),
        "title": "Clerk",
        "description": description,
        "fraudulent": "1" if fraud else "0",
        "has_company_logo": "1",
    }


def test_emscad_absent_is_said_plainly(tmp_path: Path) -> None:
    with pytest.raises(EmscadError, match=r"not found.*never downloaded"):
        verify(tmp_path / "fake_job_postings.csv")


def test_emscad_wrong_size_and_hash(tmp_path: Path) -> None:
    path = _csv(tmp_path / "small.csv", [_row(i, i % 20 == 0, "Work with us") for i in range(50)])
    with pytest.raises(EmscadError) as err:
        verify(path)
    msg = str(err.value)
    assert f"expected {EXPECTED_SIZE:,}" in msg and "SHA-256" in msg and "rows" in msg


def test_emscad_right_size_wrong_hash(tmp_path: Path) -> None:
    path = tmp_path / "same_size.csv"
    with path.open("wb") as f:
        f.truncate(EXPECTED_SIZE)
    with pytest.raises(EmscadError) as err:
        verify(path)
    msg = str(err.value)
    assert "its size is" not in msg and "its SHA-256 is" in msg and "header" in msg


def test_emscad_partial_copy_is_recognised(tmp_path: Path) -> None:
    rows = [_row(i, i % 10 == 0, "Real duties" if i % 10 == 0 else "") for i in range(100)]
    with pytest.raises(EmscadError, match="partial copy"):
        verify(_csv(tmp_path / "partial.csv", rows))


def test_emscad_wrong_columns(tmp_path: Path) -> None:
    header = COLUMNS[:-1]
    with pytest.raises(EmscadError, match="missing: fraudulent"):
        verify(_csv(tmp_path / "cols.csv", [_row(1, False, "x")], header))


def test_emscad_row_becomes_a_job_ad() -> None:
    row = {c: "" for c in COLUMNS} | {
        "title": "Data entry",
        "location": "US, NY, New York",
        "description": "Type things",
        "telecommuting": "1",
        "has_company_logo": "0",
        "employment_type": "Part-time",
        "salary_range": "10-20",
        "fraudulent": "1",
        "job_id": "7",
    }
    ad = emscad_ad(row)
    assert ad.title == "Data entry" and ad.region == "US" and "Type things" in ad.text
    assert ad.fields["telecommuting"] is True and ad.fields["has_company_logo"] is False
    assert ad.fields["company_profile_missing"] is True and ad.fields["salary_range_given"] is True
    assert ad.fields["employment_type"] == "Part-time"


def test_emscad_pipeline_runs_on_rows_in_its_format(tmp_path: Path, test_data: Dataset) -> None:
    """The benchmark's path after verification, on synthetic rows written as EMSCAD columns."""
    from threadline.jobmodel.data import emscad_dataset
    from threadline.jobmodel.emscad import read_rows

    rows = [
        {
            "job_id": str(i),
            "title": e.ad.title,
            "description": e.ad.text,
            "has_company_logo": "1" if e.ad.fields.get("has_company_logo") else "0",
            "location": "US, TX, Austin",
            "fraudulent": str(e.label),
        }
        for i, e in enumerate(test_data.examples[:80])
    ]
    path = _csv(tmp_path / "rows.csv", rows)
    data = emscad_dataset(read_rows(path), "test")
    assert len(data.examples) == 80 and data.positives == sum(int(r["fraudulent"]) for r in rows)
    report = cross_validate(data, SMALL, folds=2)
    assert not report.grouped  # one row per job_id: plain stratified folds
    assert sum(report.confusion.values()) == 80
