"""Logbook ingest throughput: a backlog of queued group messages, as after a restart.

Measures, in one run, over real loopback HTTP against the Bot API emulator:
  * the whole stack: the real duty-desk bot (PTB, gate, recorder, hashtag filing, SQLite or
    PostgreSQL through SQLModel) draining the backlog;
  * the bare stack: a minimal python-telegram-bot application that stores each message with
    one SQLite insert, the reference the whole stack is compared against.

The two alternate, --rounds times (a fresh database each time); the figure is the median of
the rounds' ratios. On PostgreSQL (--database-url, any database of the server: its user must
be allowed to create databases) each round takes a fresh database, dropped afterwards.

With --memory N, a whole `duty-desk run` process (a realistic desk, as bench/startup.py starts
it) drains N queued messages on SQLite; its resident memory (VmRSS) is read when idle before
and after.

Usage: python bench/ingest.py [--messages 5000] [--rounds 3] [--database-url URL]
                              [--memory 20000]
Targets (issue 15): the whole stack at >= 0.5x the bare stack (median of >= 3 alternating
rounds) and >= 1,000 messages/s, on SQLite and PostgreSQL; a run's RSS after 20,000 messages
< 130 MiB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml
from sqlalchemy import create_engine, func, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import startup  # bench/startup.py: how a whole `duty-desk run` is started

from bot.app import build_application, running
from bot.clock import SystemClock
from bot.config import Settings
from bot.db.engine import make_engine, upgrade
from bot.db.models import ChatMessage
from bot.desk import Desk
from bot.devtools.emulator import BotApiEmulator

GROUP = -1001234567890
PEOPLE = [(1001, "An"), (1002, "Bình"), (1003, "Cường"), (1004, "Dung")]
# Every tenth message carries a hashtag, so the logbook-filing path is part of the figure.
TEXTS = [
    "Camera {n} khu vực cảng hoạt động bình thường",
    "Xe 51C-{n:03d}.45 vào cổng số 2 lúc 14:05",
    "Đã liên hệ Đội kiểm soát về container số {n}",
]


def fill_backlog(emu: BotApiEmulator, count: int) -> None:
    """Queue group messages the way Telegram holds them while the bot is down."""
    emu.add_chat(GROUP, "supergroup", "Tổ trực ban")
    for user_id, name in PEOPLE:
        emu.add_user(user_id, name)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    for n in range(count):
        text = TEXTS[n % len(TEXTS)].format(n=n)
        if n % 10 == 0:
            text = "#vuviec " + text
        user_id = PEOPLE[n % len(PEOPLE)][0]
        emu.inject_message(GROUP, user_id, text, date=start + dt.timedelta(milliseconds=n))


async def bench_whole_stack(count: int, database_url: str) -> float:
    """Drain the backlog through the real bot; return messages per second."""
    upgrade(database_url)
    today = dt.datetime.now(dt.UTC).astimezone().date()
    async with BotApiEmulator() as emu:
        fill_backlog(emu, count)
        settings = Settings(
            telegram={
                "token": emu.token,
                "base_url": emu.base_url,
                "base_file_url": emu.base_file_url,
                "duty_group_id": GROUP,
            },
            database={"url": database_url},
            people=[{"id": uid, "name": name} for uid, name in PEOPLE],
            roster={
                "days": {
                    str(today + dt.timedelta(days=d)): {
                        "shift_leader": 1001,
                        "section_leader": 1002,
                        "clerk": 1003,
                        "officers": [1004],
                    }
                    for d in (-1, 0)
                }
            },
        )
        engine = make_engine(database_url)
        desk = Desk.build(settings, engine, SystemClock())
        app = build_application(settings, desk=desk)
        began = time.perf_counter()
        async with running(app):
            await emu.wait_until_consumed(timeout=600)
            elapsed = time.perf_counter() - began
        with Session(engine) as session:
            stored = session.exec(select(func.count()).select_from(ChatMessage)).one()
        engine.dispose()
    if stored != count:
        raise SystemExit(f"whole stack stored {stored} of {count} messages")
    return count / elapsed


async def bench_bare_stack(count: int, path: Path) -> float:
    """Drain the backlog through a minimal PTB app with one SQLite insert per message."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE message (chat_id INTEGER, message_id INTEGER, user_id "
        "INTEGER, date TEXT, text TEXT)"
    )

    async def store(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.from_user is not None
        connection.execute(
            "INSERT INTO message VALUES (?, ?, ?, ?, ?)",
            (
                message.chat_id,
                message.message_id,
                message.from_user.id,
                message.date.isoformat(),
                message.text,
            ),
        )
        connection.commit()

    async with BotApiEmulator() as emu:
        fill_backlog(emu, count)
        app = (
            Application.builder()
            .token(emu.token)
            .base_url(emu.base_url)
            .base_file_url(emu.base_file_url)
            .build()
        )
        app.add_handler(MessageHandler(filters.ALL, store))
        began = time.perf_counter()
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            await emu.wait_until_consumed(timeout=600)
            elapsed = time.perf_counter() - began
            await app.updater.stop()
            await app.stop()
    stored = connection.execute("SELECT count(*) FROM message").fetchone()[0]
    connection.close()
    if stored != count:
        raise SystemExit(f"bare stack stored {stored} of {count} messages")
    return count / elapsed


@contextlib.contextmanager
def fresh_database(server_url: str | None, folder: Path, round_: int) -> Iterator[str]:
    """A fresh SQLite file, or a fresh database on the PostgreSQL server, for one round."""
    if server_url is None:
        yield f"sqlite:///{folder / f'whole-{round_}.db'}"
        return
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"ingest_bench_{os.getpid()}_{round_}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        # Autovacuum may still be in it for a moment (not ours to terminate): try again.
        for attempt in range(40):
            try:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                break
            except OperationalError:
                if attempt == 39:
                    raise
                time.sleep(0.25)
        admin.dispose()


async def memory_after(count: int, folder: Path, idle: float = 3.0) -> tuple[float, float]:
    """A `duty-desk run`'s RSS when idle, then when idle again after draining `count` messages."""
    database = folder / "memory.db"
    upgrade(f"sqlite:///{database}")
    async with BotApiEmulator(token=startup.TOKEN) as emu:
        emu.add_chat(GROUP, "supergroup", "Tổ trực ban")
        for user_id, name in PEOPLE:
            emu.add_user(user_id, name)
        config = startup.desk_config(emu, database)
        config["people"] = [{"id": uid, "name": name} for uid, name in PEOPLE]
        today = dt.datetime.now(dt.UTC).astimezone().date()
        on_duty = {"shift_leader": 1001, "section_leader": 1002, "clerk": 1003, "officers": [1004]}
        config["roster"] = {"days": {str(today + dt.timedelta(days=d)): on_duty for d in (-1, 0)}}
        path = folder / "duty-desk.yaml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        process = await asyncio.create_subprocess_exec(
            *startup.command(),
            "--config",
            str(path),
            "run",
            cwd=startup.ROOT,
            env=startup.environment({"DUTY_DESK_TELEGRAM__TOKEN": startup.TOKEN}),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            while not any(name == "getUpdates" for name, _ in emu.calls):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            await asyncio.sleep(idle)
            before = startup.rss_mib(process.pid)
            fill_backlog(emu, count)
            await emu.wait_until_consumed(timeout=600)
            # Its ✍ marks and replies go out, then it idles.
            await asyncio.sleep(idle * 2)
            after = startup.rss_mib(process.pid)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
    return before, after


async def main() -> None:
    """Run both stacks on the same backlog, alternating, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL server for the whole stack (default: a fresh SQLite file each round)",
    )
    parser.add_argument("--memory", type=int, default=0, help="messages for the RSS run")
    args = parser.parse_args()
    kind = args.database_url.split(":", 1)[0].split("+")[0] if args.database_url else "sqlite"
    print(f"backlog: {args.messages} group messages (1 in 10 with a logbook hashtag)")
    bare_rates, whole_rates = [], []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for round_ in range(args.rounds):
            bare = await bench_bare_stack(args.messages, folder / f"bare-{round_}.db")
            with fresh_database(args.database_url, folder, round_) as url:
                whole = await bench_whole_stack(args.messages, url)
            bare_rates.append(bare)
            whole_rates.append(whole)
            print(
                f"round {round_ + 1}: bare {bare:6.0f}/s, whole ({kind}) {whole:6.0f}/s "
                f"= {whole / bare:.2f}x",
                flush=True,
            )
        ratios = [w / b for w, b in zip(whole_rates, bare_rates, strict=True)]
        print(
            f"bare stack (PTB + one sqlite3 insert): median {statistics.median(bare_rates):6.0f} "
            "messages/s  [reference]"
        )
        print(
            f"whole stack (duty-desk, {kind}): median {statistics.median(whole_rates):6.0f} "
            f"messages/s, median ratio {statistics.median(ratios):.2f}x of bare "
            f"(range {min(ratios):.2f}-{max(ratios):.2f})"
        )
        print("targets: >= 0.5x of bare, >= 1000 messages/s (SQLite and PostgreSQL)")
        if args.memory:
            before, after = await memory_after(args.memory, folder)
            print(
                f"duty-desk run RSS: idle {before:.1f} MiB, idle after {args.memory} messages "
                f"{after:.1f} MiB  (target < 130 MiB after 20,000)"
            )


if __name__ == "__main__":
    asyncio.run(main())
