"""The `threadline` command line: a thin adapter over the core."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="threadline",
    help="Privacy-by-design intelligence against human trafficking.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    from threadline.cli import commands  # noqa: F401  (registers the commands)

    app()
