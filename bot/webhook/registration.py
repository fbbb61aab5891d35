"""Telegram told where updates go: setWebhook in webhook mode, deleteWebhook before polling.

Neither drops the updates Telegram holds: those a stopped poller did not confirm are posted to
the webhook once it is set, and those a webhook did not take are polled once it is deleted, so
switching modes either way loses nothing. A process leaving never deletes the webhook: the
other processes behind the proxy still take it, and Telegram keeps what none of them took.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from telegram import Bot, Update
from telegram.error import BadRequest

from bot.config import WebhookSettings

log = logging.getLogger(__name__)


class WebhookStartError(Exception):
    """Webhook mode cannot start: the key to check and why, in the operator's terms."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"{key}: {reason}")


def where(url: str) -> str:
    """A webhook address as logged: its server only (some put the token in the path)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def set_webhook(bot: Bot, settings: WebhookSettings) -> None:
    """Have Telegram post every kind of update (reactions included) to the public URL."""
    url = settings.url
    assert url is not None, "checked with the settings"
    before = await bot.get_webhook_info()
    try:
        await bot.set_webhook(
            url=url,
            secret_token=settings.secret_value(),
            allowed_updates=Update.ALL_TYPES,
            max_connections=settings.max_connections,
            # What Telegram holds (a poller's unconfirmed updates, a webhook's retries) is kept.
            drop_pending_updates=False,
        )
    except BadRequest as exc:
        raise WebhookStartError(
            "telegram.webhook.url", f"Telegram refused it: {exc.message}"
        ) from None
    if not before.url:
        log.info(
            "Switched to webhook mode: Telegram posts updates to %s (%s waiting)",
            where(url),
            before.pending_update_count,
        )
    elif before.url != url:
        # Processes naming different addresses take the webhook from each other in turn.
        log.warning(
            "Telegram's webhook moves from %s to %s: every process must have the same "
            "telegram.webhook.url",
            where(before.url),
            where(url),
        )
    elif before.last_error_message:
        log.warning("Telegram's last delivery to the webhook failed: %s", before.last_error_message)


async def leave_webhook(bot: Bot) -> None:
    """Before polling: delete a webhook left from webhook mode, keeping its pending updates.

    Telegram's errors reach the caller, which tries again: while a webhook stays set, every
    getUpdates is answered 409.
    """
    info = await bot.get_webhook_info()
    if not info.url:
        return
    await bot.delete_webhook(drop_pending_updates=False)
    log.info(
        "Switched to polling: the webhook at %s is deleted (%s updates waiting are polled)",
        where(info.url),
        info.pending_update_count,
    )
