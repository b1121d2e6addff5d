"""Shared state of one CLI invocation: settings from global options, errors to exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from threadline.config import Settings
from threadline.errors import Forbidden, ThreadlineError
from threadline.store import Store

console = Console()
err_console = Console(stderr=True)

EXIT_FORBIDDEN = 3  # distinct from 1 (error) and 2 (usage), so scripts can tell refusals apart

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Options:
    data_dir: Path | None = None
    database_url: str | None = None
    actor: str | None = None


OPTIONS = Options()


def settings(**overrides: Any) -> Settings:
    return Settings.load(
        data_dir=OPTIONS.data_dir,
        database_url=OPTIONS.database_url,
        actor=OPTIONS.actor,
        **overrides,
    )


def open_store(**overrides: Any) -> Store:
    return Store(settings(**overrides))


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Print the core's errors as one clear line and exit 1 (3 when access is refused),
    without a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except Forbidden as exc:
            err_console.print(f"[red]refused:[/red] {exc}", highlight=False, markup=True)
            raise typer.Exit(EXIT_FORBIDDEN) from None
        except ThreadlineError as exc:
            # the message may quote attacker-written names: never let Rich read it as markup
            err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=_json_default, ensure_ascii=False) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def counting_progress() -> Progress:
    """A transient progress bar counting items, one row per task (named by its description)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
