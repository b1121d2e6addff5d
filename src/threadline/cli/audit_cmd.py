"""`threadline audit …`: verify and read the tamper-evident log."""

from __future__ import annotations

import json

import typer
from rich.table import Table
from rich.text import Text

from threadline import audit
from threadline.cli.context import (
    console,
    emit_json,
    err_console,
    handle_errors,
    open_store,
    settings,
)
from threadline.safeguards.oversight import case_audit_events

app = typer.Typer(help="Verify and read the audit log.", no_args_is_help=True)


@app.command("verify")
@handle_errors
def verify(fmt: str = typer.Option("text", "--format", help="text or json")) -> None:
    """Recompute the hash chain and compare it with the checkpoint. Exit 1 if broken."""
    store = open_store()
    with store.read() as session:
        result = audit.verify(session, store.settings.audit_checkpoint, store.settings.database_url)
    if fmt == "json":
        emit_json(
            {
                "ok": result.ok,
                "events": result.events_checked,
                "head_seq": result.head_seq,
                "head_hash": result.head_hash,
                "checkpoint_seq": result.checkpoint_seq,
                "first_broken_seq": result.first_broken_seq,
                "problem": result.problem,
            }
        )
    elif result.ok:
        note = (
            f"; matches the checkpoint at event {result.checkpoint_seq}"
            if result.checkpoint_seq is not None
            else "; no checkpoint found for this database, so truncation cannot be ruled out"
        )
        console.print(
            f"audit chain OK: {result.events_checked} events, head {result.head_seq} "
            f"{result.head_hash[:16]}…{note}",
            highlight=False,
        )
    else:
        err_console.print(
            f"[red]audit chain BROKEN[/red] at event {result.first_broken_seq}: {result.problem}",
            highlight=False,
        )
    if not result.ok:
        raise typer.Exit(1)


@app.command("head")
@handle_errors
def head() -> None:
    """Print the chain head (sequence and hash) to record with an outside witness."""
    store = open_store()
    with store.read() as session:
        result = audit.verify(session, store.settings.audit_checkpoint, store.settings.database_url)
    emit_json({"seq": result.head_seq, "hash": result.head_hash, "verified": result.ok})


@app.command("log")
@handle_errors
def log(
    case: str | None = typer.Option(None, "--case", help="Only this case's events"),
    limit: int = typer.Option(50, "--limit", help="Most recent N events"),
    fmt: str = typer.Option("table", "--format", help="table or json"),
) -> None:
    """Show the most recent audit events."""
    events = case_audit_events(open_store(), settings().actor, case, limit)
    if fmt == "json":
        for ev in events:
            emit_json(
                {
                    "seq": ev.seq,
                    "at": ev.at,
                    "actor": ev.actor,
                    "action": ev.action,
                    "case_id": ev.case_id,
                    "target": ev.target,
                    "details": ev.details,
                    "hash": ev.hash,
                }
            )
        return
    table = Table("seq", "at (UTC)", "actor", "action", "target", "details")
    for ev in events:
        table.add_row(
            str(ev.seq),
            ev.at[:19],
            Text(ev.actor),
            ev.action,
            Text(ev.target),
            Text(json.dumps(ev.details, ensure_ascii=False)[:120]),
        )
    console.print(table)
