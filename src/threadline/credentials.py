"""How people and machines prove who they are: passwords, API tokens, browser sessions.

The core owns this so that the web layer only translates HTTP into calls.
Passwords are hashed with argon2id (`argon2-cffi`, the OWASP-recommended
algorithm); tokens and session ids are 256-bit random strings of which only
the SHA-256 is stored, so a copy of the database grants no access. Logins,
failures, token and password changes are audited; secrets never are.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from threadline import audit
from threadline.errors import NotFound, ValidationError
from threadline.store.db import Store, utcnow
from threadline.store.models import ApiToken, Credential, User, WebSession

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024  # argon2 hashes any length; bound the work an attacker can ask for
SESSION_HOURS = 8
TOKEN_PREFIX = "tl_"

_hasher = PasswordHasher()
# Verified when the user has no password, so a missing user costs the same time as a wrong one.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _require_user(store: Store, actor: str, user: str) -> None:
    """`user` must be an active threadline user; only they or an admin manage their secrets."""
    from threadline.safeguards.access import guard_global

    if not _is_active(store, user):
        raise NotFound(f"no active threadline user {user!r} (see `threadline user create`)")
    if actor != user:
        guard_global(store, actor, "manage_users")


def _is_active(store: Store, user: str) -> bool:
    with store.read() as session:
        row = session.scalar(select(User).where(User.name == user))
    return row is not None and row.active


def set_password(store: Store, actor: str, user: str, password: str) -> None:
    _require_user(store, actor, user)
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise ValidationError(
            f"password must be {MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} characters long"
        )
    digest = _hasher.hash(password)
    with store.write() as session:
        row = session.get(Credential, user)
        if row is None:
            session.add(Credential(user=user, password_hash=digest, updated_at=utcnow()))
        else:
            row.password_hash, row.updated_at = digest, utcnow()
        # Changing a password ends that user's sessions.
        session.execute(delete(WebSession).where(WebSession.user == user))
        audit.append(session, actor=actor, action="credential.set", case_id=None, target=user)


def check_password(store: Store, user: str, password: str, *, client: str = "") -> bool:
    """True when the password is right; every attempt is audited (not the password)."""
    if len(password) > MAX_PASSWORD_CHARS:
        password = password[:MAX_PASSWORD_CHARS]
    with store.read() as session:
        row = session.get(Credential, user)
    stored = row.password_hash if row is not None else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password) and row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    ok = ok and _is_active(store, user)  # a deactivated user's password stops working
    with store.write() as session:
        audit.append(
            session,
            actor=user,
            action="auth.login" if ok else "auth.login_failed",
            case_id=None,
            target=user,
            details={"client": client[:200]} if client else None,
        )
        if ok and row is not None and _hasher.check_needs_rehash(row.password_hash):
            fresh = session.get(Credential, user)
            if fresh is not None:
                fresh.password_hash = _hasher.hash(password)
    return ok


# --- browser sessions ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionInfo:
    user: str
    csrf_token: str
    expires_at: datetime


def open_session(store: Store, user: str, *, hours: int = SESSION_HOURS) -> tuple[str, SessionInfo]:
    """A new session; returns the cookie value (shown once) and what it grants."""
    sid = secrets.token_urlsafe(32)
    info = SessionInfo(user, secrets.token_urlsafe(32), utcnow() + timedelta(hours=hours))
    with store.write() as session:
        session.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))
        session.add(
            WebSession(
                id_sha256=_sha(sid),
                user=user,
                csrf_token=info.csrf_token,
                created_at=utcnow(),
                expires_at=info.expires_at,
            )
        )
    return sid, info


def session_for(store: Store, sid: str | None) -> SessionInfo | None:
    if not sid or len(sid) > 200:
        return None
    with store.read() as session:
        row = session.get(WebSession, _sha(sid))
    if row is None or row.expires_at <= utcnow() or not _is_active(store, row.user):
        return None
    return SessionInfo(row.user, row.csrf_token, row.expires_at)


def close_session(store: Store, sid: str | None) -> None:
    if not sid or len(sid) > 200:
        return
    with store.write() as session:
        row = session.get(WebSession, _sha(sid))
        if row is not None:
            session.delete(row)
            audit.append(
                session, actor=row.user, action="auth.logout", case_id=None, target=row.user
            )


def csrf_matches(expected: str | None, presented: str | None) -> bool:
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


# --- API tokens ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    user: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def create_token(
    store: Store, actor: str, user: str, label: str, *, days: int | None = 365
) -> tuple[str, TokenInfo]:
    """A new API token for `user`; the token is returned once and never stored."""
    _require_user(store, actor, user)
    if not label.strip() or len(label) > 200:
        raise ValidationError("a token needs a label of 1–200 characters (what it is for)")
    if days is not None and not 1 <= days <= 3650:
        raise ValidationError("token lifetime must be 1–3650 days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user=user,
        label=label.strip(),
        token_sha256=_sha(token),
        created_at=now,
        expires_at=None if days is None else now + timedelta(days=days),
    )
    with store.write() as session:
        session.add(row)
        session.flush()
        audit.append(
            session,
            actor=actor,
            action="token.create",
            case_id=None,
            target=f"token:{row.id}",
            details={"user": user, "label": row.label, "days": days},
        )
        info = _token_info(row)
    return token, info


def token_user(store: Store, token: str | None) -> str | None:
    """The user a presented token acts for, or None (unknown, revoked or expired)."""
    if not token or len(token) > 200 or not token.startswith(TOKEN_PREFIX):
        return None
    with store.read() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _sha(token)))
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    return row.user if _is_active(store, row.user) else None


def list_tokens(store: Store, user: str | None = None) -> list[TokenInfo]:
    query = select(ApiToken).order_by(ApiToken.id)
    if user is not None:
        query = query.where(ApiToken.user == user)
    with store.read() as session:
        return [_token_info(r) for r in session.scalars(query)]


def revoke_token(store: Store, actor: str, token_id: int) -> TokenInfo:
    with store.write() as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFound(f"no API token with id {token_id}")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit.append(
                session, actor=actor, action="token.revoke", case_id=None, target=f"token:{row.id}"
            )
        return _token_info(row)


def _token_info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.user, row.label, row.created_at, row.expires_at, row.revoked_at)
