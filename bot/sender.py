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
from enum import StrEnum
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
# A chat waiting for its budget looks at its queue again at most this often when rows come
# in: an alert queued meanwhile waits no longer than this for a budget already open.
RECHECK_SECONDS = 0.2
# Stale rows are looked for once a drain and then at most this often, not before every row:
# a row is stale after minutes, and in a storm each look is one more query per message sent.
DROP_CHECK_GAP = dt.timedelta(seconds=1)


class Budget(StrEnum):
    """What a call to a group spends: each kind is counted in a sliding minute of its own."""

    # Telegram's documented limits (core.telegram.org/bots/faq) are about messages: about 30
    # a second overall, about one a second in a chat, 20 a minute in a group. A reaction
    # (setMessageReaction) is no message: it adds nothing to the chat's history and no one is
    # notified, as an edit adds nothing. So reactions are not counted against the group's 20;
    # Telegram still answers 429 to a chat hammered with any call, so they get a window of
    # their own, as wide as the edits' and as evenly spread, apart from both: 300 ✍ after a
    # busy hour of filing then take five minutes and hold up neither an alert nor the edit of
    # a storm's digest. Every call, reactions included, also passes PTB's overall limiter.
    MESSAGES = "messages"
    EDITS = "edits"
    REACTIONS = "reactions"


# A new photo in place of a card's placeholder (edit_photo) is not among them: Telegram takes
# the upload as it takes a new photo, and the swap is what makes an alert's card worth a
# look, so it goes and is counted with new messages, right after its card.
EDITS = frozenset({"edit_message_text", "edit_caption"})
_CARRYING_MEDIA = frozenset({"send_photo", "send_album", "edit_photo", "send_document"})


def budget_of(method: str) -> Budget:
    """The budget a call of this outbox method spends."""
    if method == "set_reaction":
        return Budget.REACTIONS
    return Budget.EDITS if method in EDITS else Budget.MESSAGES


# Within a priority: new messages before edits before reactions ("a new alert matters more
# than a counter going up"); then rows marked to go first; then the order they were queued.
_KIND_ORDER = {Budget.MESSAGES: 0, Budget.EDITS: 1, Budget.REACTIONS: 2}


def _markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    if buttons is None:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in buttons
        ]
    )


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


def _send_order(row: OutboxMessage) -> tuple[int, int, bool, int]:
    """Most urgent first; within a priority, new messages, then rows marked first, then age."""
    return (
        row.priority,
        _KIND_ORDER[budget_of(row.method)],
        f'"{FIRST}": true' not in row.payload,
        row.id or 0,
    )


def _edit_ref(row: OutboxMessage) -> int | None:
    """The outbox row an edit is for, when it edits a message queued by the bot."""
    if not row.method.startswith("edit_"):
        return None
    ref = json.loads(row.payload).get("ref")
    return ref if isinstance(ref, int) else None


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
        self._group_sends: dict[tuple[int, Budget], deque[float]] = defaultdict(deque)
        # A chat's budget Telegram closed with a 429, until when (by the desk's clock, as the
        # refused row's own retry time is).
        self._flood_until: dict[tuple[int, Budget], dt.datetime] = {}
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
        now, monotonic = self._clock.now(), self._monotonic()
        since = now - dt.timedelta(seconds=GROUP_WINDOW_SECONDS)
        for chat_id, method, sent_at in self._outbox.group_sends_since(since):
            age = max(0.0, (now - sent_at).total_seconds())
            self._group_sends[(chat_id, budget_of(method))].append(monotonic - age)

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
                    if dropped := self._outbox.drop_expired(now, chat_id):
                        log.info("Dropped %s stale outbox rows for chat %s", dropped, chat_id)
                        handled += dropped
                rows = self._outbox.due(now, chat_id=chat_id)
                superseded = _superseded_edits(rows)
                for row_id in superseded:
                    # A later edit of the same message is queued: only the newest text
                    # matters, and every skipped edit is one less request against the budget.
                    assert row_id is not None
                    self._outbox.mark_sent(row_id, None)
                handled += len(superseded)
                row, wait = self._choose(chat_id, [r for r in rows if r.id not in superseded])
                if row is None:
                    if wait is None:
                        # Nothing can go before the next round (flood control, an edit whose
                        # message has not gone yet): that round looks again.
                        break
                    await self._nap(queued, wait)
                    continue
                self._spend(chat_id, budget_of(row.method))
                async with self._in_flight:
                    went = await self._send_one(row)
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
        while running := self._spawn_due():
            results = await asyncio.gather(*running)
            handled += sum(results)
            if sum(results) == 0:
                break
        return handled

    def _choose(
        self, chat_id: int, rows: list[OutboxMessage]
    ) -> tuple[OutboxMessage | None, float | None]:
        """The row to send now; else how long until one may go (None: not this round).

        The most urgent row whose budget is open goes. A row never passes a more urgent one
        of the same budget (it would spend what that one waits for), but may pass one waiting
        for another budget: a ✍ goes while an alert waits for the group's minute, never
        instead of it.
        """
        unsent = self._outbox.unsent({ref for row in rows if (ref := _edit_ref(row))})
        waiting: set[Budget] = set()
        soonest: float | None = None
        now = self._clock.now()
        for row in sorted(rows, key=_send_order):
            budget = budget_of(row.method)
            if budget in waiting or _edit_ref(row) in unsent:
                # An edit never goes before the message it edits: Telegram has no id for it.
                continue
            waiting.add(budget)
            flood_until = self._flood_until.get((chat_id, budget))
            if flood_until is not None and flood_until > now:
                continue
            wait = self._wait_for(chat_id, budget)
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

    def _wait_for(self, chat_id: int, budget: Budget) -> float:
        """Seconds until a call spending this budget may go to the chat (0: now)."""
        now = self._monotonic()
        if chat_id >= 0:
            # Telegram asks for about one message a second in a private chat, whatever it is.
            last = self._last_private_send.get(chat_id)
            return 0.0 if last is None else last + self._private_gap - now
        sent = self._group_sends[(chat_id, budget)]
        limit = self._group_limit * (1 if budget is Budget.MESSAGES else EDIT_BUDGET_FACTOR)
        while sent and sent[0] <= now - GROUP_WINDOW_SECONDS:
            sent.popleft()
        wait = sent[0] + GROUP_WINDOW_SECONDS - now if len(sent) >= limit else 0.0
        if budget is not Budget.MESSAGES and sent:
            # Edits and reactions evenly spread over the minute, not a burst and then a
            # minute's silence: a storm's digest stays seconds old instead of going stale.
            wait = max(wait, sent[-1] + GROUP_WINDOW_SECONDS / limit - now)
        return wait

    def _spend(self, chat_id: int, budget: Budget) -> None:
        """Count a call about to go against the chat's budget."""
        if chat_id >= 0:
            self._last_private_send[chat_id] = self._monotonic()
        else:
            self._group_sends[(chat_id, budget)].append(self._monotonic())

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
            self._flood_until[(row.chat_id, budget_of(row.method))] = self._clock.now() + wait
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
        assert row.id is not None
        payload: dict[str, Any] = json.loads(row.payload)
        media = self._outbox.media_of(row.id) if row.method in _CARRYING_MEDIA else b""
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
                media,
                caption=payload["caption"],
                parse_mode=ParseMode.HTML,
                message_thread_id=row.thread_id,
                reply_markup=markup,
            )
        if row.method == "send_album":
            album, offset = [], 0
            for caption, size in zip(payload["captions"], payload["sizes"], strict=True):
                image = media[offset : offset + size]
                album.append(InputMediaPhoto(image, caption=caption, parse_mode=ParseMode.HTML))
                offset += size
            return await self._bot.send_media_group(
                row.chat_id, album, message_thread_id=row.thread_id
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
                InputMediaPhoto(media, caption=payload["caption"], parse_mode=ParseMode.HTML),
                chat_id=row.chat_id,
                message_id=message_id,
                reply_markup=markup,
            )
        if row.method == "send_document":
            return await self._bot.send_document(
                row.chat_id,
                InputFile(media, filename=payload["filename"]),
                caption=payload["caption"],
                parse_mode=ParseMode.HTML,
                message_thread_id=row.thread_id,
            )
        if row.method == "set_reaction":
            return await self._bot.set_message_reaction(
                row.chat_id, payload["message_id"], payload["emoji"]
            )
        raise ValueError(f"unknown outbox method {row.method}")
