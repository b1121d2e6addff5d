"""`threadline link` (a JSON Lines file → network assignments, no store) and
`threadline networks` (the networks of a stored case)."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import typer
from rich.table import Table
from rich.text import Text

from threadline.cli.context import (
    console,
    counting_progress,
    err_console,
    handle_errors,
    open_store,
    settings,
)
from threadline.cli.engine_opts import ADDRESS_OPTION, ENGINE_OPTION, engine_choice
from threadline.errors import ValidationError

FORMATS = ("table", "json", "csv")
MAX_TEMPLATE_NETWORKS = 10_000  # networks written with their templates to --networks


def register(app: typer.Typer) -> None:
    app.command("link")(link)
    app.command("networks")(networks)


@handle_errors
def link(
    ads: Path = typer.Argument(..., help="JSON Lines records: {id, text, city, posted_at, ...}"),
    out: Path = typer.Option(..., "--out", help="Assignments file: one {id, network} per record"),
    networks_out: Path | None = typer.Option(
        None, "--networks", help="Also write network summaries, templates and hub decisions here"
    ),
    workers: int = typer.Option(2, "--workers", min=1, max=64, help="Feature processes"),
    threshold: float | None = typer.Option(
        None, "--jaccard-threshold", help="Near-duplicate text threshold [0.5]"
    ),
    evidence: str = typer.Option(
        "identifier,text", "--evidence", help="Link kinds that merge networks (comma-separated)"
    ),
    engine: str = ENGINE_OPTION,
    address: str | None = ADDRESS_OPTION,
) -> None:
    """Link ads into networks through shared identifiers and near-duplicate text (no store)."""
    from dataclasses import replace

    from threadline.link import LinkConfig
    from threadline.link.batch import features_jsonl, summarize_result, write_assignments
    from threadline.link.pipeline import link_features

    if not ads.is_file():
        raise ValidationError(f"no such file: {ads}")
    try:
        config = LinkConfig()
        kinds = tuple(k.strip() for k in evidence.split(",") if k.strip())
        config = replace(config, evidence=kinds)
        if threshold is not None:
            config = replace(config, jaccard_threshold=threshold)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    engine, address = engine_choice(engine, address)
    if engine == "ray":
        _link_on_ray(ads, out, networks_out, config, address, workers)
        return
    bar = counting_progress()
    with bar:
        task = bar.add_task("link", total=None)
        batch = features_jsonl(ads, config, workers, lambda n: bar.advance(task, n))
    result = link_features(batch, config)
    write_assignments(result, out)
    summary = summarize_result(result)
    if networks_out is not None:
        write_networks(result, ads, networks_out)
    warnings = list(summary.warnings)
    if summary.records == 0:
        warnings.append("no records in the input")
    elif summary.errors == summary.records:
        warnings.append("no record was usable: nothing could be linked")
    err_console.print(
        f"linked {summary.records:,} records: {summary.networks:,} networks of two or more "
        f"({summary.in_networks:,} records, largest {summary.largest:,}), "
        f"{summary.singletons:,} singletons; {summary.identifier_links:,} identifier and "
        f"{summary.text_links:,} text links; {len(result.hubs()):,} values held back as hubs; "
        f"{summary.errors:,} unusable records",
        highlight=False,
        markup=False,
    )
    for w in warnings:
        err_console.print(Text("warning: ", style="yellow") + Text(w), highlight=False)


def _link_on_ray(
    ads: Path, out: Path, networks_out: Path | None, config: Any, address: str | None, workers: int
) -> None:
    """The same assignments from a Ray cluster (docs/scale-out.md)."""
    from threadline.engine import run_link

    if networks_out is not None:
        raise ValidationError("--networks is written by the local engine only; drop --engine ray")
    bar = counting_progress()
    with bar:
        task = bar.add_task("link (ray)", total=None)
        summary = run_link(
            ads, config, "ray", address, workers, out_path=out,
            progress=lambda n: bar.advance(task, n),
        )  # fmt: skip
    err_console.print(
        f"linked {summary.records:,} records on Ray: {summary.networks:,} networks of two or "
        f"more ({summary.in_networks:,} records, largest {summary.largest:,}), "
        f"{summary.singletons:,} singletons",
        highlight=False,
        markup=False,
    )
    for w in summary.warnings:
        err_console.print(Text("warning: ", style="yellow") + Text(w), highlight=False)


def write_networks(result: Any, ads: Path, path: Path) -> None:
    """Network summaries (with their templates) and hub decisions, as one JSON document.

    Templates need the texts, read again from the input (only those of records in a
    text near-duplicate group are kept).
    """
    from threadline.link.components import connected_components

    text_label = connected_components(len(result), result.text.pairs)
    sizes = np.bincount(text_label, minlength=len(result))[text_label]
    texts: list[str] = [""] * len(result)
    row_of_line = {line: i for i, line in enumerate(result.batch.lines)}
    with open(ads, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            i = row_of_line.get(n)
            if i is None or sizes[i] < 3:
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            text = obj.get("text") if isinstance(obj, dict) else None
            texts[i] = text if isinstance(text, str) else ""
    result.texts = texts
    templates: dict[str, list[dict[str, Any]]] = {}
    for nid, tpl in result.templates():
        templates.setdefault(nid, []).append(tpl.to_dict())
    nets = []
    for k, net in enumerate(result.networks()):
        if k >= MAX_TEMPLATE_NETWORKS:
            break
        d = net.to_dict()
        d["templates"] = templates.get(net.id, [])
        nets.append(d)
    doc = {
        "networks": nets,
        "hubs": [d.to_dict() for d in result.hubs()],
        "warnings": list(result.warnings),
        "config": result.config.to_dict(),
    }
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))


@handle_errors
def networks(
    case: str = typer.Option(..., "--case", help="Case whose networks to list"),
    fmt: str = typer.Option("table", "--format", help="table, json (one per line) or csv"),
    min_size: int = typer.Option(2, "--min-size", min=2, help="Smallest network listed"),
    limit: int = typer.Option(100, "--limit", min=0, help="Networks listed (0: all)"),
) -> None:
    """The networks of a case's current linking run, largest first."""
    from threadline.link.networks import list_networks

    if fmt not in FORMATS:
        raise ValidationError(f"--format must be one of {', '.join(FORMATS)}")
    store = open_store()
    rows = list_networks(store, settings().actor, case, min_size=min_size, limit=limit or None)
    if fmt == "json":
        out = sys.stdout.buffer
        for row in rows:
            out.write(orjson.dumps(row) + b"\n")
        out.flush()
        return
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["network", "records", "score", "first_seen", "last_seen", "places",
                    "identifiers", "movement"])  # fmt: skip
        for row in rows:
            w.writerow(_flat(row))
        sys.stdout.write(buf.getvalue())
        return
    table = Table("network", "records", "score", "first seen", "last seen", "identifiers",
                  "movement")  # fmt: skip
    for row in rows:
        f = _flat(row)
        table.add_row(*(Text(str(x)) for x in (f[0], f[1], f[2], f[3], f[4], f[6], f[7])))
    console.print(table)
    if not rows:
        console.print(f"no networks of {min_size} or more records in this case", markup=False)


def _flat(row: dict[str, Any]) -> list[Any]:
    s = row.get("summary", {})
    idents = "; ".join(
        f"{i['type']}:{i['value']} ({i['records']}{', hub' if i.get('hub') else ''})"
        for i in s.get("identifiers", [])[:5]
    )
    moves = " → ".join(m["place"] for m in s.get("movement", [])[:12])
    places = "; ".join(p["place"] for p in s.get("places", [])[:10])
    return [row["network"], row["records"], round(row["score"], 4), s.get("first_seen") or "",
            s.get("last_seen") or "", places, idents, moves]  # fmt: skip
