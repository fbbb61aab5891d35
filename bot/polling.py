"""The getUpdates connection: an update the library cannot read is skipped, not fetched forever.

python-telegram-bot parses a whole batch of updates at once; one it cannot read (a shape of a
newer Bot API, a field of the wrong type) fails the batch, the offset never moves past it, and
the same batch comes back on every poll with two tracebacks each time. Here each update of a
batch is tried on its own first: one that fails is replaced by its bare id, so the Updater
confirms it with the next offset, and a single WARNING names it. Strings no database can
store are made storable first (bot/storable_updates.py).

`Poller` asks for the updates and hands them to the application, confirming each only once
handled, and stops at a 409 Conflict (another program polling with the same token).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram._utils.types import JSONDict
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.request import HTTPXRequest

from bot.storable_updates import may_hold_unstorable, storable

log = logging.getLogger(__name__)

# Longest piece of the library's complaint kept in the log: its reason, not the update's text.
REASON_CHARS = 120


def readable(raw: Any) -> JSONDict | None:
    """The update as the library can read it: itself, its bare id, or None without an id."""
    try:
        Update.de_json(raw, None)
    except Exception as exc:  # any failure of the library's parser is what we skip
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        kinds = [key for key in raw if key != "update_id"] if isinstance(raw, dict) else []
        log.warning(
            "Skipped update %s (%s): the library cannot read it: %s: %s",
            update_id,
            ", ".join(kinds) or "no content",
            type(exc).__name__,
            str(exc)[:REASON_CHARS],
        )
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return None
        # The bare id still moves the offset past it; the access gate lets nothing of it through.
        return {"update_id": update_id}
    return raw if isinstance(raw, dict) else None


class UpdatesRequest(HTTPXRequest):
    """The connection getUpdates uses (one at a time), reading each update on its own."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(connection_pool_size=1, httpx_kwargs={"verify": tls or True})

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """Parse Telegram's answer and make every update in it readable."""
        data = HTTPXRequest.parse_json_payload(payload)
        if may_hold_unstorable(payload):
            data = storable(data)
        result = data.get("result")
        if data.get("ok") and isinstance(result, list):
            data["result"] = [u for u in map(readable, result) if u is not None]
        return data


# After a failed getUpdates, wait this long, doubling up to the most, before the next one.
RETRY_FIRST_SECONDS = 1.0
RETRY_MOST_SECONDS = 30.0
# Confirming handled updates on a clean stop must not hold the shutdown up.
CONFIRM_TIMEOUT_SECONDS = 5.0


class Poller:
    """Fetches updates and hands each to the application, confirming it only once handled.

    PTB's Updater confirms a batch (by asking for the next) while its updates still wait in a
    queue: a process killed then loses them. Here an update is confirmed by the next
    getUpdates only after its handlers ran, so a killed poller's last updates come again to
    the process that takes over (the handlers treat a message they already stored as such).
    A 409 Conflict means another program polls with the same token: polling stops for good,
    with one line saying so, instead of fighting it forever.
    """

    def __init__(
        self,
        app: Any,
        timeout: int,
        prepare: Callable[[], Awaitable[None]] | None = None,
        ready: asyncio.Event | None = None,
    ) -> None:
        self._app = app
        self._timeout = timeout
        # Asked (again until it succeeds) before the first getUpdates: leave webhook mode.
        self._prepare = prepare if prepare is not None else app.bot.delete_webhook
        # Updates are fetched at once but handled only once it is set: the rest of the
        # start-up (bot/app.py, on_started) runs while the first getUpdates waits.
        self._ready = ready
        # Set as the first getUpdates is asked for.
        self.began = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._offset: int | None = None
        # While an update is handled the poller is let finish it; at any other moment a stop
        # cancels it at once (a long poll, a wait before a retry).
        self._handling = False
        self._stopping = False
        # Set when Telegram answered 409: another program polls this bot.
        self.conflict: str | None = None

    def start(self) -> None:
        """Begin polling in the background."""
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="poller")

    async def stop(self) -> None:
        """Stop after the update being handled, and confirm what was handled."""
        self._stopping = True
        task, self._task = self._task, None
        if task is None:
            return
        if not self._handling:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self._offset is not None and self.conflict is None:
            with contextlib.suppress(TelegramError, TimeoutError):
                async with asyncio.timeout(CONFIRM_TIMEOUT_SECONDS):
                    await self._app.bot.get_updates(offset=self._offset, timeout=0, limit=1)

    async def _run(self) -> None:
        bot = self._app.bot
        retry = RETRY_FIRST_SECONDS
        # The application handles updates only once started (its scheduler, its tasks).
        while not self._app.running:  # noqa: ASYNC110 (PTB offers nothing to wait on)
            await asyncio.sleep(0.05)
        # Polling and a webhook exclude each other; an earlier webhook would answer 409.
        await self._with_retries(self._prepare)
        while not self._stopping:
            self.began.set()
            try:
                updates = await bot.get_updates(
                    offset=self._offset, timeout=self._timeout, allowed_updates=Update.ALL_TYPES
                )
            except Conflict as exc:
                self.conflict = exc.message
                log.error(
                    "Telegram refused to give this bot's updates (409 %s): another "
                    "program is receiving them with the same token, such as a second duty-desk "
                    "deployment. This process has stopped polling; stop the other program, "
                    "then restart this one.",
                    exc.message,
                )
                return
            except InvalidToken:
                log.error("Telegram does not know the bot token; polling stopped")
                return
            except TelegramError as exc:
                log.warning("Fetching updates failed (%s); again in %.0f s", exc, retry)
                await asyncio.sleep(retry)
                retry = min(retry * 2, RETRY_MOST_SECONDS)
                continue
            retry = RETRY_FIRST_SECONDS
            if updates and self._ready is not None:
                # Not confirmed while waiting: a stop now leaves them to the next poller.
                await self._ready.wait()
            self._handling = True
            try:
                for update in updates:
                    await self._app.process_update(update)
                    self._offset = update.update_id + 1
            finally:
                self._handling = False

    async def _with_retries(self, call: Any) -> None:
        retry = RETRY_FIRST_SECONDS
        while not self._stopping:
            try:
                await call()
                return
            except TelegramError as exc:
                log.warning("Telegram did not answer (%s); again in %.0f s", exc, retry)
                await asyncio.sleep(retry)
                retry = min(retry * 2, RETRY_MOST_SECONDS)
