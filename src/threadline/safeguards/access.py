"""Users, case membership and the access check every service call makes.

`require(session, actor, case, action)` is the one check: it raises `Forbidden`
unless the acting user is active and, through their role in that case (or a
global admin/auditor role, see `roles`), may do `action`; and, past the case's
retention deadline, unless the action is one of the few still allowed.

Service functions call `guard(store, actor, case_name, action)`, which runs the
check and, when it refuses, commits an `access.refused` audit event in a
transaction of its own before raising (the refusal must be on record even
though the operation fails). `guard(..., audit_as="case.viewed")` also records
an access event for reads the oversight report shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from threadline import audit
from threadline.cases import resolve_case
from threadline.errors import Conflict, Forbidden, NotFound, ValidationError
from threadline.safeguards import roles as R
from threadline.store.db import Store, utcnow
from threadline.store.models import Case, CaseMember, User

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$")
FIRST_USER_HINT = "create the first admin with `threadline user create NAME --role admin`"


@dataclass(frozen=True, slots=True)
class UserInfo:
    name: str
    roles: tuple[str, ...]
    active: bool
    created_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class MemberInfo:
    user: str
    role: str
    added_at: datetime
    added_by: str


# --- the check -----------------------------------------------------------------------------


def _user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def acting_user(session: Session, actor: str) -> User:
    """The active user named `actor`, or Forbidden with what to do about it."""
    user = _user(session, actor)
    if user is None:
        if session.scalar(select(func.count()).select_from(User)) == 0:
            raise Forbidden(f"no users exist yet: {FIRST_USER_HINT}")
        raise Forbidden(
            f"{actor!r} is not a threadline user; an admin adds users with "
            "`threadline user create` (act as another user with --actor or THREADLINE_ACTOR)"
        )
    if not user.active:
        raise Forbidden(f"user {actor!r} is deactivated")
    return user


def case_role(session: Session, user: User, case_id: int) -> str | None:
    return session.scalar(
        select(CaseMember.role).where(CaseMember.case_id == case_id, CaseMember.user_id == user.id)
    )


def allowed(session: Session, user: User, case: Case) -> frozenset[str]:
    """Everything `user` may do to `case` (before the retention rule)."""
    actions: set[str] = set()
    role = case_role(session, user, case.id)
    if role is not None:
        actions |= R.case_actions(role)
    for held in user.roles:
        actions |= R.GLOBAL_CASE_ACTIONS.get(held, frozenset())
    return frozenset(actions)


def is_expired(case: Case) -> bool:
    return case.purged_at is not None or case.retain_until <= utcnow()


def require(session: Session, actor: str, case: Case, action: str) -> User:
    """Raise Forbidden unless `actor` may do `action` to `case`; return the user."""
    if action not in R.CASE_ACTIONS:
        raise ValueError(f"unknown case action {action!r}")
    user = acting_user(session, actor)
    if action not in allowed(session, user, case):
        role = case_role(session, user, case.id)
        who = (
            f"{actor!r} (role {role} in case {case.name!r})"
            if role
            else (f"{actor!r} (not a member of case {case.name!r})")
        )
        needed = ", ".join(R.roles_allowing(action))
        raise Forbidden(f"{who} may not {action.replace('_', ' ')}: needs one of {needed}")
    if is_expired(case) and action not in R.AFTER_RETENTION:
        when = case.purged_at or case.retain_until
        state = "was purged" if case.purged_at else "passed its retention deadline"
        raise Forbidden(
            f"case {case.name!r} {state} on {when:%Y-%m-%d}; only its audit trail can be read"
            + ("" if case.purged_at else " (run `threadline retention run` to purge it)")
        )
    return user


def require_global(session: Session, actor: str, action: str) -> User:
    """Raise Forbidden unless `actor` holds a role allowing a case-independent action."""
    user = acting_user(session, actor)
    if not any(action in R.GLOBAL_PERMISSIONS.get(r, ()) for r in user.roles):
        needed = [r for r in R.ROLES if action in R.GLOBAL_PERMISSIONS.get(r, ())]
        raise Forbidden(
            f"{actor!r} may not {action.replace('_', ' ')}: needs the role {' or '.join(needed)}"
        )
    return user


def may(session: Session, actor: str, case: Case, action: str) -> bool:
    try:
        require(session, actor, case, action)
    except Forbidden:
        return False
    return True


def record_refusal(
    store: Store, actor: str, case_id: int | None, action: str, reason: str, target: str = ""
) -> None:
    """Commit an `access.refused` event in its own transaction."""
    with store.write() as session:
        audit.append(
            session,
            actor=actor,
            action="access.refused",
            case_id=case_id,
            target=target or (f"case:{case_id}" if case_id is not None else "global"),
            details={"action": action, "reason": reason},
        )


def guard(
    store: Store,
    actor: str,
    case_name: str,
    action: str,
    *,
    audit_as: str | None = None,
    target: str | None = None,
    details: dict | None = None,
) -> Case:
    """Resolve a case and check `action` on it; refusals are audited, then raised.

    With `audit_as`, an access event of that name is appended (reads count as
    access: the oversight report lists them).
    """
    with store.read() as session:
        case = resolve_case(session, case_name)
        try:
            require(session, actor, case, action)
            refusal = None
        except Forbidden as exc:
            refusal = exc
    if refusal is not None:
        record_refusal(store, actor, case.id, action, str(refusal), target or "")
        raise refusal
    if audit_as is not None:
        with store.write() as session:
            audit.append(
                session,
                actor=actor,
                action=audit_as,
                case_id=case.id,
                target=target or f"case:{case.id}",
                details=details or {},
            )
    return case


def guard_global(store: Store, actor: str, action: str) -> User:
    with store.read() as session:
        try:
            return require_global(session, actor, action)
        except Forbidden as exc:
            refusal = exc
    record_refusal(store, actor, None, action, str(refusal))
    raise refusal


# --- users -------------------------------------------------------------------------------


def _check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name or ""):
        raise ValidationError(
            "a user name is 1-200 letters, digits or . _ @ - and starts with a letter or digit"
        )
    return name


def _check_roles(roles: list[str] | tuple[str, ...]) -> list[str]:
    unknown = [r for r in roles if r not in R.ROLES]
    if unknown:
        raise ValidationError(f"unknown role {unknown[0]!r}: roles are {', '.join(R.ROLES)}")
    if not roles:
        raise ValidationError(f"a user needs at least one role ({', '.join(R.ROLES)})")
    return sorted(set(roles), key=R.ROLES.index)


def _user_info(u: User) -> UserInfo:
    return UserInfo(u.name, tuple(u.roles), u.active, u.created_at, u.created_by)


def create_user(store: Store, actor: str, name: str, roles: list[str]) -> UserInfo:
    """Create a user. With no users yet, the first must be an admin (bootstrap)."""
    name, roles = _check_name(name), _check_roles(roles)
    with store.read() as session:
        first = session.scalar(select(func.count()).select_from(User)) == 0
    if first and "admin" not in roles:
        raise ValidationError(
            f"no users exist yet: the first user must be an admin; {FIRST_USER_HINT}"
        )
    if not first:
        guard_global(store, actor, "manage_users")
    try:
        with store.write() as session:
            if first and session.scalar(select(func.count()).select_from(User)):
                raise Conflict("another user was created meanwhile; try again as an admin")
            if _user(session, name) is not None:
                raise Conflict(f"a user named {name!r} already exists")
            user = User(name=name, roles=roles, active=True, created_at=utcnow(), created_by=actor)
            session.add(user)
            session.flush()
            audit.append(
                session,
                actor=actor,
                action="user.created",
                case_id=None,
                target=f"user:{name}",
                details={"roles": roles, "bootstrap": first},
            )
            return _user_info(user)
    except IntegrityError as exc:
        raise Conflict(f"a user named {name!r} already exists") from exc


def ensure_local_admin(store: Store, actor: str) -> bool:
    """For the demo: with no users at all, make `actor` an admin and supervisor.

    Returns True when it created the user (the caller says so).
    """
    with store.read() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return False
    try:
        create_user(store, actor, actor, ["admin", "supervisor"])
    except Conflict:
        return False
    return True


def list_users(store: Store, actor: str) -> list[UserInfo]:
    guard_global(store, actor, "read_users")
    with store.read() as session:
        return [_user_info(u) for u in session.scalars(select(User).order_by(User.name))]


def get_user(session: Session, name: str) -> User:
    user = _user(session, name)
    if user is None:
        raise NotFound(f"no user named {name!r} (see `threadline user list`)")
    return user


def grant_role(store: Store, actor: str, name: str, role: str) -> UserInfo:
    _check_roles([role])
    guard_global(store, actor, "manage_users")
    with store.write() as session:
        user = get_user(session, name)
        if role not in user.roles:
            user.roles = _check_roles([*user.roles, role])
            audit.append(
                session,
                actor=actor,
                action="user.role_granted",
                case_id=None,
                target=f"user:{name}",
                details={"role": role},
            )
        return _user_info(user)


def revoke_role(store: Store, actor: str, name: str, role: str) -> UserInfo:
    """Take a role away; memberships in that role end with it. A user left with no
    role is deactivated. The last active admin cannot lose the admin role."""
    _check_roles([role])
    guard_global(store, actor, "manage_users")
    with store.write() as session:
        user = get_user(session, name)
        if role not in user.roles:
            return _user_info(user)
        if role == "admin":
            admins = [
                u for u in session.scalars(select(User).where(User.active)) if "admin" in u.roles
            ]
            if len(admins) <= 1:
                raise Conflict(
                    "the last active admin keeps the admin role (grant it to another first)"
                )
        user.roles = [r for r in user.roles if r != role]
        ended = session.execute(
            delete(CaseMember).where(CaseMember.user_id == user.id, CaseMember.role == role)
        ).rowcount
        if not user.roles:
            user.active = False
        audit.append(
            session,
            actor=actor,
            action="user.role_revoked",
            case_id=None,
            target=f"user:{name}",
            details={"role": role, "memberships_ended": ended, "active": user.active},
        )
        return _user_info(user)


# --- membership --------------------------------------------------------------------------


def add_owner(session: Session, case: Case, user_name: str) -> None:
    """Inside case creation: the creator supervises the new case."""
    user = acting_user(session, user_name)
    session.add(
        CaseMember(
            case_id=case.id,
            user_id=user.id,
            role=R.OWNER_ROLE,
            added_at=utcnow(),
            added_by=user_name,
        )
    )


def add_member(store: Store, actor: str, case_name: str, user_name: str, role: str) -> MemberInfo:
    """Make a user a member of a case (or change their role there)."""
    if role not in R.CASE_PERMISSIONS:
        raise ValidationError(f"unknown case role {role!r}: one of {', '.join(R.CASE_PERMISSIONS)}")
    case = guard(store, actor, case_name, "manage_members")
    with store.write() as session:
        user = get_user(session, user_name)
        if not user.active:
            raise Conflict(f"user {user_name!r} is deactivated")
        if role not in user.roles:
            raise Conflict(
                f"{user_name!r} does not hold the {role} role; an admin grants it with "
                f"`threadline user grant {user_name} {role}`"
            )
        member = session.get(CaseMember, (case.id, user.id))
        previous = member.role if member else None
        if member is None:
            member = CaseMember(case_id=case.id, user_id=user.id)
            session.add(member)
        member.role, member.added_at, member.added_by = role, utcnow(), actor
        audit.append(
            session,
            actor=actor,
            action="case.member_added",
            case_id=case.id,
            target=f"user:{user_name}",
            details={"role": role, "previous_role": previous},
        )
        return MemberInfo(user_name, role, member.added_at, actor)


def remove_member(store: Store, actor: str, case_name: str, user_name: str) -> None:
    case = guard(store, actor, case_name, "manage_members")
    with store.write() as session:
        user = get_user(session, user_name)
        member = session.get(CaseMember, (case.id, user.id))
        if member is None:
            raise NotFound(f"{user_name!r} is not a member of case {case_name!r}")
        if member.role == R.OWNER_ROLE:
            supervisors = session.scalar(
                select(func.count()).where(
                    CaseMember.case_id == case.id, CaseMember.role == R.OWNER_ROLE
                )
            )
            if supervisors <= 1:
                raise Conflict(f"{user_name!r} is the last supervisor of case {case_name!r}")
        session.delete(member)
        audit.append(
            session,
            actor=actor,
            action="case.member_removed",
            case_id=case.id,
            target=f"user:{user_name}",
            details={"role": member.role},
        )


def list_members(store: Store, actor: str, case_name: str) -> list[MemberInfo]:
    case = guard(store, actor, case_name, "members_read")
    with store.read() as session:
        rows = session.execute(
            select(User.name, CaseMember)
            .join(User, User.id == CaseMember.user_id)
            .where(CaseMember.case_id == case.id)
            .order_by(User.name)
        ).all()
        return [MemberInfo(name, m.role, m.added_at, m.added_by) for name, m in rows]


def visible_case_ids(session: Session, actor: str) -> set[int] | None:
    """Cases `actor` may see listed: None means all (admin, auditor)."""
    user = acting_user(session, actor)
    if any("list_all_cases" in R.GLOBAL_PERMISSIONS.get(r, ()) for r in user.roles):
        return None
    return set(session.scalars(select(CaseMember.case_id).where(CaseMember.user_id == user.id)))


# --- masking -----------------------------------------------------------------------------

# Mention types that identify a person or account; others (price, age, place) stay visible.
IDENTIFIER_TYPES = frozenset(
    {"phone", "email", "handle", "payment_handle", "crypto_address", "url", "name"}
)
MASK = "***"


def mask_identifier(value: str, keep: int = 4) -> str:
    """`+15551234567` → `***4567`: enough to tell values apart, not to contact anyone."""
    if len(value) <= keep * 2:
        return MASK
    return MASK + value[-keep:]


def masker(session: Session, actor: str, case: Case):  # type: ignore[no-untyped-def]
    """A function (type, value) → shown value for this user in this case."""
    if may(session, actor, case, "see_identifiers"):
        return lambda _type, value: value
    return lambda type_, value: mask_identifier(value) if type_ in IDENTIFIER_TYPES else value
