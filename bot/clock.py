"""Clocks: the system's, and one tests can move."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time, always timezone-aware (UTC)."""

    def now(self) -> dt.datetime:
        """Return the current time in UTC."""


class SystemClock:
    """The real clock."""

    def now(self) -> dt.datetime:
        """Return the current time in UTC."""
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that stands still until moved, so deadlines are tested without sleeping."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(dt.UTC)
        # Told when the clock is moved, so whoever waits on it (sleep_on) looks again.
        self.on_change: list[Callable[[], None]] = []

    def now(self) -> dt.datetime:
        """Return the current (set) time in UTC."""
        return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move the clock forward and return the new time."""
        self._now += delta
        self._changed()
        return self._now

    def set(self, when: dt.datetime) -> None:
        """Jump to a given aware time."""
        self._now = when.astimezone(dt.UTC)
        self._changed()

    def _changed(self) -> None:
        for listener in list(self.on_change):
            listener()


class ScaledClock:
    """A clock that runs `speed` times faster than real time and may jump (drills, sandbox).

    Whoever waits in real time for a moment on this clock (the deadline alarm) divides by the
    speed through `wall_delay`; a jump or a change of pace is told to `on_change` listeners so
    they can look again.
    """

    def __init__(
        self,
        start: dt.datetime | None = None,
        speed: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("ScaledClock needs a positive speed")
        self._monotonic = monotonic
        self._base = (start or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        self._t0 = monotonic()
        self._speed = speed
        self.on_change: list[Callable[[], None]] = []

    @property
    def speed(self) -> float:
        """How many seconds on this clock pass in one real second."""
        return self._speed

    def now(self) -> dt.datetime:
        """Return the current (scaled) time in UTC."""
        elapsed = (self._monotonic() - self._t0) * self._speed
        return self._base + dt.timedelta(seconds=elapsed)

    def _rebase(self, when: dt.datetime, speed: float) -> None:
        self._base, self._t0, self._speed = when.astimezone(dt.UTC), self._monotonic(), speed
        for listener in list(self.on_change):
            listener()

    def set_speed(self, speed: float) -> None:
        """Run at a new pace from the current moment on."""
        if speed <= 0:
            raise ValueError("ScaledClock needs a positive speed")
        self._rebase(self.now(), speed)

    def set(self, when: dt.datetime) -> None:
        """Jump to a given aware time and run on from there."""
        self._rebase(when, self._speed)

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Jump forward by a span and return the new time."""
        self._rebase(self.now() + delta, self._speed)
        return self._base


def wall_delay(clock: Clock, delta: dt.timedelta) -> dt.timedelta:
    """The real time to wait until `delta` has passed on the clock."""
    if isinstance(clock, ScaledClock):
        return delta / clock.speed
    return delta


async def sleep_on(clock: Clock, seconds: float) -> None:
    """Wait until `seconds` have passed on the clock.

    The system clock is plain sleeping. A clock that can be moved (a test's, a drill's) is
    watched: moving it ends the wait as soon as the time is reached, and a test clock that
    stands still keeps the waiter waiting, as it keeps every other deadline.
    """
    listeners: list[Callable[[], None]] | None = getattr(clock, "on_change", None)
    if listeners is None:
        await asyncio.sleep(seconds)
        return
    until = clock.now() + dt.timedelta(seconds=seconds)
    moved = asyncio.Event()
    listeners.append(moved.set)
    try:
        while (left := until - clock.now()) > dt.timedelta(0):
            moved.clear()
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for may swallow a cancel that
            # arrives as the event is set, and a stopped waiter would then wait on.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wall_delay(clock, left).total_seconds()):
                    await moved.wait()
    finally:
        listeners.remove(moved.set)
