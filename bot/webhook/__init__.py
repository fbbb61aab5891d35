"""Webhook mode: Telegram posts the updates to every process through a reverse proxy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Bot

from bot.config import WebhookSettings
from bot.webhook.registration import WebhookStartError, leave_webhook, set_webhook
from bot.webhook.server import SECRET_HEADER, WebhookServer, read_update, secret_matches

__all__ = [
    "SECRET_HEADER",
    "WebhookServer",
    "WebhookStartError",
    "leave_webhook",
    "read_update",
    "receiving_webhooks",
    "secret_matches",
    "set_webhook",
]


@asynccontextmanager
async def receiving_webhooks(
    bot: Bot, queue: asyncio.Queue[object], settings: WebhookSettings
) -> AsyncIterator[WebhookServer]:
    """Listen, then have Telegram post here; on the way out stop listening (the webhook stays)."""
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
