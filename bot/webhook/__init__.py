"""Webhook mode: Telegram posts the updates to every process through a reverse proxy.

The server (bot/webhook/server.py, over aiohttp) is imported only in webhook mode: a polling
bot leaves a webhook (registration.py) and never listens.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from telegram import Bot

from bot.config import WebhookSettings
from bot.webhook.registration import WebhookStartError, leave_webhook, set_webhook

if TYPE_CHECKING:
    from bot.webhook.server import WebhookServer

__all__ = ["WebhookStartError", "leave_webhook", "receiving_webhooks", "set_webhook"]


@asynccontextmanager
async def receiving_webhooks(
    bot: Bot, queue: asyncio.Queue[object], settings: WebhookSettings
) -> AsyncIterator[WebhookServer]:
    """Listen, then have Telegram post here; on the way out stop listening (the webhook stays)."""
    from bot.webhook.server import WebhookServer

    server = WebhookServer(settings, bot, queue)
    try:
        await server.start()
    except OSError as exc:
        raise WebhookStartError(
            "telegram.webhook.port",
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}",
        ) from None
    try:
        # Listening first, so Telegram's first post (what it held) finds the server.
        await set_webhook(bot, settings)
        yield server
    finally:
        await server.stop()
