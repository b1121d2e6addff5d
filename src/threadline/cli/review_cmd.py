"""`threadline review …` (decisions on records, links, networks) and `threadline approve export`."""

from __future__ import annotations

from dataclasses import asdict

import typer
from rich.table import Table
from rich.text import Text

from threadline.cli.context import console, emit_json, handle_errors, open_store, settings
from threadline.safeguards.review import DECISIONS, DISMISSAL_REASONS, ReviewInfo

review_app = typer.Typer(
    help="Record a person's decision on a record, link or network.", no_args_is_help=True
)
approve_app = typer.Typer(help="Approvals by a second person (four eyes).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
    app.add_typer(approve_app, name="approve")


def _review(
    kind: str, target_id: str, case: str, decision: str, rationale: str, reason: str | None
) -> None:
    from threadline.safeguards.review import record_review

    info = record_review(
        open_store(), settings().actor, case, kind, target_id, decision, rationale, reason
    )
    console.print(
        Text.assemble(
            f"Review {info.id}: ",
            (info.target, "bold"),
            f" {info.decision}" + (f" ({info.reason})" if info.reason else ""),
            f" by {info.reviewer}",
        )
    )


CASE = typer.Option(..., "--case", help="Case the item belongs to")
DECISION = typer.Option(..., "--decision", help=" | ".join(DECISIONS))
RATIONALE = typer.Option(..., "--rationale", help="Why (required, at least 10 characters)")
REASON = typer.Option(None, "--reason", help=f"With dismissed: {' | '.join(DISMISSAL_REASONS)}")


@review_app.command("record")
@handle_errors
def review_record(
    record_id: str = typer.Argument(..., help="Record id"),
    case: str = CASE,
    decision: str = DECISION,
    rationale: str = RATIONALE,
    reason: str | None = REASON,
) -> None:
    """Record a decision on one record."""
    _review("record", record_id, case, decision, rationale, reason)


@review_app.command("link")
@handle_errors
def review_link(
    link_id: str = typer.Argument(..., help="The two record ids, e.g. 12-34"),
    case: str = CASE,
    decision: str = DECISION,
    rationale: str = RATIONALE,
    reason: str | None = REASON,
) -> None:
    """Record a decision on a link; a dismissed link no longer merges networks."""
    _review("link", link_id, case, decision, rationale, reason)


@review_app.command("network")
@handle_errors
def review_network(
    network_id: str = typer.Argument(..., help="Network id, e.g. net-3f2a…"),
    case: str = CASE,
    decision: str = DECISION,
    rationale: str = RATIONALE,
    reason: str | None = REASON,
) -> None:
    """Record a decision on a network."""
    _review("network", network_id, case, decision, rationale, reason)


@review_app.command("list")
@handle_errors
def review_list(
    case: str = CASE,
    kind: str | None = typer.Option(None, "--kind", help="Only record, link or network"),
    limit: int = typer.Option(1000, "--limit", min=1),
    fmt: str = typer.Option("table", "--format", help="table or json"),
) -> None:
    """List a case's reviews, newest first."""
    from threadline.safeguards.review import list_reviews

    reviews = list_reviews(open_store(), settings().actor, case, kind=kind, limit=limit)
    if fmt == "json":
        for r in reviews:
            emit_json(asdict(r))
        return
    print_reviews(reviews)


def print_reviews(reviews: list[ReviewInfo]) -> None:
    if not reviews:
        console.print("no reviews yet", style="dim")
        return
    table = Table("id", "target", "decision", "reason", "reviewer", "at (UTC)", "rationale")
    for r in reviews:
        table.add_row(
            str(r.id),
            Text(r.target),
            r.decision,
            r.reason or "",
            Text(r.reviewer),
            f"{r.created_at:%Y-%m-%d %H:%M}",
            Text(r.rationale),
        )
    console.print(table)


@approve_app.command("export")
@handle_errors
def approve_export(
    case: str = CASE,
    target: str = typer.Option(..., "--target", help="KIND:ID, e.g. network:net-3f2a…"),
    requester: str = typer.Option(..., "--requester", help="Who will export"),
    rationale: str = RATIONALE,
    valid_hours: int = typer.Option(72, "--valid-hours", help="Approval expires after [72]"),
) -> None:
    """Approve another person's export of personal data (supervisors of the case)."""
    from threadline.safeguards import export_gate
    from threadline.safeguards.review import parse_target_ref

    info = export_gate.approve_export(
        open_store(),
        settings().actor,
        case,
        parse_target_ref(target),
        requester,
        rationale,
        valid_hours=valid_hours,
    )
    console.print(
        Text.assemble(
            f"Approval {info.id}: ",
            (info.requester, "bold"),
            " may export personal data from ",
            (info.target, "bold"),
            f" until {info.expires_at:%Y-%m-%d %H:%M} UTC",
        )
    )
