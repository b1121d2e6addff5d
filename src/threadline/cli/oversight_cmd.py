"""`threadline retention run` and `threadline report oversight`."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from threadline.cli.context import console, emit_json, handle_errors, open_store, settings

retention_app = typer.Typer(help="Purge cases past their retention deadline.", no_args_is_help=True)
report_app = typer.Typer(help="Reports over a case.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
    app.add_typer(report_app, name="report")


@retention_app.command("run")
@handle_errors
def retention_run(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; delete nothing"),
    fmt: str = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Purge the data of every case past its retention deadline (admins). Audited."""
    from threadline.safeguards.retention import run_retention

    results = run_retention(open_store(), settings().actor, dry_run=dry_run)
    if fmt == "json":
        for r in results:
            emit_json(
                {
                    "case": r.case_name,
                    "case_id": r.case_id,
                    "retain_until": r.retain_until,
                    "rows": r.rows,
                    "blobs": r.blobs,
                    "blob_bytes": r.blob_bytes,
                    "dry_run": dry_run,
                }
            )
        return
    if not results:
        console.print("no case is past its retention deadline")
        return
    verb = "would purge" if dry_run else "purged"
    for r in results:
        rows = ", ".join(f"{n:,} {table}" for table, n in sorted(r.rows.items())) or "no rows"
        console.print(
            Text.assemble(
                f"{verb} case ",
                (r.case_name, "bold"),
                f" (retained until {r.retain_until:%Y-%m-%d}): {rows}; "
                f"{r.blobs} blob(s), {r.blob_bytes:,} bytes",
            )
        )


@report_app.command("oversight")
@handle_errors
def report_oversight(
    case: str = typer.Option(..., "--case"),
    fmt: str = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Who accessed what, searches, exports, approvals, refusals, reviews: from the audit log."""
    from threadline.safeguards.oversight import oversight_report

    report = oversight_report(open_store(), settings().actor, case)
    if fmt == "json":
        emit_json(report.to_dict())
        return
    console.print(
        Text.assemble(
            "Oversight report for case ",
            (report.case_name, "bold"),
            f": {report.events} audit events, {report.first_event or '-'} to "
            f"{report.last_event or '-'}",
        )
    )
    actors = Table("actor", "actions", title="who did what")
    for actor, actions in report.actors.items():
        actors.add_row(Text(actor), Text(", ".join(f"{a} ×{n}" for a, n in actions.items())))
    console.print(actors)
    for title, entries in (
        ("access to case data", report.access),
        ("searches", report.searches),
        ("exports", report.exports),
        ("export approvals", report.approvals),
        ("refusals", report.refusals),
        ("membership changes", report.membership),
        ("retention purges", report.purged),
    ):
        table = Table("at (UTC)", "actor", "action", "target", "details", title=title)
        for e in entries:
            details = ", ".join(f"{k}={v}" for k, v in e.details.items())
            table.add_row(e.at[:19], Text(e.actor), e.action, Text(e.target), Text(details[:160]))
        if entries:
            console.print(table)
        else:
            console.print(f"{title}: none", style="dim")
    reviews = Table(
        "target", "confirmed", "dismissed", "needs_more", "dismissal rate", title="reviews"
    )
    for kind, counts in report.reviews.items():
        reviews.add_row(
            kind,
            str(counts.get("confirmed", 0)),
            str(counts.get("dismissed", 0)),
            str(counts.get("needs_more", 0)),
            f"{report.dismissal_rate.get(kind, 0):.0%}",
        )
    console.print(reviews)
    if report.dismissal_reasons:
        reasons = ", ".join(f"{r} ×{n}" for r, n in report.dismissal_reasons.items())
        console.print(f"dismissal reasons: {reasons}", highlight=False, markup=False)
