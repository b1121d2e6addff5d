"""`threadline case …`: open and inspect cases."""

from __future__ import annotations

from dataclasses import asdict

import typer
from rich.table import Table
from rich.text import Text

from threadline.cases import create_case, get_case, list_cases
from threadline.cli.context import console, emit_json, handle_errors, open_store, settings
from threadline.ingest.query import list_sources

app = typer.Typer(help="Open and inspect cases.", no_args_is_help=True)


@app.command("create")
@handle_errors
def create(
    name: str = typer.Argument(..., help="Case name (unique, one line)"),
    purpose: str = typer.Option(None, "--purpose", help="Why this case exists (required)"),
    legal_basis: str = typer.Option(
        None, "--legal-basis", help="The legal basis for processing its data (required)"
    ),
    retention_days: int | None = typer.Option(
        None, "--retention-days", help="Days until the case's data is purged [default 365]"
    ),
) -> None:
    """Open a case. A purpose and a legal basis are required."""
    info = create_case(open_store(), settings().actor, name, purpose, legal_basis, retention_days)
    console.print(
        Text.assemble(
            "Created case ",
            (info.name, "bold"),
            f" (id {info.id}); data retained until {info.retain_until:%Y-%m-%d}.",
        )
    )


@app.command("list")
@handle_errors
def list_(fmt: str = typer.Option("table", "--format", help="table or json")) -> None:
    """List cases with their counts."""
    cases = list_cases(open_store(), settings().actor)
    if fmt == "json":
        for info in cases:
            emit_json(asdict(info))
        return
    table = Table("name", "owner", "created", "retain until", "sources", "records", "quarantined")
    for c in cases:
        table.add_row(
            Text(c.name),
            Text(c.owner),
            f"{c.created_at:%Y-%m-%d}",
            f"{c.retain_until:%Y-%m-%d}",
            str(c.sources),
            str(c.records),
            str(c.quarantined),
        )
    console.print(table)


@app.command("show")
@handle_errors
def show(
    name: str = typer.Argument(...),
    fmt: str = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Show a case: purpose, legal basis, retention, sources with provenance."""
    store = open_store()
    info = get_case(store, settings().actor, name)
    sources = list_sources(store, settings().actor, name)
    if fmt == "json":
        emit_json({**asdict(info), "sources": [asdict(s) for s in sources]})
        return
    console.print(Text.assemble((info.name, "bold"), f" (id {info.id}), owner {info.owner}"))
    console.print(f"  purpose:      {info.purpose}", highlight=False, markup=False)
    console.print(f"  legal basis:  {info.legal_basis}", highlight=False, markup=False)
    console.print(
        f"  created {info.created_at:%Y-%m-%d %H:%M} UTC; retained {info.retention_days} days, "
        f"until {info.retain_until:%Y-%m-%d}",
        highlight=False,
    )
    console.print(
        f"  {info.sources} sources, {info.records} records, {info.quarantined} quarantined",
        highlight=False,
    )
    if sources:
        table = Table(
            "id",
            "path",
            "format",
            "size",
            "sha256",
            "acquired",
            "by",
            "status",
            "stored",
            "dup",
            "quar",
        )
        for s in sources:
            table.add_row(
                str(s.id),
                Text(s.path),
                s.format,
                str(s.size),
                s.sha256[:16] + "…",
                f"{s.acquired_at:%Y-%m-%d %H:%M}",
                Text(s.acquired_by),
                s.status,
                str(s.stored),
                str(s.duplicate),
                str(s.quarantined),
            )
        console.print(table)
