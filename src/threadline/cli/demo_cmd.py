"""`threadline demo`: the one-command tour on a synthetic corpus."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from threadline.cases import list_cases
from threadline.cli.analyze_cmd import print_analyze_summary
from threadline.cli.context import console, counting_progress, handle_errors, open_store, settings
from threadline.cli.ingest_cmd import print_summary
from threadline.demo import DEMO_CASE, run_demo
from threadline.safeguards.access import ensure_local_admin
from threadline.store import Store


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


@handle_errors
def demo(
    count: int = typer.Option(2_000, "--count", min=10, max=1_000_000, help="Synthetic ads"),
    seed: int = typer.Option(7, "--seed"),
    serve: bool = typer.Option(
        False, "--serve", help="Then open the web UI on http://127.0.0.1:8700/ (Ctrl-C stops it)"
    ),
    port: int = typer.Option(8700, "--port", help="Port for --serve"),
) -> None:
    """Generate a synthetic corpus, ingest it into a demo case, analyse it, and summarise."""
    store = open_store()
    console.print(
        f"threadline demo: data directory {store.settings.data_dir}", highlight=False, markup=False
    )
    if ensure_local_admin(store, settings().actor):
        console.print(
            f"no users yet: created {settings().actor!r} as a local admin and supervisor "
            "(see docs/safeguards.md)",
            highlight=False,
            markup=False,
        )
    bar = counting_progress()
    with bar:
        synth = bar.add_task("synth", total=count)
        ingest = bar.add_task("ingest", total=None)
        extract = bar.add_task("extract", total=None)
        report = run_demo(
            store,
            settings().actor,
            count=count,
            seed=seed,
            on_synth=lambda n: bar.advance(synth, n),
            on_ingest=lambda p: bar.update(ingest, completed=p.bytes_done, total=p.bytes_total),
            on_analyze=lambda done, total: bar.update(extract, completed=done, total=total),
        )
    console.rule("ingest")
    print_summary(report.ingest)
    console.rule("extraction")
    print_analyze_summary(report.analysis)
    if report.shared_identifiers:
        shared = Table("identifier type", "value", "records", title="most shared identifiers")
        for kind, value, n in report.shared_identifiers:
            shared.add_row(kind, Text(value), str(n))
        console.print(shared)
    console.rule(f"case {DEMO_CASE}")
    table = Table("kind", "language", "records")
    for (kind, lang), n in sorted(report.records_by_kind_lang.items()):
        table.add_row(kind, Text(lang), str(n))
    console.print(table)
    info = next(c for c in list_cases(store, settings().actor) if c.name == DEMO_CASE)
    console.print(
        f"{info.records} records from {info.sources} source(s); {info.quarantined} quarantined.",
        highlight=False,
    )
    audit = report.audit
    status = "[green]OK[/green]" if audit.ok else f"[red]BROKEN[/red]: {audit.problem}"
    console.print(f"audit chain {status} ({audit.events_checked} events)", highlight=False)
    console.print(
        "next: threadline case show demo · threadline audit log --case demo · "
        "threadline demo --serve (web UI)",
        highlight=False,
        markup=False,
    )
    if serve:
        _serve_demo(store, settings().actor, port)


def _serve_demo(store: Store, actor: str, port: int) -> None:
    """Give the acting user a fresh one-time password and serve the UI on loopback."""
    import secrets

    from threadline import credentials
    from threadline.cli.serve_cmd import serve as serve_command

    password = secrets.token_urlsafe(12)
    credentials.set_password(store, actor, actor, password)
    console.rule("web UI")
    console.print(Text(f"open http://127.0.0.1:{port}/ and log in as {actor!r} with password "))
    console.print(Text(password, style="bold"))
    console.print("(a new password each time; `threadline passwd` sets a lasting one)")
    serve_command(host="127.0.0.1", port=port, workers=1, max_upload_mb=256)
