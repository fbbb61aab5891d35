"""SQLite serves one process: the lock file refuses a second, and frees itself with the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.coordination.sqlite_lock import AlreadyRunning, SqliteLock, sqlite_file


def test_a_second_lock_on_the_same_file_is_refused_until_the_first_lets_go(
    tmp_path: Path,
) -> None:
    database = tmp_path / "duty-desk.db"
    first = SqliteLock(database)
    first.acquire()
    with pytest.raises(AlreadyRunning) as refused:
        SqliteLock(database).acquire()
    assert (refused.value.database, refused.value.lock) == (
        database,
        tmp_path / "duty-desk.db.lock",
    )
    # Another database beside it is another desk.
    SqliteLock(tmp_path / "other.db").acquire()
    first.release()
    SqliteLock(database).acquire()


def test_only_a_sqlite_file_has_a_lock() -> None:
    assert sqlite_file("sqlite:///relative/desk.db") == Path("relative/desk.db").resolve()
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql+psycopg://u:p@db/desk") is None
