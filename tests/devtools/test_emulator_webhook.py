"""The emulator holds webhooks as Telegram does: no getUpdates, posts with the secret, retries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, Update
from telegram.error import BadRequest, Conflict

from bot.devtools.emulator import BotApiEmulator

USER = 501
GROUP = -1001234567890
SECRET = "s3cret-token_for-TESTS"


@dataclass
class Receiver:
    """A webhook endpoint answering each post with the next planned status (200 when none)."""

    statuses: list[int] = field(default_factory=list)
    posts: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)
    url: str = ""

    async def post(self, request: web.Request) -> web.Response:
        self.posts.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        emulator.add_user(USER, "Lan")
        emulator.add_chat(GROUP, "supergroup", "Phòng trực ban")
        # Retries in hundredths of a second: the test is about their number, not their pace.
        emulator.webhook.first_retry_seconds = 0.01
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url) as client:
        yield client


@pytest.fixture
async def receiver(emu: BotApiEmulator) -> AsyncIterator[Receiver]:
    # Taking emu makes it stop first, closing its connection here.
    endpoint = Receiver()
    app = web.Application()
    app.router.add_post("/hook", endpoint.post)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    endpoint.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield endpoint
    await runner.cleanup()


async def failed_once(emu: BotApiEmulator) -> None:
    """Wait until a delivery to the webhook has failed."""
    async with asyncio.timeout(10):
        while emu.webhook.last_error_message is None:
            await emu.wait_changed(1.0)


def texts(posts: list[tuple[str | None, dict[str, Any]]]) -> list[str]:
    return [update["message"]["text"] for _, update in posts]


async def test_a_set_webhook_takes_the_updates_and_get_updates_is_refused(
    emu: BotApiEmulator, bot: Bot, receiver: Receiver
) -> None:
    emu.inject_message(GROUP, USER, "before the webhook")
    await bot.set_webhook(receiver.url, secret_token=SECRET, allowed_updates=Update.ALL_TYPES)
    emu.inject_message(GROUP, USER, "after it")
    await emu.wait_until_consumed()

    # What waited for getUpdates is posted too, in order, each with the secret header.
    assert texts(receiver.posts) == ["before the webhook", "after it"]
    assert {secret for secret, _ in receiver.posts} == {SECRET}
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0
    assert "message_reaction" in (info.allowed_updates or ())


async def test_delete_webhook_hands_what_was_not_delivered_back_to_get_updates(
    emu: BotApiEmulator, bot: Bot, receiver: Receiver
) -> None:
    # The endpoint fails, and Telegram waits before trying again: the webhook goes meanwhile.
    receiver.statuses = [503]
    emu.webhook.first_retry_seconds = 60.0
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    emu.inject_message(GROUP, USER, "kept")
    await failed_once(emu)
    await bot.delete_webhook()
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["kept"]
    assert (await bot.get_webhook_info()).url == ""


async def test_a_refused_post_is_retried_then_given_up_and_reported(
    emu: BotApiEmulator, bot: Bot, receiver: Receiver
) -> None:
    receiver.statuses = [500, 403]
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    emu.inject_message(GROUP, USER, "third time lucky")
    await emu.wait_until_consumed()
    assert texts(receiver.posts) == ["third time lucky"] * 3
    assert emu.webhook.given_up == []

    receiver.statuses = [500] * emu.webhook.attempts
    emu.inject_message(GROUP, USER, "never taken")
    await emu.wait_until_consumed()
    assert texts(receiver.posts)[3:] == ["never taken"] * emu.webhook.attempts
    assert len(emu.webhook.given_up) == 1
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_a_webhook_nobody_listens_on_keeps_the_update_until_deleted(
    emu: BotApiEmulator, bot: Bot
) -> None:
    emu.webhook.first_retry_seconds = 60.0
    await bot.set_webhook("http://127.0.0.1:9/hook", secret_token=SECRET)
    emu.inject_message(GROUP, USER, "while the bot restarts")
    await failed_once(emu)
    assert (await bot.get_webhook_info()).last_error_message == "Connection refused"
    await bot.delete_webhook()
    updates = await asyncio.wait_for(bot.get_updates(timeout=0), 5)
    assert [u.message.text for u in updates if u.message] == ["while the bot restarts"]


@pytest.mark.parametrize(
    ("url", "secret", "error"),
    [
        ("ftp://example.org/hook", SECRET, "(?i)https url must be provided"),
        ("https://example.org/hook", "not allowed!", "(?i)secret token contains unallowed"),
    ],
)
async def test_set_webhook_refuses_what_telegram_refuses(
    bot: Bot, url: str, secret: str, error: str
) -> None:
    with pytest.raises(BadRequest, match=error):
        await bot.set_webhook(url, secret_token=secret)
    assert (await bot.get_webhook_info()).url == ""
