"""`threadline hash FILE...`: SHA-256, MD5 and PDQ (with quality) of image files.

Stateless: reads files, writes one line (text) or one JSON object (json) per
file to stdout. A file that cannot be hashed gets an error line (text: on
stderr; json: an object with ``error`` and ``reason`` on stdout, so a consumer
sees every input accounted for) and the others continue; the exit code is 1
when any file failed.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from threadline.cli.context import console, emit_json, err_console
from threadline.media import ImageDecodeError, hash_file


def register(app: typer.Typer) -> None:
    app.command("hash")(hash_files)


def hash_files(
    files: list[Path] = typer.Argument(..., help="Image files to hash", show_default=False),
    fmt: str = typer.Option("text", "--format", help="text or json (one object per file)"),
) -> None:
    """Hash image files: SHA-256, MD5, PDQ and its quality (quality < 50 never matches)."""
    if fmt not in ("text", "json"):
        err_console.print(f"error: --format is text or json, not {fmt!r}", markup=False)
        raise typer.Exit(2)
    failed = 0
    for path in files:
        try:
            hashes = hash_file(path)
        except (ImageDecodeError, OSError) as exc:
            failed += 1
            reason = exc.reason if isinstance(exc, ImageDecodeError) else "unreadable"
            message = str(exc) if isinstance(exc, ImageDecodeError) else exc.strerror or str(exc)
            if fmt == "json":
                emit_json({"path": str(path), "error": message, "reason": reason})
            else:
                err_console.print(Text.assemble(("error: ", "red"), f"{path}: {message}"))
            continue
        if fmt == "json":
            emit_json({"path": str(path), **hashes.as_json()})
        else:
            low = "" if hashes.matchable else " (low quality: never matches)"
            console.print(
                Text(
                    f"{path}\n  sha256  {hashes.sha256}\n  md5     {hashes.md5}\n"
                    f"  pdq     {hashes.pdq_hex}\n  quality {hashes.quality}{low}\n"
                    f"  size    {hashes.width}×{hashes.height}"
                ),
                soft_wrap=True,
            )
    if failed:
        raise typer.Exit(1)
