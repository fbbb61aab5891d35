"""A backlog recorded in batches: a process killed between receiving a batch and committing it
loses no message; Telegram gives the unconfirmed updates again and the next run records each
once, files each hashtag once, and marks each with ✍."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.db.engine import make_engine, upgrade
from bot.db.models import ChatMessage, LogbookEntry
from bot.devtools.emulator import BotApiEmulator
from bot.logbook import chain
from tests.camera.test_onvif_device import wait_until
from tests.e2e.commands import duty_desk, write_config
from tests.e2e.conftest import CLERK, GROUP, LEADER, OFFICER, desk_config

TOKEN = "987654321:backlog-crash"
BACKLOG = 60
ON_DUTY = {"shift_leader": LEADER, "clerk": CLERK, "officers": [OFFICER]}


def said(n: int) -> str:
    """Every fourth message files a line of the logbook."""
    text = f"Xe 51C-{n:03d}.45 qua cổng số 2"
    return f"#congviec {text}" if n % 4 == 0 else text


async def test_a_run_killed_between_receiving_a_batch_and_committing_it_loses_no_message(
    tmp_path: Path,
) -> None:
    database = tmp_path / "desk.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    engine = make_engine(url)
    env = {"DUTY_DESK_TELEGRAM__TOKEN": TOKEN}
    async with BotApiEmulator(token=TOKEN) as emu:
        emu.add_chat(GROUP, "supergroup", "Tổ trực ban")
        emu.add_user(OFFICER, "Dung")
        # The run is on the real clock: the officer is on duty whenever the test runs.
        today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        days = {str(today + dt.timedelta(days=d)): ON_DUTY for d in (-1, 0, 1)}
        config = desk_config(emu, url, roster={"days": days})
        command = ["--config", str(write_config(tmp_path, config)), "run"]
        first = await duty_desk(*command, env=env, stderr=asyncio.subprocess.DEVNULL)
        try:
            mark = emu.mark()
            emu.inject_message(GROUP, OFFICER, "/shift")
            await emu.wait_for_message(GROUP, after=mark, timeout=60)
            await emu.wait_until_consumed(timeout=30)
            with Session(engine) as session:
                before = session.exec(select(func.count()).select_from(ChatMessage)).one()
            # Another writer holds the database: the run receives the backlog, and its batch
            # waits to commit until the run is killed.
            blocker = sqlite3.connect(database, timeout=30, isolation_level=None)
            blocker.execute("BEGIN IMMEDIATE")
            sent = [emu.inject_message(GROUP, OFFICER, said(n)) for n in range(BACKLOG)]
            last = emu.updates.newest
            await wait_until(lambda: emu.updates.handed_out >= last, within=30)
        finally:
            first.kill()
            await first.wait()
        blocker.execute("ROLLBACK")
        blocker.close()
        with Session(engine) as session:
            # Killed after receiving and before committing: nothing of the backlog is stored,
            # and Telegram still holds all of it.
            assert session.exec(select(func.count()).select_from(ChatMessage)).one() == before
        assert emu.pending_updates() == BACKLOG

        second = await duty_desk(*command, env=env, stderr=(tmp_path / "second.log").open("wb"))
        try:
            await emu.wait_until_consumed(timeout=60)
            tagged = [m["message_id"] for n, m in enumerate(sent) if n % 4 == 0]
            await wait_until(
                lambda: all((GROUP, mid) in emu.reactions for mid in tagged), within=30
            )
        finally:
            second.send_signal(signal.SIGINT)
            await asyncio.wait_for(second.wait(), timeout=30)

    ids = [m["message_id"] for m in sent]
    with Session(engine) as session:
        stored = session.exec(
            select(ChatMessage.message_id, ChatMessage.text).where(
                col(ChatMessage.message_id).in_(ids)
            )
        ).all()
        entries = session.exec(
            select(LogbookEntry)
            .where(col(LogbookEntry.source_message_id).in_(ids))
            .order_by(col(LogbookEntry.seq))
        ).all()
    assert sorted(stored) == sorted(zip(ids, map(said, range(BACKLOG)), strict=True))
    assert [e.source_message_id for e in entries] == ids[::4]
    # In the order they were written, each on the next line.
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + len(entries)))
    assert all(emu.reactions[(GROUP, mid)] for mid in ids[::4])
    assert chain.verify(engine).intact
    engine.dispose()
