"""Shared fixtures. Store tests run on SQLite and on a real PostgreSQL server.

PostgreSQL: THREADLINE_TEST_POSTGRES_URL (default: the local server on
127.0.0.1:5432, trust auth). Each test gets a database of its own, dropped
afterwards. Outside CI a missing server skips those tests; in CI (CI=true) it
fails them, so a green CI run always means PostgreSQL was tested.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from threadline.config import Settings
from threadline.errors import Conflict
from threadline.store import Store

PG_ADMIN_URL = os.environ.get(
    "THREADLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own threadline settings."""
    for name in list(os.environ):
        if name.startswith("THREADLINE_") and name != "THREADLINE_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


def _pg_connect(dbname: str | None = None):  # type: ignore[no-untyped-def]
    import psycopg

    url = PG_ADMIN_URL if dbname is None else PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname
    return psycopg.connect(url, autocommit=True, connect_timeout=3)


def _pg_unavailable() -> str | None:
    try:
        with _pg_connect():
            return None
    except Exception as exc:
        return f"no PostgreSQL server at {PG_ADMIN_URL}: {exc}"


@pytest.fixture(scope="session")
def pg_reason() -> str | None:
    return _pg_unavailable()


@pytest.fixture
def pg_url(pg_reason: str | None) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database."""
    if pg_reason is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {pg_reason}")
        pytest.skip(pg_reason)
    name = f"threadline_test_{uuid.uuid4().hex[:12]}"
    with _pg_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with _pg_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(data_dir: Path, database_url: str | None = None, **kw: object) -> Settings:
    return Settings.load(data_dir=data_dir, database_url=database_url, actor="tester", **kw)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'threadline.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(tmp_path: Path, database_url: str) -> Iterator[Store]:
    s = Store(make_settings(tmp_path / "data", database_url))
    try:
        yield s
    finally:
        s.dispose()


@pytest.fixture
def make_store(tmp_path: Path, database_url: str) -> Iterator[Callable[..., Store]]:
    """Open a store on the parametrised database with other settings (limits …)."""
    opened: list[Store] = []

    def factory(**settings: object) -> Store:
        s = Store(make_settings(tmp_path / "data", database_url, **settings))
        opened.append(s)
        return s

    yield factory
    for s in opened:
        s.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = Store(make_settings(tmp_path / "data"))
    try:
        yield s
    finally:
        s.dispose()


ADMIN = "admin"


def add_user(store: Store, name: str, *roles: str) -> str:
    """Create `name` with `roles` (default: supervisor, who may open cases), first
    bootstrapping an `admin` user if the store has no users yet. Returns the name."""
    from threadline.safeguards.access import create_user, ensure_local_admin

    if name == ADMIN:
        ensure_local_admin(store, ADMIN)
        return name
    ensure_local_admin(store, ADMIN)
    with contextlib.suppress(Conflict):  # already there: idempotent for shared helpers
        create_user(store, ADMIN, name, list(roles or ("supervisor",)))
    return name
