"""The duty-desk command: run the bot, migrate the database, check the config and the logbook.

This module only describes the command line, with nothing heavy imported: `duty-desk --help`
(and a mistyped option) answers at once. What a command does is in cli_commands.py, imported
once the command line is read.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bot.gc_pause import hold_full_collections, release


def _export_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="write an official document to a file")
    export.add_argument("--desk", help="the desk's key, when the deployment has several")
    kinds = export.add_subparsers(dest="subject", required=True)
    logbook = kinds.add_parser("logbook", help="the duty logbook (888 Annex I)")
    logbook.add_argument("--date", help="one shift: YYYY-MM-DD, today or yesterday")
    logbook.add_argument("--from", dest="date_from", help="first shift (YYYY-MM-DD)")
    logbook.add_argument("--to", dest="date_to", help="last shift (YYYY-MM-DD)")
    logbook.add_argument("--format", choices=["docx", "xlsx", "pdf"], default="pdf")
    incident = kinds.add_parser("incident", help="888 Annex II, III, IV or V of an incident")
    incident.add_argument("label", help="the incident's number, e.g. 2026/0001")
    incident.add_argument(
        "--annex", choices=["annex2", "annex3", "annex4", "annex5"], default="annex3"
    )
    incident.add_argument("--format", choices=["docx", "pdf"], default="pdf")
    outage = kinds.add_parser("outage", help="the 247 Annex II notice of an EPZ outage")
    outage.add_argument("number", type=int, help="the outage's number")
    outage.add_argument("--format", choices=["docx", "pdf"], default="pdf")
    equipment = kinds.add_parser(
        "equipment", help="the equipment status report of a month or quarter (96 part III)"
    )
    equipment.add_argument(
        "--period",
        default="month",
        help="month, quarter, week, last-month, last-quarter, last-week, 2026-11, 2026-Q4 or "
        "2026-11-01..2026-11-30 (default: this month so far)",
    )
    equipment.add_argument("--format", choices=["docx", "xlsx", "pdf"], default="pdf")
    for parser in (logbook, incident, outage, equipment):
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: its name)")


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(prog="duty-desk", description="Customs duty desk bot")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="YAML configuration file (default: config/duty-desk.yaml, or $DUTY_DESK_CONFIG)",
    )
    parser.add_argument("--log-level", default=os.environ.get("DUTY_DESK_LOG_LEVEL", "INFO"))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (with no token configured: the sandbox)")
    sandbox = commands.add_parser(
        "sandbox", help="the whole desk on this machine, Telegram simulated, in a browser"
    )
    drill = commands.add_parser("drill", help="run a drill in the sandbox")
    drill.add_argument("name", help="the drill's name (night-tampering, epz-outage, ...)")
    drill.add_argument(
        "--report",
        type=Path,
        default=None,
        help="write the drill's report to this file (default: in --data, else the current folder)",
    )
    for parser_ in (sandbox, drill):
        parser_.add_argument("--host", default="127.0.0.1", help="where the page listens")
        parser_.add_argument("--port", type=int, default=8080, help="the page's port (0: any)")
        parser_.add_argument("--data", type=Path, default=None, help="keep the data in a folder")
        parser_.add_argument(
            "--speed", type=float, default=None, help="how many times faster the clock runs"
        )
    _db_parser(commands)
    commands.add_parser("config", help="check the configuration and exit")
    logbook = commands.add_parser("logbook", help="the duty logbook")
    logbook.add_argument("action", choices=["verify"], help="check the hash chain of every entry")
    _export_parser(commands)
    return parser


def _db_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Describe `duty-desk db …`."""
    db = commands.add_parser("db", help="the database: migrations, backup, restore, retention")
    actions = db.add_subparsers(dest="action", required=True)
    actions.add_parser("upgrade", help="apply the migrations")
    actions.add_parser("check", help="check that the models and the migrations agree")
    actions.add_parser("current", help="show where the database stands")
    made = actions.add_parser(
        "backup", help="copy the SQLite database to a new file while the bot runs"
    )
    made.add_argument("file", type=Path, help="the backup file to write (must not exist)")
    restored = actions.add_parser(
        "restore", help="copy a backup into an empty database, then verify the logbook"
    )
    restored.add_argument("file", type=Path, help="a file written by duty-desk db backup")
    actions.add_parser(
        "prune", help="remove raw camera events and delivered messages past their retention"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the duty-desk command."""
    args = build_parser().parse_args(argv)
    if args.command == "run":
        # The bot ends the pause once started (bot/app.py, on_startup); any other way out, here.
        hold_full_collections()
    try:
        # Settings, the database and the bot (a second and more of imports) only past --help.
        from bot.cli_commands import run_command

        return run_command(args)
    finally:
        release()


if __name__ == "__main__":
    raise SystemExit(main())
