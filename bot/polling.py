"""The getUpdates connection: an update the library cannot read is skipped, not fetched forever.

python-telegram-bot parses a whole batch of updates at once; one it cannot read (a shape of a
newer Bot API, a field of the wrong type) fails the batch, the offset never moves past it, and
the same batch comes back on every poll with two tracebacks each time. Here (`PollingBot`) each
update of a batch is read on its own: one that fails is replaced by its bare id, so the poller
confirms it with the next offset, and a single WARNING names it. Strings no database can
store are made storable first (bot/storable_updates.py).

`Poller` asks for the updates and hands them to the application, confirming each only once
handled, and stops at a 409 Conflict (another program polling with the same token).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import ssl
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot, Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.storable_updates import may_hold_unstorable, storable

log = logging.getLogger(__name__)

# Longest piece of the library's complaint kept in the log: its reason, not the update's text.
REASON_CHARS = 120


def read_one(raw: Any, bot: Bot | None) -> Update | None:
    """The update as the library can read it: itself, its bare id, or None without an id.

    Read once: the reading is most of what an update costs the process.
    """
    try:
        return Update.de_json(raw, bot)
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
        return Update(update_id)


class UpdatesRequest(HTTPXRequest):
    """The connection getUpdates uses (one at a time), making every string storable."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(connection_pool_size=1, httpx_kwargs={"verify": tls or True})

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """Parse Telegram's answer with NUL and unpaired surrogates made U+FFFD."""
        data = HTTPXRequest.parse_json_payload(payload)
        return storable(data) if may_hold_unstorable(payload) else data


class PollingBot(ExtBot[Any]):
    """The bot, reading each update of a getUpdates answer on its own.

    The library reads a whole answer at once: one update it cannot read fails them all, and
    the same answer would come back on every poll.
    """

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: TimePeriod | None = None,  # noqa: ASYNC109 (the library's signature)
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        """Ask for updates as the library does, and read each on its own."""
        wait = timeout.total_seconds() if isinstance(timeout, dt.timedelta) else timeout or 0
        base = (
            self._request[0].read_timeout
            if isinstance(read_timeout, DefaultValue)
            else read_timeout
        )
        raw = await self._post(
            "getUpdates",
            {
                "timeout": timeout,
                "offset": offset,
                "limit": limit,
                "allowed_updates": allowed_updates,
            },
            # A long poll is answered only after its timeout: the read waits that much longer.
            read_timeout=(base or 0) + wait,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        updates = tuple(u for u in (read_one(r, self) for r in raw or ()) if u is not None)
        for update in updates:
            self.insert_callback_data(update)
        return updates


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
        ahead: Callable[[Sequence[Update]], int] | None = None,
        ready: asyncio.Event | None = None,
    ) -> None:
        self._app = app
        self._timeout = timeout
        # Does, in one go, the part of handling the leading updates of a batch that is cheaper
        # done together (recording a backlog of messages); says how many it covered.
        self._ahead = ahead
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
                await self._handle(updates)
            finally:
                self._handling = False

    async def _handle(self, updates: Sequence[Update]) -> None:
        done = 0
        while done < len(updates):
            # Committed before any of them is confirmed: a process killed in between gets
            # them again, and the record knows them.
            covered = self._ahead_of(updates[done:])
            for update in updates[done : done + max(covered, 1)]:
                await self._app.process_update(update)
                self._offset = update.update_id + 1
            done += max(covered, 1)

    def _ahead_of(self, updates: Sequence[Update]) -> int:
        if self._ahead is None:
            return 0
        try:
            return self._ahead(updates)
        except Exception:
            # Each update is then handled on its own, its failure answered as any other.
            log.exception(
                "Handling %d updates together failed; each is handled alone", len(updates)
            )
            return 0

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
