"""The sender's lifecycle without Telegram: stopping it always ends it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from telegram import Bot

from bot.clock import ManualClock
from bot.db.engine import make_engine
from bot.outbox import Outbox
from bot.sender import OutboxSender
from tests.conftest import MORNING


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
