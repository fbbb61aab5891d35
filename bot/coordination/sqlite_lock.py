"""SQLite serves one process: a lock file beside the database refuses a second `duty-desk run`.

An exclusive `flock` is dropped by the kernel when its process ends, however it ends, so a
crash never leaves the desk locked out; the file itself stays and means nothing on its own.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

try:
    import fcntl
except ImportError:  # Windows: no flock; SQLite's own locking still keeps the data whole.
    fcntl = None  # type: ignore[assignment]


class AlreadyRunning(Exception):
    """Another process already runs the desk on this SQLite database."""

    def __init__(self, database: Path, lock: Path) -> None:
        self.database = database
        self.lock = lock
        super().__init__(f"{lock} is held by another process")


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


class SqliteLock:
    """Held for the life of the process that runs the desk on one SQLite file."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = database.with_name(database.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise AlreadyRunning if another process holds it."""
        if fcntl is None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(self.database, self.path) from None
        # Who holds it, for an operator who opens the file.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (also done by the kernel when the process ends)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
