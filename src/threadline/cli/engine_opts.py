"""`--engine` and `--address`: the options a command adds to run on Ray (see docs/scale-out.md).

A command takes them as parameters with these defaults and passes them through
`engine_choice`, which checks them and reads the environment:

    engine: str = ENGINE_OPTION, address: str | None = ADDRESS_OPTION
    engine, address = engine_choice(engine, address)
"""

from __future__ import annotations

import typer

from threadline.errors import ValidationError

ENGINES = ("local", "ray")

ENGINE_OPTION = typer.Option(
    "local",
    "--engine",
    help="local (this process and its workers) or ray (a Ray cluster; see docs/scale-out.md)",
)
ADDRESS_OPTION = typer.Option(
    None,
    "--address",
    envvar="THREADLINE_RAY_ADDRESS",
    help="Ray cluster to use with --engine ray: auto, HOST:PORT or ray://HOST:PORT "
    "[env THREADLINE_RAY_ADDRESS; default: start a local Ray on this machine's CPUs]",
)


def engine_choice(engine: str, address: str | None) -> tuple[str, str | None]:
    """(engine, address) checked: a known engine, and an address only with ray."""
    engine = engine.strip().lower()
    if engine not in ENGINES:
        raise ValidationError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    address = address.strip() if address and address.strip() else None
    if address is not None and engine != "ray":
        raise ValidationError("--address is for --engine ray")
    return engine, address
