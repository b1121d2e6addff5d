"""Labelled job ads for training and evaluation: the synthetic corpus, EMSCAD rows.

Synthetic labels come from the generator's ground truth (deceptive_job = 1,
legit_job = 0) and each ad's group is its author (`truth["entity"]`), so
cross-validation can keep an author's near-duplicate ads on one side of a
split. Whatever is measured on them is reported as synthetic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from threadline.jobmodel.features import JobAd, Prepared, prepare

SYNTH_LABELS = {"deceptive_job": 1, "legit_job": 0}


@dataclass(frozen=True, slots=True)
class Example:
    ad: JobAd
    prepared: Prepared
    label: int  # 1: the positive class (deceptive / fraudulent)
    group: str  # author (synthetic) or row id (EMSCAD)


@dataclass(frozen=True, slots=True)
class Dataset:
    examples: tuple[Example, ...]
    name: str  # "synthetic" | "emscad"
    description: str
    data_version: str  # hash of the texts and labels
    synthetic: bool

    @property
    def positives(self) -> int:
        return sum(e.label for e in self.examples)

    def info(self) -> dict[str, object]:
        return {
            "name": self.name,
            "description": self.description,
            "data_version": self.data_version,
            "n": len(self.examples),
            "positives": self.positives,
            "synthetic": self.synthetic,
        }


def _version(items: Iterable[tuple[str, str, int]]) -> str:
    h = hashlib.sha256()
    for key, text, label in items:
        h.update(f"{key}\0{text}\0{label}\n".encode())
    return "sha256:" + h.hexdigest()[:16]


def synthetic_dataset(count: int, seed: int) -> Dataset:
    """The job ads among `threadline.synth.generate(count, seed)`, prepared and labelled."""
    from threadline.synth import generate

    examples = []
    for ad, truth in generate(count, seed):
        label = SYNTH_LABELS.get(truth["role"])
        if ad["kind"] != "job_ad" or label is None:
            continue
        job = JobAd(
            text=ad["text"],
            title=ad.get("title", ""),
            fields={"has_company_logo": bool(ad.get("images"))},
            lang=ad.get("lang"),
            region=ad.get("country"),
        )
        examples.append(Example(job, prepare(job), label, str(truth["entity"])))
    version = _version((e.group, e.ad.full_text, e.label) for e in examples)
    return Dataset(
        tuple(examples),
        "synthetic",
        f"threadline.synth generate(count={count}, seed={seed}): job ads, "
        "deceptive_job = 1, legit_job = 0 (SYNTHETIC)",
        "synth-" + version,
        True,
    )


EMSCAD_TEXT_FIELDS = ("company_profile", "description", "requirements", "benefits")
EMSCAD_FLAGS = ("telecommuting", "has_company_logo", "has_questions")
EMSCAD_CATEGORIES = (
    "employment_type",
    "required_experience",
    "required_education",
    "industry",
    "function",
)


def emscad_ad(row: Mapping[str, str]) -> JobAd:
    """One EMSCAD row as a job ad: text fields joined, flags and categories as fields."""
    text = "\n".join(row.get(f, "") or "" for f in EMSCAD_TEXT_FIELDS)
    fields: dict[str, bool | str] = {f: row.get(f, "").strip() == "1" for f in EMSCAD_FLAGS}
    fields["company_profile_missing"] = not (row.get("company_profile") or "").strip()
    fields["salary_range_given"] = bool((row.get("salary_range") or "").strip())
    for f in EMSCAD_CATEGORIES:
        fields[f] = (row.get(f) or "").strip()
    location = (row.get("location") or "").strip()
    region = location.split(",")[0].strip().upper() if location else None
    return JobAd(text, (row.get("title") or "").strip(), fields, "en", region or None)


def emscad_dataset(rows: Iterable[Mapping[str, str]], data_version: str) -> Dataset:
    examples = []
    for row in rows:
        ad = emscad_ad(row)
        examples.append(Example(ad, prepare(ad), int(row["fraudulent"]), str(row["job_id"])))
    return Dataset(
        tuple(examples),
        "emscad",
        "EMSCAD (Vidros et al. 2017), fraudulent = 1",
        data_version,
        False,
    )
