"""`threadline explain RECORD_ID` (a stored record's score, contribution by contribution)
and `threadline report bias` (the fairness report over a stored case)."""

from __future__ import annotations

import re

import typer
from rich.text import Text

from threadline.cli.context import console, emit_json, handle_errors, open_store, settings
from threadline.cli.oversight_cmd import report_app  # one `report` group for every report


def register(app: typer.Typer) -> None:
    app.command("explain")(explain)


@handle_errors
def explain(
    record: str = typer.Argument(
        ..., help="Record number in the store, or with --case its external id"
    ),
    case: str | None = typer.Option(None, "--case", help="Case the record belongs to"),
    fmt: str = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Why a record has its risk score: each signal's contribution, grade, citation, evidence."""
    from threadline.explain import explain_record

    result = explain_record(open_store(), settings().actor, record, case_name=case)
    if fmt == "json":
        emit_json(result.to_dict())
        return
    print_explanation(result)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _flat(s: str) -> str:
    """One display line: newlines, other controls and bidi overrides become a space."""
    return _CONTROL.sub(" ", s)


def _line(*parts: str | tuple[str, str]) -> Text:
    """A line of untrusted strings: `Text` never reads markup in them."""
    return Text.assemble(*parts)


def print_explanation(r) -> None:  # type: ignore[no-untyped-def]
    label = f"record {r.record_id}" + (f" ({r.external_id})" if r.external_id else "")
    verdict = "for review" if r.for_review else "below the review threshold"
    console.print(
        _line(
            (label, "bold"),
            f" in case {r.case}, kind {r.kind}: risk score ",
            (f"{r.value:.4f}", "bold"),
            f" ({verdict})",
        ),
        highlight=False,
    )
    console.print(
        _line(f"  {r.baseline:+.4f}  no-signal baseline ({r.calibration})"), highlight=False
    )
    for s in r.signals:
        console.print(
            _line(
                f"  {s.contribution:+.4f}  ",
                (s.indicator, "bold"),
                f" — {s.name} [{s.grade}, weight {s.weight:g}, {s.category}]",
            ),
            highlight=False,
        )
        console.print(_line(f"           source: {s.citation}"), highlight=False)
        for e in s.evidence:
            console.print(
                _line(
                    f"           {e.field} {e.start}-{e.end}: ",
                    _flat(e.before),
                    (_flat(e.match), "reverse"),
                    _flat(e.after),
                ),
                highlight=False,
            )
        if not s.evidence:
            console.print(_line("           (fires on an absence; no span)"), highlight=False)
        for note in s.notes:
            console.print(_line(f"           note: {note}"), highlight=False)
    console.print(
        _line(f"  = {r.total:.4f} (sum of the contributions); {r.method}"), highlight=False
    )
    console.print(
        _line(f"  catalogue {r.catalogue_version}, calibration {r.calibration_version}"),
        highlight=False,
    )
    if r.job_model:
        j = r.job_model
        console.print(
            _line(
                f"job-ad model {r.model_version} (training data {r.training_data}"
                + (", SYNTHETIC" if j.get("synthetic") else "")
                + f"): probability {j['probability']:.4f}, threshold {j['threshold']:.4f}"
            ),
            highlight=False,
        )
        for f in j.get("top_features", []):
            console.print(_line(f"  {f['contribution']:+.4f}  {f['feature']}"), highlight=False)
    for err in r.errors:
        console.print(_line(f"error: {err}"), highlight=False)
    console.print(
        _line("A risk score is a reason to review the record, not a finding about anyone."),
        highlight=False,
    )


@report_app.command("bias")
@handle_errors
def bias(
    case: str = typer.Option(..., "--case", help="Case to report on"),
    kind: list[str] = typer.Option(
        [], "--kind", help="Record kind (ad, job_ad); repeatable [every scored kind]"
    ),
    min_group: int = typer.Option(30, "--min-group", help="Smallest group compared", min=1),
    min_flags: int = typer.Option(5, "--min-flags", help="Flags a disparate top group needs"),
    threshold: float = typer.Option(1.25, "--threshold", help="Disparity ratio marked disparate"),
    fmt: str = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Fairness report: flag rates by language, region and ethnicity/nationality words."""
    from threadline.bias_case import case_bias_report
    from threadline.risk import SCORED_KINDS

    reports = case_bias_report(
        open_store(),
        settings().actor,
        case,
        kinds=tuple(kind) or SCORED_KINDS,
        min_group=min_group,
        min_flags=min_flags,
        threshold=threshold,
    )
    if fmt == "json":
        emit_json({"case": case, "reports": {k: r.to_dict() for k, r in reports.items()}})
        return
    for k, report in reports.items():
        console.print(Text(f"== fairness report, case {case}, kind {k}", style="bold"))
        console.print(Text(report.to_text()), highlight=False, soft_wrap=True)
