"""The sender without Telegram: stopping it always ends it; an edit merged while its older
text was on its way still goes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from telegram import Bot
from telegram.error import BadRequest

from bot.clock import ManualClock
from bot.db.engine import make_engine
from bot.outbox import Outbox
from bot.sender import OutboxSender
from tests.conftest import MORNING

GROUP = -1001234567890


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


async def test_the_sender_stops_even_when_woken_as_it_is_stopped(engine: Engine) -> None:
    clock = ManualClock(MORNING)
    outbox = Outbox(engine, clock)
    # Never called: nothing is due, so no request is made.
    sender = OutboxSender(Bot("123:abc"), outbox, clock, max_attempts=3)
    sender.start()
    for _ in range(5):
        await asyncio.sleep(0)

    # A service queues a message (and wakes the sender) just as the bot shuts down: the wake-up
    # must not swallow the stop, or the bot never finishes shutting down.
    outbox.notify()
    stopping = asyncio.create_task(sender.stop())
    done, _ = await asyncio.wait({stopping}, timeout=5)
    assert stopping in done, "the sender did not stop"


class RedrawnWhileSent(Bot):
    """Telegram answers "not modified" to the first edit, as the board queues a newer one."""

    def __init__(self, outbox: Outbox, chat_id: int, digest_row: int) -> None:
        super().__init__("123:abc")
        with self._unfrozen():
            self.outbox, self.chat_id, self.digest_row = outbox, chat_id, digest_row
            self.texts: list[str] = []

    async def edit_message_text(self, text: str, *args: object, **kwargs: object) -> bool:  # type: ignore[override]
        self.texts.append(text)
        if len(self.texts) == 1:
            self.outbox.edit_sent(self.chat_id, self.digest_row, "🚨 Báo động từ 7 camera")
            raise BadRequest("Bad Request: message is not modified")
        return True


async def test_an_edit_merged_while_telegram_said_not_modified_still_goes(engine: Engine) -> None:
    clock = ManualClock(MORNING)
    outbox = Outbox(engine, clock)
    digest = outbox.send(GROUP, "🚨 Báo động từ 5 camera")
    outbox.deliveries.mark_sent(digest, 501)
    outbox.edit_sent(GROUP, digest, "🚨 Báo động từ 5 camera")
    bot = RedrawnWhileSent(outbox, GROUP, digest)
    moments = [1000.0]

    async def sleep(seconds: float) -> None:
        moments[0] += seconds

    sender = OutboxSender(
        bot, outbox, clock, max_attempts=3, monotonic=lambda: moments[0], sleep=sleep
    )
    await sender.drain()
    # The group shows seven cameras, not the five of the edit Telegram found unchanged.
    assert bot.texts == ["🚨 Báo động từ 5 camera", "🚨 Báo động từ 7 camera"]
    assert outbox.pending_count() == 0
