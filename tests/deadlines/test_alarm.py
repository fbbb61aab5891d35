"""The alarm clock without Telegram: when it rings next after a ring (an injected clock and a
job queue that only notes what it is asked to arm)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.clock import ManualClock
from bot.deadlines.alarm import IDLE_RING_GAP, Alarm
from tests.conftest import MORNING


@dataclass
class Armed:
    callback: Any
    when: float

    def schedule_removal(self) -> None:
        self.removed = True


@dataclass
class NotingJobQueue:
    """Notes each one-off ring asked for; rings nothing by itself."""

    armed: list[Armed] = field(default_factory=list)

    def run_once(self, callback: Any, when: dt.timedelta | float, name: str = "") -> Armed:
        seconds = when.total_seconds() if isinstance(when, dt.timedelta) else float(when)
        self.armed.append(Armed(callback, seconds))
        return self.armed[-1]

    def run_repeating(self, callback: Any, interval: Any, name: str = "") -> None:
        pass


@dataclass
class DueList:
    """Deadlines as due times; firing one removes it."""

    clock: ManualClock
    due: list[dt.datetime]
    fired: list[dt.datetime] = field(default_factory=list)

    def fire_due(self, now: dt.datetime) -> int:
        return self.fire_next(now) or 0

    def fire_next(self, now: dt.datetime) -> int | None:
        ready = [at for at in self.due if at <= now]
        if not ready:
            return None
        for at in ready:
            self.due.remove(at)
            self.fired.append(at)
        return len(ready)

    def next_due_at(self) -> dt.datetime | None:
        return min(self.due, default=None)


@dataclass
class Rang:
    job: Any


async def _ring(alarm: Alarm, queue: NotingJobQueue) -> None:
    job = queue.armed[-1]
    await job.callback(Rang(job))


async def test_after_a_ring_the_next_deadline_is_armed_for_its_own_time() -> None:
    clock = ManualClock(MORNING - dt.timedelta(seconds=1))
    later = MORNING + dt.timedelta(milliseconds=120)
    timers = DueList(clock, [MORNING, later])
    queue = NotingJobQueue()
    alarm = Alarm(queue, timers, clock)  # type: ignore[arg-type]
    alarm.start()
    assert queue.armed[-1].when == 1.0
    clock.advance(dt.timedelta(seconds=1))
    await _ring(alarm, queue)
    assert timers.fired == [MORNING]
    # The next one, 120 ms on, is armed for then: no fixed gap after a ring holds it back.
    assert queue.armed[-1].when == 0.12


async def test_a_ring_that_finds_nothing_due_waits_before_the_next() -> None:
    clock = ManualClock(MORNING)
    # Due 10 ms on by a clock that stands still (a test's): it never comes due.
    timers = DueList(clock, [MORNING + dt.timedelta(milliseconds=10)])
    queue = NotingJobQueue()
    alarm = Alarm(queue, timers, clock)  # type: ignore[arg-type]
    alarm.start()
    await _ring(alarm, queue)
    # Not a ring every 10 ms for nothing: the alarm waits a little before looking again.
    assert queue.armed[-1].when == IDLE_RING_GAP.total_seconds()
    assert timers.fired == []
