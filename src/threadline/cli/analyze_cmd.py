"""`threadline analyze` (stages over a stored case) and `threadline screen` (stateless)."""

from __future__ import annotations

import dataclasses
import sys

import typer
from rich.progress import TaskID
from rich.table import Table
from rich.text import Text

from threadline.cli.context import (
    console,
    counting_progress,
    emit_json,
    handle_errors,
    open_store,
    settings,
)
from threadline.cli.engine_opts import ADDRESS_OPTION, ENGINE_OPTION, engine_choice


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
    app.command("screen")(screen)


@handle_errors
def analyze(
    case: str = typer.Option(..., "--case", help="Case to analyse"),
    fmt: str = typer.Option("text", "--output", help="text or json summary"),
    engine: str = ENGINE_OPTION,
    address: str | None = ADDRESS_OPTION,
) -> None:
    """Run the analysis stages on a case's records (only what is missing or outdated)."""
    from threadline.engine import analyze_case_on

    engine, address = engine_choice(engine, address)
    store = open_store()
    bar = counting_progress()
    with bar:
        task = bar.add_task("extract", total=None)
        scoring = bar.add_task("indicators + score", total=None)
        steps: dict[str, TaskID] = {}

        def link_progress(step: str, done: int, total: int) -> None:
            if step not in steps:
                steps[step] = bar.add_task(f"link: {step}", total=total)
            bar.update(steps[step], completed=done, total=total)

        summary = analyze_case_on(
            store,
            settings().actor,
            case,
            engine=engine,
            address=address,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            risk_progress=lambda done, total: bar.update(scoring, completed=done, total=total),
            link_progress=link_progress,
        )
    if fmt == "json":
        emit_json(
            {
                "case": summary.case,
                "version": summary.version,
                "records": summary.records,
                "processed": summary.processed,
                "mentions": summary.mentions,
                "errors": summary.errors,
                "by_type": summary.by_type,
                "risk": None if summary.risk is None else dataclasses.asdict(summary.risk),
                "linking": summary.linking.to_dict() if summary.linking else None,
            }
        )
        return
    print_analyze_summary(summary)


def print_analyze_summary(summary) -> None:  # type: ignore[no-untyped-def]
    console.print(
        f"extraction {summary.version}: {summary.processed:,} of {summary.records:,} records "
        f"processed, {summary.mentions:,} mentions, {summary.errors:,} records with errors",
        highlight=False,
        markup=False,
    )
    if summary.by_type:
        table = Table("mention type", "found")
        for kind, n in sorted(summary.by_type.items(), key=lambda kv: -kv[1]):
            table.add_row(kind, f"{n:,}")
        console.print(table)
    risk = getattr(summary, "risk", None)
    if risk is not None:
        console.print(
            f"indicators {risk.versions['indicators']}, score {risk.versions['score']}: "
            f"{risk.processed:,} records assessed, {risk.signals:,} signals, "
            f"{risk.for_review:,} for review, {risk.errors:,} with errors",
            highlight=False,
            markup=False,
        )
    link = summary.linking
    if link is not None:
        state = "unchanged since the last run" if link.unchanged else f"run {link.run}"
        console.print(
            f"linking ({state}): {link.networks:,} networks of two or more records "
            f"({link.in_networks:,} of {link.records:,} records, largest {link.largest:,}), "
            f"links {', '.join(f'{k} {v:,}' for k, v in link.links.items())}, "
            f"{link.hubs:,} values held back as hubs",
            highlight=False,
            markup=False,
        )
        for w in link.warnings:
            console.print(Text("warning: ", style="yellow") + Text(w), highlight=False)


def screen(
    default_region: str | None = typer.Option(
        None, "--default-region", help="ISO country for numbers without a country code [US]"
    ),
) -> None:
    """Screen JSON Lines on stdin; one JSON object per record on stdout. Stateless."""
    from threadline.screen import bounded_lines, screen_lines

    out = sys.stdout.buffer
    for line in screen_lines(bounded_lines(sys.stdin.buffer), default_region=default_region):
        out.write(line)
    out.flush()
