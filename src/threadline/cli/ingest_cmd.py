"""`threadline ingest` and `threadline quarantine`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from threadline.cli.context import console, emit_json, handle_errors, open_store, settings
from threadline.errors import ValidationError
from threadline.ingest.query import list_quarantine
from threadline.ingest.readers.mapping import FieldMapping
from threadline.ingest.service import DEFAULT_BATCH, FORMATS, IngestSummary, ingest_paths
from threadline.ingest.service import Progress as IngestProgress

quarantine_app = typer.Typer(help="Inspect records that could not be read.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.add_typer(quarantine_app, name="quarantine")


@handle_errors
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders to ingest"),
    case: str = typer.Option(..., "--case", help="Case the records belong to"),
    fmt: str = typer.Option("auto", "--format", help=f"One of: {', '.join(FORMATS)}"),
    field_map: list[str] = typer.Option(
        [], "--map", help="Field mapping ATTR=FIELD, e.g. --map text=body --map id=ad_id"
    ),
    kind: str = typer.Option("ad", "--kind", help="Record kind when the source does not say"),
    max_record_bytes: int | None = typer.Option(
        None, "--max-record-bytes", help="Largest record accepted [env THREADLINE_MAX_RECORD_BYTES]"
    ),
    batch_size: int = typer.Option(
        DEFAULT_BATCH, "--batch-size", min=1, max=100_000, help="Records per transaction"
    ),
    fmt_out: str = typer.Option("text", "--output", help="text or json summary"),
) -> None:
    """Ingest JSON Lines, CSV, saved HTML pages or WARC files into a case."""
    try:
        mapping = FieldMapping.parse(field_map)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    store = open_store(max_record_bytes=max_record_bytes)
    with _progress_bar() as bar:
        task = bar.add_task("ingest", total=None, name="")

        def on_progress(p: IngestProgress) -> None:
            bar.update(task, completed=p.bytes_done, total=p.bytes_total, name=Path(p.path).name)

        summary = ingest_paths(
            store,
            settings().actor,
            case,
            paths,
            fmt=fmt,
            mapping=mapping,
            default_kind=kind,
            progress=on_progress,
        )
    if fmt_out == "json":
        emit_json({"case": summary.case, "sources": [asdict(s) for s in summary.sources]})
    else:
        print_summary(summary)


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.fields[name]}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def print_summary(summary: IngestSummary) -> None:
    table = Table("source", "format", "read", "stored", "duplicate", "quarantined", "note")
    for s in summary.sources:
        note = "already ingested" if s.already_ingested else ("resumed" if s.resumed else "")
        table.add_row(
            Text(s.path),
            s.format,
            str(s.read),
            str(s.stored),
            str(s.duplicate),
            str(s.quarantined),
            note,
        )
    table.add_row(
        "total",
        "",
        *(str(summary.total(n)) for n in ("read", "stored", "duplicate", "quarantined")),
        "",
        style="bold",
    )
    console.print(table)
    skipped: dict[str, int] = {}
    for s in summary.sources:
        for what, n in s.skipped.items():
            skipped[what] = skipped.get(what, 0) + n
    if skipped:
        listed = ", ".join(f"{n:,} {what}" for what, n in sorted(skipped.items()))
        console.print(
            f"passed over (not records; kept in the preserved source files): {listed}",
            highlight=False,
            markup=False,
        )
    if summary.total("quarantined"):
        console.print(
            f"{summary.total('quarantined')} item(s) quarantined with their reasons: "
            f"threadline quarantine list --case {summary.case!r}",
            highlight=False,
            markup=False,
        )


@quarantine_app.command("list")
@handle_errors
def quarantine_list(
    case: str = typer.Option(..., "--case"),
    limit: int = typer.Option(1000, "--limit"),
    fmt: str = typer.Option("table", "--format", help="table or json"),
) -> None:
    """List quarantined items with the reason each could not be read."""
    items = list_quarantine(open_store(), settings().actor, case, limit)
    if fmt == "json":
        for q in items:
            emit_json(asdict(q))
        return
    table = Table("id", "source", "where", "bytes", "reason", "raw blob")
    for q in items:
        table.add_row(
            str(q.id),
            Text(q.source_path),
            Text(q.locator),
            str(q.raw_length),
            Text(q.reason),
            q.blob_sha256[:16] + "…",
        )
    console.print(table)
