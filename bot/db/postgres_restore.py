"""Restoring a pg_dump archive into an empty PostgreSQL database with pg_restore.

pg_dump and pg_restore know the server's formats; this only checks what they do not: that the
file is a pg_dump archive, that the database holds no records, and that the tool is there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import column, func, inspect, select, table
from sqlalchemy.engine import URL, make_url

from bot.db.backup import BOOKKEEPING_TABLES, SQLITE_HEADER, Copied, Problem, Refused
from bot.db.engine import make_engine

# The first bytes of pg_dump's custom format (--format=custom), the one pg_restore reads.
PGDUMP_HEADER = b"PGDMP"
# A restore of a large desk takes a while; one that hangs longer than this has failed.
RESTORE_TIMEOUT_SECONDS = 3600


class RestoreFailed(Exception):
    """pg_restore stopped on an error; its own words are the message."""


def libpq_target(url: str) -> str:
    """The database as pg_dump and pg_restore take it, without the password."""
    given = make_url(url)
    return URL.create(
        "postgresql", given.username, None, given.host, given.port, given.database
    ).render_as_string(hide_password=False)


def records(url: str) -> tuple[dict[str, int], bool]:
    """The tables of the database that hold records (with counts), and whether it has tables."""
    engine = make_engine(url)
    try:
        names = inspect(engine).get_table_names()
        with engine.connect() as connection:
            counts = {
                name: int(
                    connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                )
                for name in names
                if name not in BOOKKEEPING_TABLES
            }
            if "logbook_chain" in names:
                # A chain head past the start means entries were written, even if since removed.
                length = connection.execute(
                    select(func.max(column("length"))).select_from(table("logbook_chain"))
                ).scalar()
                if length:
                    counts["logbook_chain"] = int(length)
    finally:
        engine.dispose()
    return {name: count for name, count in sorted(counts.items()) if count}, bool(names)


def restore(backup_file: Path, url: str) -> Copied | Refused:
    """Restore a pg_dump archive into the database at `url`, which must hold no records."""
    if not backup_file.is_file():
        return Refused(Problem.BACKUP_MISSING, str(backup_file))
    with backup_file.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header.startswith(SQLITE_HEADER):
        return Refused(Problem.SQLITE_INTO_POSTGRES, str(backup_file))
    if not header.startswith(PGDUMP_HEADER):
        return Refused(Problem.NOT_A_BACKUP, str(backup_file))
    tool = shutil.which("pg_restore")
    if tool is None:
        return Refused(Problem.NO_PG_RESTORE)
    held, has_tables = records(url)
    if held:
        return Refused(Problem.NOT_EMPTY, libpq_target(url), held)
    given = make_url(url)
    command = [tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if has_tables:
        # A migrated but empty database: its empty tables are replaced by the backup's.
        command += ["--clean", "--if-exists"]
    command += ["--dbname", libpq_target(url), str(backup_file)]
    # The password through the environment, never on a command line others can list.
    environment = {**os.environ, "PGPASSWORD": given.password or ""}
    done = subprocess.run(
        command,
        env=environment,
        capture_output=True,
        text=True,
        timeout=RESTORE_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RestoreFailed(done.stderr.strip())
    return _describe(backup_file, url)


def _describe(backup_file: Path, url: str) -> Copied:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            revision = connection.execute(
                select(column("version_num")).select_from(table("alembic_version")).limit(1)
            ).scalar()
            entries = connection.execute(
                select(func.count()).select_from(table("logbook_entry"))
            ).scalar_one()
    finally:
        engine.dispose()
    return Copied(libpq_target(url), backup_file.stat().st_size, revision, int(entries))
