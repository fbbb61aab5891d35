"""The workers: one per chat with messages due, sending its rows in order, within budget."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable

from telegram import Bot, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.clock import Clock
from bot.db.models import OutboxMessage
from bot.ops.metrics import RequestResult
from bot.outbox import Outbox
from bot.sender.calls import call_telegram
from bot.sender.order import edit_ref, send_order, superseded_edits
from bot.sender.pacing import GROUP_WINDOW_SECONDS, Budget, Pacing, budget_of

log = logging.getLogger(__name__)

# Checked at least this often even without a wake-up, so postponed messages go on time.
IDLE_POLL_SECONDS = 1.0
MAX_BACKOFF = dt.timedelta(minutes=5)
# Requests to Telegram under way at once, across chats. Telegram takes about 30 messages a
# second from a bot; a few requests in flight reach that, and HTTP connection pools slow
# down sharply when every chat with a backlog holds a connection of its own.
IN_FLIGHT = 8
# A chat waiting for its budget looks at its queue again at most this often when rows come
# in: an alert queued meanwhile waits no longer than this for a budget already open.
RECHECK_SECONDS = 0.2
# Stale rows are looked for once a drain and then at most this often, not before every row:
# a row is stale after minutes, and in a storm each look is one more query per message sent.
DROP_CHECK_GAP = dt.timedelta(seconds=1)


class OutboxSender:
    """Sends pending outbox rows; each chat most urgent first, chats side by side."""

    def __init__(
        self,
        bot: Bot,
        outbox: Outbox,
        clock: Clock,
        max_attempts: int,
        on_sent: Callable[[OutboxMessage, Message], None] | None = None,
        on_failed: Callable[[int, str], None] | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        private_per_second: float = 1.0,
        group_per_minute: float = 20.0,
        overall_per_second: float = 30.0,
        on_migrated: Callable[[int, int], None] | None = None,
        on_request: Callable[[OutboxMessage, RequestResult], None] | None = None,
    ) -> None:
        self._bot = bot
        self._monotonic = monotonic
        self._sleep = sleep
        self._pacing = Pacing(monotonic, private_per_second, group_per_minute, overall_per_second)
        self._outbox = outbox
        self._deliveries = outbox.deliveries
        self._blocking = outbox.deliveries.blocking
        self._clock = clock
        self._max_attempts = max_attempts
        self._on_sent = on_sent
        self._on_failed = on_failed
        # Follows a group Telegram upgraded to a supergroup: its waiting rows move to the new id.
        self._on_migrated = on_migrated
        # Told what Telegram made of each request (the operator's metrics, its reachability).
        self._on_request = on_request
        self._task: asyncio.Task[None] | None = None
        # One worker per chat: two would pick the same pending rows and send them twice.
        self._chats: dict[int, asyncio.Task[int]] = {}
        # Set when something was queued for a chat whose worker waits for a budget: the new
        # row may be more urgent, or spend a budget that is open.
        self._queued: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        self._in_flight = asyncio.Semaphore(IN_FLIGHT)

    def start(self) -> None:
        """Start draining in the background."""
        self.recall_recent_sends()
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    def recall_recent_sends(self) -> None:
        """Count a group's sends of the last minute, made before a restart, against its budget.

        Telegram remembers them; a fresh process that forgot would burst and be refused.
        """
        now = self._clock.now()
        since = now - dt.timedelta(seconds=GROUP_WINDOW_SECONDS)
        self._pacing.recall(self._deliveries.group_sends_since(since), now)

    async def stop(self) -> None:
        """Stop draining; unsent rows stay in the outbox for the next start."""
        tasks = [t for t in [self._task, *self._chats.values()] if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self._chats.clear()

    async def _run(self) -> None:
        while True:
            try:
                await self._spawn_due()
            except Exception:
                # A database hiccup must not stop every later message.
                log.exception("Outbox round failed; retrying")
            self._outbox.wakeup.clear()
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for returns normally when the
            # wake-up and a stop arrive together, swallowing the stop (the bot never shut down).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(IDLE_POLL_SECONDS):
                    await self._outbox.wakeup.wait()

    async def _spawn_due(self) -> list[asyncio.Task[int]]:
        """One worker per chat with messages due, so a rate-limited chat holds up no other."""
        for chat_id in await self._blocking(self._deliveries.due_chats, self._clock.now()):
            task = self._chats.get(chat_id)
            if task is None or task.done():
                self._chats[chat_id] = asyncio.create_task(
                    self._drain_chat(chat_id), name=f"outbox-chat-{chat_id}"
                )
            else:
                self._queued[chat_id].set()
        return [task for task in self._chats.values() if not task.done()]

    async def _drain_chat(self, chat_id: int) -> int:
        """Send a chat's due rows one at a time, choosing afresh before each."""
        handled = 0
        queued = self._queued[chat_id]
        dropped_at: dt.datetime | None = None
        try:
            while True:
                # Cleared before looking, so a row queued while this one is sent is not missed.
                queued.clear()
                now = self._clock.now()
                if dropped_at is None or now - dropped_at >= DROP_CHECK_GAP:
                    dropped_at = now
                    if dropped := await self._blocking(self._deliveries.drop_expired, now, chat_id):
                        log.info("Dropped %s stale outbox rows for chat %s", dropped, chat_id)
                        handled += dropped
                rows = await self._blocking(self._deliveries.due, now, chat_id=chat_id)
                superseded = superseded_edits(rows)
                for row_id in superseded:
                    # A later edit of the same message is queued: only the newest text
                    # matters, and every skipped edit is one less request against the budget.
                    assert row_id is not None
                    await self._blocking(self._deliveries.mark_sent, row_id, None)
                handled += len(superseded)
                rows = [r for r in rows if r.id not in superseded]
                refs = {ref for row in rows if (ref := edit_ref(row))}
                # Most rows edit nothing: no trip to a thread to learn that none is unsent.
                unsent = await self._blocking(self._deliveries.unsent, refs) if refs else set()
                row, wait = self._choose(chat_id, rows, unsent)
                if row is None:
                    if wait is None:
                        # Nothing can go before the next round (flood control, an edit whose
                        # message has not gone yet): that round looks again.
                        break
                    await self._nap(queued, wait)
                    continue
                async with self._in_flight:
                    # Counted as the request goes, not as the row is chosen: a row waiting for
                    # a request slot would otherwise go in a later second than it was counted in.
                    while (overall := self._pacing.overall_wait()) > 0:
                        await self._sleep(overall)
                    self._pacing.spend(chat_id, budget_of(row.method))
                    try:
                        went = await self._send_one(row)
                    finally:
                        self._pacing.answered()
                if not went:
                    # Postponed (flood control, network trouble): the next round goes on.
                    break
                handled += 1
        except Exception:
            log.exception("Sending to chat %s failed; retrying later", chat_id)
        return handled

    async def drain(self) -> int:
        """Send everything that is due now and wait for it; return how many rows went."""
        handled = 0
        while running := await self._spawn_due():
            results = await asyncio.gather(*running)
            handled += sum(results)
            if sum(results) == 0:
                break
        return handled

    def _choose(
        self, chat_id: int, rows: list[OutboxMessage], unsent: set[int]
    ) -> tuple[OutboxMessage | None, float | None]:
        """The row to send now; else how long until one may go (None: not this round).

        The most urgent row whose budget is open goes. A row never passes a more urgent one
        of the same budget (it would spend what that one waits for), but may pass one waiting
        for another budget: a ✍ goes while an alert waits for the group's minute, never
        instead of it.
        """
        waiting: set[Budget] = set()
        soonest: float | None = None
        now = self._clock.now()
        for row in sorted(rows, key=send_order):
            budget = budget_of(row.method)
            if budget in waiting or edit_ref(row) in unsent:
                # An edit never goes before the message it edits: Telegram has no id for it.
                continue
            waiting.add(budget)
            if self._pacing.closed(chat_id, budget, now):
                continue
            wait = self._pacing.wait_for(chat_id, budget)
            if wait <= 0:
                return row, 0.0
            soonest = wait if soonest is None else min(soonest, wait)
        return None, soonest

    async def _nap(self, queued: asyncio.Event, seconds: float) -> None:
        """Wait for a budget to open, or less if something new is queued for the chat."""
        began = self._monotonic()
        sleeping = asyncio.ensure_future(self._sleep(seconds))
        woken = asyncio.ensure_future(queued.wait())
        try:
            done, _ = await asyncio.wait({sleeping, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeping.cancel()
            woken.cancel()
        if sleeping not in done:
            # In a storm rows are queued many times a second: the queue is looked at again
            # a few times a second at most, not once for every row.
            rest = min(seconds, RECHECK_SECONDS) - (self._monotonic() - began)
            if rest > 0:
                await self._sleep(rest)

    async def _call(self, row: OutboxMessage) -> Message | bool | tuple[Message, ...]:
        """Make the row's call, telling what Telegram made of it."""
        try:
            message = await call_telegram(self._bot, self._deliveries, row)
        except TelegramError as exc:
            self._tell(row, _result_of(exc))
            raise
        self._tell(row, RequestResult.SENT)
        return message

    def _tell(self, row: OutboxMessage, result: RequestResult) -> None:
        if self._on_request is not None:
            self._on_request(row, result)

    async def _send_one(self, row: OutboxMessage) -> bool:
        assert row.id is not None
        attempts = row.attempts + 1
        try:
            message = await self._call(row)
        except RetryAfter as exc:
            delay = exc.retry_after
            wait = delay if isinstance(delay, dt.timedelta) else dt.timedelta(seconds=delay)
            log.info("Flood control on chat %s: waiting %s", row.chat_id, wait)
            # Telegram refuses the chat, not the row: what would spend the same budget waits
            # too, and the chat's order is kept.
            self._pacing.close(row.chat_id, budget_of(row.method), self._clock.now() + wait)
            await self._retry_or_fail(row.id, wait, f"429 retry after {wait}", attempts)
            return False
        except ChatMigrated as exc:
            log.warning(
                "Chat %s became supergroup %s; resending there", row.chat_id, exc.new_chat_id
            )
            if self._on_migrated is None:
                await self._fail(row.id, str(exc), attempts)
            else:
                self._on_migrated(row.chat_id, exc.new_chat_id)
            return True
        except BadRequest as exc:
            if "message is not modified" in exc.message.lower():
                # Only if no newer text was merged into the row while this one went.
                await self._blocking(
                    self._deliveries.mark_sent, row.id, None, sent_payload=row.payload
                )
                return True
            log.warning("Telegram refused outbox row %s: %s", row.id, exc.message)
            await self._fail(row.id, exc.message, attempts)
            return True
        except Forbidden as exc:
            log.warning("Chat %s does not accept messages: %s", row.chat_id, exc.message)
            await self._fail(row.id, exc.message, attempts)
            return True
        except (NetworkError, TelegramError) as exc:
            backoff = min(dt.timedelta(seconds=2**attempts), MAX_BACKOFF)
            log.info("Sending outbox row %s failed (%s); retry in %s", row.id, exc, backoff)
            await self._retry_or_fail(row.id, backoff, str(exc), attempts)
            return False
        if isinstance(message, tuple):
            # An album: the first message stands for it.
            message = message[0] if message else True
        message_id = message.message_id if isinstance(message, Message) else None
        file_id = (
            message.photo[-1].file_id if isinstance(message, Message) and message.photo else None
        )
        if self._on_sent is not None and isinstance(message, Message):
            # Before anything else runs in the loop: the bot's reply takes its place in the
            # conversation record before the next message someone writes after reading it.
            self._on_sent(row, message)
        await self._blocking(
            self._deliveries.mark_sent, row.id, message_id, file_id, sent_payload=row.payload
        )
        return True

    async def _fail(self, row_id: int, error: str, attempts: int) -> None:
        """Give up on a row for good, then tell whoever must know (a request nobody got)."""
        await self._blocking(self._deliveries.mark_failed, row_id, error, attempts)
        if self._on_failed is None:
            return
        try:
            self._on_failed(row_id, error)
        except Exception:
            # The chat's later messages must still go; the row itself is already marked.
            log.exception("Reporting refused outbox row %s failed", row_id)

    async def _retry_or_fail(
        self, row_id: int, delay: dt.timedelta, error: str, attempts: int
    ) -> None:
        if attempts >= self._max_attempts:
            log.warning("Giving up outbox row %s after %s attempts: %s", row_id, attempts, error)
            await self._fail(row_id, error, attempts)
        else:
            await self._blocking(self._deliveries.postpone, row_id, delay, error, attempts)


def _result_of(error: TelegramError) -> RequestResult:
    """A refused request as the operator counts it."""
    if isinstance(error, RetryAfter):
        return RequestResult.RATE_LIMITED
    if isinstance(error, BadRequest) and "message is not modified" in error.message.lower():
        # The edit asked for is what the message already shows: as good as sent.
        return RequestResult.SENT
    if isinstance(error, BadRequest | Forbidden | ChatMigrated):
        return RequestResult.REFUSED
    return RequestResult.ERROR
