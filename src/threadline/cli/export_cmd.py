"""`threadline export`, `threadline verify` and `threadline keys create`: evidence out of a case.

Thin adapter: parses options, calls `threadline.evidence.gated.export_target`
(the export gate, then the exporter), prints the result. Exports are
pseudonymized unless `--personal-data` is given, which needs a second person's
approval (`threadline approve export`).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from threadline.cli.context import console, emit_json, err_console, handle_errors, open_store
from threadline.errors import Conflict, ValidationError

FORMATS = ("bundle", "case", "ftm")
keys_app = typer.Typer(help="Manage the key that signs evidence bundles.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("verify")(verify)
    app.add_typer(keys_app, name="keys")


def _ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValidationError(
            f"--records takes record ids separated by commas, not {text!r}"
        ) from None


@handle_errors
def export(
    case: str = typer.Option(..., "--case", help="Case to export from"),
    records: str | None = typer.Option(None, "--records", help="Record ids, comma-separated"),
    network: str | None = typer.Option(
        None, "--network", help="A network id of the case's current linking run"
    ),
    fmt: str = typer.Option("bundle", "--format", help="bundle, case (CASE/UCO JSON-LD) or ftm"),
    out: Path = typer.Option(..., "--out", help="New or empty output folder"),
    personal_data: bool = typer.Option(
        False,
        "--personal-data",
        help="Identifiers in clear instead of pseudonyms: needs a supervisor's approval",
    ),
    signing_key: Path | None = typer.Option(
        None, "--signing-key", help="Ed25519 private key (PEM) [default: <data dir>/keys/…]"
    ),
    output: str = typer.Option("text", "--output", help="text or json summary"),
) -> None:
    """Export reviewed records or a network: signed evidence bundle, CASE/UCO JSON-LD or FtM."""
    from threadline.evidence.gated import FORMATS as GATED_FORMATS
    from threadline.evidence.gated import export_target
    from threadline.evidence.signing import default_private_path, load_private_key

    if fmt not in GATED_FORMATS:
        raise ValidationError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    store = open_store()
    key = None
    if fmt == "bundle":
        key = load_private_key(signing_key or default_private_path(store.settings.data_dir))
    done = export_target(
        store,
        store.settings.actor,
        case,
        fmt=fmt,
        out_dir=out,
        records=None if records is None else _ids(records),
        network=network,
        personal_data=personal_data,
        signing_key=key,
    )
    summary = done.summary
    if output == "json":
        emit_json(
            {
                "case": summary.case,
                "format": summary.format,
                "out_dir": summary.out_dir,
                "records": summary.records,
                "files": summary.files,
                "bytes": summary.bytes,
                "pseudonymized": summary.pseudonymized,
                "withheld": summary.withheld,
                "main_file": summary.main_file,
                "sha256": summary.main_sha256,
                "signing_key": summary.signing_key,
                "audit_seq": summary.audit_seq,
            }
        )
        return
    shown = "pseudonymized" if summary.pseudonymized else "in clear (approved)"
    line = Text(f"exported {summary.records} records of case ")
    line.append(summary.case)
    line.append(
        f" as {summary.format} to {summary.out_dir}: {summary.files} files, {summary.bytes:,} "
        f"bytes, identifiers {shown}, "
        f"{summary.withheld} raw files listed by hash only; "
        f"{summary.main_file} SHA-256 {summary.main_sha256} (audit event {summary.audit_seq})"
    )
    console.print(line, highlight=False)


@handle_errors
def verify(
    folder: Path = typer.Argument(..., help="Bundle folder"),
    public_key: Path | None = typer.Option(
        None, "--public-key", help="The signer's public key (PEM) you were given"
    ),
    output: str = typer.Option("text", "--output", help="text or json"),
) -> None:
    """Check every file's SHA-256, missing and extra files, the signature. Exit 1 on a problem."""
    from threadline.evidence import verify_bundle

    check = verify_bundle(folder, public_key)
    if output == "json":
        emit_json(
            {
                "ok": check.ok,
                "files_checked": check.files_checked,
                "altered": list(check.altered),
                "missing": list(check.missing),
                "extra": list(check.extra),
                "unsafe": list(check.unsafe),
                "signature": check.signature,
                "key_source": check.key_source,
                "key_fingerprint": check.key_fingerprint,
                "problems": list(check.problems),
            }
        )
    elif check.ok:
        console.print(
            f"bundle OK: {check.files_checked} files match the manifest, signature valid "
            f"(key {check.key_fingerprint})",
            highlight=False,
        )
        if check.key_source == "bundle":
            err_console.print(
                "note: checked with the key enclosed in the bundle, which proves integrity, "
                "not who signed; pass --public-key with the key you were given",
                highlight=False,
            )
    else:
        err_console.print("[red]bundle FAILED verification[/red]", highlight=False)
        for problem in check.problems:
            err_console.print(Text("  " + problem), highlight=False)
    if not check.ok:
        raise typer.Exit(1)


@keys_app.command("create")
@handle_errors
def keys_create(
    public_out: Path | None = typer.Option(
        None, "--public-out", help="Also copy the public key to this file (to hand to recipients)"
    ),
) -> None:
    """Create the Ed25519 key pair that signs bundles (private key 0600 in the data directory)."""
    from threadline.evidence import create_keys

    store = open_store()
    if public_out is not None and public_out.exists():
        raise Conflict(f"{public_out} exists; give a new file for the public key")
    info = create_keys(store, store.settings.actor)
    if public_out is not None:
        public_out.write_bytes(info.public_path.read_bytes())
    console.print(
        f"signing key created: {info.private_path} (keep it secret; mode 0600)\n"
        f"public key: {info.public_path}\nfingerprint (SHA-256): {info.fingerprint}",
        highlight=False,
    )
