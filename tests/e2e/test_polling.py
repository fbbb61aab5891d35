"""Polling: an update confirmed only once handled; a second poller on the token stops this one."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.process_roles import held, polling_refused
from tests.e2e.conftest import OFFICER, Desktop


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
