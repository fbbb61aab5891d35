"""Readiness without Telegram: each check named, the database asked, Telegram only when stale."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.clock import ManualClock
from bot.db.engine import head_revision, make_engine
from bot.ops.readiness import Readiness

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
FRESH = dt.timedelta(seconds=60)
TOKEN = "123456789:AAHk-abcdefghijklmnopqrstuvwxyz012"


class Telegram:
    """getMe as the readiness check calls it: answers, or fails like a dead network."""

    def __init__(self) -> None:
        self.asked = 0
        self.down = False

    async def get_me(self) -> object:
        self.asked += 1
        if self.down:
            raise ConnectionError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
        return {"username": "duty_desk_bot"}


def readiness(url: str, clock: ManualClock, telegram: Telegram) -> Readiness:
    ready = Readiness(make_engine(url), clock, telegram.get_me, lambda: ["sender", "poller"], FRESH)
    ready.started = True
    return ready


async def test_a_migrated_database_and_telegram_answering_are_ready(migrated_url: str) -> None:
    telegram = Telegram()
    report = await readiness(migrated_url, ManualClock(NOW), telegram).report()
    assert report.ready and report.as_json()["failing"] == []
    assert report.as_json()["roles"] == ["poller", "sender"]
    assert telegram.asked == 1


async def test_an_empty_database_is_named_as_migrations_behind(database_url: str) -> None:
    report = await readiness(database_url, ManualClock(NOW), Telegram()).report()
    body = report.as_json()
    assert body["failing"] == ["migrations"]
    assert body["checks"]["migrations"]["detail"] == (
        f"database at empty, this version needs {head_revision()}"
    )


async def test_a_database_a_version_ahead_is_not_ready(migrated_url: str) -> None:
    # A newer version migrated it (a rollback of the code without the schema's).
    engine = make_engine(migrated_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    report = await readiness(migrated_url, ManualClock(NOW), Telegram()).report()
    assert report.as_json()["failing"] == ["migrations"]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_an_unreachable_database_is_named(kind: str, tmp_path: Path) -> None:
    url = (
        f"sqlite:///{tmp_path / 'no-such-folder' / 'duty-desk.db'}"
        if kind == "sqlite"
        # Nothing listens on port 1.
        else "postgresql+psycopg://duty:secret-password@127.0.0.1:1/duty_desk"
    )
    report = await readiness(url, ManualClock(NOW), Telegram()).report()
    body = report.as_json()
    assert not report.ready and body["failing"] == ["database", "migrations"]
    assert body["checks"]["migrations"]["detail"] == "not checked: no database"
    detail = body["checks"]["database"]["detail"]
    assert ("unable to open database file" if kind == "sqlite" else "refused") in detail
    assert "secret-password" not in str(body)


async def test_telegram_is_asked_only_when_it_has_not_answered_lately(migrated_url: str) -> None:
    clock, telegram = ManualClock(NOW), Telegram()
    ready = readiness(migrated_url, clock, telegram)
    ready.telegram_answered()
    clock.advance(dt.timedelta(seconds=59))
    assert (await ready.report()).ready and telegram.asked == 0
    clock.advance(dt.timedelta(seconds=2))
    assert (await ready.report()).ready and telegram.asked == 1
    # Its answer counts: the next minute needs no question.
    clock.advance(dt.timedelta(seconds=30))
    assert (await ready.report()).ready and telegram.asked == 1


async def test_telegram_unreachable_is_named_without_the_token(migrated_url: str) -> None:
    clock, telegram = ManualClock(NOW), Telegram()
    ready = readiness(migrated_url, clock, telegram)
    telegram.down = True
    report = await ready.report()
    body = report.as_json()
    assert body["failing"] == ["telegram"]
    assert "getMe" in body["checks"]["telegram"]["detail"]
    assert TOKEN not in str(body) and "<token>" in body["checks"]["telegram"]["detail"]
    # Telegram back: ready at the next probe.
    telegram.down = False
    assert (await ready.report()).ready


async def test_a_process_still_starting_is_not_ready(migrated_url: str) -> None:
    ready = readiness(migrated_url, ManualClock(NOW), Telegram())
    ready.started = False
    body = (await ready.report()).as_json()
    assert body["failing"] == ["started"]
    assert body["checks"]["started"]["detail"] == "starting up"


class BlackHole:
    """A server that takes connections and never says a word, as a host gone dark does."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._taken: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self._taken.append(self._listener.accept()[0])

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for connection in self._taken:
            connection.close()


async def test_a_database_that_hangs_is_named_in_time_and_asked_once() -> None:
    hole = BlackHole()
    try:
        url = f"postgresql+psycopg://duty:x@127.0.0.1:{hole.port}/duty_desk"
        ready = Readiness(
            make_engine(url), ManualClock(NOW), Telegram().get_me, list, FRESH, check_seconds=0.3
        )
        ready.started = True
        threads = threading.active_count()
        for _ in range(3):
            body = (await ready.report()).as_json()
            assert body["failing"] == ["database", "migrations"]
            assert body["checks"]["database"]["detail"] == "no answer within 0.3 s"
        # Three probes, one question still waiting on the database: one thread held, not three.
        assert threading.active_count() <= threads + 1
    finally:
        hole.close()
