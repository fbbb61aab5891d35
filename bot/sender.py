"""The one sender: drains the outbox to Telegram, chat by chat, surviving flood control."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
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
from bot.outbox import FIRST, Keyboard, Outbox

log = logging.getLogger(__name__)

# Checked at least this often even without a wake-up, so postponed messages go on time.
IDLE_POLL_SECONDS = 1.0
# A second over Telegram's minute, so clocks measured at both ends never disagree on a 21st.
GROUP_WINDOW_SECONDS = 61.0
# Telegram's 20-a-minute rule is about new messages; edits are limited less strictly, but a
# chat edited nonstop still earns a 429, so edits get their own, wider, sliding window.
EDIT_BUDGET_FACTOR = 3
MAX_BACKOFF = dt.timedelta(minutes=5)
# Requests to Telegram under way at once, across chats. Telegram takes about 30 messages a
# second from a bot; a few requests in flight reach that, and HTTP connection pools slow
# down sharply when every chat with a backlog holds a connection of its own.
IN_FLIGHT = 8


def _markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    if buttons is None:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in buttons
        ]
    )


EDITS = frozenset({"edit_message_text", "edit_caption"})


def _superseded_edits(rows: list[OutboxMessage]) -> set[int | None]:
    """Ids of edits that a later queued edit of the same message makes pointless."""
    latest: dict[tuple[str, object], int | None] = {}
    for row in rows:
        if row.method in EDITS:
            payload = json.loads(row.payload)
            target = payload.get("ref") or payload.get("message_id")
            latest[(row.method, target)] = row.id
    keep = set(latest.values())
    return {row.id for row in rows if row.method in EDITS and row.id not in keep}


def _send_order(row: OutboxMessage) -> tuple[bool, bool, int]:
    """New messages first, then rows marked to go first, then the order they were queued."""
    return (row.method in EDITS, f'"{FIRST}": true' not in row.payload, row.id or 0)


class OutboxSender:
    """Sends pending outbox rows; each chat keeps its order, chats go side by side."""

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
        on_migrated: Callable[[int, int], None] | None = None,
    ) -> None:
        self._bot = bot
        self._monotonic = monotonic
        self._sleep = sleep
        self._last_private_send: dict[int, float] = {}
        # Telegram asks bots for about one message a second per private chat; groups are
        # paced by PTB's AIORateLimiter (20 a minute).
        self._private_gap = 1.0 / private_per_second
        # Telegram counts a sliding minute per group: a burst of 20 is fine, a 21st is not.
        self._group_limit = max(1, int(group_per_minute))
        self._group_sends: dict[tuple[int, bool], deque[float]] = defaultdict(deque)
        self._outbox = outbox
        self._clock = clock
        self._max_attempts = max_attempts
        self._on_sent = on_sent
        self._on_failed = on_failed
        # Follows a group Telegram upgraded to a supergroup: its waiting rows move to the new id.
        self._on_migrated = on_migrated
        self._task: asyncio.Task[None] | None = None
        # One worker per chat: two would pick the same pending rows and send them twice.
        self._chats: dict[int, asyncio.Task[int]] = {}
        self._in_flight = asyncio.Semaphore(IN_FLIGHT)

    def start(self) -> None:
        """Start draining in the background."""
        self.recall_recent_sends()
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    def recall_recent_sends(self) -> None:
        """Count a group's sends of the last minute, made before a restart, against its budget.

        Telegram remembers them; a fresh process that forgot would burst and be refused.
        """
        now, monotonic = self._clock.now(), self._monotonic()
        since = now - dt.timedelta(seconds=GROUP_WINDOW_SECONDS)
        for chat_id, method, sent_at in self._outbox.group_sends_since(since):
            age = max(0.0, (now - sent_at).total_seconds())
            self._group_sends[(chat_id, method in EDITS)].append(monotonic - age)

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
                self._spawn_due()
            except Exception:
                # A database hiccup must not stop every later message.
                log.exception("Outbox round failed; retrying")
            self._outbox.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outbox.wakeup.wait(), IDLE_POLL_SECONDS)

    def _spawn_due(self) -> list[asyncio.Task[int]]:
        """One worker per chat with messages due, so a rate-limited chat holds up no other."""
        for chat_id in self._outbox.due_chats(self._clock.now()):
            task = self._chats.get(chat_id)
            if task is None or task.done():
                self._chats[chat_id] = asyncio.create_task(
                    self._drain_chat(chat_id), name=f"outbox-chat-{chat_id}"
                )
        return [task for task in self._chats.values() if not task.done()]

    async def _drain_chat(self, chat_id: int) -> int:
        handled = 0
        try:
            while rows := self._outbox.due(self._clock.now(), chat_id=chat_id):
                sent, postponed = await self._send_chat(rows)
                handled += sent
                if postponed:
                    break
        except Exception:
            log.exception("Sending to chat %s failed; retrying later", chat_id)
        return handled

    async def drain(self) -> int:
        """Send everything that is due now and wait for it; return how many rows went."""
        handled = 0
        while running := self._spawn_due():
            results = await asyncio.gather(*running)
            handled += sum(results)
            if sum(results) == 0:
                break
        return handled

    async def _send_chat(self, rows: list[OutboxMessage]) -> tuple[int, bool]:
        """Send rows in order; how many went, and whether one was postponed (stop for now)."""
        sent = 0
        superseded = _superseded_edits(rows)
        # New messages before edits: a new alert matters more than a counter going up. An
        # edit never overtakes the message it edits, which is older and already ordered first.
        rows = sorted(rows, key=_send_order)
        for row in rows:
            if self._outbox.chat_of(row.chat_id) != row.chat_id:
                # The group was upgraded meanwhile: its rows went to the new id's worker.
                break
            if row.id is not None and row.id in superseded:
                # A later edit of the same message is queued: only the newest text matters,
                # and every skipped edit is one less request against the group's budget.
                self._outbox.mark_sent(row.id, None)
                sent += 1
                continue
            is_edit = row.method in EDITS
            await self._pace(row.chat_id, is_edit)
            if is_edit:
                # While this worker waited for the edit's turn, a more urgent edit may have
                # come (a storm's digest redrawn) and contents may have been merged.
                fresh = self._next_edit(row.chat_id)
                if fresh is None:
                    # Nothing went: the turn is not used up.
                    if row.chat_id < 0:
                        self._group_sends[(row.chat_id, True)].pop()
                    break
                row = fresh
            async with self._in_flight:
                went = await self._send_one(row)
            if not went:
                # Keep the chat's order: later messages wait behind a postponed one.
                return sent, True
            sent += 1
            if is_edit:
                # Edits go about one a second; by the next, a more urgent one may be waiting.
                break
        return sent, False

    def _next_edit(self, chat_id: int) -> OutboxMessage | None:
        """The edit to send now: None while a new message waits (it goes first)."""
        rows = self._outbox.due(self._clock.now(), chat_id=chat_id)
        if any(row.method not in EDITS for row in rows):
            return None
        superseded = _superseded_edits(rows)
        for row in sorted(rows, key=_send_order):
            if row.id in superseded:
                continue
            return row
        return None

    async def _pace(self, chat_id: int, is_edit: bool = False) -> None:
        if chat_id < 0:
            # New messages and edits each get the group's budget; edits are merged while they
            # wait, so a busy alert costs one edit however often it repeats.
            sent = self._group_sends[(chat_id, is_edit)]
            limit = self._group_limit * (EDIT_BUDGET_FACTOR if is_edit else 1)
            while sent and sent[0] <= self._monotonic() - GROUP_WINDOW_SECONDS:
                sent.popleft()
            if len(sent) >= limit:
                await self._sleep(sent[0] + GROUP_WINDOW_SECONDS - self._monotonic())
                sent.popleft()
            if is_edit and sent:
                # Edits evenly spread over the minute, not a burst and then a minute's silence:
                # a storm's digest stays seconds old instead of going stale for a minute.
                wait = sent[-1] + GROUP_WINDOW_SECONDS / limit - self._monotonic()
                if wait > 0:
                    await self._sleep(wait)
            sent.append(self._monotonic())
            return
        last = self._last_private_send.get(chat_id)
        if last is not None:
            wait = self._private_gap - (self._monotonic() - last)
            if wait > 0:
                await self._sleep(wait)
        self._last_private_send[chat_id] = self._monotonic()

    async def _send_one(self, row: OutboxMessage) -> bool:
        assert row.id is not None
        attempts = row.attempts + 1
        try:
            message = await self._call(row)
        except RetryAfter as exc:
            delay = exc.retry_after
            wait = delay if isinstance(delay, dt.timedelta) else dt.timedelta(seconds=delay)
            log.info("Flood control on chat %s: waiting %s", row.chat_id, wait)
            self._retry_or_fail(row.id, wait, f"429 retry after {wait}", attempts)
            return False
        except ChatMigrated as exc:
            log.warning(
                "Chat %s became supergroup %s; resending there", row.chat_id, exc.new_chat_id
            )
            if self._on_migrated is None:
                self._fail(row.id, str(exc), attempts)
            else:
                self._on_migrated(row.chat_id, exc.new_chat_id)
            return True
        except BadRequest as exc:
            if "message is not modified" in exc.message.lower():
                self._outbox.mark_sent(row.id, None)
                return True
            log.warning("Telegram refused outbox row %s: %s", row.id, exc.message)
            self._fail(row.id, exc.message, attempts)
            return True
        except Forbidden as exc:
            log.warning("Chat %s does not accept messages: %s", row.chat_id, exc.message)
            self._fail(row.id, exc.message, attempts)
            return True
        except (NetworkError, TelegramError) as exc:
            backoff = min(dt.timedelta(seconds=2**attempts), MAX_BACKOFF)
            log.info("Sending outbox row %s failed (%s); retry in %s", row.id, exc, backoff)
            self._retry_or_fail(row.id, backoff, str(exc), attempts)
            return False
        if isinstance(message, tuple):
            # An album: the first message stands for it.
            message = message[0] if message else True
        message_id = message.message_id if isinstance(message, Message) else None
        file_id = (
            message.photo[-1].file_id if isinstance(message, Message) and message.photo else None
        )
        self._outbox.mark_sent(row.id, message_id, file_id, sent_payload=row.payload)
        if self._on_sent is not None and isinstance(message, Message):
            self._on_sent(row, message)
        return True

    def _fail(self, row_id: int, error: str, attempts: int) -> None:
        """Give up on a row for good, then tell whoever must know (a request nobody got)."""
        self._outbox.mark_failed(row_id, error, attempts)
        if self._on_failed is None:
            return
        try:
            self._on_failed(row_id, error)
        except Exception:
            # The chat's later messages must still go; the row itself is already marked.
            log.exception("Reporting refused outbox row %s failed", row_id)

    def _retry_or_fail(self, row_id: int, delay: dt.timedelta, error: str, attempts: int) -> None:
        if attempts >= self._max_attempts:
            log.warning("Giving up outbox row %s after %s attempts: %s", row_id, attempts, error)
            self._fail(row_id, error, attempts)
        else:
            self._outbox.postpone(row_id, delay, error, attempts)

    def _edit_target(self, payload: dict[str, Any]) -> int:
        """The Telegram id of the message an edit is for (queued earlier, sent by now)."""
        message_id = payload.get("message_id") or self._outbox.telegram_id(payload["ref"])
        if message_id is None:
            raise BadRequest("message to edit not found: it was never sent")
        return int(message_id)

    async def _call(self, row: OutboxMessage) -> Message | bool | tuple[Message, ...]:
        payload: dict[str, Any] = json.loads(row.payload)
        markup = _markup(payload.get("buttons"))
        if row.method == "send_message":
            reply_to = payload.get("reply_to")
            return await self._bot.send_message(
                row.chat_id,
                payload["text"],
                parse_mode=ParseMode.HTML,
                message_thread_id=row.thread_id,
                reply_markup=markup,
                reply_parameters=(
                    ReplyParameters(reply_to, allow_sending_without_reply=True)
                    if reply_to
                    else None
                ),
            )
        if row.method == "edit_message_text":
            message_id = self._edit_target(payload)
            return await self._bot.edit_message_text(
                payload["text"],
                chat_id=row.chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        if row.method == "send_photo":
            return await self._bot.send_photo(
                row.chat_id,
                row.media or b"",
                caption=payload["caption"],
                parse_mode=ParseMode.HTML,
                message_thread_id=row.thread_id,
                reply_markup=markup,
            )
        if row.method == "send_album":
            media, offset = [], 0
            for caption, size in zip(payload["captions"], payload["sizes"], strict=True):
                image = (row.media or b"")[offset : offset + size]
                media.append(InputMediaPhoto(image, caption=caption, parse_mode=ParseMode.HTML))
                offset += size
            return await self._bot.send_media_group(
                row.chat_id, media, message_thread_id=row.thread_id
            )
        if row.method == "edit_caption":
            message_id = self._edit_target(payload)
            return await self._bot.edit_message_caption(
                chat_id=row.chat_id,
                message_id=message_id,
                caption=payload["caption"],
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        if row.method == "edit_photo":
            message_id = self._edit_target(payload)
            return await self._bot.edit_message_media(
                InputMediaPhoto(
                    row.media or b"", caption=payload["caption"], parse_mode=ParseMode.HTML
                ),
                chat_id=row.chat_id,
                message_id=message_id,
                reply_markup=markup,
            )
        if row.method == "send_document":
            return await self._bot.send_document(
                row.chat_id,
                InputFile(row.media or b"", filename=payload["filename"]),
                caption=payload["caption"],
                parse_mode=ParseMode.HTML,
                message_thread_id=row.thread_id,
            )
        if row.method == "set_reaction":
            return await self._bot.set_message_reaction(
                row.chat_id, payload["message_id"], payload["emoji"]
            )
        raise ValueError(f"unknown outbox method {row.method}")
