"""Waiting on the desk's clock: moved by hand in tests, scaled in drills, real otherwise."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from bot.clock import ManualClock, ScaledClock, SystemClock, sleep_on
from tests.conftest import MORNING


async def test_a_wait_on_a_test_clock_ends_only_when_the_clock_gets_there() -> None:
    clock = ManualClock(MORNING)
    waiting = asyncio.create_task(sleep_on(clock, 2.0))
    await asyncio.sleep(0.1)
    clock.advance(dt.timedelta(seconds=1))
    await asyncio.sleep(0.1)
    assert not waiting.done()  # half way by the clock, however long it took for real
    clock.advance(dt.timedelta(seconds=1))
    await asyncio.wait_for(waiting, timeout=1)
    assert clock.on_change == []  # the waiter stopped listening


async def test_a_wait_on_a_scaled_clock_is_shortened_and_real_time_is_real() -> None:
    started = time.monotonic()
    await sleep_on(ScaledClock(MORNING, speed=100), 10.0)
    await sleep_on(SystemClock(), 0.05)
    assert time.monotonic() - started < 1.0


async def test_a_wait_stopped_as_the_clock_moves_stops() -> None:
    # A stop (shutdown) arriving in the same turn as a move must end the wait; the clock still
    # stands short of the wait's end, so a swallowed stop would keep the waiter for ever.
    clock = ManualClock(MORNING)
    waiting = asyncio.create_task(sleep_on(clock, 60.0))
    await asyncio.sleep(0.05)
    clock.advance(dt.timedelta(seconds=1))
    await asyncio.sleep(0)  # the wait's own wake-up is done, its waiter not yet resumed
    waiting.cancel()
    done, _ = await asyncio.wait({waiting}, timeout=1)
    assert waiting in done and waiting.cancelled()
    assert clock.on_change == []
