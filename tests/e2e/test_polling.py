"""Polling: an update confirmed only once handled, and handled only once the start-up is done;
a second poller on the token stops this one."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot import app as app_module
from bot.devtools.emulator import BotApiEmulator
from bot.process_roles import held, polling_refused
from tests.e2e.conftest import GROUP, OFFICER, Desktop, launch, text_of


async def poll_as_another_program(url: str, seconds: float) -> list[Any]:
    """Long-poll getUpdates as a second deployment would, for a while; its answers."""
    answers: list[Any] = []
    until = time.monotonic() + seconds
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < until:
            async with http.post(url, json={"timeout": 1}) as response:
                answers.append((response.status, await response.json()))
    return answers


async def test_a_second_poller_on_the_token_stops_this_one_with_one_clear_line(
    desktop: Desktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    emu = desktop.emu
    await poll_as_another_program(f"{emu.base_url}{emu.token}/getUpdates", 4)
    said = [
        record
        for record in caplog.records
        if record.name.startswith("bot") and "409" in record.getMessage()
    ]
    assert len(said) == 1, [r.getMessage() for r in said]
    assert said[0].levelno == logging.ERROR
    assert (
        "another program is receiving them with the same token, such as a second duty-desk "
        "deployment. This process has stopped polling" in said[0].getMessage()
    )
    assert polling_refused(desktop.app) is not None
    # It no longer asks: what an officer writes waits for whoever polls now.
    desktop.say(OFFICER, "/shift")
    await asyncio.sleep(2.5)
    assert emu.pending_updates() == 1


async def test_an_update_is_confirmed_to_telegram_only_once_handled(desktop: Desktop) -> None:
    # A poller killed while handling must leave the update to the next one: Telegram keeps an
    # update until a later getUpdates confirms it, so none may be asked for before then.
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(_update: object, _context: object) -> None:
        entered.set()
        await release.wait()

    # A group of its own, before every other (the counting of updates included): only one
    # handler of a group runs.
    desktop.app.add_handler(TypeHandler(Update, slow), group=-2000)
    desktop.say(OFFICER, "#vuviec Kiểm tra niêm phong container TGHU8593740")
    await asyncio.wait_for(entered.wait(), timeout=10)
    # Long enough for several polls (the tests poll with a 1 s timeout).
    await asyncio.sleep(2.5)
    assert desktop.emu.pending_updates() == 1
    release.set()
    await desktop.emu.wait_until_consumed()
    assert desktop.emu.pending_updates() == 0


async def test_the_process_says_which_roles_it_holds(desktop: Desktop) -> None:
    # Alone on its database, a process holds everything: /readyz reports this.
    assert held(desktop.app) >= {"poller", "sender"}
    assert polling_refused(desktop.app) is None


async def test_an_update_fetched_while_the_start_up_finishes_is_handled_once_it_is_done(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first getUpdates goes out before the operator's port, the intake and the menus are
    # up (bot/app.py, on_started); what it brings waits for them, then is handled in full.
    menus_asked, menus_may_go = asyncio.Event(), asyncio.Event()
    register_menus = app_module.register_menus

    async def held_menus(*args: Any) -> None:
        menus_asked.set()
        await menus_may_go.wait()
        await register_menus(*args)

    monkeypatch.setattr(app_module, "register_menus", held_menus)
    emulators: list[BotApiEmulator] = []

    def officer_writes_first(emu: BotApiEmulator) -> None:
        emulators.append(emu)
        emu.inject_message(GROUP, OFFICER, "/shift")

    started, stop = asyncio.Event(), asyncio.Event()

    async def run_the_desk() -> None:
        async with launch(migrated_url, prepare=officer_writes_first):
            started.set()
            await stop.wait()

    desk = asyncio.create_task(run_the_desk())
    try:
        await asyncio.wait_for(menus_asked.wait(), timeout=30)
        emu = emulators[0]
        # Fetched already, but not answered while the start-up is not done.
        assert any(name == "getUpdates" for name, _ in emu.calls)
        await asyncio.sleep(1.5)
        assert emu.bot_messages(GROUP) == []
        assert not started.is_set()
        menus_may_go.set()
        answer = await emu.wait_for_message(GROUP, timeout=10)
        assert "Ca trực ngày" in text_of(answer)
        # The menus were registered before it was handled.
        assert emu.commands({"type": "all_group_chats"}, "vi")
        await asyncio.wait_for(started.wait(), timeout=10)
    finally:
        menus_may_go.set()
        stop.set()
        await asyncio.wait_for(desk, timeout=30)
