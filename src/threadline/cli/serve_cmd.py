"""`threadline serve`, `passwd` and `token …`: the web server and its credentials."""

from __future__ import annotations

import os
import sys

import typer
from rich.table import Table
from rich.text import Text

from threadline import credentials
from threadline.cli.context import console, emit_json, handle_errors, open_store, settings

token_app = typer.Typer(help="API tokens for machines (the screening endpoint, scripts).")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("passwd")(passwd)
    app.add_typer(token_app, name="token")


@handle_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on"),
    port: int = typer.Option(8700, "--port", help="Port to listen on"),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes"),
    max_upload_mb: int = typer.Option(
        256, "--max-upload-mb", min=1, max=1_000_000, help="Largest accepted request body, MiB"
    ),
) -> None:
    """Serve the web UI and the REST API (OpenAPI at /docs)."""
    import uvicorn

    from threadline.web.server import ENV_MAX_UPLOAD

    resolved = settings()
    open_store().dispose()  # migrate once, before workers start
    os.environ.update(
        {
            "THREADLINE_DATA_DIR": str(resolved.data_dir),
            "THREADLINE_DATABASE_URL": resolved.database_url,
            "THREADLINE_ACTOR": resolved.actor,
            ENV_MAX_UPLOAD: str(max_upload_mb * 1024 * 1024),
        }
    )
    console.print(f"threadline: serving on http://{host}:{port}/ (API docs at /docs)")
    uvicorn.run(
        "threadline.web.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )


@handle_errors
def passwd(
    user: str = typer.Argument(..., help="User whose web password to set"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (for scripts)"
    ),
) -> None:
    """Set a user's password for the web UI (argon2id; ends the user's open sessions)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    store = open_store()
    credentials.set_password(store, store.settings.actor, user, password)
    console.print(Text(f"password set for {user}"))


@token_app.command("create")
@handle_errors
def token_create(
    user: str = typer.Option(..., "--user", help="The user the token acts as"),
    label: str = typer.Option(..., "--label", help="What the token is for"),
    days: int = typer.Option(365, "--days", help="Lifetime in days (1–3650)"),
) -> None:
    """Create an API token; it is printed once and only its hash is stored."""
    store = open_store()
    token, info = credentials.create_token(store, store.settings.actor, user, label, days=days)
    emit_json(
        {
            "id": info.id,
            "user": info.user,
            "label": info.label,
            "token": token,
            "expires_at": info.expires_at,
        }
    )


@token_app.command("list")
@handle_errors
def token_list(
    user: str | None = typer.Option(None, "--user", help="Only this user's tokens"),
    fmt: str = typer.Option("table", "--format", help="table or json"),
) -> None:
    """List API tokens (never the tokens themselves)."""
    rows = credentials.list_tokens(open_store(), user)
    if fmt == "json":
        emit_json([_row(r) for r in rows])
        return
    table = Table("id", "user", "label", "created", "expires", "revoked")
    for r in rows:
        table.add_row(
            str(r.id),
            Text(r.user),
            Text(r.label),
            r.created_at.isoformat(timespec="seconds"),
            r.expires_at.isoformat(timespec="seconds") if r.expires_at else "never",
            r.revoked_at.isoformat(timespec="seconds") if r.revoked_at else "",
        )
    console.print(table)


def _row(info: credentials.TokenInfo) -> dict:
    return {f: getattr(info, f) for f in info.__slots__}


@token_app.command("revoke")
@handle_errors
def token_revoke(token_id: int = typer.Argument(..., help="Token id (from `token list`)")) -> None:
    """Revoke an API token at once."""
    store = open_store()
    info = credentials.revoke_token(store, store.settings.actor, token_id)
    console.print(Text(f"token {info.id} ({info.label}) revoked"))
