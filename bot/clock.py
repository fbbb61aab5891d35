"""Clocks: the system's, and one tests can move."""

from __future__ import annotations

import datetime as dt
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

    def now(self) -> dt.datetime:
        """Return the current (set) time in UTC."""
        return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move the clock forward and return the new time."""
        self._now += delta
        return self._now

    def set(self, when: dt.datetime) -> None:
        """Jump to a given aware time."""
        self._now = when.astimezone(dt.UTC)
