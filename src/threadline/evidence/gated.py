"""Export through the gate: nothing leaves a case unreviewed, personal data needs four eyes.

`export_target` is what adapters call. It resolves the target (records, or a
network of the case's current linking run), asks the export gate for a
clearance per target (`safeguards.export_gate.authorize_export`: a confirming
review, and for identifiers in clear a second person's approval), runs the
exporter, and records the export against each clearance. A refusal is audited
by the gate and raised before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from threadline.errors import NotFound, ValidationError
from threadline.evidence.bundle import export_bundle
from threadline.evidence.case_uco import export_case
from threadline.evidence.common import ExportSummary
from threadline.evidence.ftm import export_ftm
from threadline.evidence.selection import Selection
from threadline.safeguards.access import guard
from threadline.safeguards.export_gate import ExportClearance, authorize_export, record_export
from threadline.store.db import Store
from threadline.store.models import LinkRun, NetworkMember, NetworkRow, Record

FORMATS = ("bundle", "case", "ftm")


@dataclass(frozen=True, slots=True)
class GatedExport:
    summary: ExportSummary
    clearances: tuple[ExportClearance, ...]


def network_selection(store: Store, actor: str, case_name: str, key: str) -> Selection:
    """The members of network `key` in the case's current linking run."""
    case = guard(store, actor, case_name, "read")
    with store.read() as session:
        row = session.execute(
            select(NetworkRow)
            .join(LinkRun, LinkRun.id == NetworkRow.run_id)
            .where(
                NetworkRow.case_id == case.id,
                NetworkRow.key == key,
                LinkRun.status == "current",
            )
        ).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no network {key!r} in the current linking run of case {case_name!r}")
        ids = session.scalars(
            select(NetworkMember.record_id)
            .where(NetworkMember.network_id == row.id)
            .order_by(NetworkMember.record_id)
        ).all()
        summary = dict(row.summary or {})
    return Selection.of_network(key, list(ids), summary)


def _check_records(store: Store, actor: str, case_name: str, ids: list[int]) -> None:
    """A clear 'not found' for ids outside the case, before the gate asks for their reviews."""
    case = guard(store, actor, case_name, "read")
    with store.read() as session:
        found = set(
            session.scalars(select(Record.id).where(Record.case_id == case.id, Record.id.in_(ids)))
        )
    missing = sorted(set(ids) - found)
    if missing:
        shown = ", ".join(str(i) for i in missing[:10])
        raise NotFound(f"no record {shown} in case {case_name!r}")


def export_target(
    store: Store,
    actor: str,
    case_name: str,
    *,
    fmt: str,
    out_dir: Path,
    records: list[int] | None = None,
    network: str | None = None,
    personal_data: bool = False,
    signing_key: Any = None,
) -> GatedExport:
    """Export records or one network, if the gate clears every target (see module docstring)."""
    if fmt not in FORMATS:
        raise ValidationError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if (records is None) == (network is None):
        raise ValidationError("export either --records or --network, not both and not neither")
    if network is not None:
        selection = network_selection(store, actor, case_name, network)
        targets = [("network", network)]
    else:
        if not records:
            raise ValidationError("--records names no record")
        _check_records(store, actor, case_name, records)
        selection = Selection.of_records(records)
        targets = [("record", str(r)) for r in sorted(set(records))]
    clearances = tuple(
        authorize_export(store, actor, case_name, kind, target, personal_data=personal_data)
        for kind, target in targets
    )
    pseudonymize = not personal_data
    if fmt == "bundle":
        if signing_key is None:
            raise ValidationError("a bundle needs a signing key (`threadline keys create`)")
        summary = export_bundle(
            store, actor, case_name, selection, out_dir,
            signing_key=signing_key, pseudonymize=pseudonymize,
        )  # fmt: skip
    elif fmt == "case":
        summary = export_case(
            store, actor, case_name, selection, out_dir, pseudonymize=pseudonymize
        )
    else:
        summary = export_ftm(store, actor, case_name, selection, out_dir, pseudonymize=pseudonymize)
    for clearance in clearances:
        record_export(
            store,
            clearance,
            fmt=fmt,
            details={"records": summary.records, "sha256": summary.main_sha256},
        )
    return GatedExport(summary, clearances)
