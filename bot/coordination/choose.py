"""Which coordinator a `duty-desk run` gets: shared on PostgreSQL, alone on SQLite."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.coordination.sole import SoleCoordinator
from bot.coordination.sqlite_lock import SqliteLock, sqlite_file
from bot.coordination.work import Coordinator


def coordinator_for(settings: Settings) -> Coordinator:
    """PostgreSQL: share the work with any other process; SQLite: refuse a second process.

    Raises `AlreadyRunning` when another process already runs on the same SQLite file.
    """
    url = settings.database.url
    if make_url(url).get_backend_name() == "postgresql":
        # psycopg's own import (a tenth of a second) is for the deployments that use it.
        from bot.coordination.postgres import PostgresCoordinator

        return PostgresCoordinator(url, settings.coordination)
    database = sqlite_file(url)
    if database is None:
        return SoleCoordinator()
    lock = SqliteLock(database)
    lock.acquire()
    return SoleCoordinator(keep=lock)
