"""`threadline synth ads`: a synthetic corpus with planted ground truth."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from threadline.cli.context import console, counting_progress, handle_errors

app = typer.Typer(help="Generate synthetic data (never real people's).", no_args_is_help=True)

MAX_COUNT = 100_000_000


@app.command("ads")
@handle_errors
def ads(
    count: int = typer.Option(10_000, "--count", min=1, max=MAX_COUNT),
    seed: int = typer.Option(1, "--seed"),
    out: Path = typer.Option(..., "--out", help="Output folder (ads.jsonl, truth.jsonl)"),
    warc: bool = typer.Option(False, "--warc", help="Also write the ads as a WARC crawl"),
    html: bool = typer.Option(False, "--html", help="Also write one saved HTML page per ad"),
    workers: int | None = typer.Option(
        None, "--workers", min=1, max=64, help="Processes (output identical for any number) [CPUs]"
    ),
) -> None:
    """Write synthetic commercial-sex ads and job ads with ground truth."""
    from threadline.synth import write_corpus

    with synth_progress(count) as advance:
        stats = write_corpus(
            out, count, seed, warc=warc, html=html, progress=advance, workers=workers
        )
    console.print(
        f"wrote {count:,} ads to {out} in {stats.elapsed_s:.1f} s "
        f"({count / max(stats.elapsed_s, 1e-9):,.0f} ads/s)",
        highlight=False,
        markup=False,
    )


@contextmanager
def synth_progress(total: int) -> Iterator[Callable[[int], None]]:
    bar = counting_progress()
    task = bar.add_task("synth", total=total)
    with bar:
        yield lambda n: bar.advance(task, n)
