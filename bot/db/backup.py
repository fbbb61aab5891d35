"""Backing up and restoring an SQLite database with SQLite's online backup API.

The backup API copies a consistent snapshot page by page while the bot keeps writing (WAL mode
lets it), so a backup needs no downtime. PostgreSQL has its own tools (pg_dump, pg_restore),
which know its server's version better than this program could; the command says which to use.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from sqlalchemy.engine import make_url

# The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"
# Rows a fresh `duty-desk db upgrade` writes: the schema's revision and the chain's empty head.
BOOKKEEPING_TABLES = ("alembic_version", "logbook_chain")


class Problem(StrEnum):
    """Why a backup or restore was not made; the command words each one."""

    NOT_SQLITE = "not_sqlite"
    NO_FILE_PATH = "no_file_path"
    SOURCE_MISSING = "source_missing"
    TARGET_EXISTS = "target_exists"
    BACKUP_MISSING = "backup_missing"
    NOT_A_BACKUP = "not_a_backup"
    NOT_EMPTY = "not_empty"
    SQLITE_INTO_POSTGRES = "sqlite_into_postgres"
    NO_PG_RESTORE = "no_pg_restore"
    FOLDER_MISSING = "folder_missing"


@dataclass(frozen=True)
class Refused:
    """A backup or restore that was not made, and what stood in the way."""

    problem: Problem
    path: str = ""
    # For NOT_EMPTY: the tables that hold records, with their counts.
    records: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Copied:
    """A backup or restore made: where, its size and the schema revision it carries."""

    # The backup written, or the database restored into.
    path: str
    size_bytes: int
    revision: str | None
    logbook_entries: int


def sqlite_path(url: str) -> Path | Refused:
    """The file an SQLite URL names, or why it names none (PostgreSQL, in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return Refused(Problem.NOT_SQLITE)
    if not parsed.database or parsed.database == ":memory:":
        return Refused(Problem.NO_FILE_PATH)
    return Path(parsed.database)


def backup(url: str, target: Path) -> Copied | Refused:
    """Copy the database at `url` into a new file `target`, consistently, while it is in use."""
    source = sqlite_path(url)
    if isinstance(source, Refused):
        return source
    if not source.is_file():
        return Refused(Problem.SOURCE_MISSING, str(source))
    if target.exists():
        return Refused(Problem.TARGET_EXISTS, str(target))
    if not target.parent.is_dir():
        return Refused(Problem.FOLDER_MISSING, str(target.parent))
    # Written beside the target and renamed at the end: a backup cut short (disk full, killed)
    # never leaves a file that looks like a good one.
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with (
        closing(sqlite3.connect(source)) as reader,
        closing(sqlite3.connect(partial)) as writer,
    ):
        # One step (pages=-1): a single read transaction over a snapshot. Copied in steps, a
        # busy bot's every write would restart the copy, and a storm could keep it from ending.
        reader.backup(writer, pages=-1)
        # One self-contained file: no -wal or -shm beside it when it is read or moved.
        writer.execute("PRAGMA journal_mode=DELETE")
    os.replace(partial, target)
    return _describe(target)


def restore(backup_file: Path, url: str) -> Copied | Refused:
    """Copy a backup into the database at `url`, which must hold no records; never overwrites."""
    target = sqlite_path(url)
    if isinstance(target, Refused):
        return target
    if not backup_file.is_file():
        return Refused(Problem.BACKUP_MISSING, str(backup_file))
    if not _is_duty_desk_database(backup_file):
        return Refused(Problem.NOT_A_BACKUP, str(backup_file))
    if not target.parent.is_dir():
        return Refused(Problem.FOLDER_MISSING, str(target.parent))
    if target.exists():
        held = records(target)
        if held:
            return Refused(Problem.NOT_EMPTY, str(target), held)
    with (
        closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as reader,
        closing(sqlite3.connect(target)) as writer,
    ):
        reader.backup(writer, pages=-1)
        # The bot's own journal mode (make_engine sets it on every connection anyway).
        writer.execute("PRAGMA journal_mode=WAL")
    return _describe(target)


def records(path: Path) -> dict[str, int]:
    """The tables of an SQLite database that hold records, with their row counts."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {
            name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
            for name in tables
            if name not in BOOKKEEPING_TABLES
        }
        if "logbook_chain" in tables:
            # A chain head past the start means entries were written, even if since removed.
            length = connection.execute("SELECT max(length) FROM logbook_chain").fetchone()[0]
            if length:
                counts["logbook_chain"] = int(length)
    return {name: count for name, count in sorted(counts.items()) if count}


def _is_duty_desk_database(path: Path) -> bool:
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return False
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            return (
                connection.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
                ).fetchone()
                is not None
            )
    except sqlite3.DatabaseError:
        return False


def _describe(path: Path) -> Copied:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        entries = connection.execute("SELECT count(*) FROM logbook_entry").fetchone()[0]
    return Copied(str(path), path.stat().st_size, row[0] if row else None, int(entries))
