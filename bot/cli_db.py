"""The operator's database commands: backup, restore, retention, the logbook's verification."""

from __future__ import annotations

from pathlib import Path

from babel.numbers import format_decimal
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from bot.cli_common import fail, operator_tr
from bot.config import Settings
from bot.db import postgres_restore
from bot.db.backup import Copied, Problem, Refused, backup, restore
from bot.db.desk_scope import desk_engine
from bot.db.engine import make_engine, migration_state
from bot.db.postgres_restore import libpq_target
from bot.i18n import Translator

# A refusal: nothing was written.
EXIT_REFUSED = 1


def _postgres_hint(tr: Translator, url: str) -> str:
    return tr(
        "duty-desk db backup works on SQLite; this database is PostgreSQL. Back it up with "
        "PostgreSQL's own tool, in the server's version (the password from PGPASSWORD or "
        "~/.pgpass):\n"
        "  pg_dump --format=custom --file=duty-desk.dump '{target}'\n"
        "Restore it into an empty database with: duty-desk db restore duty-desk.dump (it runs "
        "pg_restore, then verifies the logbook)."
    ).format(target=libpq_target(url))


def _refusal(tr: Translator, refused: Refused, url: str) -> str:
    if refused.problem is Problem.NOT_SQLITE:
        return _postgres_hint(tr, url)
    if refused.problem is Problem.NOT_EMPTY:
        held = ", ".join(f"{table} ({count})" for table, count in refused.records.items())
        return tr(
            "The database {path} already holds records ({held}); a restore never overwrites "
            "them. Restore into a new database: for SQLite, point database.url at a file that "
            "does not exist yet; for PostgreSQL, at a database made with createdb."
        ).format(path=refused.path, held=held)
    texts = {
        Problem.NO_FILE_PATH: tr(
            "database.url names no database file (an in-memory database cannot be copied)."
        ),
        Problem.SOURCE_MISSING: tr("There is no database at {path} to back up."),
        Problem.TARGET_EXISTS: tr(
            "{path} already exists; a backup never overwrites a file. Name a new file."
        ),
        Problem.BACKUP_MISSING: tr("There is no backup file at {path}."),
        Problem.FOLDER_MISSING: tr("There is no folder {path}: create it first."),
        Problem.NOT_A_BACKUP: tr(
            "{path} is not a backup duty-desk can restore: an SQLite file written by duty-desk "
            "db backup, or a PostgreSQL archive written by pg_dump --format=custom."
        ),
        Problem.SQLITE_INTO_POSTGRES: tr(
            "{path} is an SQLite backup and this database is PostgreSQL: restore it into an "
            "SQLite database (database.url sqlite:///...)."
        ),
        Problem.NO_PG_RESTORE: tr(
            "pg_restore is not installed on this machine: install PostgreSQL's client tools "
            "(Debian: postgresql-client) in the server's version, or restore from a machine "
            "that has them."
        ),
    }
    return texts[refused.problem].format(path=refused.path)


def _size(tr: Translator, size: int) -> str:
    return tr("{size} MB").format(size=format_decimal(round(size / 1_000_000, 1), locale=tr.locale))


def cmd_backup(settings: Settings, file: Path) -> int:
    """Copy the SQLite database to a new file, consistently, while the bot runs."""
    tr = operator_tr(settings)
    made = backup(settings.database.url, file)
    if isinstance(made, Refused):
        return fail(_refusal(tr, made, settings.database.url), EXIT_REFUSED)
    print(_copied(tr, tr("Backed up to {path}"), made))
    return 0


def _copied(tr: Translator, what: str, copied: Copied) -> str:
    return (
        what.format(path=copied.path)
        + ": "
        + tr("{size}, schema {revision}, logbook entries: {count}.").format(
            size=_size(tr, copied.size_bytes),
            revision=copied.revision or "-",
            count=copied.logbook_entries,
        )
    )


def cmd_restore(settings: Settings, file: Path) -> int:
    """Copy a backup into an empty database, then verify the logbook's chain."""
    tr = operator_tr(settings)
    url = settings.database.url
    made: Copied | Refused
    if make_url(url).get_backend_name() == "postgresql":
        try:
            made = postgres_restore.restore(file, url)
        except postgres_restore.RestoreFailed as exc:
            return fail(
                tr(
                    "pg_restore stopped and restored nothing (it runs in one transaction): {detail}"
                ).format(detail=exc),
                EXIT_REFUSED,
            )
    else:
        made = restore(file, url)
    if isinstance(made, Refused):
        return fail(_refusal(tr, made, url), EXIT_REFUSED)
    print(_copied(tr, tr("Restored {path}"), made))
    engine = make_engine(url)
    try:
        state = migration_state(engine)
    finally:
        engine.dispose()
    if not state.up_to_date:
        print(
            tr(
                "The backup is at schema {current}, this version needs {head}: run duty-desk "
                "db upgrade before starting the bot."
            ).format(current=state.current or "-", head=state.head)
        )
    return cmd_logbook_verify(settings)


def cmd_prune(settings: Settings) -> int:
    """Remove raw camera events and delivered messages past their days; say what went."""
    from bot.clock import SystemClock
    from bot.retention import prune

    tr = operator_tr(settings)
    days = settings.retention
    engine = make_engine(settings.database.url)
    try:
        with Session(engine) as session:
            pruned = prune(session, days, SystemClock().now())
            session.commit()
    finally:
        engine.dispose()
    print(
        tr(
            "Camera events removed: {events} (received before {events_before}; kept "
            "{days} days, the alerts they were folded into stay)."
        ).format(
            events=pruned.camera_events,
            events_before=tr.datetime(pruned.events_before),
            days=days.camera_events_days,
        )
    )
    print(
        tr(
            "Delivered messages removed: {messages} (sent before {messages_before}; kept "
            "{days} days). Kept as cards or requests still point at them, their images "
            "freed: {images}."
        ).format(
            messages=pruned.delivered_messages,
            messages_before=tr.datetime(pruned.messages_before),
            days=days.delivered_outbox_days,
            images=pruned.images_freed,
        )
    )
    return 0


def cmd_logbook_verify(settings: Settings) -> int:
    """Walk each desk's logbook chain; exit 1 if any has an entry that no longer holds."""
    from bot.config.desks import deployment_desks

    tr = operator_tr(settings)
    desks = deployment_desks(settings)
    engine = make_engine(settings.database.url, desk=None)
    failed = 0
    try:
        for desk in desks:
            if len(desks) > 1:
                print(tr("Desk {key} ({name}):").format(key=desk.key, name=desk.name))
            failed |= verify_desk_logbook(tr, desk_engine(engine, desk.key))
    finally:
        engine.dispose()
    return failed


def verify_desk_logbook(tr: Translator, engine: Engine) -> int:
    """Walk one desk's chain and say what it found; 1 at the first entry that does not hold."""
    from bot.logbook.chain import Break, verify

    verdict = verify(engine)
    outside = (
        tr(" ({count} entries from before the chain are not covered)").format(
            count=verdict.unchained
        )
        if verdict.unchained
        else ""
    )
    if verdict.intact:
        print(
            tr("The logbook is intact: {count} entries checked, chain head {head}.").format(
                count=verdict.checked, head=verdict.head
            )
            + outside
        )
        return 0
    if verdict.broken is None or verdict.broken == Break.TRUNCATED or verdict.entry is None:
        return fail(
            tr(
                "The logbook has been cut short: the chain records {expected} entries, "
                "{count} are left (the last {missing} were removed outside the bot)."
            ).format(
                expected=verdict.expected_length,
                count=verdict.checked,
                missing=verdict.expected_length - verdict.checked,
            ),
            1,
        )
    entry = verdict.entry
    day = entry.shift_date.strftime("%d/%m/%Y")
    where = (
        tr("entry no. {seq} of the shift of {day} (id {id}, outside the chain)").format(
            seq=entry.seq, day=day, id=entry.id
        )
        if entry.chain_seq is None
        else tr(
            "entry no. {seq} of the shift of {day} (id {id}, place {place} in the chain)"
        ).format(seq=entry.seq, day=day, id=entry.id, place=entry.chain_seq)
    )
    reasons = {
        Break.CHANGED: tr("its content was changed after it was written"),
        Break.RELINKED: tr("its link to the entry before it was rewritten"),
        Break.MISSING: tr("entries before it were removed (place {expected} is missing)"),
        Break.UNSEALED: tr(
            "it was written after the chain began but never sealed into it (added outside "
            "the bot, or left by an older version: run duty-desk db upgrade)"
        ),
    }
    return fail(
        tr(
            "The logbook chain is broken at {where}: {reason}. {count} entries before it hold."
        ).format(
            where=where,
            reason=reasons[verdict.broken].format(expected=verdict.expected_length),
            count=verdict.checked,
        ),
        1,
    )
