"""Logbook ingest throughput: a backlog of queued group messages, as after a restart.

Measures, in one run, over real loopback HTTP against the Bot API emulator:
  * the whole stack: the real duty-desk bot (PTB, gate, recorder, hashtag filing, SQLite or
    PostgreSQL through SQLModel) draining the backlog;
  * the bare stack: a minimal python-telegram-bot application that stores each message with
    one SQLite insert, the reference the whole stack is compared against.

Usage: python bench/ingest.py [--messages 5000] [--database-url URL]
Targets (issue 2): at least 1,000 messages/s on SQLite and at least a quarter of the bare rate.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


async def main() -> None:
    """Run both stacks on the same backlog and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="database for the whole stack (default: a fresh SQLite file)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        bare = await bench_bare_stack(args.messages, Path(folder) / "bare.db")
        whole = await bench_whole_stack(args.messages, url)
    kind = url.split(":", 1)[0]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"backlog: {args.messages} group messages (1 in 10 with a logbook hashtag)")
    print(f"bare stack (PTB + one sqlite3 insert): {bare:8.0f} messages/s  [reference]")
    print(
        f"whole stack (duty-desk, {kind}):{' ' * max(0, 10 - len(kind))}{whole:8.0f} "
        f"messages/s  = {whole / bare:.0%} of bare"
    )
    print(f"targets: >= 1000 messages/s on SQLite, >= 25% of bare; peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
