"""The webhook endpoint alone: only Telegram's secret opens it, and what it queues is readable."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot, Update

from bot.config import WebhookSettings
from bot.webhook.server import SECRET_HEADER, WebhookServer, read_update, secret_matches

SECRET = "Webhook_secret-0123456789abcdef"
BOT = Bot("123456:TEST-TOKEN")
MESSAGE: dict[str, Any] = {
    "update_id": 7,
    "message": {
        "message_id": 3,
        "date": 1764036000,
        "chat": {"id": -1001234567890, "type": "supergroup", "title": "Tổ trực ban"},
        "from": {"id": 1004, "is_bot": False, "first_name": "Dung"},
        "text": "Camera 12 mất tín hiệu",
    },
}


@pytest.mark.parametrize(
    ("given", "matches"),
    [
        (SECRET, True),
        (None, False),
        ("", False),
        (SECRET[:-1], False),
        (SECRET + "x", False),
        (SECRET.upper(), False),
        # A header with characters outside ASCII is a mismatch, not an error.
        (SECRET[:-1] + "é", False),
    ],
)
def test_only_the_configured_secret_matches(given: str | None, matches: bool) -> None:
    assert secret_matches(given, SECRET) is matches


def test_an_update_is_read_as_polling_reads_it() -> None:
    update = read_update(b'{"update_id": 9, "message": ' + _message_json(r"a\u0000b"), BOT)
    assert isinstance(update, Update) and update.message is not None
    # NUL is made storable, as in polling.
    assert update.message.text == "a\ufffdb"
    # One the library cannot read is skipped (a warning names it), not queued.
    assert read_update(b'{"update_id": 10, "message": {"message_id": "x"}}', BOT) is None


def _message_json(text: str) -> bytes:
    return (
        b'{"message_id": 1, "date": 1764036000, "chat": {"id": -100, "type": "supergroup"},'
        b' "text": "' + text.encode() + b'"}}'
    )


@pytest.fixture
async def served() -> AsyncIterator[tuple[str, asyncio.Queue[object], WebhookServer]]:
    settings = WebhookSettings(
        url="https://desk.example.gov.vn/telegram",
        port=0,
        secret_token=SECRET,
        max_body_bytes=4096,
    )
    queue: asyncio.Queue[object] = asyncio.Queue()
    server = WebhookServer(settings, BOT, queue)
    await server.start()
    yield f"http://127.0.0.1:{server.port}/telegram", queue, server
    await server.stop()


async def post(url: str, headers: dict[str, str], **kwargs: Any) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, headers=headers, **kwargs) as response,
    ):
        return response.status


async def test_requests_without_the_secret_are_refused_and_nothing_is_queued(
    served: tuple[str, asyncio.Queue[object], WebhookServer], caplog: pytest.LogCaptureFixture
) -> None:
    url, queue, server = served
    wrong = "not-" + SECRET
    assert await post(url, {}, json=MESSAGE) == 403
    assert await post(url, {SECRET_HEADER: wrong}, json=MESSAGE) == 403
    assert queue.empty()
    assert server.counters["refused"] == 2
    # Logged once for the two (at most once a minute), never with a secret.
    refusals = [r for r in caplog.records if "not from Telegram" in r.getMessage()]
    assert len(refusals) == 1
    assert SECRET not in caplog.text and wrong not in caplog.text

    assert await post(url, {SECRET_HEADER: SECRET}, json=MESSAGE) == 200
    update = queue.get_nowait()
    assert isinstance(update, Update) and update.update_id == 7
    assert update.message is not None and update.message.text == "Camera 12 mất tín hiệu"


async def test_oversized_and_foreign_bodies_are_refused(
    served: tuple[str, asyncio.Queue[object], WebhookServer], caplog: pytest.LogCaptureFixture
) -> None:
    url, queue, _ = served
    headers = {SECRET_HEADER: SECRET}
    assert await post(url, headers, data=b"x" * 5000) == 413
    # Chunked, so the size is known only as it is read.
    assert await post(url, headers, data=_chunks(b"x" * 5000)) == 413
    with caplog.at_level(logging.WARNING):
        assert await post(url, headers, data=b"<html>") == 400
    assert await post(url, headers, json={"update_id": 8, "message": {"date": "x"}}) == 200
    assert queue.empty()
    assert await post(url.removesuffix("/telegram") + "/other", headers, json=MESSAGE) == 404


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 1000):
        yield body[start : start + 1000]
