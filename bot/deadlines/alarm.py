"""The alarm clock: PTB's JobQueue rings at the earliest deadline in the database."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from telegram.ext import ContextTypes, Job, JobQueue

from bot.clock import Clock, wall_delay
from bot.deadlines.timers import DueTimers

log = logging.getLogger(__name__)

# A ring at least this often even with nothing armed, in case the clock jumps or a row was
# added behind the bot's back; deadlines themselves never depend on it.
SAFETY_RING = dt.timedelta(seconds=30)
# A deadline this soon after a ring's last is waited for in the same ring, not by arming the
# scheduler again: a burst of deadlines a few milliseconds apart costs one ring, and none of
# them waits for a fixed gap between rings.
RING_HOLD = dt.timedelta(milliseconds=50)
# After a ring that found nothing due (a test's clock standing still, a deadline taken back
# meanwhile), the next waits at least this long, so the alarm cannot spin.
IDLE_RING_GAP = dt.timedelta(milliseconds=200)


class Alarm:
    """Keeps exactly one job armed for the next deadline; the database stays the truth."""

    def __init__(self, job_queue: JobQueue[Any], timers: DueTimers, clock: Clock) -> None:
        self._jobs = job_queue
        self._timers = timers
        self._clock = clock
        self._armed: Job[Any] | None = None
        self._armed_for: dt.datetime | None = None
        self._quiet_until: dt.datetime | None = None

    def start(self) -> None:
        """Fire what fell due while the bot was down, then arm for the next deadline."""
        fired = self._timers.fire_due(self._clock.now())
        if fired:
            log.info("Fired %s deadlines that passed while the bot was down", fired)
        self._jobs.run_repeating(self._ring, interval=SAFETY_RING, name="deadline-safety")
        self.arm()

    def arm(self) -> None:
        """Point the alarm at the earliest live deadline (called after every change)."""
        upcoming = self._timers.next_due_at()
        if upcoming is None or upcoming == self._armed_for:
            return
        if self._armed is not None:
            # It may have rung already: the scheduler drops a one-off job as it runs it.
            with contextlib.suppress(JobLookupError):
                self._armed.schedule_removal()
        ring_at = max(upcoming, self._quiet_until) if self._quiet_until else upcoming
        delay = max(dt.timedelta(0), wall_delay(self._clock, ring_at - self._clock.now()))
        self._armed = self._jobs.run_once(self._ring, when=delay, name="deadline-alarm")
        self._armed_for = upcoming

    def reset(self) -> None:
        """The clock jumped or changed pace: ring at once, which fires what is due and re-arms."""
        if self._armed is not None:
            with contextlib.suppress(JobLookupError):
                self._armed.schedule_removal()
        self._armed_for = None
        self._quiet_until = None
        self._armed = self._jobs.run_once(self._ring, when=0, name="deadline-alarm")

    async def _ring(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Forget what was armed so arm() replaces it, whichever job rang.
        self._armed_for = None
        if context.job is self._armed:
            self._armed = None
        fired_any = False
        try:
            held_for: dt.datetime | None = None
            while True:
                # Batch by batch, each stamped with its own time, letting the sender and
                # incoming updates run in between: a burst of deadlines must not stall the desk.
                fired: int | None = 0
                while fired is not None:
                    fired = self._timers.fire_next(self._clock.now())
                    fired_any = fired_any or bool(fired)
                    await asyncio.sleep(0)
                upcoming = self._timers.next_due_at()
                if upcoming is None or upcoming == held_for:
                    break
                wait = wall_delay(self._clock, upcoming - self._clock.now())
                if wait > RING_HOLD:
                    break
                held_for = upcoming
                await asyncio.sleep(max(0.0, wait.total_seconds()))
        finally:
            self._quiet_until = None if fired_any else self._clock.now() + IDLE_RING_GAP
            self.arm()
