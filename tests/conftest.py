"""Shared fixtures: a real database per test (SQLite and PostgreSQL), the clock, settings."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg.errors import InsufficientPrivilege
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ProgrammingError

from bot.db.engine import upgrade

POSTGRES_URL_ENV = "DUTY_DESK_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "DUTY_DESK_REQUIRE_POSTGRES"


def _postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_URL_ENV)
    if url:
        return url
    if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
        pytest.fail(
            f"{POSTGRES_URL_ENV} is not set but {REQUIRE_POSTGRES_ENV}=1: the "
            "PostgreSQL run is required here (CI)"
        )
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, created for this test and removed after it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'duty-desk.db'}"
        return
    admin = _postgres_admin_url()
    if admin is None:
        pytest.skip(f"set {POSTGRES_URL_ENV} to run against PostgreSQL")
    name = f"duty_desk_test_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(admin_engine, name)
        admin_engine.dispose()


def _drop(admin_engine: Engine, name: str) -> None:
    """Drop a test database, waiting out an autovacuum worker that is visiting it.

    FORCE ends the other sessions, but an autovacuum worker belongs to the server's superuser
    and a plain role may not end it; the worker leaves within moments, so try again briefly.
    """
    for attempt in range(20):
        try:
            with admin_engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except ProgrammingError as exc:
            if not isinstance(exc.orig, InsufficientPrivilege) or attempt == 19:
                raise
            time.sleep(0.25)


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """A database of each kind at the newest migration."""
    upgrade(database_url)
    return database_url


# Wednesday 25 November 2026, 09:00 in Ho Chi Minh City: inside the shift that began at 08:00.
SHIFT_DAY = dt.date(2026, 11, 25)
MORNING = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
