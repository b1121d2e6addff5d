"""`threadline user …`, `threadline case members …`, `threadline record show`, `threadline search`.

`register(app)` also registers the review, approval, retention and report
commands (see review_cmd and oversight_cmd).
"""

from __future__ import annotations

from dataclasses import asdict

import typer
from rich.table import Table
from rich.text import Text

from threadline.cli import case_cmd, oversight_cmd, review_cmd
from threadline.cli.context import console, emit_json, handle_errors, open_store, settings
from threadline.safeguards import access
from threadline.safeguards.roles import ROLES

user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
members_app = typer.Typer(help="Who may do what in a case.", no_args_is_help=True)
record_app = typer.Typer(help="Read a case's records.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    case_cmd.app.add_typer(members_app, name="members")
    app.add_typer(record_app, name="record")
    app.command("search")(search)
    review_cmd.register(app)
    oversight_cmd.register(app)


# --- users ---------------------------------------------------------------------------------


def _print_user(verb: str, info: access.UserInfo) -> None:
    state = "" if info.active else " (deactivated)"
    console.print(
        Text.assemble(f"{verb} ", (info.name, "bold"), f": roles {', '.join(info.roles)}{state}")
    )


@user_app.command("create")
@handle_errors
def user_create(
    name: str = typer.Argument(..., help="User name"),
    roles: list[str] = typer.Option(
        ..., "--role", help=f"A role the user holds (repeat for more): {', '.join(ROLES)}"
    ),
) -> None:
    """Create a user. With no users yet, the first must hold the admin role."""
    _print_user("Created user", access.create_user(open_store(), settings().actor, name, roles))


@user_app.command("list")
@handle_errors
def user_list(fmt: str = typer.Option("table", "--format", help="table or json")) -> None:
    """List users with their roles (admins and auditors)."""
    users = access.list_users(open_store(), settings().actor)
    if fmt == "json":
        for u in users:
            emit_json(asdict(u))
        return
    table = Table("name", "roles", "active", "created", "by")
    for u in users:
        table.add_row(
            Text(u.name),
            ", ".join(u.roles),
            "yes" if u.active else "no",
            f"{u.created_at:%Y-%m-%d}",
            Text(u.created_by),
        )
    console.print(table)


@user_app.command("grant")
@handle_errors
def user_grant(
    name: str = typer.Argument(...), role: str = typer.Argument(..., help="Role to grant")
) -> None:
    """Grant a user a role (admins)."""
    _print_user("Updated", access.grant_role(open_store(), settings().actor, name, role))


@user_app.command("revoke")
@handle_errors
def user_revoke(
    name: str = typer.Argument(...), role: str = typer.Argument(..., help="Role to revoke")
) -> None:
    """Revoke a role (admins); the user's case memberships in that role end too."""
    _print_user("Updated", access.revoke_role(open_store(), settings().actor, name, role))


# --- case members --------------------------------------------------------------------------


@members_app.command("add")
@handle_errors
def members_add(
    case: str = typer.Argument(..., help="Case name"),
    user: str = typer.Argument(..., help="User name"),
    role: str = typer.Option(..., "--role", help="The user's role in this case"),
) -> None:
    """Add a member to a case, or change their role there (supervisors of the case, admins)."""
    info = access.add_member(open_store(), settings().actor, case, user, role)
    console.print(Text.assemble((info.user, "bold"), f" is now {info.role} in case ", case))


@members_app.command("remove")
@handle_errors
def members_remove(case: str = typer.Argument(...), user: str = typer.Argument(...)) -> None:
    """Remove a member from a case."""
    access.remove_member(open_store(), settings().actor, case, user)
    console.print(Text.assemble((user, "bold"), " removed from case ", case))


@members_app.command("list")
@handle_errors
def members_list(
    case: str = typer.Argument(...),
    fmt: str = typer.Option("table", "--format", help="table or json"),
) -> None:
    """List a case's members and their roles."""
    members = access.list_members(open_store(), settings().actor, case)
    if fmt == "json":
        for m in members:
            emit_json(asdict(m))
        return
    table = Table("user", "role", "since", "added by")
    for m in members:
        table.add_row(Text(m.user), m.role, f"{m.added_at:%Y-%m-%d}", Text(m.added_by))
    console.print(table)


# --- reading records -----------------------------------------------------------------------


@record_app.command("show")
@handle_errors
def record_show(
    record_id: int = typer.Argument(..., help="Record id"),
    case: str = typer.Option(..., "--case"),
    fmt: str = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Show one record with its mentions and reviews (identifiers masked for some roles)."""
    from threadline.records import view_record

    view = view_record(open_store(), settings().actor, case, record_id)
    if fmt == "json":
        emit_json(asdict(view))
        return
    console.print(
        Text.assemble((f"record {view.id}", "bold"), f" ({view.kind}) in case ", view.case)
    )
    if view.masked:
        console.print("identifiers are masked for your role", style="yellow")
    if view.title:
        console.print(Text(view.title, style="bold"))
    console.print(Text(view.text))
    if view.mentions:
        table = Table("type", "field", "span", "value", "confidence")
        for m in view.mentions:
            table.add_row(
                m.type, m.field, f"{m.start}-{m.end}", Text(m.shown), f"{m.confidence:.2f}"
            )
        console.print(table)
    review_cmd.print_reviews(list(view.reviews))


@record_app.command("list")
@handle_errors
def record_list(
    case: str = typer.Option(..., "--case"),
    after: int = typer.Option(0, "--after", min=0, help="Only records with a larger id (paging)"),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
    fmt: str = typer.Option("table", "--format", help="table or json"),
) -> None:
    """List a case's records: id, kind, source id, place, time, mentions (no text)."""
    from threadline.records import list_records

    rows = list_records(open_store(), settings().actor, case, after_id=after, limit=limit)
    if fmt == "json":
        for r in rows:
            emit_json(asdict(r))
        return
    table = Table("id", "kind", "external id", "place", "posted", "mentions")
    for r in rows:
        table.add_row(
            str(r.id),
            r.kind,
            Text(r.external_id or ""),
            Text(r.place or ""),
            f"{r.posted_at:%Y-%m-%d}" if r.posted_at else "",
            str(r.mentions),
        )
    console.print(table)


@handle_errors
def search(
    query: str = typer.Argument(..., help="An identifier: phone, e-mail, handle …"),
    case: str = typer.Option(..., "--case"),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
    fmt: str = typer.Option("table", "--format", help="table or json"),
) -> None:
    """Find a case's records that mention an identifier (audited)."""
    from threadline.records import search_identifiers

    hits = search_identifiers(open_store(), settings().actor, case, query, limit=limit)
    if fmt == "json":
        for h in hits:
            emit_json(asdict(h))
        return
    table = Table("record", "type", "value")
    for h in hits:
        table.add_row(str(h.record_id), h.type, Text(h.shown))
    console.print(table)
    console.print(f"{len(hits)} match(es)", highlight=False)
