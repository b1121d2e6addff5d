"""Who is calling: an API token (machines) or a session cookie (the browser UI).

Tokens come in `Authorization: Bearer …`. Session cookies are HttpOnly,
SameSite=Strict and Secure; a state-changing request that relies on the
cookie must also present the session's CSRF token (header `X-CSRF-Token` or
form field `csrf_token`), so a page on another site cannot act for the user.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Request

from threadline import credentials
from threadline.store.db import Store

SESSION_COOKIE = "tl_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    user: str
    via: str  # "token" | "session"
    csrf_token: str | None = None


def store_of(request: Request) -> Store:
    return request.app.state.store


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def from_token(request: Request) -> Principal:
    token = bearer(request)
    if token is None:
        raise HTTPException(401, "an API token is required (Authorization: Bearer …)")
    user = credentials.token_user(store_of(request), token)
    if user is None:
        raise HTTPException(401, "the API token is unknown, revoked or expired")
    return Principal(user, "token")


def session_principal(request: Request) -> Principal | None:
    info = credentials.session_for(store_of(request), request.cookies.get(SESSION_COOKIE))
    return None if info is None else Principal(info.user, "session", info.csrf_token)


async def any_principal(request: Request) -> Principal:
    """A token or a session; sessions need the CSRF token on unsafe methods."""
    if bearer(request) is not None:
        return from_token(request)
    principal = session_principal(request)
    if principal is None:
        raise HTTPException(401, "log in or present an API token")
    if request.method not in SAFE_METHODS:
        presented = request.headers.get(CSRF_HEADER)
        if presented is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            presented = str((await request.form()).get("csrf_token") or "")
        if not credentials.csrf_matches(principal.csrf_token, presented):
            raise HTTPException(403, "missing or wrong CSRF token")
    return principal
