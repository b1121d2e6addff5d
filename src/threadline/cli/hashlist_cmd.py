"""`threadline hashlist …`: hash lists of known content, with provenance; every change audited."""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from threadline.cli.context import (
    console,
    emit_json,
    err_console,
    handle_errors,
    open_store,
    settings,
)
from threadline.errors import ValidationError

app = typer.Typer(help="Hash lists of known content (PDQ, MD5, SHA-256).", no_args_is_help=True)

TYPE_HELP = "Hash type: pdq, md5 or sha256"


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(f"--received-at is an ISO date or time, got {value[:40]!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command("create")
@handle_errors
def create(
    name: str = typer.Argument(..., help="List name (unique, one line)"),
    supplied_by: str = typer.Option(None, "--supplied-by", help="Who supplied it (required)"),
    received_at: str = typer.Option(
        None, "--received-at", help="When it was received, ISO date or time; UTC if no zone"
    ),
    terms: str = typer.Option(None, "--terms", help="Licence or terms of use (required)"),
    purpose: str = typer.Option(None, "--purpose", help="What it may be used for (required)"),
    match_only: bool = typer.Option(
        False, "--match-only", help="Entries are matched, never displayed; exports need --reason"
    ),
) -> None:
    """Create an empty hash list with its provenance."""
    from threadline.hashlists import create_list

    info = create_list(
        open_store(),
        settings().actor,
        name,
        supplied_by=supplied_by,
        received_at=_when(received_at),
        terms=terms,
        purpose=purpose,
        match_only=match_only,
    )
    mode = " (match-only)" if info.match_only else ""
    console.print(Text.assemble("Created hash list ", (info.name, "bold"), f"{mode}."))


@app.command("list")
@handle_errors
def list_(fmt: str = typer.Option("table", "--format", help="table or json")) -> None:
    """List hash lists with provenance and entry counts (never entries)."""
    from threadline.hashlists import list_lists

    lists = list_lists(open_store())
    if fmt == "json":
        for info in lists:
            emit_json(asdict(info))
        return
    table = Table("name", "supplied by", "received", "match-only", "entries", "enabled")
    for i in lists:
        table.add_row(
            Text(i.name),
            Text(i.supplied_by),
            f"{i.received_at:%Y-%m-%d}",
            "yes" if i.match_only else "no",
            f"{i.entries:,}",
            f"{i.enabled:,}",
        )
    console.print(table)


@app.command("show")
@handle_errors
def show(
    name: str = typer.Argument(...),
    fmt: str = typer.Option("text", "--format", help="text or json"),
    limit: int = typer.Option(50, "--limit", help="Entries to show (match-only lists: none)"),
) -> None:
    """Show a list's provenance and counts, and its entries unless it is match-only."""
    from threadline.hashlists import get_list, list_entries

    store = open_store()
    info = get_list(store, name)
    entries = [] if info.match_only else list_entries(store, name, limit=max(0, limit))
    if fmt == "json":
        emit_json({**asdict(info), "entries": [asdict(e) for e in entries]})
        return
    console.print(Text.assemble((info.name, "bold"), f" (id {info.id})"))
    for label, value in (
        ("supplied by", info.supplied_by),
        ("received", info.received_at.isoformat()),
        ("terms", info.terms),
        ("purpose", info.purpose),
        ("created", f"{info.created_at:%Y-%m-%d %H:%M} UTC by {info.created_by}"),
    ):
        console.print(Text(f"  {label + ':':13} {value}"))
    by_type = ", ".join(f"{k} {v:,}" for k, v in sorted(info.by_type.items())) or "none"
    console.print(Text(f"  entries:      {info.entries:,} ({info.enabled:,} enabled; {by_type})"))
    if info.match_only:
        console.print(Text("  match-only: entries are matched and never displayed."))
        return
    if entries:
        table = Table("type", "hash", "enabled", "label", "source")
        for e in entries:
            table.add_row(
                e.hash_type,
                e.value,
                "yes" if e.enabled else "no",
                Text(e.label or ""),
                Text(e.source or ""),
            )
        console.print(table)
        if info.entries > len(entries):
            console.print(f"  … {info.entries - len(entries):,} more (--limit)", highlight=False)


@app.command("import")
@handle_errors
def import_(
    name: str = typer.Argument(..., help="Hash list to add to"),
    file: Path = typer.Argument(..., help="CSV file, or - for stdin"),
    fmt: str = typer.Option("csv", "--format", help="csv (hash,type[,label,source]) or te"),
    hash_type: str = typer.Option("pdq", "--type", help="Hash type of a te file"),
) -> None:
    """Import hashes; malformed rows are reported with their line numbers (exit 1)."""
    from threadline.hashlists import import_entries

    store = open_store()
    actor = settings().actor
    if str(file) == "-":
        result = import_entries(
            store, actor, name, sys.stdin.buffer, fmt, te_type=hash_type, origin="stdin"
        )  # type: ignore[arg-type]
    else:
        try:
            fh = open(file, "rb")  # noqa: SIM115  (closed below; open errors reported apart)
        except OSError as exc:
            raise ValidationError(f"cannot read {file}: {exc.strerror or exc}") from exc
        with fh:
            result = import_entries(
                store, actor, name, fh, fmt, te_type=hash_type, origin=str(file)
            )  # type: ignore[arg-type]
    console.print(
        f"{result.rows:,} rows read: {result.added:,} added, {result.duplicates:,} already "
        f"on the list, {len(result.problems):,} rejected",
        highlight=False,
    )
    for p in result.problems:
        raw = f": {p.raw}" if p.raw else ""
        err_console.print(Text(f"line {p.line}: {p.reason}{raw}"))
    if result.problems:
        raise typer.Exit(1)


@app.command("export")
@handle_errors
def export(
    name: str = typer.Argument(...),
    out: Path | None = typer.Option(None, "--out", help="File to write [default: stdout]"),
    fmt: str = typer.Option("csv", "--format", help="csv or te"),
    hash_type: str | None = typer.Option(None, "--type", help="Only this hash type (te: pdq)"),
    reason: str | None = typer.Option(
        None, "--reason", help="Required to export a match-only list; audited"
    ),
) -> None:
    """Export a list's entries (enabled and disabled) to CSV; audited."""
    from threadline.hashlists import export_entries

    store = open_store()
    actor = settings().actor
    if out is None:
        export_entries(store, actor, name, sys.stdout, fmt, hash_type=hash_type, reason=reason)
        return
    tmp = out.with_name(out.name + ".part")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            n = export_entries(store, actor, name, fh, fmt, hash_type=hash_type, reason=reason)
        tmp.replace(out)
    except OSError as exc:
        raise ValidationError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    err_console.print(Text(f"{n:,} entries written to {out}"))


@app.command("add")
@handle_errors
def add(
    name: str = typer.Argument(...),
    value: str = typer.Argument(..., help="The hash, in hex"),
    hash_type: str = typer.Option("pdq", "--type", help=TYPE_HELP),
    label: str | None = typer.Option(None, "--label", help="A short label"),
    source: str | None = typer.Option(None, "--source", help="Where this hash came from"),
) -> None:
    """Add one hash to a list."""
    from threadline.hashlists import add_entry

    new = add_entry(
        open_store(), settings().actor, name, hash_type, value, label=label, source=source
    )
    console.print("added" if new else "already on the list", highlight=False)


@app.command("disable")
@handle_errors
def disable(
    name: str = typer.Argument(...),
    value: str = typer.Argument(..., help="The hash, in hex"),
    hash_type: str = typer.Option("pdq", "--type", help=TYPE_HELP),
    enable: bool = typer.Option(False, "--enable", help="Re-enable instead"),
) -> None:
    """Disable one entry: it stays on the list but no longer matches."""
    from threadline.hashlists import set_enabled

    set_enabled(open_store(), settings().actor, name, hash_type, value, enabled=enable)
    console.print("enabled" if enable else "disabled", highlight=False)


@app.command("remove")
@handle_errors
def remove(
    name: str = typer.Argument(...),
    value: str = typer.Argument(..., help="The hash, in hex"),
    hash_type: str = typer.Option("pdq", "--type", help=TYPE_HELP),
    reason: str = typer.Option(None, "--reason", help="Why it is removed (required; audited)"),
) -> None:
    """Remove one entry from a list (matches already found stay on record)."""
    from threadline.hashlists import remove_entry

    remove_entry(open_store(), settings().actor, name, hash_type, value, reason=reason)
    console.print("removed", highlight=False)
