"""What each duty-desk command does, once the command line (cli.py) is read."""

from __future__ import annotations

import argparse
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from bot import gc_pause
from bot.cli_common import EXIT_CONFIG, EXIT_NOT_READY
from bot.cli_common import fail as _fail
from bot.cli_common import operator_tr as _operator_tr
from bot.config import ConfigError, Settings, deployment_desks, load_settings
from bot.db.engine import check_models_match, make_engine, migration_state, upgrade
from bot.logging_setup import configure_logging


def run_command(args: argparse.Namespace) -> int:
    """Load the configuration and do what the command line asks."""
    # The environment's format until the file is read, so even its errors log in that shape.
    json_lines = os.environ.get("DUTY_DESK_LOG_FORMAT", "").lower() == "json"
    configure_logging(args.log_level, "json" if json_lines else "text")
    loaded = _load(args.config)
    if isinstance(loaded, int):
        return loaded
    configure_logging(args.log_level, loaded.log_format)
    if args.command == "run":
        return cmd_run(loaded)
    if args.command in ("sandbox", "drill"):
        drill = args.name if args.command == "drill" else None
        return cmd_sandbox(
            loaded,
            SandboxArgs(
                args.host, args.port, args.data, args.speed, drill, getattr(args, "report", None)
            ),
        )
    if args.command == "db":
        # The operator's database commands (backup, restore, retention) only when asked.
        from bot.cli_db import cmd_backup, cmd_prune, cmd_restore

        commands = {"backup": cmd_backup, "restore": cmd_restore}
        if args.action in commands:
            return commands[args.action](loaded, args.file)
        if args.action == "prune":
            return cmd_prune(loaded)
        return cmd_db(loaded, args.action)
    if args.command == "logbook":
        from bot.cli_db import cmd_logbook_verify

        return cmd_logbook_verify(loaded)
    if args.command == "export":
        return cmd_export(loaded, args)
    tr = _operator_tr(loaded)
    print(tr("The configuration is valid."))
    return 0


def _load(path: Path | None) -> Settings | int:
    try:
        return load_settings(path)
    except ConfigError as exc:
        tr = _operator_tr(None)
        lines = [tr("The configuration in {source} cannot be used:").format(source=exc.source)]
        lines += [f"  - {problem}" for problem in exc.problems]
        return _fail("\n".join(lines), EXIT_CONFIG)


def _configured_for_production(settings: Settings) -> bool:
    """A duty group or people are configured: this machine is meant to run the real desk."""
    return settings.telegram.duty_group_id is not None or bool(settings.people)


def cmd_run(settings: Settings) -> int:
    """Start the bot (after checking the token and the database); with nothing set, the sandbox."""
    from bot.app import build_application, run
    from bot.coordination.choose import coordinator_for
    from bot.coordination.sqlite_lock import AlreadyRunning
    from bot.process_roles import use
    from bot.webhook import WebhookStartError

    tr = _operator_tr(settings)
    if not settings.telegram.token_value():
        if not _configured_for_production(settings):
            print(tr("No Telegram bot token is configured: starting the sandbox."), flush=True)
            # Full collections, held for the bot's start-up (bot/cli.py), are the sandbox's again.
            gc_pause.release()
            return cmd_sandbox(settings, SandboxArgs())
        return _fail(
            tr(
                "No Telegram bot token is configured, so the bot cannot start.\n"
                "Get a token from @BotFather, then either set DUTY_DESK_TELEGRAM__TOKEN=<token> "
                "in the environment, or copy config/duty-desk.example.yaml to "
                "config/duty-desk.yaml and fill in telegram.token (or telegram.token_file) and "
                "telegram.duty_group_id. The README explains each step.\n"
                "To try the desk without Telegram, run: duty-desk sandbox"
            ),
            EXIT_NOT_READY,
        )
    engine = make_engine(settings.database.url)
    state = migration_state(engine)
    engine.dispose()
    if not state.up_to_date:
        return _fail(
            tr(
                "The database is not at the current schema (it is at {current}, the bot needs "
                "{head}). Run: duty-desk db upgrade"
            ).format(current=state.current or tr("an empty database"), head=state.head),
            EXIT_NOT_READY,
        )
    try:
        coordinator = coordinator_for(settings)
    except AlreadyRunning as exc:
        return _fail(
            tr(
                "Another duty-desk is already running on the SQLite database {database} (it "
                "holds {lock}). SQLite serves one process only; to run several processes, "
                "point database.url at PostgreSQL."
            ).format(database=exc.database, lock=exc.lock),
            EXIT_NOT_READY,
        )
    app = build_application(settings)
    use(app, coordinator)
    try:
        run(app, settings.telegram.poll_timeout_seconds)
    except WebhookStartError as exc:
        return _fail(
            tr("Webhook mode cannot start: {key}: {reason}").format(key=exc.key, reason=exc.reason),
            EXIT_NOT_READY,
        )
    return 0


@dataclass
class SandboxArgs:
    """How the sandbox is started from the command line."""

    host: str = "127.0.0.1"
    port: int = 8080
    data: Path | None = None
    # The sandbox runs in real time and a drill at its own pace unless told otherwise.
    speed: float | None = None
    drill: str | None = None
    # The drill's report file; by default in --data, else in the current folder.
    report: Path | None = None


def cmd_sandbox(settings: Settings, args: SandboxArgs) -> int:
    """Run the whole desk on this machine, Telegram and cameras simulated, in a browser page."""
    import asyncio

    from bot.sandbox.drills.scenario import drill_names
    from bot.sandbox.runtime import Sandbox, SandboxOptions, serve

    tr = _operator_tr(settings)
    # Every poll of the emulator and every job of the scheduler would fill the console.
    for noisy in ("httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    if args.drill is not None and args.drill not in drill_names():
        return _fail(
            tr("There is no drill {name}; the drills are: {names}.").format(
                name=args.drill, names=", ".join(drill_names())
            ),
            EXIT_CONFIG,
        )
    if args.speed is not None and not 0 < args.speed <= 1000:
        return _fail(tr("The speed must be above 0 and at most 1000."), EXIT_CONFIG)
    # The report's folder: --report's, else the current one unless --data keeps it.
    folder = args.report.parent if args.report else None if args.data else Path.cwd()
    writable = folder is None or (folder.is_dir() and os.access(folder, os.W_OK))
    if args.drill is not None and not writable:
        return _fail(
            tr(
                "The drill's report cannot be written in {folder}: run it from a folder you "
                "can write to, or name a file with --report FILE."
            ).format(folder=folder),
            EXIT_CONFIG,
        )

    def ready(sandbox: Sandbox) -> None:
        print(
            tr(
                "The duty desk sandbox is running: open {url} in a browser. Telegram, the "
                "cameras and the organisation are simulated on this machine; nothing goes to "
                "the internet. Stop with Ctrl+C."
            ).format(url=sandbox.url),
            flush=True,
        )
        if sandbox.drills.on_report is None:
            sandbox.drills.on_report = lambda text, path: print(
                text + "\n" + tr("Report written: {path}").format(path=path), flush=True
            )
        if args.drill is not None:
            # Without --data the sandbox's folder is temporary: the report must outlive it.
            sandbox.drills.report_file = args.report
            sandbox.drills.report_dir = args.data or Path.cwd()

    options = SandboxOptions(
        host=args.host,
        port=args.port,
        data_dir=args.data,
        speed=args.speed if args.speed is not None and args.drill is None else 1.0,
        locale=settings.locale,
    )
    status = asyncio.run(serve(options, ready, drill=args.drill, drill_speed=args.speed))
    # A drill that could not be played to its end fails the command (its report says where).
    return 1 if status is not None and status.get("error") else 0


def cmd_db(settings: Settings, action: str) -> int:
    """Apply migrations, or check that the models and migrations agree."""
    tr = _operator_tr(settings)
    url = settings.database.url
    if action == "upgrade":
        upgraded = upgrade(url)
        if upgraded.logbook_entries_sealed:
            print(
                tr.plural(
                    "Sealed {count} logbook entry that an older version had left outside "
                    "the hash chain.",
                    "Sealed {count} logbook entries that an older version had left outside "
                    "the hash chain.",
                    upgraded.logbook_entries_sealed,
                ).format(count=upgraded.logbook_entries_sealed)
            )
        print(tr("The database is up to date."))
        return 0
    if action == "check":
        from alembic.util.exc import AutogenerateDiffsDetected

        try:
            check_models_match(url)
        except AutogenerateDiffsDetected as exc:
            return _fail(
                tr("The models and the migrations disagree: {detail}").format(detail=exc), 1
            )
        print(tr("The models and the migrations agree."))
        return 0
    engine = make_engine(url)
    state = migration_state(engine)
    engine.dispose()
    print(f"current={state.current or '-'} head={state.head}")
    return 0 if state.up_to_date else 1


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    """Write an official document (Annexes I-V, 247 Annex II, the equipment report) to a file."""
    from bot.clock import SystemClock
    from bot.documents.asks import MISSING
    from bot.documents.cases import Annex
    from bot.documents.periods import checked, parse_day
    from bot.documents.service import Documents, Exported, Format, Missing
    from bot.shifts import Roster
    from bot.stats.periods import parse_stats_period

    tr = _operator_tr(settings)
    desks = deployment_desks(settings)
    chosen = next((d for d in desks if d.key == args.desk), None)
    if chosen is None and (args.desk is not None or len(desks) > 1):
        return _fail(
            tr("Name the desk with --desk, one of: {keys}.").format(
                keys=", ".join(d.key for d in desks)
            ),
            EXIT_CONFIG,
        )
    desk = chosen or desks[0]
    settings = desk.settings
    roster = Roster(settings)
    now = SystemClock().now()
    current = roster.shift_date_at(now)
    engine = make_engine(settings.database.url, desk=desk.key)
    documents = Documents(settings, engine, roster)
    fmt = Format(args.format)
    made: Exported | Missing
    try:
        if args.subject == "logbook":
            first = parse_day(args.date_from or args.date or "today", current)
            last = parse_day(args.date_to or args.date or args.date_from or "today", current)
            period = checked(first, last)
            if period is None:
                return _fail(
                    tr(
                        "Give the shifts as dates (2026-11-25, today, yesterday), the end not "
                        "before the start and at most a year apart."
                    ),
                    EXIT_CONFIG,
                )
            made = documents.logbook(period, fmt, now)
        elif args.subject == "incident":
            made = documents.incident(args.label, Annex(args.annex), fmt, now)
        elif args.subject == "equipment":
            report_period = parse_stats_period(args.period, current)
            if report_period is None:
                return _fail(
                    tr(
                        "Give the period as month, quarter, week, last-month, last-quarter, "
                        "last-week, a month (2026-11), a quarter (2026-Q4) or a range of dates "
                        "(2026-11-01..2026-11-30, at most a year)."
                    ),
                    EXIT_CONFIG,
                )
            made = documents.equipment(report_period, fmt, now)
        else:
            made = documents.outage(args.number, fmt)
    finally:
        engine.dispose()
    if isinstance(made, Missing):
        what = args.label if args.subject == "incident" else str(getattr(args, "number", ""))
        return _fail(tr(MISSING[made]).format(what=what), 1)
    target = args.output or Path(made.filename)
    target.write_bytes(made.data)
    print(tr("Written: {path}").format(path=target))
    return 0
