"""Shared fixtures: a real database per test (SQLite and PostgreSQL), the clock, settings."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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
        with admin_engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """A database of each kind at the newest migration."""
    upgrade(database_url)
    return database_url


# Wednesday 25 November 2026, 09:00 in Ho Chi Minh City: inside the shift that began at 08:00.
SHIFT_DAY = dt.date(2026, 11, 25)
MORNING = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
