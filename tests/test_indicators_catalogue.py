"""The indicator catalogue: loads, validates, grades and cites; malformed files fail clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import regex
import yaml

from threadline.indicators.catalogue import CATALOGUE_DIR, load_catalogue, parse_directory
from threadline.indicators.rules import RULES
from threadline.indicators.schema import (
    CATEGORIES,
    GRADES,
    KINDS,
    LANGS,
    WEIGHT_RANGE,
    CatalogueError,
    check_bounded,
)
from threadline.indicators.wording import scan_package, verdicts

CAT = load_catalogue()
CONTRADICTED = ("movement_language", "stated_age_under_23", "client_screening")


def test_catalogue_loads_and_is_cached() -> None:
    assert load_catalogue() is CAT
    assert regex.fullmatch(r"cat-[0-9a-f]{16}", CAT.version)
    assert {i.kind for i in CAT.indicators} == set(KINDS)
    assert len({i.id for i in CAT.indicators}) == len(CAT.indicators)


@pytest.mark.parametrize("ind", CAT.indicators, ids=lambda i: i.id)
def test_every_entry_is_graded_weighted_and_cited(ind) -> None:  # type: ignore[no-untyped-def]
    assert ind.grade in GRADES
    lo, hi = WEIGHT_RANGE[ind.grade]
    assert lo <= ind.weight <= hi
    assert ind.category in CATEGORIES
    assert ind.sources and all(k in CAT.sources for k in ind.sources)
    assert CAT.citation(ind)
    assert set(ind.languages) == set(LANGS)
    for lang in LANGS:
        assert any(e.lang == lang and e.fires for e in ind.examples)
    assert any(not e.fires for e in ind.examples)
    if ind.grade == "weak-or-contradicted":
        assert ind.weight <= 0


@pytest.mark.parametrize("iid", CONTRADICTED)
def test_outcome_study_contradictions_add_no_risk(iid: str) -> None:
    ind = CAT.get(iid)
    assert ind.grade == "weak-or-contradicted"
    assert ind.weight == 0
    assert "lugo_graulich_2024" in ind.sources


def test_outcome_validated_entries_are_the_studys_predictors() -> None:
    validated = {i.id for i in CAT.indicators if i.grade == "outcome-validated"}
    assert validated == {
        "trustworthy_language",
        "phone_obfuscated",
        "ethnicity_stated",
        "youth_language",
    }
    assert all("lugo_graulich_2024" in CAT.get(i).sources for i in validated)
    memex = [
        i for i in CAT.indicators if "memex_etk" in i.sources and i.grade != "outcome-validated"
    ]
    assert memex and all(i.weight <= 0.3 for i in memex)


def test_job_ads_cover_the_ilo_and_red_flag_indicators() -> None:
    ids = {i.id for i in CAT.for_kind("job_ad")}
    assert {
        "recruitment_fee",
        "passport_requested",
        "high_pay_no_experience",
        "travel_paid",
        "messaging_app_only",
        "no_company_identity",
    } <= ids
    cats = {i.category for i in CAT.for_kind("job_ad")}
    assert {"deceptive-recruitment", "exploitation", "recruitment"} <= cats


def test_every_regex_is_bounded_and_compiles() -> None:
    patterns = [
        spec.regex
        for ind in CAT.indicators
        for specs in ind.detect.patterns.values()
        for spec in specs
    ]
    patterns += [
        rx
        for ind in CAT.indicators
        for value in ind.detect.params.values()
        if isinstance(value, dict)
        for rx in value.values()
        if isinstance(rx, str)
    ]
    assert patterns
    for rx in patterns:
        assert check_bounded(rx) is None, rx
        regex.compile(rx)


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("a+", "unbounded"),
        ("a*b", "unbounded"),
        ("a{2,}", "unbounded"),
        ("(?:ab{1,3}){1,3}", "nested"),
        ("a{1,500}", "above"),
    ],
)
def test_unbounded_patterns_are_refused(pattern: str, why: str) -> None:
    assert why in (check_bounded(pattern) or "")


def test_bounded_patterns_pass() -> None:
    for rx in (r"\d{1,5}\s[\w .]{1,40}?\s(?:st|rd)", r"[+*]{1,3}", r"\+\*", r"(?:ab)?c{1,2}"):
        assert check_bounded(rx) is None, rx


def test_every_rule_is_used_and_has_examples_through_an_entry() -> None:
    used = {i.detect.rule for i in CAT.indicators if i.detect.rule}
    assert used == set(RULES)


def test_groups_file_states_its_purpose() -> None:
    groups = CAT.groups["ethnicity_nationality"]
    assert "fairness" in groups.purpose.lower() or "never" in groups.purpose.lower()
    assert "none" not in groups.groups


# --- malformed catalogues ------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    return target


def _edit(directory: Path, name: str, change) -> None:  # type: ignore[no-untyped-def]
    path = directory / name
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["indicators"][0].update(colour="red"), "unknown key(s) ['colour']"),
        (lambda d: d["indicators"][0].pop("grade"), "missing key(s) ['grade']"),
        (lambda d: d["indicators"][0].update(grade="strong"), "grade: 'strong'"),
        (lambda d: d["indicators"][0].update(weight=5.0), "outside"),
        (lambda d: d["indicators"][0].update(sources=["nobody_2030"]), "unknown source"),
        (lambda d: d["indicators"][0].update(examples=[]), "needs a firing example"),
        (
            lambda d: d["indicators"][0]["detect"].update(
                patterns={"en": [{"id": "x", "regex": "(a+)+", "anchors": ["a"]}]}
            ),
            "not bounded",
        ),
        (lambda d: d["indicators"][0]["detect"].update(rule="no_such_rule"), "unknown rule"),
    ],
)
def test_malformed_entry_names_file_and_entry(tmp_path: Path, change, expected: str) -> None:  # type: ignore[no-untyped-def]
    directory = _copy(tmp_path)
    _edit(directory, "job_ads.yaml", change)
    with pytest.raises(CatalogueError) as err:
        parse_directory(directory)
    message = str(err.value)
    assert "job_ads.yaml" in message and "recruitment_fee" in message and expected in message


def test_weak_grade_cannot_carry_positive_weight(tmp_path: Path) -> None:
    directory = _copy(tmp_path)

    def change(doc):  # type: ignore[no-untyped-def]
        for ind in doc["indicators"]:
            if ind["id"] == "movement_language":
                ind["weight"] = 0.5

    _edit(directory, "sex_ads.yaml", change)
    with pytest.raises(
        CatalogueError, match=r"sex_ads.yaml.*movement_language.*weak-or-contradicted"
    ):
        parse_directory(directory)


def test_invalid_yaml_and_missing_files_are_named(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "job_ads.yaml").write_text("indicators: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"job_ads\.yaml: not valid YAML"):
        parse_directory(directory)
    (directory / "sources.yaml").unlink()
    with pytest.raises(CatalogueError, match=r"missing sources\.yaml"):
        parse_directory(directory)


def test_version_follows_content(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    assert parse_directory(directory).version == CAT.version
    _edit(directory, "job_ads.yaml", lambda d: d["indicators"][0].update(weight=0.7))
    assert parse_directory(directory).version != CAT.version


# --- review-first wording -------------------------------------------------------------------


def test_no_user_facing_string_calls_a_record_trafficking() -> None:
    assert scan_package() == []


@pytest.mark.parametrize(
    "text",
    [
        "This ad is trafficking.",
        "Record flagged as sex trafficking",
        "a trafficking ad",
        "trafficker",
    ],
)
def test_verdict_phrasings_are_caught(text: str) -> None:
    assert verdicts(text)


@pytest.mark.parametrize(
    "text",
    [
        "Indicators of Trafficking in Online Escort Ads",
        "Journal of Human Trafficking",
        "risk indicators, for review",
    ],
)
def test_citations_and_review_wording_pass(text: str) -> None:
    assert verdicts(text) == []
