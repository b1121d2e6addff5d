"""Registers every command on the app; imported once by `threadline.cli.main`."""

from __future__ import annotations

from pathlib import Path

import typer

from threadline import __version__
from threadline.cli import (
    access_cmd,
    analyze_cmd,
    app,
    audit_cmd,
    case_cmd,
    demo_cmd,
    export_cmd,
    hash_cmd,
    hashlist_cmd,
    ingest_cmd,
    link_cmd,
    risk_cmd,
    serve_cmd,
    synth_cmd,
)
from threadline.cli.context import OPTIONS


@app.callback()
def global_options(
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Data directory [env THREADLINE_DATA_DIR; default: user data dir]"
    ),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="SQLAlchemy URL, e.g. postgresql://host/db [env THREADLINE_DATABASE_URL; "
        "default: SQLite in the data directory]",
    ),
    actor: str | None = typer.Option(
        None, "--actor", help="Who is acting, for the audit log [env THREADLINE_ACTOR; OS user]"
    ),
) -> None:
    OPTIONS.data_dir, OPTIONS.database_url, OPTIONS.actor = data_dir, database_url, actor
    from threadline.compiled import describe, status

    if status().stale:  # an editable install whose compiled modules predate their sources
        typer.echo(f"threadline: warning: {describe()}", err=True)


@app.command()
def version() -> None:
    """Print the version and whether the hot path runs compiled."""
    from threadline.compiled import describe

    typer.echo(f"threadline {__version__} ({describe()})")


app.add_typer(case_cmd.app, name="case")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(synth_cmd.app, name="synth")
ingest_cmd.register(app)
analyze_cmd.register(app)
demo_cmd.register(app)
serve_cmd.register(app)
access_cmd.register(app)
risk_cmd.register(app)
hash_cmd.register(app)
app.add_typer(hashlist_cmd.app, name="hashlist")
link_cmd.register(app)
export_cmd.register(app)
