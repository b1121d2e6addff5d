"""One record's risk for review: indicators, their score and, for job ads, the job-ad model.

The one place where `threadline screen` and `threadline analyze` turn a
record's text and mentions into signals and a score, so the stateless screen
and the stored case agree on every record. A score is a risk level for
review, never a finding about a person.

A record with a title is assessed on ``title + "\\n" + text`` (a title often
carries the cue); `split_span` maps an offset range of that joined text back
to the field it came from, so stored evidence points into the record's own
fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from threadline.extract.base import Mention
from threadline.indicators import Assessment, assess
from threadline.indicators.rules import DetectContext
from threadline.indicators.schema import KINDS, LANGS

SCORED_KINDS = KINDS  # record kinds the catalogue has indicators for
JOB_KIND = "job_ad"


@lru_cache(maxsize=1)
def job_model():  # type: ignore[no-untyped-def]
    """The shipped job-ad model, loaded once per process."""
    from threadline.jobmodel import load_default

    return load_default()


@dataclass(frozen=True, slots=True)
class RecordRisk:
    assessment: Assessment
    job: Any | None  # JobPrediction for job ads, else None

    def to_screen(self) -> dict[str, Any]:
        """`signals`, `score` (value with contributions) and, for job ads, `job_model`."""
        a = self.assessment
        out: dict[str, Any] = {
            "signals": [s.to_screen_dict() for s in a.signals],
            "score": score_dict(a),
        }
        if self.job is not None:
            out["job_model"] = self.job.to_dict()
        if a.errors:
            out["errors"] = list(a.errors)
        return out


def score_dict(a: Assessment) -> dict[str, Any]:
    s = a.score
    return {
        "value": s.value,
        "for_review": s.for_review,
        "contributions": [c.to_dict() for c in s.contributions],
        "calibration": calibration_version(s.calibration),
    }


def calibration_version(cal: Any) -> str:
    """A short name for a calibration: its method, kind and the data it was fitted on."""
    return f"{cal.method}:{cal.kind}:{cal.data_version or 'none'}"


def record_lang(fields: Mapping[str, Any] | None) -> str | None:
    """The record's declared language when the catalogue has phrases for it, else None (all)."""
    lang = (fields or {}).get("lang") or (fields or {}).get("language")
    if isinstance(lang, str):
        code = lang.strip().lower()[:2]
        if code in LANGS:
            return code
    return None


def joined(title: str | None, text: str) -> tuple[str, int]:
    """The text assessed and the offset at which `text` starts in it."""
    if title:
        return f"{title}\n{text}", len(title) + 1
    return text, 0


def split_span(start: int, end: int, title: str | None, shift: int) -> tuple[str, int, int]:
    """(field, start, end) of a span of the joined text; a span across both is cut to the text."""
    if shift and end <= len(title or ""):
        return "title", start, end
    return "text", max(start - shift, 0), max(end - shift, 0)


def assess_record(
    text: str,
    mentions: Sequence[Mention],
    *,
    kind: str,
    lang: str | None,
    region: str | None,
    title: str | None = None,
    title_mentions: Sequence[Mention] = (),
    model_title: str | None = None,
    has_images: bool = False,
    context: DetectContext | None = None,
) -> RecordRisk:
    """Signals and score for one record of a scored kind (and the job model for job ads).

    `mentions` index `text`, `title_mentions` index `title`; the assessment's
    spans index the joined text (see `joined`). `model_title` is a title that
    only the job model reads (the screen's spans must index `text` alone).
    `context` is what the case knows about the record (`threadline.case_context`).
    """
    full, shift = joined(title, text)
    if shift:
        moved = (m.shifted(shift) for m in mentions)
        all_mentions: list[Mention] = [*title_mentions, *moved]
    else:
        all_mentions = list(mentions)
    a = assess(full, all_mentions, kind=kind, lang=lang, region=region, context=context)
    job = None
    if kind == JOB_KIND:
        from threadline.jobmodel import JobAd

        fields = {"has_company_logo": has_images}
        if model_title and not shift:
            ad = JobAd(text=text, title=model_title, fields=fields, lang=lang, region=region)
        else:
            ad = JobAd(text=full, fields=fields, lang=lang, region=region)
        job = job_model().predict(ad, mentions=all_mentions, signals=a.signals)
    return RecordRisk(a, job)
